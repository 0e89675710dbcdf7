import { CoreError } from '../errors.ts';
import type { Signer } from '../signer.ts';
import {
  bitString,
  boolean,
  explicit,
  implicitPrimitive,
  integer,
  namedBitString,
  nullValue,
  octetString,
  oid,
  sequence,
  setOf,
  utf8String,
  x509Time,
} from '../asn1/der-writer.ts';
import { OID } from '../asn1/oids.ts';
import { keyIdentifier, publicKeyBitsOfSpki, signatureAlgorithmIdentifier } from './x509-util.ts';

/** What signs a TBS structure: any Signer (a chain is not needed to sign). */
export type TbsSigner = Pick<Signer, 'keyAlgorithm' | 'sign'>;

/** One encoded extension (DER of the Extension SEQUENCE). */
export type EncodedExtension = Uint8Array;

/** Encodes an Extension; `critical` is omitted when false (DER: DEFAULT FALSE). */
export function extension(extnId: string, critical: boolean, value: Uint8Array): EncodedExtension {
  return critical
    ? sequence(oid(extnId), boolean(true), octetString(value))
    : sequence(oid(extnId), octetString(value));
}

/** A Name of UTF8String attributes, one attribute per RDN, in the given order (e.g. O then CN). */
export function encodeName(attributes: ReadonlyArray<readonly [type: string, value: string]>): Uint8Array {
  return sequence(...attributes.map(([type, value]) => setOf([sequence(oid(type), utf8String(value))])));
}

/** Named key usage bits of RFC 5280 §4.2.1.3. */
export const KeyUsageBit = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
} as const;

/** keyUsage extension, always critical (RFC 5280 says it SHOULD be). */
export function keyUsageExtension(bits: readonly number[]): EncodedExtension {
  return extension(OID.keyUsage, true, namedBitString(bits));
}

/** basicConstraints, critical. */
export function basicConstraintsExtension(ca: boolean, pathLength?: number): EncodedExtension {
  const parts: Uint8Array[] = [];
  if (ca) parts.push(boolean(true));
  if (ca && pathLength !== undefined) parts.push(integer(pathLength));
  return extension(OID.basicConstraints, true, sequence(...parts));
}

/** extendedKeyUsage. */
export function extendedKeyUsageExtension(purposes: readonly string[], critical: boolean): EncodedExtension {
  return extension(OID.extKeyUsage, critical, sequence(...purposes.map((p) => oid(p))));
}

/** subjectKeyIdentifier (SHA-1 of the public key bits). */
export function subjectKeyIdentifierExtension(keyId: Uint8Array): EncodedExtension {
  return extension(OID.subjectKeyIdentifier, false, octetString(keyId));
}

/** authorityKeyIdentifier with the keyIdentifier choice only. */
export function authorityKeyIdentifierExtension(keyId: Uint8Array): EncodedExtension {
  return extension(OID.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, keyId)));
}

const uriName = (uri: string): Uint8Array => implicitPrimitive(6, new TextEncoder().encode(uri));

/** authorityInfoAccess with optional OCSP and caIssuers URIs. */
export function authorityInfoAccessExtension(access: { ocsp?: string; caIssuers?: string }): EncodedExtension {
  const descriptions: Uint8Array[] = [];
  if (access.ocsp !== undefined) descriptions.push(sequence(oid(OID.accessOcsp), uriName(access.ocsp)));
  if (access.caIssuers !== undefined) descriptions.push(sequence(oid(OID.accessCaIssuers), uriName(access.caIssuers)));
  return extension(OID.authorityInfoAccess, false, sequence(...descriptions));
}

/** cRLDistributionPoints with one fullName URI. */
export function crlDistributionPointsExtension(uri: string): EncodedExtension {
  // DistributionPoint { distributionPoint [0] { fullName [0] GeneralNames } }
  return extension(OID.crlDistributionPoints, false, sequence(sequence(explicit(0, explicit(0, uriName(uri))))));
}

/** id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1): value NULL. */
export function ocspNoCheckExtension(): EncodedExtension {
  return extension(OID.ocspNoCheck, false, nullValue());
}

/** subjectAltName with one rfc822Name ([1] IA5String), for a signer's e-mail address. */
export function subjectAltNameEmailExtension(email: string): EncodedExtension {
  return extension(OID.subjectAltName, false, sequence(implicitPrimitive(1, new TextEncoder().encode(email))));
}

/** Everything that goes into a TBSCertificate except the signature algorithm. */
export interface CertificateTemplate {
  serialNumber: Uint8Array;
  /** DER Name of the issuer (the issuer certificate's subject, byte for byte). */
  issuerName: Uint8Array;
  subjectName: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /** SubjectPublicKeyInfo DER. */
  spki: Uint8Array;
  extensions: readonly EncodedExtension[];
}

/** Builds and signs an X.509 v3 certificate; returns its DER. */
export async function signCertificate(template: CertificateTemplate, issuerSigner: TbsSigner): Promise<Uint8Array> {
  const algorithm = signatureAlgorithmIdentifier(issuerSigner.keyAlgorithm);
  const tbs = sequence(
    explicit(0, integer(2)),
    integer(template.serialNumber),
    algorithm,
    template.issuerName,
    sequence(x509Time(template.notBefore), x509Time(template.notAfter)),
    template.subjectName,
    template.spki,
    explicit(3, sequence(...template.extensions)),
  );
  let signature: Uint8Array;
  try {
    signature = await issuerSigner.sign(tbs);
  } catch (cause) {
    throw new CoreError('SIGNER_FAILED', 'the issuer key could not sign the certificate', { cause });
  }
  return sequence(tbs, algorithm, bitString(signature));
}

/** Key identifier of an SPKI (for subject/authority key identifiers). */
export function keyIdentifierOfSpki(spki: Uint8Array): Uint8Array {
  return keyIdentifier(publicKeyBitsOfSpki(spki));
}
