import { createPublicKey } from 'node:crypto';
import { integer, nullValue, octetString, oid, sequence } from '../asn1/der-writer.ts';
import { OID } from '../asn1/oids.ts';
import { CoreError } from '../errors.ts';

/** DER of the namedCurve OID prime256v1, the CKA_EC_PARAMS of a P-256 key. */
export const P256_EC_PARAMS = Buffer.from(oid(OID.prime256v1));

/** DER DigestInfo of a SHA-256 digest (RFC 8017 §9.2), for tokens that only offer raw CKM_RSA_PKCS. */
export function sha256DigestInfo(digest: Uint8Array): Uint8Array {
  return sequence(sequence(oid(OID.sha256), nullValue()), octetString(digest));
}

/** Converts a PKCS#11 CKM_ECDSA signature (r || s, each the curve size) into a DER Ecdsa-Sig-Value (RFC 3279 §2.2.3). */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  if (raw.length === 0 || raw.length % 2 !== 0)
    throw new CoreError('PKCS11_ERROR', `ECDSA signature of odd length ${raw.length}`);
  const half = raw.length / 2;
  // r and s are unsigned: the writer encodes them minimally, with a zero byte where the high bit is set.
  return sequence(integer(raw.subarray(0, half)), integer(raw.subarray(half)));
}

/** SubjectPublicKeyInfo DER of an RSA public key from CKA_MODULUS and CKA_PUBLIC_EXPONENT (big-endian unsigned). */
export function rsaSpki(modulus: Uint8Array, publicExponent: Uint8Array): Uint8Array {
  const key = createPublicKey({
    key: { kty: 'RSA', n: unsignedBase64url(modulus), e: unsignedBase64url(publicExponent) },
    format: 'jwk',
  });
  return key.export({ type: 'spki', format: 'der' });
}

/** SubjectPublicKeyInfo DER of a P-256 public key from CKA_EC_POINT (raw or, as PKCS#11 prescribes, wrapped in an OCTET STRING). */
export function p256Spki(ecPoint: Uint8Array): Uint8Array {
  const point = unwrapEcPoint(ecPoint);
  if (point.length !== 65 || point[0] !== 0x04) {
    throw new CoreError(
      'PKCS11_ERROR',
      `unsupported EC point (${point.length} bytes): expected an uncompressed P-256 point`,
    );
  }
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: Buffer.from(point.subarray(1, 33)).toString('base64url'),
      y: Buffer.from(point.subarray(33)).toString('base64url'),
    },
    format: 'jwk',
  });
  return key.export({ type: 'spki', format: 'der' });
}

function unwrapEcPoint(value: Uint8Array): Uint8Array {
  // DER OCTET STRING (04 41 04 ...) is 67 bytes for P-256; a bare uncompressed point is 65 bytes.
  if (value.length === 67 && value[0] === 0x04 && value[1] === 0x41) return value.subarray(2);
  if (value.length > 2 && value[0] === 0x04 && value[1] === 0x81 && value[2] === value.length - 3)
    return value.subarray(3);
  return value;
}

function unsignedBase64url(bytes: Uint8Array): string {
  let start = 0;
  // JWK RSA integers carry no leading zero bytes (EC coordinates, by contrast, are fixed-length).
  while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
  return Buffer.from(bytes.subarray(start)).toString('base64url');
}
