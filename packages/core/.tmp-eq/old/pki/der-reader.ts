/**
 * A strict, small DER reader for the OCSP messages the responder accepts from the network:
 * definite lengths only, bounds-checked, and it keeps each element's raw bytes so that
 * fields (CertID, nonce) can be echoed byte for byte.
 */

/** A decoded DER element. */
export interface DerNode {
  /** 0 universal, 1 application, 2 context-specific, 3 private. */
  readonly tagClass: number;
  readonly constructed: boolean;
  readonly tagNumber: number;
  /** The whole TLV. */
  readonly raw: Uint8Array;
  /** The value bytes. */
  readonly content: Uint8Array;
  /** The elements inside a constructed value (throws on a primitive). */
  children(): DerNode[];
}

/** Thrown for any malformed input; callers turn it into their own error or status. */
export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

function readOne(bytes: Uint8Array, offset: number): { node: DerNode; next: number } {
  if (offset >= bytes.length) throw new DerError('unexpected end of data');
  const first = bytes[offset];
  let position = offset + 1;
  let tagNumber = first & 0x1f;
  if (tagNumber === 0x1f) {
    tagNumber = 0;
    for (;;) {
      if (position >= bytes.length) throw new DerError('truncated tag');
      const b = bytes[position++];
      tagNumber = tagNumber * 128 + (b & 0x7f);
      if (tagNumber > 0xffffff) throw new DerError('tag too large');
      if ((b & 0x80) === 0) break;
    }
  }
  if (position >= bytes.length) throw new DerError('truncated length');
  let length = bytes[position++];
  if (length === 0x80) throw new DerError('indefinite length is not DER');
  if (length > 0x80) {
    const count = length & 0x7f;
    if (count > 4) throw new DerError('length too large');
    length = 0;
    for (let i = 0; i < count; i++) {
      if (position >= bytes.length) throw new DerError('truncated length');
      length = length * 256 + bytes[position++];
    }
  }
  const end = position + length;
  if (end > bytes.length) throw new DerError('value runs past the end of data');
  const constructed = (first & 0x20) !== 0;
  const content = bytes.subarray(position, end);
  const node: DerNode = {
    tagClass: first >> 6,
    constructed,
    tagNumber,
    raw: bytes.subarray(offset, end),
    content,
    children() {
      if (!constructed) throw new DerError('not a constructed value');
      return readAll(content);
    },
  };
  return { node, next: end };
}

/** Reads every element in `bytes` (a constructed value's content). */
export function readAll(bytes: Uint8Array): DerNode[] {
  const nodes: DerNode[] = [];
  for (let offset = 0; offset < bytes.length; ) {
    const { node, next } = readOne(bytes, offset);
    nodes.push(node);
    offset = next;
  }
  return nodes;
}

/** Parses exactly one element filling all of `bytes` (trailing data is an error). */
export function readDer(bytes: Uint8Array): DerNode {
  const { node, next } = readOne(bytes, 0);
  if (next !== bytes.length) throw new DerError('trailing data after the DER value');
  return node;
}

/** Asserts a universal tag and returns the node. */
export function expectUniversal(node: DerNode | undefined, tagNumber: number, what: string): DerNode {
  if (node === undefined || node.tagClass !== 0 || node.tagNumber !== tagNumber) throw new DerError(`expected ${what}`);
  return node;
}

/** Whether the node is context-specific [tagNumber]. */
export function isContext(node: DerNode | undefined, tagNumber: number): boolean {
  return node !== undefined && node.tagClass === 2 && node.tagNumber === tagNumber;
}

/** Dotted notation of an OBJECT IDENTIFIER node. */
export function decodeOid(node: DerNode | undefined): string {
  const content = expectUniversal(node, 6, 'OBJECT IDENTIFIER').content;
  if (content.length === 0) throw new DerError('empty OID');
  const arcs: bigint[] = [];
  let value = 0n;
  for (let i = 0; i < content.length; i++) {
    value = (value << 7n) | BigInt(content[i] & 0x7f);
    if ((content[i] & 0x80) === 0) {
      arcs.push(value);
      value = 0n;
    } else if (i === content.length - 1) {
      throw new DerError('truncated OID');
    }
  }
  const first = arcs[0] < 80n ? arcs[0] / 40n : 2n;
  const second = arcs[0] - first * 40n;
  return [first, second, ...arcs.slice(1)].join('.');
}

/** Value of a small ENUMERATED or INTEGER node. */
export function decodeSmallInteger(node: DerNode | undefined, tagNumber = 2): number {
  const content = expectUniversal(node, tagNumber, 'INTEGER').content;
  if (content.length === 0 || content.length > 4) throw new DerError('integer out of range');
  let value = 0;
  for (const b of content) value = value * 256 + b;
  return value;
}

/** Date of a GeneralizedTime or UTCTime node (whole seconds, Z only). */
export function decodeTime(node: DerNode | undefined): Date {
  if (node === undefined || node.tagClass !== 0 || (node.tagNumber !== 24 && node.tagNumber !== 23)) throw new DerError('expected a time');
  const text = new TextDecoder().decode(node.content);
  const match = node.tagNumber === 24 ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(text) : /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (match === null) throw new DerError(`unsupported time ${text}`);
  let year = Number(match[1]);
  if (node.tagNumber === 23) year += year < 50 ? 2000 : 1900;
  return new Date(Date.UTC(year, Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6])));
}
