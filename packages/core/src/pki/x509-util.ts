import { createHash, randomBytes, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CoreError } from '../errors.ts';
import type { KeyAlgorithm } from '../signer.ts';
import { nullValue, oid, sequence, toHex } from './der.ts';

/** OIDs used by the built-in PKI. */
export const OID = {
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  crlNumber: '2.5.29.20',
  crlReason: '2.5.29.21',
  crlDistributionPoints: '2.5.29.31',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  accessOcsp: '1.3.6.1.5.5.7.48.1',
  accessCaIssuers: '1.3.6.1.5.5.7.48.2',
  ocspBasic: '1.3.6.1.5.5.7.48.1.1',
  ocspNonce: '1.3.6.1.5.5.7.48.1.2',
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',
  kpEmailProtection: '1.3.6.1.5.5.7.3.4',
  kpTimeStamping: '1.3.6.1.5.5.7.3.8',
  kpOcspSigning: '1.3.6.1.5.5.7.3.9',
  kpDocumentSigning: '1.3.6.1.5.5.7.3.36',
  commonName: '2.5.4.3',
  organizationName: '2.5.4.10',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
} as const;

/** node:crypto digest names by hash-algorithm OID (for OCSP CertIDs). */
export const HASH_BY_OID: Readonly<Record<string, string>> = {
  [OID.sha1]: 'sha1',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

/** node:crypto digest names by signature-algorithm OID (RSA PKCS#1 v1.5 and ECDSA). */
const SIGNATURE_HASH_BY_OID: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

/** The AlgorithmIdentifier (DER) of a Signer's SHA-256 signature: NULL parameters for RSA, none for ECDSA (RFC 5758). */
export function signatureAlgorithmIdentifier(keyAlgorithm: KeyAlgorithm): Uint8Array {
  return keyAlgorithm === 'RSA' ? sequence(oid(OID.sha256WithRSAEncryption), nullValue()) : sequence(oid(OID.ecdsaWithSHA256));
}

/** Verifies an X.509-style signature (RSA PKCS#1 v1.5 or ECDSA, DER Ecdsa-Sig-Value) with a SubjectPublicKeyInfo. */
export function verifySignature(data: Uint8Array, signatureAlgorithmOid: string, signature: Uint8Array, spki: Uint8Array): boolean {
  const hash = SIGNATURE_HASH_BY_OID[signatureAlgorithmOid];
  if (hash === undefined) return false;
  try {
    return cryptoVerify(hash, data, { key: Buffer.from(spki), format: 'der', type: 'spki', dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}

/** A random positive 16-byte serial number (RFC 5280 allows up to 20 octets; CA/B wants ≥ 64 random bits). */
export function randomSerial(): Uint8Array {
  const serial = new Uint8Array(randomBytes(16));
  // Clear the sign bit and set the next one so the DER INTEGER is always exactly 16 octets.
  serial[0] = (serial[0] & 0x7f) | 0x40;
  return serial;
}

/** Canonical form of a serial number in hex: lower case, no leading zero octets. */
export function normaliseSerialHex(serialHex: string): string {
  const hex = serialHex.trim().toLowerCase().replace(/^0x/, '').replace(/[:\s]/g, '');
  if (!/^[0-9a-f]+$/.test(hex)) throw new CoreError('PKI_INVALID', `not a hex serial number: ${serialHex}`);
  const stripped = hex.replace(/^(00)+/, '');
  const even = stripped.length % 2 === 1 ? `0${stripped}` : stripped;
  return even === '' ? '00' : even;
}

/** PEM armour of DER bytes. */
export function toPem(der: Uint8Array, label: string): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** The DER bodies of all PEM blocks with `label` in `text`. */
export function fromPem(text: string, label: string): Uint8Array[] {
  const pattern = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`, 'g');
  return [...text.matchAll(pattern)].map((m) => new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64')));
}

/** The fields of a certificate the PKI code needs, with raw DER where exact bytes matter. */
export interface CertificateInfo {
  readonly der: Uint8Array;
  readonly serialHex: string;
  readonly subjectDer: Uint8Array;
  readonly issuerDer: Uint8Array;
  readonly spki: Uint8Array;
  /** The contents of the subjectPublicKey BIT STRING (what CertID and key identifiers hash). */
  readonly publicKeyBits: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly node: X509Certificate;
  readonly pkijs: pkijs.Certificate;
  extension(extnId: string): { critical: boolean; value: Uint8Array } | undefined;
}

/** Parses a DER certificate; throws CoreError('PKI_INVALID') when it is not one. */
export function readCertificate(der: Uint8Array): CertificateInfo {
  let cert: pkijs.Certificate;
  let node: X509Certificate;
  try {
    cert = pkijs.Certificate.fromBER(new Uint8Array(der));
    node = new X509Certificate(der);
  } catch (cause) {
    throw new CoreError('PKI_INVALID', 'not a DER X.509 certificate', { cause });
  }
  const extensions = cert.extensions ?? [];
  return {
    der,
    serialHex: normaliseSerialHex(toHex(cert.serialNumber.valueBlock.valueHexView)),
    subjectDer: new Uint8Array(cert.subject.valueBeforeDecode),
    issuerDer: new Uint8Array(cert.issuer.valueBeforeDecode),
    spki: new Uint8Array(node.publicKey.export({ type: 'spki', format: 'der' })),
    publicKeyBits: new Uint8Array(cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView),
    notBefore: cert.notBefore.value,
    notAfter: cert.notAfter.value,
    node,
    pkijs: cert,
    extension(extnId) {
      const ext = extensions.find((e) => e.extnID === extnId);
      return ext === undefined ? undefined : { critical: ext.critical, value: new Uint8Array(ext.extnValue.valueBlock.valueHexView) };
    },
  };
}

/** SHA-1 of the subjectPublicKey bits: RFC 5280 §4.2.1.2 method 1 key identifier. */
export function keyIdentifier(publicKeyBits: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha1').update(publicKeyBits).digest());
}

/** The subjectPublicKey bits of an SPKI DER. */
export function publicKeyBitsOfSpki(spki: Uint8Array): Uint8Array {
  try {
    const info = pkijs.PublicKeyInfo.fromBER(new Uint8Array(spki));
    return new Uint8Array(info.subjectPublicKey.valueBlock.valueHexView);
  } catch (cause) {
    throw new CoreError('PKI_INVALID', 'not a DER SubjectPublicKeyInfo', { cause });
  }
}

/** The key identifier a certificate is known by: its subjectKeyIdentifier, else computed from the key. */
export function subjectKeyIdOf(cert: CertificateInfo): Uint8Array {
  const ski = cert.extension(OID.subjectKeyIdentifier);
  if (ski !== undefined) {
    const parsed = asn1js.fromBER(ski.value);
    if (parsed.offset !== -1 && parsed.result instanceof asn1js.OctetString) return new Uint8Array(parsed.result.valueBlock.valueHexView);
  }
  return keyIdentifier(cert.publicKeyBits);
}

/** URIs of one access method in the certificate's Authority Information Access extension. */
export function authorityInfoAccessUris(cert: CertificateInfo, accessMethod: string): string[] {
  const ext = cert.extension(OID.authorityInfoAccess);
  if (ext === undefined) return [];
  try {
    const aia = new pkijs.InfoAccess({ schema: asn1js.fromBER(ext.value).result });
    return aia.accessDescriptions
      .filter((d) => d.accessMethod === accessMethod && d.accessLocation.type === 6)
      .map((d) => String(d.accessLocation.value));
  } catch {
    return [];
  }
}

/** URIs of the certificate's CRL distribution points (fullName URIs only). */
export function crlDistributionUris(cert: CertificateInfo): string[] {
  const ext = cert.extension(OID.crlDistributionPoints);
  if (ext === undefined) return [];
  try {
    const dps = new pkijs.CRLDistributionPoints({ schema: asn1js.fromBER(ext.value).result });
    const uris: string[] = [];
    for (const dp of dps.distributionPoints) {
      const names = Array.isArray(dp.distributionPoint) ? dp.distributionPoint : [];
      for (const name of names) if (name.type === 6) uris.push(String(name.value));
    }
    return uris;
  } catch {
    return [];
  }
}

/** Byte equality. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
}
