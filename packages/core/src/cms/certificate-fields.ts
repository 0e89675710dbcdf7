/** The few X.509 fields CMS needs, from the one certificate model, as DER so they can be compared byte for byte. */
import { CoreError } from '../errors.ts';
import { tlv, TAG } from '../asn1/der-writer.ts';
import { CertificateParseError, parseCertificate } from '../x509/certificate.ts';

export interface CertificateFields {
  /** The issuer Name, whole TLV (SEQUENCE). */
  readonly issuer: Uint8Array;
  /** The serialNumber, whole TLV (INTEGER). */
  readonly serialNumber: Uint8Array;
  /** The subjectKeyIdentifier extension value (the key identifier octets), when present. */
  readonly subjectKeyIdentifier?: Uint8Array;
}

/** Reads issuer, serial number and subject key identifier of a DER certificate; throws CoreError('CMS_INVALID'). */
export function readCertificateFields(certificate: Uint8Array): CertificateFields {
  try {
    const parsed = parseCertificate(certificate);
    return {
      issuer: parsed.issuer.der,
      serialNumber: tlv(TAG.integer, parsed.serial),
      subjectKeyIdentifier: parsed.subjectKeyIdentifier,
    };
  } catch (error) {
    if (error instanceof CertificateParseError)
      throw new CoreError('CMS_INVALID', `ASN.1: ${error.message}`, { cause: error });
    throw error;
  }
}
