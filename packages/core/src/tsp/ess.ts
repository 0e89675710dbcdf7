import { createHash } from 'node:crypto';
import { octetString, oid, sequence, setOf, tlv, TAG } from '../asn1/der-writer.ts';
import { OID } from '../asn1/oids.ts';
import { parseCertificate } from '../x509/certificate.ts';

/**
 * The signingCertificateV2 signed attribute (RFC 5035, required for TSAs by RFC 5816 and
 * ETSI EN 319 422) naming the certificate `certificateDer` by its SHA-256 hash and issuer/serial;
 * the DER of the whole Attribute.
 */
export function signingCertificateV2Attribute(certificateDer: Uint8Array): Uint8Array {
  const certificate = parseCertificate(certificateDer);
  const issuerSerial = sequence(
    sequence(tlv(0xa4, certificate.issuer.der)), // GeneralNames { directoryName [4] EXPLICIT Name }
    tlv(TAG.integer, certificate.serial),
  );
  // hashAlgorithm is left out: it is DEFAULT id-sha256, and DER forbids encoding a default.
  const essCertIdV2 = sequence(octetString(createHash('sha256').update(certificateDer).digest()), issuerSerial);
  const signingCertificateV2 = sequence(sequence(essCertIdV2));
  return sequence(oid(OID.signingCertificateV2), setOf([signingCertificateV2]));
}
