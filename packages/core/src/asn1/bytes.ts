/** Byte-array helpers shared by the ASN.1 code and its users. */

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

/** Byte equality; everything compared with it is public, so timing does not matter. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(viewOf(a), viewOf(b)) === 0;
}

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return viewOf(bytes).toString('hex');
}

/** Bytes of a hex string (even length). */
export function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** Unsigned big-endian bytes as a bigint. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${toHex(bytes)}`);
}

/** Lower-case hex of a non-negative bigint, padded to whole bytes. */
export function bigIntToHex(value: bigint): string {
  const hex = value.toString(16);
  return hex.length % 2 === 0 ? hex : `0${hex}`;
}

// A Buffer over the same memory (no copy).
function viewOf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
