import { createHash, randomBytes } from 'node:crypto';
import { CoreError } from '../errors.ts';
import type { KeyAlgorithm } from '../signer.ts';
import { BER, decodeOid, expectTag, readDer, type DerNode } from '../asn1/der-reader.ts';
import { nullValue, oid, sequence, TAG } from '../asn1/der-writer.ts';
import { OID } from '../asn1/oids.ts';
import { parseCertificate, type X509 } from '../x509/certificate.ts';
import { nameText } from '../x509/name.ts';
import { certificateSignatureProblem, signatureProblem } from '../x509/signature.ts';

/** The AlgorithmIdentifier (DER) of a Signer's SHA-256 signature: NULL parameters for RSA, none for ECDSA (RFC 5758). */
export function signatureAlgorithmIdentifier(keyAlgorithm: KeyAlgorithm): Uint8Array {
  return keyAlgorithm === 'RSA'
    ? sequence(oid(OID.sha256WithRsaEncryption), nullValue())
    : sequence(oid(OID.ecdsaWithSha256));
}

/** Verifies an X.509-style signature (RSA PKCS#1 v1.5, RSASSA-PSS, ECDSA, DSA, Ed25519) with a SubjectPublicKeyInfo. */
export function verifySignature(
  data: Uint8Array,
  signatureAlgorithmOid: string,
  signature: Uint8Array,
  spki: Uint8Array,
  parameters?: Uint8Array,
): boolean {
  try {
    const [algorithm] = expectTag(readDer(spki), TAG.sequence, 'SubjectPublicKeyInfo').children();
    const key = { spki, algorithmOid: decodeOid(algorithm.children()[0]), publicKeyBits: publicKeyBitsOfSpki(spki) };
    return signatureProblem(data, signatureAlgorithmOid, parameters, signature, key) === null;
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

/** The fields of a certificate the PKI code needs, with raw DER where exact bytes matter (a view of the one certificate model, x509/certificate.ts). */
export interface CertificateInfo {
  readonly der: Uint8Array;
  readonly serialHex: string;
  /** The serialNumber INTEGER content octets, as encoded (what a CertID echoes). */
  readonly serial: Uint8Array;
  readonly subjectDer: Uint8Array;
  readonly issuerDer: Uint8Array;
  /** The subject on one line (`O=Inkan, CN=…`). */
  readonly subjectText: string;
  readonly spki: Uint8Array;
  /** The contents of the subjectPublicKey BIT STRING (what CertID and key identifiers hash). */
  readonly publicKeyBits: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The parsed certificate (the verifier's model). */
  readonly model: X509;
  extension(extnId: string): { critical: boolean; value: Uint8Array } | undefined;
}

/** Parses a DER certificate; throws CoreError('PKI_INVALID') when it is not one. */
export function readCertificate(der: Uint8Array): CertificateInfo {
  let model: X509;
  try {
    model = parseCertificate(der);
  } catch (cause) {
    throw new CoreError('PKI_INVALID', 'not a DER X.509 certificate', { cause });
  }
  return {
    der,
    serialHex: model.serialHex,
    serial: model.serial,
    subjectDer: model.subject.der,
    issuerDer: model.issuer.der,
    subjectText: nameText(model.subject),
    spki: model.spki,
    publicKeyBits: model.publicKeyBits,
    notBefore: model.notBefore,
    notAfter: model.notAfter,
    model,
    extension: (extnId) => model.extensions.get(extnId),
  };
}

/** Whether `issuer`'s key verifies the signature on `subject`. */
export function issuedBy(subject: CertificateInfo, issuer: CertificateInfo): boolean {
  const c = subject.model;
  const key = {
    spki: issuer.spki,
    algorithmOid: issuer.model.publicKeyAlgorithmOid,
    parameters: issuer.model.publicKeyParameters,
    publicKeyBits: issuer.publicKeyBits,
  };
  return (
    certificateSignatureProblem(
      c.id,
      c.tbs,
      c.signatureAlgorithm.oid,
      c.signatureAlgorithm.parameters,
      c.signature,
      key,
    ) === null
  );
}

/** SHA-1 of the subjectPublicKey bits: RFC 5280 §4.2.1.2 method 1 key identifier. */
export function keyIdentifier(publicKeyBits: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha1').update(publicKeyBits).digest());
}

/** The subjectPublicKey bits of an SPKI DER. */
export function publicKeyBitsOfSpki(spki: Uint8Array): Uint8Array {
  try {
    const [, key] = expectTag(readDer(spki), TAG.sequence, 'SubjectPublicKeyInfo').children();
    const bits = expectTag(key, TAG.bitString, 'subjectPublicKey').content;
    return new Uint8Array(bits.subarray(1));
  } catch (cause) {
    throw new CoreError('PKI_INVALID', 'not a DER SubjectPublicKeyInfo', { cause });
  }
}

/** The key identifier a certificate is known by: its subjectKeyIdentifier, else computed from the key. */
export function subjectKeyIdOf(cert: CertificateInfo): Uint8Array {
  return cert.model.subjectKeyIdentifier ?? keyIdentifier(cert.publicKeyBits);
}

/** The URIs among GeneralNames (uniformResourceIdentifier [6]). */
function uris(names: readonly DerNode[]): string[] {
  return names.filter((n) => n.tag === 0x86).map((n) => Buffer.from(n.content).toString('latin1'));
}

/** URIs of one access method in the certificate's Authority Information Access extension. */
export function authorityInfoAccessUris(cert: CertificateInfo, accessMethod: string): string[] {
  const ext = cert.extension(OID.authorityInfoAccess);
  if (ext === undefined) return [];
  try {
    return expectTag(readDer(ext.value, BER), TAG.sequence, 'AuthorityInfoAccessSyntax')
      .children()
      .flatMap((description) => {
        const [method, location] = description.children();
        return decodeOid(method) === accessMethod ? uris([location]) : [];
      });
  } catch {
    return [];
  }
}

/** URIs of the certificate's CRL distribution points (fullName URIs only). */
export function crlDistributionUris(cert: CertificateInfo): string[] {
  const ext = cert.extension(OID.crlDistributionPoints);
  if (ext === undefined) return [];
  try {
    return expectTag(readDer(ext.value, BER), TAG.sequence, 'CRLDistributionPoints')
      .children()
      .flatMap((point) => {
        const name = point
          .children()
          .find((part) => part.tag === 0xa0)
          ?.children()[0];
        return name?.tag === 0xa0 ? uris(name.children()) : [];
      });
  } catch {
    return [];
  }
}
