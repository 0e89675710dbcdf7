/**
 * One ASN.1 reader for every parser in the core. Strict DER by default (definite lengths only,
 * bounds-checked); `{ ber: true }` also accepts BER indefinite lengths, which other implementations'
 * CMS signatures use. Nodes are views into the input, and each keeps its whole encoding (`raw`) so
 * that fields can be hashed, compared or echoed byte for byte as received.
 */
import { concat } from './bytes.ts';
import { TAG } from './der-writer.ts';

/** How strictly to read. */
export interface DerReadOptions {
  /** Accept BER indefinite lengths (default false: DER only). */
  readonly ber?: boolean;
}

/** Reading options for other implementations' CMS: BER indefinite lengths accepted. */
export const BER: DerReadOptions = Object.freeze({ ber: true });

/** One decoded element. */
export interface DerNode {
  /** The first identifier octet (class, constructed bit, tag number when < 31). */
  readonly tag: number;
  readonly tagClass: 'universal' | 'application' | 'context' | 'private';
  readonly constructed: boolean;
  readonly tagNumber: number;
  /** The whole encoding, identifier and length octets included (a view, not a copy). */
  readonly raw: Uint8Array;
  /** The value octets; for an indefinite length without the end-of-contents octets. */
  readonly content: Uint8Array;
  /** True for a BER indefinite length. */
  readonly indefinite: boolean;
  /** The elements inside a constructed value, read with the same options (throws on a primitive). */
  children(): DerNode[];
}

/** Thrown for any malformed input; callers turn it into their own CoreError code or status. */
export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

const CLASSES = ['universal', 'application', 'context', 'private'] as const;
// Only the walk over an indefinite length recurses while reading; this bounds it against hostile nesting.
const MAX_INDEFINITE_DEPTH = 64;

function readAt(bytes: Uint8Array, offset: number, options: DerReadOptions, depth: number): DerNode {
  if (depth > MAX_INDEFINITE_DEPTH) throw new DerError('nesting too deep');
  if (offset >= bytes.length) throw new DerError('unexpected end of data');
  const tag = bytes[offset];
  let position = offset + 1;
  let tagNumber = tag & 0x1f;
  if (tagNumber === 0x1f) {
    // High tag number form: base-128 digits, high bit set on all but the last.
    tagNumber = 0;
    for (let digits = 0; ; digits++) {
      if (position >= bytes.length) throw new DerError('truncated tag');
      if (digits > 3) throw new DerError('tag too large');
      const octet = bytes[position++];
      tagNumber = tagNumber * 128 + (octet & 0x7f);
      if ((octet & 0x80) === 0) break;
    }
  }
  const constructed = (tag & 0x20) !== 0;
  if (position >= bytes.length) throw new DerError('truncated length');
  const first = bytes[position++];
  let length = first;
  let indefinite = false;
  if (first === 0x80) {
    if (!options.ber) throw new DerError('indefinite length is not DER');
    if (!constructed) throw new DerError('indefinite length on a primitive value');
    indefinite = true;
  } else if (first > 0x80) {
    const count = first & 0x7f;
    if (count > 4) throw new DerError('length too large');
    length = 0;
    for (let i = 0; i < count; i++) {
      if (position >= bytes.length) throw new DerError('truncated length');
      length = length * 256 + bytes[position++];
    }
  }
  let contentEnd: number;
  let end: number;
  if (indefinite) {
    // Walk the children until the end-of-contents octets (00 00).
    let cursor = position;
    for (;;) {
      if (cursor + 1 >= bytes.length) throw new DerError('unterminated indefinite length');
      if (bytes[cursor] === 0 && bytes[cursor + 1] === 0) break;
      cursor += readAt(bytes, cursor, options, depth + 1).raw.length;
    }
    contentEnd = cursor;
    end = cursor + 2;
  } else {
    contentEnd = position + length;
    end = contentEnd;
    if (end > bytes.length) throw new DerError('value runs past the end of data');
  }
  const content = bytes.subarray(position, contentEnd);
  return {
    tag,
    tagClass: CLASSES[tag >> 6],
    constructed,
    tagNumber,
    raw: bytes.subarray(offset, end),
    content,
    indefinite,
    children() {
      if (!constructed) throw new DerError(`expected a constructed value, got tag 0x${tag.toString(16)}`);
      const nodes: DerNode[] = [];
      for (let cursor = 0; cursor < content.length;) {
        const child = readAt(content, cursor, options, 0);
        nodes.push(child);
        cursor += child.raw.length;
      }
      return nodes;
    },
  };
}

/** Reads the element at `offset`, ignoring whatever follows it. */
export function readDerAt(bytes: Uint8Array, offset = 0, options: DerReadOptions = {}): DerNode {
  return readAt(bytes, offset, options, 0);
}

/** Reads exactly one element filling all of `bytes` (trailing data is an error). */
export function readDer(bytes: Uint8Array, options: DerReadOptions = {}): DerNode {
  const node = readAt(bytes, 0, options, 0);
  if (node.raw.length !== bytes.length) throw new DerError('trailing data after the value');
  return node;
}

/** Asserts the identifier octet of `node` (e.g. TAG.sequence, 0xa0) and returns the node. */
export function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (node === undefined) throw new DerError(`missing ${what}`);
  if (node.tag !== tag)
    throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, got 0x${node.tag.toString(16)}`);
  return node;
}

/** Whether the node is context-specific [tagNumber], primitive or constructed. */
export function isContext(node: DerNode | undefined, tagNumber: number): boolean {
  return node !== undefined && node.tagClass === 'context' && node.tagNumber === tagNumber;
}

/** The value of an OCTET STRING, joining the segments of a BER constructed one. */
export function octetStringValue(node: DerNode): Uint8Array {
  if (node.tag === TAG.octetString) return node.content;
  if (node.tag === (TAG.octetString | 0x20)) return concat(node.children().map(octetStringValue));
  throw new DerError(`expected an OCTET STRING, got tag 0x${node.tag.toString(16)}`);
}

/** Dotted notation of an OBJECT IDENTIFIER (arcs of any size). */
export function decodeOid(node: DerNode | undefined): string {
  const content = expectTag(node, TAG.oid, 'OBJECT IDENTIFIER').content;
  if (content.length === 0) throw new DerError('empty OBJECT IDENTIFIER');
  const arcs: bigint[] = [];
  let value = 0n;
  for (let i = 0; i < content.length; i++) {
    value = (value << 7n) | BigInt(content[i] & 0x7f);
    if ((content[i] & 0x80) === 0) {
      arcs.push(value);
      value = 0n;
    } else if (i === content.length - 1) {
      throw new DerError('truncated OBJECT IDENTIFIER');
    }
  }
  const first = arcs[0] < 80n ? arcs[0] / 40n : 2n;
  return [first, arcs[0] - first * 40n, ...arcs.slice(1)].join('.');
}

/** Value of a small non-negative INTEGER (versions) or, with `tag` TAG.enumerated, ENUMERATED. */
export function decodeSmallInteger(node: DerNode | undefined, tag: number = TAG.integer): number {
  const content = expectTag(node, tag, tag === TAG.enumerated ? 'ENUMERATED' : 'INTEGER').content;
  if (content.length === 0 || content.length > 4) throw new DerError('integer out of range');
  if (content[0] & 0x80) throw new DerError('negative integer');
  let value = 0;
  for (const octet of content) value = value * 256 + octet;
  return value;
}

/** Date of a UTCTime or GeneralizedTime in Z form (fractions of GeneralizedTime kept to the millisecond). */
export function decodeTime(node: DerNode | undefined): Date {
  if (node === undefined || (node.tag !== TAG.utcTime && node.tag !== TAG.generalizedTime))
    throw new DerError('expected a time');
  const text = new TextDecoder('latin1').decode(node.content);
  let match: RegExpMatchArray | null;
  let year: number;
  if (node.tag === TAG.utcTime) {
    // Seconds are optional in BER UTCTime; DER writers always include them.
    match = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(text);
    if (match === null) throw new DerError(`bad UTCTime ${JSON.stringify(text)}`);
    const yy = Number(match[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy; // RFC 5280 4.1.2.5.1
  } else {
    match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.(\d+))?Z$/.exec(text);
    if (match === null) throw new DerError(`bad GeneralizedTime ${JSON.stringify(text)}`);
    year = Number(match[1]);
  }
  const millis = match[7] ? Math.floor(Number(`0.${match[7]}`) * 1000) : 0;
  return new Date(
    Date.UTC(
      year,
      Number(match[2]) - 1,
      Number(match[3]),
      Number(match[4]),
      Number(match[5]),
      Number(match[6] ?? 0),
      millis,
    ),
  );
}
