import { X509Certificate, createHash } from 'node:crypto';

/** A parsed certificate kept with its DER, cached by fingerprint. */
export interface Cert {
  der: Uint8Array;
  x509: X509Certificate;
  /** SHA-256 of the DER, hex: identity for de-duplication. */
  id: string;
}

const parsed = new WeakMap<Uint8Array, Cert>();

/** Parses a DER certificate (memoised per buffer). Throws on bytes that are not a certificate. */
export function cert(der: Uint8Array): Cert {
  let c = parsed.get(der);
  if (!c) {
    c = { der, x509: new X509Certificate(der), id: createHash('sha256').update(der).digest('hex') };
    parsed.set(der, c);
  }
  return c;
}

/** Parses what it can, silently dropping buffers that are not certificates. */
export function certs(ders: Iterable<Uint8Array>): Cert[] {
  const out = new Map<string, Cert>();
  for (const der of ders) {
    try {
      const c = cert(der);
      out.set(c.id, c);
    } catch {
      continue;
    }
  }
  return [...out.values()];
}

/** True when `c` is self-issued and its signature verifies with its own key. */
export function isSelfSigned(c: Cert): boolean {
  return c.x509.checkIssued(c.x509) && safeVerify(c.x509, c.x509);
}

/** The certificate among `pool` that issued `c` (name match, key identifiers, and a verifying signature). */
export function findIssuer(c: Cert, pool: readonly Cert[]): Cert | undefined {
  for (const candidate of pool) {
    if (candidate.id === c.id) continue;
    if (c.x509.checkIssued(candidate.x509) && safeVerify(c.x509, candidate.x509)) return candidate;
  }
  return undefined;
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

function safeVerify(subject: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return subject.verify(issuer.publicKey);
  } catch {
    return false;
  }
}
