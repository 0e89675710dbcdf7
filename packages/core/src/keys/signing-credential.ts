/**
 * Checks a signing key brought from outside (a PKCS#12 file, an HSM key with a PEM chain) before it is
 * used: the certificate belongs to the key, is an end-entity certificate allowed to sign, is valid now,
 * and its chain builds and validates (RFC 5280) up to a self-signed root that the file or chain holds.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { bytesEqual } from '../asn1/bytes.ts';
import { CoreError } from '../errors.ts';
import { KEY_USAGE, parseCertificate, type X509 } from '../x509/certificate.ts';
import { buildChain, isSelfSigned } from '../x509/chain.ts';
import { rfc4514Text } from '../x509/name.ts';
import { validatePath } from '../x509/path-validation.ts';

/** Why a signing credential was refused (CoreError SIGNING_CREDENTIAL_INVALID, `details.problem`). */
export type SigningCredentialProblem =
  | 'NO_CERTIFICATE'
  | 'KEY_MISMATCH'
  | 'KEY_UNSUPPORTED'
  | 'CA_CERTIFICATE'
  | 'KEY_USAGE'
  | 'NOT_YET_VALID'
  | 'EXPIRED'
  | 'CHAIN_INCOMPLETE'
  | 'CHAIN_INVALID';

/** A checked credential: the chain to sign with and what names the certificate. */
export interface SigningCredential {
  /** Signing certificate first, then its issuers up to and including the self-signed root (DER). */
  certificateChain: Uint8Array[];
  subject: string;
  issuer: string;
  /** The root's subject. */
  root: string;
  serialHex: string;
  notBefore: Date;
  notAfter: Date;
}

function refuse(problem: SigningCredentialProblem, message: string): never {
  throw new CoreError('SIGNING_CREDENTIAL_INVALID', message, { details: { problem } });
}

/**
 * Picks the certificate of `publicKey` among `certificates` (any order, extra ones ignored) and checks
 * it and its chain at `time`. Throws CoreError SIGNING_CREDENTIAL_INVALID with `details.problem`.
 */
export function checkSigningCredential(input: {
  publicKey: KeyObject;
  certificates: readonly Uint8Array[];
  time: Date;
}): SigningCredential {
  if (input.certificates.length === 0) refuse('NO_CERTIFICATE', 'no certificate was given with the key');
  const type = input.publicKey.asymmetricKeyType;
  const curve = input.publicKey.asymmetricKeyDetails?.namedCurve;
  if (!(type === 'rsa' || (type === 'ec' && curve === 'prime256v1')))
    refuse(
      'KEY_UNSUPPORTED',
      `the key must be RSA or ECDSA P-256 (this one is ${type ?? 'unknown'}${curve ? ` ${curve}` : ''})`,
    );
  const spki = new Uint8Array(input.publicKey.export({ type: 'spki', format: 'der' }));
  let pool: X509[];
  try {
    pool = input.certificates.map((der) => parseCertificate(der));
  } catch (error) {
    refuse('NO_CERTIFICATE', `a certificate cannot be read: ${(error as Error).message}`);
  }
  const leaf = pool.find((c) => bytesEqual(c.spki, spki));
  if (!leaf) refuse('KEY_MISMATCH', 'no certificate matches the private key');
  if (leaf.basicConstraints?.ca)
    refuse('CA_CERTIFICATE', 'the certificate of the key is a CA certificate, not a signing certificate');
  if (leaf.keyUsage && !leaf.keyUsage.has(KEY_USAGE.digitalSignature) && !leaf.keyUsage.has(KEY_USAGE.nonRepudiation))
    refuse('KEY_USAGE', 'the certificate allows neither digitalSignature nor nonRepudiation');
  if (input.time < leaf.notBefore)
    refuse('NOT_YET_VALID', `the certificate is valid only from ${leaf.notBefore.toISOString()}`);
  if (input.time > leaf.notAfter) refuse('EXPIRED', `the certificate expired on ${leaf.notAfter.toISOString()}`);
  const chain = buildChain(leaf, pool);
  const root = chain[chain.length - 1];
  if (chain.length < 2 || !isSelfSigned(root))
    refuse(
      'CHAIN_INCOMPLETE',
      'the chain does not reach a root certificate: add the intermediate and root certificates',
    );
  const result = validatePath(leaf, {
    anchors: [root],
    pool,
    time: input.time,
    leaf: { keyUsage: [KEY_USAGE.digitalSignature, KEY_USAGE.nonRepudiation] },
  });
  if (!result.valid) {
    const failure = result.failure;
    refuse(
      failure?.kind === 'expired' ? 'EXPIRED' : 'CHAIN_INVALID',
      `the chain does not validate: ${failure?.message ?? 'unknown reason'}`,
    );
  }
  return {
    certificateChain: result.path.map((c) => c.der),
    subject: rfc4514Text(leaf.subject),
    issuer: rfc4514Text(leaf.issuer),
    root: rfc4514Text(root.subject),
    serialHex: leaf.serialHex,
    notBefore: leaf.notBefore,
    notAfter: leaf.notAfter,
  };
}

/** The public key of a private key (for checkSigningCredential). */
export function publicKeyOf(privateKey: KeyObject): KeyObject {
  return createPublicKey(privateKey);
}
