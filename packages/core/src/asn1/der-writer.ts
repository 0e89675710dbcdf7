/**
 * A minimal DER writer (X.690). CMS signed attributes, certificates, CRLs and OCSP responses are
 * built byte by byte with it, so that the encoding is exactly what RFC 5652 / 5280 / 6960 ask for:
 * the signed attributes are signed as the DER SET that sits in the SignerInfo as [0] IMPLICIT, and no
 * library re-encoding can change a byte between building and signing.
 */
import { concat } from './bytes.ts';

/** Identifier octets of the universal types used here (constructed bit included for SEQUENCE and SET). */
export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  enumerated: 0x0a,
  utf8String: 0x0c,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const octets: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest & 0xff);
  return Uint8Array.of(0x80 | octets.length, ...octets);
}

/** A TLV with the single identifier octet `tag` (enough for every tag used here) around the concatenated `contents`. */
export function tlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const content = concat(contents);
  return concat([Uint8Array.of(tag), encodeLength(content.length), content]);
}

/** SEQUENCE of the given encodings. */
export function sequence(...items: Uint8Array[]): Uint8Array {
  return tlv(TAG.sequence, ...items);
}

/** Compares two encodings the way X.690 11.6 orders SET OF (the shorter padded with trailing zeros). */
export function compareDer(a: Uint8Array, b: Uint8Array): number {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** DER SET OF: the elements sorted by their encodings; `tag` replaces 0x31 for IMPLICIT [n] SET OF fields. */
export function setOf(items: readonly Uint8Array[], tag: number = TAG.set): Uint8Array {
  return tlv(tag, ...[...items].sort(compareDer));
}

/** [n] EXPLICIT wrapper (context-specific, constructed). */
export function explicit(tagNumber: number, ...contents: Uint8Array[]): Uint8Array {
  return tlv(0xa0 | tagNumber, ...contents);
}

/** [n] IMPLICIT primitive (context-specific, primitive) holding raw content octets. */
export function implicitPrimitive(tagNumber: number, content: Uint8Array): Uint8Array {
  return tlv(0x80 | tagNumber, content);
}

/** A copy of a DER encoding with its identifier octet replaced (IMPLICIT tagging of a constructed value). */
export function retag(encoding: Uint8Array, tag: number): Uint8Array {
  const copy = Uint8Array.from(encoding);
  copy[0] = tag;
  return copy;
}

/** NULL. */
export function nullValue(): Uint8Array {
  return Uint8Array.of(TAG.null, 0);
}

/** BOOLEAN (DER: TRUE is 0xff). */
export function boolean(value: boolean): Uint8Array {
  return Uint8Array.of(TAG.boolean, 1, value ? 0xff : 0x00);
}

/** OCTET STRING. */
export function octetString(value: Uint8Array): Uint8Array {
  return tlv(TAG.octetString, value);
}

/** UTF8String. */
export function utf8String(value: string): Uint8Array {
  return tlv(TAG.utf8String, new TextEncoder().encode(value));
}

/** BIT STRING with the given number of unused trailing bits. */
export function bitString(value: Uint8Array, unusedBits = 0): Uint8Array {
  return tlv(TAG.bitString, Uint8Array.of(unusedBits), value);
}

/** The value octets and unused-bit count of a named BIT STRING with `bits` set (DER drops trailing zero bits). */
export function namedBits(bits: readonly number[]): { value: Uint8Array; unusedBits: number } {
  if (bits.length === 0) return { value: new Uint8Array(0), unusedBits: 0 };
  const highest = Math.max(...bits);
  const value = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const bit of bits) value[Math.floor(bit / 8)] |= 0x80 >> (bit % 8);
  return { value, unusedBits: 7 - (highest % 8) };
}

/** A named BIT STRING (KeyUsage, PKIFailureInfo …) with `bits` set. */
export function namedBitString(bits: readonly number[]): Uint8Array {
  const { value, unusedBits } = namedBits(bits);
  return bitString(value, unusedBits);
}

/** INTEGER from a non-negative magnitude (unsigned big-endian bytes), a number or a bigint; minimally encoded. */
export function integer(value: Uint8Array | number | bigint): Uint8Array {
  return tlv(TAG.integer, integerContent(value));
}

/** ENUMERATED (non-negative values). */
export function enumerated(value: number): Uint8Array {
  return tlv(TAG.enumerated, integerContent(value));
}

function integerContent(value: Uint8Array | number | bigint): Uint8Array {
  let bytes: Uint8Array;
  if (value instanceof Uint8Array) {
    bytes = value;
  } else {
    let n = BigInt(value);
    if (n < 0n) throw new RangeError('only non-negative integers are encoded here');
    const list: number[] = [];
    do {
      list.unshift(Number(n & 0xffn));
      n >>= 8n;
    } while (n > 0n);
    bytes = Uint8Array.from(list);
  }
  // Minimal encoding: drop redundant leading zeros, then add one back if the sign bit would be set.
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  bytes = bytes.subarray(start);
  if (bytes.length === 0) return Uint8Array.of(0);
  return bytes[0] >= 0x80 ? concat([Uint8Array.of(0), bytes]) : bytes;
}

/** OBJECT IDENTIFIER from dotted notation; arcs of any size (2.25 UUID arcs exceed 2^53). */
export function oid(dotted: string): Uint8Array {
  if (!/^[0-2](\.\d+)+$/.test(dotted)) throw new RangeError(`bad OID ${dotted}`);
  const arcs = dotted.split('.').map((arc) => BigInt(arc));
  const body: number[] = [];
  const pushArc = (arc: bigint): void => {
    const chunk: number[] = [Number(arc & 0x7fn)];
    for (let n = arc >> 7n; n > 0n; n >>= 7n) chunk.unshift(Number(n & 0x7fn) | 0x80);
    body.push(...chunk);
  };
  pushArc(arcs[0] * 40n + arcs[1]);
  for (const arc of arcs.slice(2)) pushArc(arc);
  return tlv(TAG.oid, Uint8Array.from(body));
}

/** Drops milliseconds: DER times here carry whole seconds only. */
export function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function timeDigits(date: Date): string {
  const d = wholeSeconds(date);
  return `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

/** GeneralizedTime YYYYMMDDHHMMSSZ (no fraction, as the RFC 5280 and RFC 6960 profiles want). */
export function generalizedTime(date: Date): Uint8Array {
  return tlv(TAG.generalizedTime, new TextEncoder().encode(`${timeDigits(date)}Z`));
}

/** UTCTime YYMMDDHHMMSSZ. */
export function utcTime(date: Date): Uint8Array {
  return tlv(TAG.utcTime, new TextEncoder().encode(`${timeDigits(date).slice(2)}Z`));
}

/** RFC 5280 Time and RFC 5652 SigningTime: UTCTime for 1950–2049, GeneralizedTime otherwise; whole seconds. */
export function x509Time(date: Date): Uint8Array {
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050 ? utcTime(date) : generalizedTime(date);
}
