/**
 * Helpers for the modules that work with asn1js/pkijs objects (the RFC 3161 code builds and reads
 * pkijs TimeStampReq/TSTInfo/SignedData). Everything that is not about asn1js objects themselves
 * lives in the DER reader and writer next to this file.
 */
import * as asn1js from 'asn1js';
import { bytesToBigInt } from './bytes.ts';
import { decodeOid, readDer } from './der-reader.ts';
import { namedBits } from './der-writer.ts';

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

/** The contents of an OCTET STRING, also when BER-encoded in constructed pieces. */
export function octetStringBytes(value: asn1js.OctetString): Uint8Array {
  if (!value.idBlock.isConstructed) return new Uint8Array(value.valueBlock.valueHexView);
  const parts = (value.valueBlock.value as asn1js.OctetString[]).map(octetStringBytes);
  return new Uint8Array(Buffer.concat(parts));
}

/** A named BIT STRING with the given bits set, trailing zero bits dropped as DER wants. */
export function asn1jsNamedBitString(bits: readonly number[]): asn1js.BitString {
  const { value, unusedBits } = namedBits(bits);
  return new asn1js.BitString({ unusedBits, valueHex: value });
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

/**
 * The dotted text of an OBJECT IDENTIFIER, decoded by the DER reader because asn1js renders arcs
 * above 2^53 (such as the 2.25 UUID arcs) as `{hex}` instead of decimal. '' when malformed.
 */
export function oidText(value: asn1js.ObjectIdentifier): string {
  try {
    return decodeOid(readDer(toDer(value)));
  } catch {
    return ''; // asn1js accepts an empty OBJECT IDENTIFIER; it names nothing
  }
}
