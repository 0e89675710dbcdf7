/** The few X.509 fields CMS needs, read straight from the DER so they can be compared byte for byte. */
import { childrenOf, decodeOid, expectTag, octetStringValue, readSingle, TAG } from './der.ts';
import { OID } from './oids.ts';

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
  const [tbs] = childrenOf(expectTag(readSingle(certificate), TAG.sequence, 'Certificate'));
  const fields = childrenOf(expectTag(tbs, TAG.sequence, 'TBSCertificate'));
  let index = fields[0]?.tag === 0xa0 ? 1 : 0; // version [0] EXPLICIT is optional (v1 certificates)
  const serialNumber = expectTag(fields[index++], TAG.integer, 'serialNumber').bytes;
  index++; // signature AlgorithmIdentifier
  const issuer = expectTag(fields[index++], TAG.sequence, 'issuer').bytes;
  let subjectKeyIdentifier: Uint8Array | undefined;
  const extensions = fields.find((field) => field.tag === 0xa3);
  if (extensions) {
    for (const extension of childrenOf(expectTag(childrenOf(extensions)[0], TAG.sequence, 'Extensions'))) {
      const parts = childrenOf(extension);
      if (decodeOid(parts[0]) !== OID.subjectKeyIdentifier) continue;
      const value = parts[parts.length - 1]; // extnValue follows the optional critical flag
      subjectKeyIdentifier = octetStringValue(expectTag(readSingle(octetStringValue(value)), TAG.octetString, 'SubjectKeyIdentifier'));
    }
  }
  return { issuer, serialNumber, subjectKeyIdentifier };
}
