/**
 * The built-in CA's CRLs published as files in its PKI directory (root.crl, issuing.crl), so that
 * verifying a file on this installation learns the CA's revocation status without its private keys:
 * the processes that hold the keys write them (BuiltinPki: at init, after every revocation, and again
 * well before nextUpdate), and `inkan verify` reads them here. Part of the verifier's module graph:
 * no zod, no key code, only the verifier's own CRL and certificate parsers.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCertificate } from '../x509/certificate.ts';
import { parseCrl, type ParsedCrl } from '../x509/crl.ts';
import { signatureProblem } from '../x509/signature.ts';

/** The two CAs of the built-in PKI. */
export type CaRole = 'root' | 'issuing';

/** The file each CA's current CRL is published in, in the PKI directory. */
export const PUBLISHED_CRL_FILES: Readonly<Record<CaRole, string>> = { root: 'root.crl', issuing: 'issuing.crl' };

/** The CA's published CRLs that can be relied on at a time: see readPublishedCrls. */
export interface PublishedCrls {
  /** The CAs whose CRL passed the checks that need no issuer certificate (absent file, stale, incomplete). */
  readonly usable: ReadonlySet<CaRole>;
  /** The DER CRL issued and signed by the CA whose certificate is `issuer`, or null (none usable for it). */
  forIssuer(issuer: Uint8Array): Uint8Array | null;
}

// As the verifier's path validation: CRL times are rounded and clocks drift (x509/path-validation.ts).
const CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * Reads the published CRLs of the PKI in `dir` and keeps those that can be relied on at `at`: each
 * parses, is current at `at` (thisUpdate not after it, nextUpdate not before it) and lists every
 * revocation that `revokedFile` (revoked.json) records for its CA — a revocation whose CRL was never
 * written (the process stopped in between) makes the file stale, not wrong. forIssuer() then also
 * checks the issuer's name and signature. A CA with no usable CRL is for the caller to ask otherwise
 * (the CA itself, with its keys). Never throws: what cannot be read is not usable.
 */
export async function readPublishedCrls(dir: string, revokedFile: string, at: Date): Promise<PublishedCrls> {
  const roles = Object.keys(PUBLISHED_CRL_FILES) as CaRole[];
  const [revoked, ...files] = await Promise.all([
    readFile(join(dir, revokedFile), 'utf8')
      .then(revokedSerials)
      .catch(() => null),
    ...roles.map((role) => readFile(join(dir, PUBLISHED_CRL_FILES[role])).catch(() => null)),
  ]);
  const crls = new Map<CaRole, ParsedCrl>();
  roles.forEach((role, i) => {
    const der = files[i];
    if (revoked === null || der === null) return;
    let crl: ParsedCrl;
    try {
      crl = parseCrl(der);
    } catch {
      return;
    }
    const current =
      crl.thisUpdate.getTime() <= at.getTime() + CLOCK_SKEW_MS &&
      crl.nextUpdate !== undefined &&
      at.getTime() <= crl.nextUpdate.getTime();
    const listed = new Set([...crl.entries.keys()].map(withoutLeadingZeros));
    const complete = revoked.every((r) => r.issuer !== role || listed.has(withoutLeadingZeros(r.serialHex)));
    if (current && complete && crl.unusable === undefined && crl.unsupported === undefined) crls.set(role, crl);
  });
  const answers = new Map<string, Uint8Array | null>();
  return {
    usable: new Set(crls.keys()),
    forIssuer(issuer) {
      const key = Buffer.from(issuer).toString('base64');
      let answer = answers.get(key);
      if (answer === undefined) {
        answer = signedBy([...crls.values()], issuer);
        answers.set(key, answer);
      }
      return answer;
    },
  };
}

/** The CRL among `crls` that the CA certificate `issuer` names and signed, as DER, or null. */
function signedBy(crls: readonly ParsedCrl[], issuer: Uint8Array): Uint8Array | null {
  let ca;
  try {
    ca = parseCertificate(issuer);
  } catch {
    return null;
  }
  const key = {
    spki: ca.spki,
    algorithmOid: ca.publicKeyAlgorithmOid,
    parameters: ca.publicKeyParameters,
    publicKeyBits: ca.publicKeyBits,
  };
  const crl = crls.find(
    (c) =>
      c.issuer.key === ca.subject.key &&
      signatureProblem(c.tbs, c.signatureAlgorithm.oid, c.signatureAlgorithm.parameters, c.signature, key) === null,
  );
  return crl?.der ?? null;
}

/** revoked.json's records as { serialHex, issuer }; throws unless it is an array of such records. */
function revokedSerials(text: string): Array<{ serialHex: string; issuer: string }> {
  const records: unknown = JSON.parse(text);
  if (!Array.isArray(records)) throw new TypeError('revoked.json is not an array');
  return records.map((record: { serialHex?: unknown; issuer?: unknown }) => {
    if (typeof record?.serialHex !== 'string' || typeof record.issuer !== 'string')
      throw new TypeError('revoked.json holds a record without serialHex and issuer');
    return { serialHex: record.serialHex, issuer: record.issuer };
  });
}

/** A serial's hex as revoke() records it (normaliseSerialHex): lower case, no leading zero octets. */
function withoutLeadingZeros(hex: string): string {
  return hex.toLowerCase().replace(/^(00)+(?=.)/, '');
}
