import { createHash, X509Certificate } from 'node:crypto';
import type { Signer } from '@inkan/core';

/** What identifies a certificate in the operation log: serial, SHA-256 fingerprint, subject. Never key material. */
export interface CertificateIdentity {
  serial: string;
  sha256: string;
  subject: string;
}

/**
 * Identities already read, by the certificate's SHA-256 (its content, so a changed certificate is a new
 * entry): the platform certificate is named in every `key.used` event, and parsing it each time cost more
 * than the rest of the event. Bounded; the least recently used goes first.
 */
const identities = new Map<string, CertificateIdentity>();
const MAX_CACHED_IDENTITIES = 64;

/** The identity of a DER certificate. */
export function certificateIdentity(der: Uint8Array): CertificateIdentity {
  const sha256 = createHash('sha256').update(der).digest('hex');
  const cached = identities.get(sha256);
  if (cached !== undefined) {
    identities.delete(sha256);
    identities.set(sha256, cached);
    return { ...cached };
  }
  const certificate = new X509Certificate(der);
  const identity: CertificateIdentity = {
    serial: certificate.serialNumber.toLowerCase(),
    sha256,
    subject: certificate.subject.replace(/\n/g, ', '),
  };
  identities.set(sha256, identity);
  if (identities.size > MAX_CACHED_IDENTITIES) identities.delete(identities.keys().next().value as string);
  return { ...identity };
}

/** How many certificate identities are cached (tests). */
export function cachedCertificateIdentities(): number {
  return identities.size;
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
