import {
  authorityInfoAccessExtension,
  authorityKeyIdentifierExtension,
  basicConstraintsExtension,
  crlDistributionPointsExtension,
  extendedKeyUsageExtension,
  keyIdentifierOfSpki,
  KeyUsageBit,
  keyUsageExtension,
  ocspNoCheckExtension,
  subjectKeyIdentifierExtension,
  type EncodedExtension,
} from './certificate-builder.ts';
import { OID } from '../asn1/oids.ts';

/** The URLs the built-in PKI publishes (served by the HTTP layer under `${publicUrl}/pki/...`). */
export interface PkiUrls {
  ocsp: string;
  rootCertificate: string;
  issuingCertificate: string;
  rootCrl: string;
  issuingCrl: string;
}

/** Publication URLs under a public base URL (no trailing slash). */
export function pkiUrls(publicUrl: string): PkiUrls {
  return {
    ocsp: `${publicUrl}/pki/ocsp`,
    rootCertificate: `${publicUrl}/pki/ca/root.cer`,
    issuingCertificate: `${publicUrl}/pki/ca/issuing.cer`,
    rootCrl: `${publicUrl}/pki/crl/root.crl`,
    issuingCrl: `${publicUrl}/pki/crl/issuing.crl`,
  };
}

/** Kinds of end-entity certificates the issuing CA makes. */
export type EndEntityKind = 'signing' | 'tsa' | 'ocsp';

/** Self-signed root: CA:true (critical, no path length), keyCertSign + cRLSign. */
export function rootCaExtensions(spki: Uint8Array): EncodedExtension[] {
  return [
    basicConstraintsExtension(true),
    keyUsageExtension([KeyUsageBit.keyCertSign, KeyUsageBit.cRLSign]),
    subjectKeyIdentifierExtension(keyIdentifierOfSpki(spki)),
  ];
}

/** Issuing CA: CA:true pathLen 0, keyCertSign + cRLSign, caIssuers and CRL DP pointing at the root's. */
export function issuingCaExtensions(spki: Uint8Array, rootSpki: Uint8Array, urls: PkiUrls): EncodedExtension[] {
  return [
    basicConstraintsExtension(true, 0),
    keyUsageExtension([KeyUsageBit.keyCertSign, KeyUsageBit.cRLSign]),
    subjectKeyIdentifierExtension(keyIdentifierOfSpki(spki)),
    authorityKeyIdentifierExtension(keyIdentifierOfSpki(rootSpki)),
    authorityInfoAccessExtension({ caIssuers: urls.rootCertificate }),
    crlDistributionPointsExtension(urls.rootCrl),
  ];
}

/**
 * End-entity profiles:
 * - signing: digitalSignature + nonRepudiation (critical); EKU documentSigning + emailProtection, NOT
 *   critical (Adobe rejects signing certificates with an EKU it does not know when it is critical).
 * - tsa: digitalSignature + nonRepudiation; EKU timeStamping only and critical (RFC 3161 §2.3).
 * - ocsp: digitalSignature; EKU OCSPSigning; id-pkix-ocsp-nocheck. No OCSP URL in its AIA: the
 *   responder's own certificate is not checked by OCSP (RFC 6960 §4.2.2.2.1).
 */
export function endEntityExtensions(
  kind: EndEntityKind,
  spki: Uint8Array,
  issuingSpki: Uint8Array,
  urls: PkiUrls,
): EncodedExtension[] {
  const common = [
    basicConstraintsExtension(false),
    subjectKeyIdentifierExtension(keyIdentifierOfSpki(spki)),
    authorityKeyIdentifierExtension(keyIdentifierOfSpki(issuingSpki)),
    authorityInfoAccessExtension({ ocsp: kind === 'ocsp' ? undefined : urls.ocsp, caIssuers: urls.issuingCertificate }),
    crlDistributionPointsExtension(urls.issuingCrl),
  ];
  switch (kind) {
    case 'signing':
      return [
        ...common,
        keyUsageExtension([KeyUsageBit.digitalSignature, KeyUsageBit.nonRepudiation]),
        extendedKeyUsageExtension([OID.kpDocumentSigning, OID.kpEmailProtection], false),
      ];
    case 'tsa':
      return [
        ...common,
        keyUsageExtension([KeyUsageBit.digitalSignature, KeyUsageBit.nonRepudiation]),
        extendedKeyUsageExtension([OID.kpTimeStamping], true),
      ];
    case 'ocsp':
      return [
        ...common,
        keyUsageExtension([KeyUsageBit.digitalSignature]),
        extendedKeyUsageExtension([OID.kpOcspSigning], false),
        ocspNoCheckExtension(),
      ];
  }
}

/** `date` plus whole calendar years (UTC). */
export function addYears(date: Date, years: number): Date {
  const result = new Date(date.getTime());
  result.setUTCFullYear(result.getUTCFullYear() + years);
  return result;
}
