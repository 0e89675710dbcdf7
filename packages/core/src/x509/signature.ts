/**
 * Signatures on certificates, CRLs and OCSP responses (RFC 5280 §4.1.1.2, RFC 3279, RFC 4055,
 * RFC 5758): RSA PKCS#1 v1.5, RSASSA-PSS, ECDSA, DSA (with parameters inherited from the issuer,
 * RFC 3279 §2.3.2) and Ed25519, verified with node:crypto.
 */
import { constants, createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { BER, decodeOid, decodeSmallInteger, readDer } from '../asn1/der-reader.ts';
import { bitString, sequence, TAG } from '../asn1/der-writer.ts';
import { hashNameOfOid, OID } from '../asn1/oids.ts';

const DSA_KEY = '1.2.840.10040.4.1';

/** What node:crypto needs to check one signatureAlgorithm. */
type Scheme =
  | { kind: 'rsa'; hash: string }
  | { kind: 'pss'; hash: string; saltLength: number }
  | { kind: 'ecdsa'; hash: string }
  | { kind: 'dsa'; hash: string }
  | { kind: 'ed25519' };

const SCHEMES: ReadonlyMap<string, Scheme> = new Map<string, Scheme>([
  [OID.sha1WithRsaEncryption, { kind: 'rsa', hash: 'sha1' }],
  [OID.sha224WithRsaEncryption, { kind: 'rsa', hash: 'sha224' }],
  [OID.sha256WithRsaEncryption, { kind: 'rsa', hash: 'sha256' }],
  [OID.sha384WithRsaEncryption, { kind: 'rsa', hash: 'sha384' }],
  [OID.sha512WithRsaEncryption, { kind: 'rsa', hash: 'sha512' }],
  [OID.ecdsaWithSha1, { kind: 'ecdsa', hash: 'sha1' }],
  [OID.ecdsaWithSha224, { kind: 'ecdsa', hash: 'sha224' }],
  [OID.ecdsaWithSha256, { kind: 'ecdsa', hash: 'sha256' }],
  [OID.ecdsaWithSha384, { kind: 'ecdsa', hash: 'sha384' }],
  [OID.ecdsaWithSha512, { kind: 'ecdsa', hash: 'sha512' }],
  ['1.2.840.10040.4.3', { kind: 'dsa', hash: 'sha1' }],
  ['2.16.840.1.101.3.4.3.1', { kind: 'dsa', hash: 'sha224' }],
  ['2.16.840.1.101.3.4.3.2', { kind: 'dsa', hash: 'sha256' }],
  [OID.ed25519, { kind: 'ed25519' }],
]);

const KEY_TYPE = { rsa: 'rsa', pss: 'rsa', ecdsa: 'ec', dsa: 'dsa', ed25519: 'ed25519' } as const;

/** RSASSA-PSS-params (RFC 4055 §3.1): hash, MGF1 with the same hash, salt length; trailer 1. */
function pssScheme(parameters: Uint8Array | undefined): Scheme | string {
  let hashOid: string = OID.sha1;
  let mgfHashOid: string = OID.sha1;
  let saltLength = 20;
  if (parameters) {
    for (const part of readDer(parameters, BER).children()) {
      const inner = part.children()[0];
      if (part.tag === 0xa0) hashOid = decodeOid(inner.children()[0]);
      else if (part.tag === 0xa1) {
        const [mgf, mgfParameters] = inner.children();
        if (decodeOid(mgf) !== OID.mgf1) return 'RSASSA-PSS with a mask generation function other than MGF1';
        mgfHashOid = decodeOid(mgfParameters.children()[0]);
      } else if (part.tag === 0xa2) saltLength = decodeSmallInteger(inner);
      else if (part.tag === 0xa3 && decodeSmallInteger(inner) !== 1) return 'RSASSA-PSS with an unknown trailer field';
    }
  }
  const hash = hashNameOfOid(hashOid);
  if (!hash || mgfHashOid !== hashOid) return 'RSASSA-PSS parameters not supported';
  return { kind: 'pss', hash, saltLength };
}

/** An issuer's public key as path validation carries it: the SPKI and inherited DSA parameters. */
export interface WorkingPublicKey {
  readonly spki: Uint8Array;
  readonly algorithmOid: string;
  /** The key's own parameters, or those inherited from the issuer when the SPKI has none. */
  readonly parameters?: Uint8Array;
  readonly publicKeyBits: Uint8Array;
}

const keyCache = new WeakMap<Uint8Array, KeyObject | null>();

function importKey(key: WorkingPublicKey): KeyObject | null {
  const cached = keyCache.get(key.spki);
  if (cached !== undefined) return cached;
  let spki = key.spki;
  // A DSA key without parameters takes its issuer's (RFC 3279 §2.3.2): rebuild the SPKI with them.
  if (key.algorithmOid === DSA_KEY && key.parameters) {
    const algorithmParts = readDer(key.spki, BER).children()[0].children();
    if (algorithmParts.length === 1)
      spki = sequence(sequence(algorithmParts[0].raw, key.parameters), bitString(key.publicKeyBits));
  }
  let out: KeyObject | null;
  try {
    out = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch {
    out = null;
  }
  keyCache.set(key.spki, out);
  return out;
}

/**
 * Checks `signature` over `data` under AlgorithmIdentifier (`algorithmOid`, `parameters`) with
 * `key`. Returns null when it verifies, else why not.
 */
export function signatureProblem(
  data: Uint8Array,
  algorithmOid: string,
  parameters: Uint8Array | undefined,
  signature: Uint8Array,
  key: WorkingPublicKey,
): string | null {
  let scheme: Scheme | string | undefined = SCHEMES.get(algorithmOid);
  if (algorithmOid === OID.rsassaPss) {
    try {
      scheme = pssScheme(parameters);
    } catch {
      scheme = 'malformed RSASSA-PSS parameters';
    }
  }
  if (scheme === undefined) return `unsupported signature algorithm ${algorithmOid}`;
  if (typeof scheme === 'string') return scheme;
  const publicKey = importKey(key);
  if (!publicKey) return 'the issuer public key cannot be read';
  if (
    publicKey.asymmetricKeyType !== KEY_TYPE[scheme.kind] &&
    !(scheme.kind === 'pss' && publicKey.asymmetricKeyType === 'rsa-pss')
  ) {
    return `a ${publicKey.asymmetricKeyType ?? 'unknown'} key cannot check a ${scheme.kind} signature`;
  }
  try {
    let ok: boolean;
    if (scheme.kind === 'ed25519') ok = verify(null, data, publicKey, signature);
    else if (scheme.kind === 'pss')
      ok = verify(
        scheme.hash,
        data,
        { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength },
        signature,
      );
    else if (scheme.kind === 'rsa')
      ok = verify(scheme.hash, data, { key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature);
    else ok = verify(scheme.hash, data, { key: publicKey, dsaEncoding: 'der' }, signature);
    return ok ? null : 'the signature does not verify';
  } catch (error) {
    return `the signature cannot be checked: ${(error as Error).message}`;
  }
}

/** Whether an AlgorithmIdentifier's parameters are absent or NULL (both occur for RSA). */
export function parametersAbsentOrNull(parameters: Uint8Array | undefined): boolean {
  return parameters === undefined || (parameters.length === 2 && parameters[0] === TAG.null);
}

// Certificates are checked against the same issuers on every verification: remember the answers
// (bounded), keyed by the signed certificate's fingerprint and the issuer key.
const CHECK_CACHE_LIMIT = 4096;
const checked = new Map<string, string | null>();

/** signatureProblem for a certificate (`id`: its SHA-256) under `key`, memoised. */
export function certificateSignatureProblem(
  id: string,
  tbs: Uint8Array,
  algorithmOid: string,
  parameters: Uint8Array | undefined,
  signature: Uint8Array,
  key: WorkingPublicKey,
): string | null {
  const cacheKey = `${id}|${createHash('sha1')
    .update(key.spki)
    .update(key.parameters ?? new Uint8Array(0))
    .digest('hex')}`;
  const hit = checked.get(cacheKey);
  if (hit !== undefined) return hit;
  const problem = signatureProblem(tbs, algorithmOid, parameters, signature, key);
  if (checked.size >= CHECK_CACHE_LIMIT) checked.delete(checked.keys().next().value as string);
  checked.set(cacheKey, problem);
  return problem;
}
