/**
 * A minimal DER writer. Certificates, CRLs and OCSP responses are built byte by byte here so that
 * the encoding is exactly what RFC 5280 / RFC 6960 ask for (no library re-encoding surprises).
 */

/** Encodes a definite DER length. */
function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** Concatenates byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, p) => sum + p.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** A TLV with a single-byte tag (enough for every tag used here). */
export function tlv(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const body = concat(contents);
  return concat([Uint8Array.of(tag), encodeLength(body.length), body]);
}

export const sequence = (...contents: Uint8Array[]): Uint8Array => tlv(0x30, ...contents);
/** A SET with exactly the given elements; callers only build one-element sets, so no DER sorting is needed. */
export const set = (...contents: Uint8Array[]): Uint8Array => tlv(0x31, ...contents);
export const nullValue = (): Uint8Array => Uint8Array.of(0x05, 0x00);
export const boolean = (value: boolean): Uint8Array => Uint8Array.of(0x01, 0x01, value ? 0xff : 0x00);
export const octetString = (value: Uint8Array): Uint8Array => tlv(0x04, value);
export const utf8String = (value: string): Uint8Array => tlv(0x0c, new TextEncoder().encode(value));
/** [n] EXPLICIT wrapper (context-specific, constructed). */
export const explicit = (tagNumber: number, ...contents: Uint8Array[]): Uint8Array => tlv(0xa0 | tagNumber, ...contents);
/** [n] IMPLICIT primitive (context-specific, primitive) holding raw content bytes. */
export const implicitPrimitive = (tagNumber: number, content: Uint8Array): Uint8Array => tlv(0x80 | tagNumber, content);

/** BIT STRING with the given number of unused trailing bits. */
export function bitString(value: Uint8Array, unusedBits = 0): Uint8Array {
  return tlv(0x03, Uint8Array.of(unusedBits), value);
}

/** INTEGER from a non-negative magnitude (big-endian bytes), a number or a bigint. */
export function integer(value: Uint8Array | number | bigint): Uint8Array {
  return tlv(0x02, integerContent(value));
}

/** ENUMERATED (small non-negative values). */
export function enumerated(value: number): Uint8Array {
  return tlv(0x0a, integerContent(value));
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

/** OBJECT IDENTIFIER from dotted notation. */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((a) => BigInt(a));
  if (arcs.length < 2) throw new RangeError(`bad OID ${dotted}`);
  const body: number[] = [];
  const pushArc = (arc: bigint): void => {
    const chunk: number[] = [Number(arc & 0x7fn)];
    for (let n = arc >> 7n; n > 0n; n >>= 7n) chunk.unshift(Number(n & 0x7fn) | 0x80);
    body.push(...chunk);
  };
  pushArc(arcs[0] * 40n + arcs[1]);
  for (const arc of arcs.slice(2)) pushArc(arc);
  return tlv(0x06, Uint8Array.from(body));
}

/** Drops milliseconds: DER times here carry whole seconds only. */
export function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** GeneralizedTime YYYYMMDDHHMMSSZ (no fraction, as RFC 5280 and RFC 6960 profiles want). */
export function generalizedTime(date: Date): Uint8Array {
  const d = wholeSeconds(date);
  const text = `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
  return tlv(0x18, new TextEncoder().encode(text));
}

/** UTCTime YYMMDDHHMMSSZ. */
export function utcTime(date: Date): Uint8Array {
  const d = wholeSeconds(date);
  const text = `${pad(d.getUTCFullYear() % 100)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
  return tlv(0x17, new TextEncoder().encode(text));
}

/** RFC 5280 Time: UTCTime through 2049, GeneralizedTime from 2050. */
export function x509Time(date: Date): Uint8Array {
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050 ? utcTime(date) : generalizedTime(date);
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Bytes of a hex string (even length). */
export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
