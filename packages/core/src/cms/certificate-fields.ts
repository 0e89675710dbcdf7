/** The few X.509 fields CMS needs, read straight from the DER so they can be compared byte for byte. */
import { CoreError } from '../errors.ts';
import { BER, decodeOid, DerError, expectTag, octetStringValue, readDer } from '../asn1/der-reader.ts';
import { TAG } from '../asn1/der-writer.ts';
import { OID } from '../asn1/oids.ts';

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
    return readFields(certificate);
  } catch (error) {
    if (error instanceof DerError) throw new CoreError('CMS_INVALID', `ASN.1: ${error.message}`, { cause: error });
    throw error;
  }
}

function readFields(certificate: Uint8Array): CertificateFields {
  const [tbs] = expectTag(readDer(certificate, BER), TAG.sequence, 'Certificate').children();
  const fields = expectTag(tbs, TAG.sequence, 'TBSCertificate').children();
  let index = fields[0]?.tag === 0xa0 ? 1 : 0; // version [0] EXPLICIT is optional (v1 certificates)
  const serialNumber = expectTag(fields[index++], TAG.integer, 'serialNumber').raw;
  index++; // signature AlgorithmIdentifier
  const issuer = expectTag(fields[index++], TAG.sequence, 'issuer').raw;
  let subjectKeyIdentifier: Uint8Array | undefined;
  const extensions = fields.find((field) => field.tag === 0xa3);
  if (extensions) {
    for (const extension of expectTag(extensions.children()[0], TAG.sequence, 'Extensions').children()) {
      const parts = extension.children();
      if (decodeOid(parts[0]) !== OID.subjectKeyIdentifier) continue;
      const value = parts[parts.length - 1]; // extnValue follows the optional critical flag
      subjectKeyIdentifier = octetStringValue(expectTag(readDer(octetStringValue(value), BER), TAG.octetString, 'SubjectKeyIdentifier'));
    }
  }
  return { issuer, serialNumber, subjectKeyIdentifier };
}
