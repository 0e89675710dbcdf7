import * as asn1js from 'asn1js';

/** Parses one complete BER/DER element; returns null on garbage or trailing bytes. */
export function parseDer(bytes: Uint8Array): asn1js.AsnType | null {
  if (bytes.length === 0) return null;
  // Copy: asn1js keeps views into the buffer, and Node's Buffers may share a pool.
  const copy = new Uint8Array(bytes);
  const parsed = asn1js.fromBER(copy);
  if (parsed.offset === -1 || parsed.offset !== copy.length) return null;
  if (parsed.result.error) return null;
  return parsed.result;
}

/** DER bytes of an asn1js value (or a pkijs object's schema). */
export function toDer(value: { toBER(sizeOnly?: boolean): ArrayBuffer }): Uint8Array {
  return new Uint8Array(value.toBER(false));
}

/** The bytes an element was decoded from, unchanged (re-encoding could alter BER input). */
export function originalBytes(value: asn1js.AsnType): Uint8Array {
  const view = (value as asn1js.BaseBlock).valueBeforeDecodeView;
  return new Uint8Array(view);
}

/** A non-negative INTEGER from unsigned big-endian bytes, minimally encoded. */
export function unsignedInteger(bytes: Uint8Array): asn1js.Integer {
  return asn1js.Integer.fromBigInt(bytesToBigInt(bytes));
}

/** Unsigned big-endian bytes as a bigint. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

/** Lower-case hex of a non-negative bigint, padded to whole bytes. */
export function bigIntToHex(value: bigint): string {
  const hex = value.toString(16);
  return hex.length % 2 === 0 ? hex : `0${hex}`;
}

/** The contents of an OCTET STRING, also when BER-encoded in constructed pieces. */
export function octetStringBytes(value: asn1js.OctetString): Uint8Array {
  if (!value.idBlock.isConstructed) return new Uint8Array(value.valueBlock.valueHexView);
  const parts = (value.valueBlock.value as asn1js.OctetString[]).map(octetStringBytes);
  return new Uint8Array(Buffer.concat(parts));
}

/** Encodes a named BIT STRING with the given bits set, trailing zero bits dropped as DER wants. */
export function namedBitString(bits: readonly number[]): asn1js.BitString {
  const highest = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[Math.floor(bit / 8)] |= 0x80 >> (bit % 8);
  return new asn1js.BitString({ unusedBits: 7 - (highest % 8), valueHex: bytes });
}

/** The numbers of the bits set in a named BIT STRING. */
export function setBits(value: asn1js.BitString): number[] {
  const bytes = value.valueBlock.valueHexView;
  const unused = value.valueBlock.unusedBits;
  const out: number[] = [];
  for (let bit = 0; bit < bytes.length * 8 - unused; bit++) {
    if (bytes[Math.floor(bit / 8)] & (0x80 >> (bit % 8))) out.push(bit);
  }
  return out;
}

/** Byte equality; everything compared here is public, so timing does not matter. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a).equals(Buffer.from(b));
}

/**
 * The dotted text of an OBJECT IDENTIFIER, decoded here because asn1js renders arcs above
 * 2^53 (such as the 2.25 UUID arcs) as `{hex}` instead of decimal.
 */
export function oidText(value: asn1js.ObjectIdentifier): string {
  const der = new Uint8Array(value.toBER(false));
  // Skip the tag and the length (short or long form).
  const lengthByte = der[1];
  const contents = der.subarray(lengthByte < 0x80 ? 2 : 2 + (lengthByte & 0x7f));
  const arcs: bigint[] = [];
  let current = 0n;
  for (const byte of contents) {
    current = (current << 7n) | BigInt(byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(current);
      current = 0n;
    }
  }
  if (arcs.length === 0) return '';
  const first = arcs[0] < 40n ? 0n : arcs[0] < 80n ? 1n : 2n;
  return [first, arcs[0] - first * 40n, ...arcs.slice(1)].join('.');
}
