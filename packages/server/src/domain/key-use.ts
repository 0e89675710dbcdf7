import { X509Certificate } from 'node:crypto';
import type { Signer } from '@inkan/core';

/** What identifies a certificate in the operation log: serial, SHA-256 fingerprint, subject. Never key material. */
export interface CertificateIdentity {
  serial: string;
  sha256: string;
  subject: string;
}

/** The identity of a DER certificate. */
export function certificateIdentity(der: Uint8Array): CertificateIdentity {
  const certificate = new X509Certificate(der);
  return {
    serial: certificate.serialNumber.toLowerCase(),
    sha256: certificate.fingerprint256.replace(/:/g, '').toLowerCase(),
    subject: certificate.subject.replace(/\n/g, ', '),
  };
}

/**
 * The details of a `key.used` event: which key signed (named by the certificate of the platform key,
 * the base signer) and, for witness signing, the certificate the signature carries (naming the signer).
 */
export function keyUseDetails(input: {
  platformSigner: Signer;
  signedWith: Signer;
  purpose: string;
  extra?: Record<string, unknown>;
}): Record<string, unknown> {
  const key = certificateIdentity(input.platformSigner.certificateChain[0]);
  const certificate = certificateIdentity(input.signedWith.certificateChain[0]);
  return {
    purpose: input.purpose,
    keyAlgorithm: input.platformSigner.keyAlgorithm,
    key: { certificateSerial: key.serial, certificateSha256: key.sha256, subject: key.subject },
    ...(certificate.sha256 === key.sha256
      ? {}
      : { certificate: { serial: certificate.serial, sha256: certificate.sha256, subject: certificate.subject } }),
    ...input.extra,
  };
}
