/**
 * A minimal ASN.1 BER reader and DER writer for CMS.
 * Written by hand (rather than through asn1js) because CMS needs exact byte control: the signed
 * attributes are signed as the DER SET that sits in the structure as [0] IMPLICIT, and other
 * implementations' CMS may use BER indefinite lengths around them.
 */
import { CoreError } from '../errors.ts';

/** One decoded TLV; `bytes` is the whole encoding, `content` its value octets (views, not copies). */
export interface Tlv {
  /** The first identifier octet (class, constructed bit, tag number when < 31). */
  readonly tag: number;
  readonly tagClass: 'universal' | 'application' | 'context' | 'private';
  readonly constructed: boolean;
  readonly tagNumber: number;
  readonly bytes: Uint8Array;
  readonly content: Uint8Array;
  /** True for BER indefinite length: `content` then excludes the end-of-contents octets. */
  readonly indefinite: boolean;
}

export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  sequence: 0x30,
  set: 0x31,
  utcTime: 0x17,
  generalizedTime: 0x18,
} as const;

const MAX_DEPTH = 64;
const CLASSES = ['universal', 'application', 'context', 'private'] as const;

function invalid(message: string): never {
  throw new CoreError('CMS_INVALID', `ASN.1: ${message}`);
}

/** Reads the TLV at `offset` of `buffer`; throws CoreError('CMS_INVALID') on malformed input. */
export function readTlv(buffer: Uint8Array, offset = 0, depth = 0): Tlv {
  if (depth > MAX_DEPTH) invalid('nesting too deep');
  let position = offset;
  if (position >= buffer.length) invalid('unexpected end of data');
  const tag = buffer[position++];
  let tagNumber = tag & 0x1f;
  if (tagNumber === 0x1f) {
    // High tag number form: base-128 digits, high bit set on all but the last.
    tagNumber = 0;
    for (let digits = 0; ; digits++) {
      if (position >= buffer.length || digits > 3) invalid('bad tag');
      const octet = buffer[position++];
      tagNumber = tagNumber * 128 + (octet & 0x7f);
      if ((octet & 0x80) === 0) break;
    }
  }
  const constructed = (tag & 0x20) !== 0;
  if (position >= buffer.length) invalid('missing length');
  const first = buffer[position++];
  let length: number;
  let indefinite = false;
  if (first < 0x80) length = first;
  else if (first === 0x80) {
    if (!constructed) invalid('indefinite length on a primitive value');
    indefinite = true;
    length = -1;
  } else {
    const count = first & 0x7f;
    if (count > 4) invalid('length too large');
    length = 0;
    for (let i = 0; i < count; i++) {
      if (position >= buffer.length) invalid('truncated length');
      length = length * 256 + buffer[position++];
    }
  }
  const contentStart = position;
  let contentEnd: number;
  let end: number;
  if (indefinite) {
    // Walk the children until the end-of-contents octets (00 00).
    let cursor = contentStart;
    for (;;) {
      if (cursor + 1 >= buffer.length) invalid('unterminated indefinite length');
      if (buffer[cursor] === 0 && buffer[cursor + 1] === 0) break;
      cursor += readTlv(buffer, cursor, depth + 1).bytes.length;
    }
    contentEnd = cursor;
    end = cursor + 2;
  } else {
    contentEnd = contentStart + length;
    end = contentEnd;
    if (contentEnd > buffer.length) invalid('value runs past the end of data');
  }
  return {
    tag,
    tagClass: CLASSES[tag >> 6],
    constructed,
    tagNumber,
    bytes: buffer.subarray(offset, end),
    content: buffer.subarray(contentStart, contentEnd),
    indefinite,
  };
}

/** Decodes `buffer` as exactly one TLV (no trailing bytes). */
export function readSingle(buffer: Uint8Array): Tlv {
  const tlv = readTlv(buffer, 0);
  if (tlv.bytes.length !== buffer.length) invalid('trailing data after the value');
  return tlv;
}

/** The children of a constructed TLV. */
export function childrenOf(tlv: Tlv): Tlv[] {
  if (!tlv.constructed) invalid(`expected a constructed value, got tag 0x${tlv.tag.toString(16)}`);
  const out: Tlv[] = [];
  let cursor = 0;
  while (cursor < tlv.content.length) {
    const child = readTlv(tlv.content, cursor);
    out.push(child);
    cursor += child.bytes.length;
  }
  return out;
}

/** Asserts the tag of `tlv` and returns it. */
export function expectTag(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (tlv === undefined) invalid(`missing ${what}`);
  if (tlv.tag !== tag) invalid(`${what}: expected tag 0x${tag.toString(16)}, got 0x${tlv.tag.toString(16)}`);
  return tlv;
}

/** The value of an OCTET STRING, joining the segments of a BER constructed one. */
export function octetStringValue(tlv: Tlv): Uint8Array {
  if (tlv.tag === TAG.octetString) return tlv.content;
  if (tlv.tag === (TAG.octetString | 0x20)) return concat(childrenOf(tlv).map(octetStringValue));
  return invalid(`expected an OCTET STRING, got tag 0x${tlv.tag.toString(16)}`);
}

/** Decodes the content octets of an OBJECT IDENTIFIER to dotted form. */
export function decodeOid(tlv: Tlv): string {
  if (tlv.tag !== TAG.oid || tlv.content.length === 0) invalid('expected an OBJECT IDENTIFIER');
  const arcs: number[] = [];
  let value = 0;
  for (let i = 0; i < tlv.content.length; i++) {
    const octet = tlv.content[i];
    value = value * 128 + (octet & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) invalid('OBJECT IDENTIFIER arc too large');
    if ((octet & 0x80) === 0) {
      if (arcs.length === 0) {
        const firstArc = value < 40 ? 0 : value < 80 ? 1 : 2;
        arcs.push(firstArc, value - firstArc * 40);
      } else arcs.push(value);
      value = 0;
    } else if (i === tlv.content.length - 1) invalid('truncated OBJECT IDENTIFIER');
  }
  return arcs.join('.');
}

/** Decodes a small non-negative INTEGER (versions). */
export function decodeSmallInteger(tlv: Tlv): number {
  if (tlv.tag !== TAG.integer || tlv.content.length === 0 || tlv.content.length > 4) invalid('expected a small INTEGER');
  if (tlv.content[0] & 0x80) invalid('negative INTEGER');
  let value = 0;
  for (const octet of tlv.content) value = value * 256 + octet;
  return value;
}

/** Decodes a UTCTime or GeneralizedTime (Z form, as DER requires). */
export function decodeTime(tlv: Tlv): Date {
  const text = new TextDecoder('latin1').decode(tlv.content);
  let match: RegExpMatchArray | null;
  let year: number;
  if (tlv.tag === TAG.utcTime) {
    match = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(text);
    if (!match) invalid(`bad UTCTime ${JSON.stringify(text)}`);
    const yy = Number(match[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy; // RFC 5280 4.1.2.5.1
  } else if (tlv.tag === TAG.generalizedTime) {
    match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.(\d+))?Z$/.exec(text);
    if (!match) invalid(`bad GeneralizedTime ${JSON.stringify(text)}`);
    year = Number(match[1]);
  } else return invalid('expected a time');
  const fraction = tlv.tag === TAG.generalizedTime && match[7] ? Number(`0.${match[7]}`) * 1000 : 0;
  const millis = Date.UTC(year, Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6] ?? 0), Math.floor(fraction));
  return new Date(millis);
}

// ---------------------------------------------------------------------------------------------
// Writer (DER)

/** Joins byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const octets: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest & 0xff);
  return Uint8Array.of(0x80 | octets.length, ...octets);
}

/** Encodes a TLV with a single-octet identifier `tag` around the concatenated `contents`. */
export function tlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const content = concat(contents);
  return concat([Uint8Array.of(tag), encodeLength(content.length), content]);
}

/** SEQUENCE of the given encodings. */
export function sequence(...items: Uint8Array[]): Uint8Array {
  return tlv(TAG.sequence, ...items);
}

/** Compares two encodings the way X.690 11.6 orders SET OF (shorter padded with trailing zeros). */
export function compareDer(a: Uint8Array, b: Uint8Array): number {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** DER SET OF: the elements sorted by their encodings. */
export function setOf(items: readonly Uint8Array[], tag: number = TAG.set): Uint8Array {
  return tlv(tag, ...[...items].sort(compareDer));
}

/** Encodes a dotted OBJECT IDENTIFIER. */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  if (arcs.length < 2 || arcs.some((arc) => !Number.isSafeInteger(arc) || arc < 0)) throw new TypeError(`bad OID ${dotted}`);
  const octets: number[] = [];
  const push = (value: number): void => {
    const digits = [value & 0x7f];
    for (let rest = Math.floor(value / 128); rest > 0; rest = Math.floor(rest / 128)) digits.unshift((rest & 0x7f) | 0x80);
    octets.push(...digits);
  };
  push(arcs[0] * 40 + arcs[1]);
  for (const arc of arcs.slice(2)) push(arc);
  return tlv(TAG.oid, Uint8Array.from(octets));
}

/** Encodes a small non-negative INTEGER. */
export function smallInteger(value: number): Uint8Array {
  const octets: number[] = [];
  for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest & 0xff);
  if (octets.length === 0 || octets[0] & 0x80) octets.unshift(0);
  return tlv(TAG.integer, Uint8Array.from(octets));
}

/** OCTET STRING. */
export function octetString(value: Uint8Array): Uint8Array {
  return tlv(TAG.octetString, value);
}

/** NULL. */
export const derNull: Uint8Array = Uint8Array.of(TAG.null, 0);

/** Encodes a time as RFC 5652 11.3 asks: UTCTime for 1950–2049, GeneralizedTime otherwise; whole seconds. */
export function encodeTime(date: Date): Uint8Array {
  const iso = new Date(Math.floor(date.getTime() / 1000) * 1000).toISOString(); // YYYY-MM-DDTHH:MM:SS.000Z
  const year = date.getUTCFullYear();
  const digits = iso.slice(0, 19).replace(/[-:T]/g, '');
  const text = year >= 1950 && year < 2050 ? `${digits.slice(2)}Z` : `${digits}Z`;
  return tlv(year >= 1950 && year < 2050 ? TAG.utcTime : TAG.generalizedTime, new TextEncoder().encode(text));
}

/** Returns a copy of a DER encoding with its identifier octet replaced (for IMPLICIT tagging). */
export function retag(encoding: Uint8Array, tag: number): Uint8Array {
  const copy = Uint8Array.from(encoding);
  copy[0] = tag;
  return copy;
}
