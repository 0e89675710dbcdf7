import { createHash, randomBytes, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CoreError } from '../errors.ts';
import type { KeyAlgorithm } from '../signer.ts';
import { toHex } from '../asn1/bytes.ts';
import { nullValue, oid, sequence } from '../asn1/der-writer.ts';
import { OID, signatureSchemeOfOid } from '../asn1/oids.ts';

/** The AlgorithmIdentifier (DER) of a Signer's SHA-256 signature: NULL parameters for RSA, none for ECDSA (RFC 5758). */
export function signatureAlgorithmIdentifier(keyAlgorithm: KeyAlgorithm): Uint8Array {
  return keyAlgorithm === 'RSA' ? sequence(oid(OID.sha256WithRsaEncryption), nullValue()) : sequence(oid(OID.ecdsaWithSha256));
}

/** Verifies an X.509-style signature (RSA PKCS#1 v1.5 or ECDSA, DER Ecdsa-Sig-Value) with a SubjectPublicKeyInfo. */
export function verifySignature(data: Uint8Array, signatureAlgorithmOid: string, signature: Uint8Array, spki: Uint8Array): boolean {
  const scheme = signatureSchemeOfOid(signatureAlgorithmOid);
  // X.509 signature algorithms always name their hash; bare key OIDs and EdDSA are not accepted here.
  const hash = scheme.kind === 'rsa-pkcs1' || scheme.kind === 'ecdsa' ? scheme.hash : undefined;
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
