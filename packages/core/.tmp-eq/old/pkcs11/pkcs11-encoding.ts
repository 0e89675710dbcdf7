import { createPublicKey } from 'node:crypto';
import { CoreError } from '../errors.ts';

/** DER of the namedCurve OID prime256v1 (1.2.840.10045.3.1.7), the CKA_EC_PARAMS of a P-256 key. */
export const P256_EC_PARAMS = Buffer.from('06082a8648ce3d030107', 'hex');

/** DER DigestInfo prefix for SHA-256 (RFC 8017 §9.2 note 1), for tokens that only offer raw CKM_RSA_PKCS. */
export const SHA256_DIGEST_INFO_PREFIX = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/** Converts a PKCS#11 CKM_ECDSA signature (r || s, each the curve size) into a DER Ecdsa-Sig-Value (RFC 3279 §2.2.3). */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  if (raw.length === 0 || raw.length % 2 !== 0) throw new CoreError('PKCS11_ERROR', `ECDSA signature of odd length ${raw.length}`);
  const half = raw.length / 2;
  const r = derInteger(raw.subarray(0, half));
  const s = derInteger(raw.subarray(half));
  return Buffer.concat([Buffer.from([0x30]), derLength(r.length + s.length), r, s]);
}

function derInteger(unsigned: Uint8Array): Buffer {
  let start = 0;
  while (start < unsigned.length - 1 && unsigned[start] === 0) start += 1;
  const body = Buffer.from(unsigned.subarray(start));
  // A set high bit would make the INTEGER negative, so prepend a zero byte.
  const content = (body[0] & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), body]) : body;
  return Buffer.concat([Buffer.from([0x02]), derLength(content.length), content]);
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  if (length < 0x100) return Buffer.from([0x81, length]);
  return Buffer.from([0x82, length >> 8, length & 0xff]);
}

/** SubjectPublicKeyInfo DER of an RSA public key from CKA_MODULUS and CKA_PUBLIC_EXPONENT (big-endian unsigned). */
export function rsaSpki(modulus: Uint8Array, publicExponent: Uint8Array): Uint8Array {
  const key = createPublicKey({ key: { kty: 'RSA', n: unsignedBase64url(modulus), e: unsignedBase64url(publicExponent) }, format: 'jwk' });
  return key.export({ type: 'spki', format: 'der' });
}

/** SubjectPublicKeyInfo DER of a P-256 public key from CKA_EC_POINT (raw or, as PKCS#11 prescribes, wrapped in an OCTET STRING). */
export function p256Spki(ecPoint: Uint8Array): Uint8Array {
  const point = unwrapEcPoint(ecPoint);
  if (point.length !== 65 || point[0] !== 0x04) {
    throw new CoreError('PKCS11_ERROR', `unsupported EC point (${point.length} bytes): expected an uncompressed P-256 point`);
  }
  const key = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: Buffer.from(point.subarray(1, 33)).toString('base64url'), y: Buffer.from(point.subarray(33)).toString('base64url') },
    format: 'jwk',
  });
  return key.export({ type: 'spki', format: 'der' });
}

function unwrapEcPoint(value: Uint8Array): Uint8Array {
  // DER OCTET STRING (04 41 04 ...) is 67 bytes for P-256; a bare uncompressed point is 65 bytes.
  if (value.length === 67 && value[0] === 0x04 && value[1] === 0x41) return value.subarray(2);
  if (value.length > 2 && value[0] === 0x04 && value[1] === 0x81 && value[2] === value.length - 3) return value.subarray(3);
  return value;
}

function unsignedBase64url(bytes: Uint8Array): string {
  let start = 0;
  // JWK RSA integers carry no leading zero bytes (EC coordinates, by contrast, are fixed-length).
  while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
  return Buffer.from(bytes.subarray(start)).toString('base64url');
}
