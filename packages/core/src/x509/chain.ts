/**
 * Chains for collecting validation data (sealing): certificates up to a self-signed one, found by
 * name and a verifying signature. Trust decisions are path validation's (path-validation.ts), not this.
 */
import { isSelfIssued, parseCertificate, type X509 } from './certificate.ts';
import { certificateSignatureProblem } from './signature.ts';

/** A parsed certificate (the verifier's one certificate model). */
export type Cert = X509;

/** Parses a DER certificate (cached by fingerprint). Throws on bytes that are not a certificate. */
export function cert(der: Uint8Array): Cert {
  return parseCertificate(der);
}

/** Parses what it can, silently dropping buffers that are not certificates; de-duplicated. */
export function certs(ders: Iterable<Uint8Array>): Cert[] {
  const out = new Map<string, Cert>();
  for (const der of ders) {
    try {
      const c = parseCertificate(der);
      out.set(c.id, c);
    } catch {
      continue;
    }
  }
  return [...out.values()];
}

/** Whether `issuer`'s key verifies the signature on `subject`. */
export function signedBy(subject: Cert, issuer: Cert): boolean {
  return (
    certificateSignatureProblem(
      subject.id,
      subject.tbs,
      subject.signatureAlgorithm.oid,
      subject.signatureAlgorithm.parameters,
      subject.signature,
      {
        spki: issuer.spki,
        algorithmOid: issuer.publicKeyAlgorithmOid,
        parameters: issuer.publicKeyParameters,
        publicKeyBits: issuer.publicKeyBits,
      },
    ) === null
  );
}

/** True when `c` is self-issued and its signature verifies with its own key. */
export function isSelfSigned(c: Cert): boolean {
  return isSelfIssued(c) && signedBy(c, c);
}

/** The certificate among `pool` that issued `c` (name match and a verifying signature). */
export function findIssuer(c: Cert, pool: readonly Cert[]): Cert | undefined {
  return pool.find(
    (candidate) => candidate.id !== c.id && candidate.subject.key === c.issuer.key && signedBy(c, candidate),
  );
}

/** Builds the chain from `leaf` upwards through `pool`, ending at a self-signed certificate or where no issuer is known. */
export function buildChain(leaf: Cert, pool: readonly Cert[]): Cert[] {
  const chain = [leaf];
  const seen = new Set([leaf.id]);
  let current = leaf;
  while (!isSelfSigned(current) && chain.length < 10) {
    const issuer = findIssuer(current, pool);
    if (!issuer || seen.has(issuer.id)) break;
    chain.push(issuer);
    seen.add(issuer.id);
    current = issuer;
  }
  return chain;
}
