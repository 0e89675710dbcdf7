/**
 * Certification path building and validation (RFC 5280 §6.1, with revocation per §6.3): every
 * candidate path from a certificate to a trust anchor is built (cross-certificates, several
 * intermediates; the search is bounded) and the first one that validates is kept. Revocation is
 * read against a time from CRLs and OCSP responses whose issuers are themselves validated.
 */
import { createHash } from 'node:crypto';
import { bytesEqual } from '../asn1/bytes.ts';
import { OID } from '../asn1/oids.ts';
import type { ParsedOcspResponse } from '../pki/ocsp-messages.ts';
import { isSelfIssued, KEY_USAGE, parseCertificate, sameEntity, type X509 } from './certificate.ts';
import { parseDistributionPoints, type DistributionPoint, type ParsedCrl } from './crl.ts';
import { certificateSignatureProblem, signatureProblem, type WorkingPublicKey } from './signature.ts';

/** Why a path failed, in the terms the ETSI sub-indications are derived from. */
export type PathFailureKind =
  'no-chain' | 'signature' | 'expired' | 'not-yet-valid' | 'constraints' | 'unsupported' | 'revoked' | 'no-revocation';

/** The revocation status of one certificate of a path at the validation time. */
export interface RevocationStatus {
  readonly status: 'good' | 'revoked' | 'unknown' | 'missing' | 'unsupported' | 'not-checked';
  readonly revokedAt?: Date;
  readonly reason?: number;
  readonly source?: 'crl' | 'ocsp';
  /** thisUpdate of the CRL or OCSP answer that decided. */
  readonly issuedAt?: Date;
  /** Why the data was unusable or unsupported, when it was. */
  readonly detail?: string;
}

/** Revocation data the validator may use. */
export interface RevocationSources {
  readonly crls: readonly ParsedCrl[];
  readonly ocsp: readonly ParsedOcspResponse[];
}

/** What the end certificate must allow. */
export interface LeafRequirements {
  /** keyUsage bits of which at least one must be set when the extension is present. */
  readonly keyUsage?: readonly number[];
  /** extendedKeyUsage: when `required`, the extension must be present; when present it must hold one of `anyOf`. */
  readonly extendedKeyUsage?: {
    readonly anyOf: readonly string[];
    readonly required?: boolean;
    readonly critical?: boolean;
    readonly only?: boolean;
    readonly acceptAny?: boolean;
  };
}

/** Inputs of validatePath. */
export interface PathValidationOptions {
  readonly anchors: readonly X509[];
  /** Certificates the builder may use as intermediates (anchors are added). */
  readonly pool: readonly X509[];
  /** Every certificate must be valid at this time; revocation is read at it. */
  readonly time: Date;
  readonly leaf?: LeafRequirements;
  /** When given, every certificate but the anchor gets a revocation status. */
  readonly revocation?: RevocationSources;
}

/** The outcome for the best path found. */
export interface PathValidationResult {
  /** RFC 5280 basic path validation passed (revocation aside: see `revocation`). */
  readonly valid: boolean;
  /** Leaf first, trust anchor last; the leaf alone when no chain to an anchor exists. */
  readonly path: readonly X509[];
  readonly failure?: { readonly kind: PathFailureKind; readonly index: number; readonly message: string };
  /** One per certificate of the path but the anchor, when revocation sources were given. */
  readonly revocation: readonly RevocationStatus[];
}

const MAX_DEPTH = 10;
const MAX_PATHS = 16;
const MAX_RECURSION = 2;

const ANY_EKU = '2.5.29.37.0';
const NAME_CONSTRAINTS = '2.5.29.30';
const CERTIFICATE_POLICIES = '2.5.29.32';
const POLICY_MAPPINGS = '2.5.29.33';
const POLICY_CONSTRAINTS = '2.5.29.36';
const INHIBIT_ANY_POLICY = '2.5.29.54';
const POLICY_EXTENSIONS = [POLICY_MAPPINGS, POLICY_CONSTRAINTS, INHIBIT_ANY_POLICY];

// Extensions the validator understands (or that cannot change a path's validity when critical).
const KNOWN_EXTENSIONS = new Set<string>([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
  OID.subjectAltName,
  '2.5.29.18',
  OID.crlDistributionPoints,
  OID.authorityInfoAccess,
  '1.3.6.1.5.5.7.1.11',
  '2.5.29.46',
  OID.ocspNoCheck,
  CERTIFICATE_POLICIES,
  '2.5.29.9',
  '1.3.6.1.4.1.11129.2.4.2',
]);

/** Validates `leaf` at `options.time`, building paths to the anchors; never throws. */
export function validatePath(leaf: X509, options: PathValidationOptions): PathValidationResult {
  return validate(leaf, options, 0);
}

/** True when the path validated and every certificate's status is good (what PKITS calls valid). */
export function pathAccepted(result: PathValidationResult): boolean {
  return result.valid && result.revocation.every((r) => r.status === 'good' || r.status === 'not-checked');
}

function validate(leaf: X509, options: PathValidationOptions, depth: number): PathValidationResult {
  const paths = buildPaths(leaf, options.anchors, options.pool);
  if (paths.length === 0) {
    return {
      valid: false,
      path: [leaf],
      failure: { kind: 'no-chain', index: 0, message: 'no certificate chain to a trust anchor' },
      revocation: [],
    };
  }
  let best: PathValidationResult | undefined;
  for (const path of paths) {
    const structural = checkPath(path, options);
    const revocation =
      structural === null && options.revocation
        ? path.slice(0, -1).map((c, i) => revocationStatus(c, path[i + 1], options, depth))
        : [];
    const result: PathValidationResult = structural
      ? { valid: false, path, failure: structural, revocation }
      : { valid: true, path, revocation };
    if (pathAccepted(result)) return result;
    if (!best || rank(result) > rank(best)) best = result;
  }
  return best as PathValidationResult;
}

function rank(result: PathValidationResult): number {
  if (result.valid) return 3;
  if (result.failure?.kind === 'expired' || result.failure?.kind === 'not-yet-valid') return 2;
  return result.failure?.kind === 'unsupported' ? 1 : 0;
}

/** Candidate issuers of `c`: matching name, anchors first, then those whose key identifier matches. */
function issuersOf(
  c: X509,
  anchors: readonly X509[],
  pool: readonly X509[],
): Array<{ certificate: X509; anchor: boolean }> {
  const out: Array<{ certificate: X509; anchor: boolean; score: number }> = [];
  const seen = new Set<string>();
  for (const [list, anchor] of [
    [anchors, true],
    [pool, false],
  ] as const) {
    for (const candidate of list) {
      if (seen.has(candidate.id) || candidate.subject.key !== c.issuer.key) continue;
      seen.add(candidate.id);
      const keyIdMatches =
        c.authorityKeyIdentifier && candidate.subjectKeyIdentifier
          ? bytesEqual(c.authorityKeyIdentifier, candidate.subjectKeyIdentifier)
          : undefined;
      out.push({
        certificate: candidate,
        anchor,
        score: (anchor ? 2 : 0) + (keyIdMatches === true ? 1 : keyIdMatches === false ? -2 : 0),
      });
    }
  }
  return out.sort((a, b) => b.score - a.score);
}

/** Every path leaf → anchor (the anchor last), depth-first, bounded. */
function buildPaths(leaf: X509, anchors: readonly X509[], pool: readonly X509[]): X509[][] {
  const paths: X509[][] = [];
  if (anchors.some((a) => a.id === leaf.id)) return [[leaf]];
  let budget = 200;
  const walk = (path: X509[]): void => {
    if (paths.length >= MAX_PATHS || path.length > MAX_DEPTH || budget-- <= 0) return;
    const current = path[path.length - 1];
    for (const { certificate, anchor } of issuersOf(current, anchors, pool)) {
      if (path.some((c) => c.id === certificate.id || sameEntity(c, certificate))) continue;
      if (anchor) paths.push([...path, certificate]);
      else walk([...path, certificate]);
      if (paths.length >= MAX_PATHS) return;
    }
  };
  walk([leaf]);
  return paths;
}

function keyOf(c: X509, inherited?: WorkingPublicKey): WorkingPublicKey {
  const parameters =
    c.publicKeyParameters ??
    (inherited && inherited.algorithmOid === c.publicKeyAlgorithmOid ? inherited.parameters : undefined);
  return { spki: c.spki, algorithmOid: c.publicKeyAlgorithmOid, parameters, publicKeyBits: c.publicKeyBits };
}

function validityFailure(c: X509, time: Date, index: number, what: string): PathValidationResult['failure'] {
  if (time < c.notBefore)
    return {
      kind: 'not-yet-valid',
      index,
      message: `the ${what} certificate (${describe(c)}) is not valid before ${c.notBefore.toISOString()}`,
    };
  if (time > c.notAfter)
    return {
      kind: 'expired',
      index,
      message: `the ${what} certificate (${describe(c)}) expired at ${c.notAfter.toISOString()}`,
    };
  return undefined;
}

function describe(c: X509): string {
  return c.subject.rdns.flat().find((a) => a.typeOid === OID.commonName)
    ? `CN=${Buffer.from(c.subject.rdns.flat().find((a) => a.typeOid === OID.commonName)!.value).toString('utf8')}`
    : `serial ${c.serialHex}`;
}

/** RFC 5280 §6.1.3–6.1.5 for one path (leaf first, anchor last); null when it holds. */
function checkPath(path: readonly X509[], options: PathValidationOptions): PathValidationResult['failure'] | null {
  const n = path.length - 1; // certificates below the anchor
  const anchor = path[n];
  let workingKey = keyOf(anchor);
  let workingName = anchor.subject.key;
  let maxPathLength = n;
  let expiry: PathValidationResult['failure'] | undefined;
  if (n === 0) {
    const failure = leafChecks(anchor, 0, options.leaf);
    return failure ?? validityFailure(anchor, options.time, 0, 'end') ?? null;
  }
  for (let step = 1; step <= n; step++) {
    const index = n - step; // position in `path`
    const c = path[index];
    const isLeaf = index === 0;
    const what = isLeaf ? 'end' : 'CA';
    if (
      c.tbsSignatureAlgorithmRaw.length !== c.signatureAlgorithm.raw.length ||
      !bytesEqual(c.tbsSignatureAlgorithmRaw, c.signatureAlgorithm.raw)
    ) {
      return {
        kind: 'signature',
        index,
        message: `the ${what} certificate (${describe(c)}) names two different signature algorithms`,
      };
    }
    const problem = certificateSignatureProblem(
      c.id,
      c.tbs,
      c.signatureAlgorithm.oid,
      c.signatureAlgorithm.parameters,
      c.signature,
      workingKey,
    );
    if (problem)
      return {
        kind: 'signature',
        index,
        message: `the signature on the ${what} certificate (${describe(c)}) is invalid: ${problem}`,
      };
    expiry ??= validityFailure(c, options.time, index, what);
    if (c.issuer.key !== workingName)
      return {
        kind: 'constraints',
        index,
        message: `the ${what} certificate (${describe(c)}) is not issued by the certificate above it (name chaining)`,
      };
    if (c.duplicateExtensions.length > 0)
      return {
        kind: 'constraints',
        index,
        message: `the ${what} certificate repeats extension ${c.duplicateExtensions[0]}`,
      };
    const unsupported = unsupportedExtension(c);
    if (unsupported) return { kind: 'unsupported', index, message: `${unsupported} (${describe(c)}): not supported` };
    const unknown = [...c.extensions].find(([oid, e]) => e.critical && !KNOWN_EXTENSIONS.has(oid));
    if (unknown)
      return {
        kind: 'constraints',
        index,
        message: `the ${what} certificate (${describe(c)}) has the unknown critical extension ${unknown[0]}`,
      };
    if (isLeaf) {
      const failure = leafChecks(c, index, options.leaf);
      if (failure) return failure;
      continue;
    }
    // Preparation for the next certificate (§6.1.4).
    if (!c.basicConstraints?.ca)
      return {
        kind: 'constraints',
        index,
        message: `the certificate (${describe(c)}) issued a certificate but is not a CA (basicConstraints cA is not TRUE)`,
      };
    if (!isSelfIssued(c)) {
      if (maxPathLength <= 0)
        return {
          kind: 'constraints',
          index,
          message: `the CA certificate (${describe(c)}) exceeds a pathLenConstraint above it`,
        };
      maxPathLength--;
    }
    if (c.basicConstraints.pathLength !== undefined && c.basicConstraints.pathLength < maxPathLength)
      maxPathLength = c.basicConstraints.pathLength;
    if (c.keyUsage && !c.keyUsage.has(KEY_USAGE.keyCertSign))
      return {
        kind: 'constraints',
        index,
        message: `the CA certificate (${describe(c)}) lacks keyCertSign in its keyUsage`,
      };
    workingKey = keyOf(c, workingKey);
    workingName = c.subject.key;
  }
  return expiry ?? null;
}

function unsupportedExtension(c: X509): string | undefined {
  if (c.extensions.has(NAME_CONSTRAINTS)) return 'name constraints';
  const policy = POLICY_EXTENSIONS.find((oid) => c.extensions.has(oid));
  if (policy) return 'certificate policy processing (policy mappings and constraints)';
  return undefined;
}

function leafChecks(
  c: X509,
  index: number,
  requirements: LeafRequirements | undefined,
): PathValidationResult['failure'] | undefined {
  if (!requirements) return undefined;
  if (requirements.keyUsage && c.keyUsage && !requirements.keyUsage.some((bit) => c.keyUsage!.has(bit))) {
    return {
      kind: 'constraints',
      index,
      message: `the certificate (${describe(c)}) does not allow this use (keyUsage ${[...c.keyUsage].map(keyUsageName).join(', ') || 'empty'})`,
    };
  }
  const eku = requirements.extendedKeyUsage;
  if (eku) {
    const present = c.extendedKeyUsage;
    if (!present) {
      if (eku.required)
        return {
          kind: 'constraints',
          index,
          message: `the certificate (${describe(c)}) has no extended key usage ${eku.anyOf.map(ekuName).join(' / ')}`,
        };
    } else {
      if (!present.some((p) => eku.anyOf.includes(p) || (eku.acceptAny === true && p === ANY_EKU))) {
        return {
          kind: 'constraints',
          index,
          message: `the certificate (${describe(c)}) is not for ${eku.anyOf.map(ekuName).join(' / ')} (extended key usage ${present.map(ekuName).join(', ')})`,
        };
      }
      if (eku.only && present.length !== 1)
        return {
          kind: 'constraints',
          index,
          message: `the certificate (${describe(c)}) must have ${eku.anyOf.map(ekuName).join(' / ')} as its only extended key usage`,
        };
      if (eku.critical && !c.extensions.get(OID.extKeyUsage)?.critical)
        return {
          kind: 'constraints',
          index,
          message: `the extended key usage ${eku.anyOf.map(ekuName).join(' / ')} of the certificate (${describe(c)}) is not critical`,
        };
    }
  }
  return undefined;
}

const KEY_USAGE_NAMES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];
function keyUsageName(bit: number): string {
  return KEY_USAGE_NAMES[bit] ?? `bit ${bit}`;
}
const EKU_NAMES: ReadonlyMap<string, string> = new Map([
  [OID.kpTimeStamping, 'timeStamping'],
  [OID.kpOcspSigning, 'OCSPSigning'],
  [OID.kpEmailProtection, 'emailProtection'],
  [OID.kpDocumentSigning, 'documentSigning'],
  ['1.3.6.1.5.5.7.3.1', 'serverAuth'],
  ['1.3.6.1.5.5.7.3.2', 'clientAuth'],
  ['1.3.6.1.5.5.7.3.3', 'codeSigning'],
  [ANY_EKU, 'anyExtendedKeyUsage'],
]);
function ekuName(oid: string): string {
  return EKU_NAMES.get(oid) ?? oid;
}

// ---------------------------------------------------------------------------------------------
// Revocation (RFC 5280 §6.3 for CRLs, RFC 6960 for OCSP), read at options.time.

interface Statement {
  status: 'good' | 'revoked' | 'unknown';
  revokedAt?: Date;
  reason?: number;
  source: 'crl' | 'ocsp';
  issuedAt: Date;
}

const CERTIFICATE_HOLD = 6;
const REMOVE_FROM_CRL = 8;
const OCSP_FRESHNESS_WITHOUT_NEXT_UPDATE_MS = 24 * 3600 * 1000;

// Responders and CAs round their times and clocks drift: data up to this much "from the future" is current.
const CLOCK_SKEW_MS = 5 * 60 * 1000;

function fresh(thisUpdate: Date, nextUpdate: Date | undefined, time: Date): boolean {
  if (thisUpdate.getTime() > time.getTime() + CLOCK_SKEW_MS) return false;
  if (nextUpdate) return time.getTime() <= nextUpdate.getTime();
  return time.getTime() - thisUpdate.getTime() <= OCSP_FRESHNESS_WITHOUT_NEXT_UPDATE_MS;
}

function revocationStatus(c: X509, issuer: X509, options: PathValidationOptions, depth: number): RevocationStatus {
  const sources = options.revocation as RevocationSources;
  if (c.extensions.has(OID.ocspNoCheck) && c.extendedKeyUsage?.includes(OID.kpOcspSigning))
    return { status: 'good', detail: 'OCSP responder certificate with id-pkix-ocsp-nocheck' };
  const statements: Statement[] = [];
  const problems: string[] = [];
  let unsupported: string | undefined;
  const serial = Buffer.from(c.serial).toString('hex');
  const points = distributionPointsOf(c);
  if (typeof points === 'string') unsupported = points;
  for (const crl of sources.crls) {
    if (crl.issuer.key !== c.issuer.key) continue;
    const scope = crl.scope;
    if (scope) {
      if (scope.onlyAttributeCertificates) continue;
      if (scope.onlyUserCertificates && c.basicConstraints?.ca) continue;
      if (scope.onlyCaCertificates && !c.basicConstraints?.ca) continue;
      if (
        scope.names &&
        !(Array.isArray(points) && points.some((p) => p.names?.some((name) => scope.names!.includes(name))))
      )
        continue;
    }
    if (!fresh(crl.thisUpdate, crl.nextUpdate, options.time)) {
      problems.push(`a CRL of ${crl.thisUpdate.toISOString()} is not current at ${options.time.toISOString()}`);
      continue;
    }
    const signerProblem = crlSignerProblem(crl, issuer, options, depth);
    if (signerProblem) {
      problems.push(signerProblem);
      continue;
    }
    if (crl.unusable) {
      problems.push(crl.unusable);
      continue;
    }
    if (crl.unsupported) {
      unsupported ??= crl.unsupported;
      continue;
    }
    const entry = crl.entries.get(serial);
    if (entry && entry.reason !== REMOVE_FROM_CRL && entry.revokedAt.getTime() <= options.time.getTime()) {
      statements.push({
        status: 'revoked',
        revokedAt: entry.revokedAt,
        reason: entry.reason,
        source: 'crl',
        issuedAt: crl.thisUpdate,
      });
    } else {
      statements.push({ status: 'good', source: 'crl', issuedAt: crl.thisUpdate });
    }
  }
  for (const response of sources.ocsp) {
    for (const single of response.responses) {
      if (single.serialHex !== c.serialHex || !certIdNames(single.certId, issuer)) continue;
      if (!fresh(single.thisUpdate, single.nextUpdate, options.time)) {
        problems.push(
          `an OCSP response of ${single.thisUpdate.toISOString()} is not current at ${options.time.toISOString()}`,
        );
        continue;
      }
      const responderProblem = ocspResponderProblem(response, issuer, options, depth);
      if (responderProblem) {
        problems.push(responderProblem);
        continue;
      }
      if (single.certStatus === 'revoked' && single.revokedAt && single.revokedAt.getTime() <= options.time.getTime()) {
        statements.push({
          status: 'revoked',
          revokedAt: single.revokedAt,
          reason: single.revocationReason,
          source: 'ocsp',
          issuedAt: single.thisUpdate,
        });
      } else if (single.certStatus === 'revoked') {
        statements.push({ status: 'good', source: 'ocsp', issuedAt: single.thisUpdate });
      } else {
        statements.push({ status: single.certStatus, source: 'ocsp', issuedAt: single.thisUpdate });
      }
    }
  }
  // A hold may have been lifted by a delta CRL the validator cannot read.
  const anyRevoked = statements.some(
    (st) => st.status === 'revoked' && !(unsupported && st.reason === CERTIFICATE_HOLD),
  );
  // Data the validator cannot read might revoke: it never lets a "good" through.
  if (statements.length === 0 || (unsupported && !anyRevoked)) {
    if (unsupported) return { status: 'unsupported', detail: unsupported };
    return { status: 'missing', detail: problems[0] ?? 'no CRL or OCSP response for it' };
  }
  statements.sort((a, b) => b.issuedAt.getTime() - a.issuedAt.getTime());
  const newest = statements[0];
  // Conflicting sources: a revocation stands unless it was a hold that a newer statement lifted.
  const revoked = statements.filter(
    (s) =>
      s.status === 'revoked' &&
      !(s.reason === CERTIFICATE_HOLD && newest.status === 'good' && newest.issuedAt > s.issuedAt),
  );
  if (revoked.length > 0) {
    const first = revoked.reduce((a, b) => ((a.revokedAt?.getTime() ?? 0) <= (b.revokedAt?.getTime() ?? 0) ? a : b));
    return {
      status: 'revoked',
      revokedAt: first.revokedAt,
      reason: first.reason,
      source: first.source,
      issuedAt: first.issuedAt,
    };
  }
  if (newest.status === 'unknown')
    return {
      status: 'unknown',
      source: 'ocsp',
      issuedAt: newest.issuedAt,
      detail: 'the OCSP responder does not know the certificate',
    };
  return { status: 'good', source: newest.source, issuedAt: newest.issuedAt };
}

/** The certificate's distribution points, or why they are not supported. */
function distributionPointsOf(c: X509): DistributionPoint[] | string {
  const extension = c.extensions.get(OID.crlDistributionPoints);
  if (!extension) return [];
  try {
    const points = parseDistributionPoints(extension.value);
    return points.find((p) => p.unsupported)?.unsupported ?? points;
  } catch {
    return 'an unreadable cRLDistributionPoints extension';
  }
}

function certIdNames(certId: ParsedOcspResponse['responses'][number]['certId'], issuer: X509): boolean {
  const hash =
    certId.hashAlgorithmOid === OID.sha1
      ? 'sha1'
      : certId.hashAlgorithmOid === OID.sha256
        ? 'sha256'
        : certId.hashAlgorithmOid === OID.sha384
          ? 'sha384'
          : certId.hashAlgorithmOid === OID.sha512
            ? 'sha512'
            : undefined;
  if (!hash) return false;
  return (
    bytesEqual(createHash(hash).update(issuer.subject.der).digest(), certId.issuerNameHash) &&
    bytesEqual(createHash(hash).update(issuer.publicKeyBits).digest(), certId.issuerKeyHash)
  );
}

/** Null when `crl` is signed by its issuer: the path's issuer (with cRLSign) or another validated certificate of that CA. */
function crlSignerProblem(crl: ParsedCrl, issuer: X509, options: PathValidationOptions, depth: number): string | null {
  if (!bytesEqual(crl.tbsSignatureAlgorithmRaw, crl.signatureAlgorithm.raw))
    return 'a CRL names two different signature algorithms';
  const verifies = (signer: X509) =>
    signatureProblem(
      crl.tbs,
      crl.signatureAlgorithm.oid,
      crl.signatureAlgorithm.parameters,
      crl.signature,
      keyOf(signer),
    ) === null;
  const mayIssueCrls = (signer: X509) => !signer.keyUsage || signer.keyUsage.has(KEY_USAGE.cRLSign);
  if (verifies(issuer)) return mayIssueCrls(issuer) ? null : 'the CRL issuer lacks cRLSign in its keyUsage';
  if (depth >= MAX_RECURSION) return 'the CRL is signed by another key of its issuer, too deep to follow';
  for (const candidate of [...options.anchors, ...options.pool]) {
    if (candidate.subject.key !== crl.issuer.key || candidate.id === issuer.id || !verifies(candidate)) continue;
    if (options.anchors.some((a) => a.id === candidate.id))
      return mayIssueCrls(candidate) ? null : 'the CRL issuer lacks cRLSign';
    const result = validate(candidate, { ...options, leaf: { keyUsage: [KEY_USAGE.cRLSign] } }, depth + 1);
    if (pathAccepted(result)) return null;
    return `the CRL signer's certificate does not validate: ${result.failure?.message ?? result.revocation.find((r) => r.status !== 'good')?.detail ?? 'revoked'}`;
  }
  return 'the CRL signature does not verify with a key of its issuer';
}

/** Null when the OCSP response is signed by the issuer or by its delegated responder (validated). */
function ocspResponderProblem(
  response: ParsedOcspResponse,
  issuer: X509,
  options: PathValidationOptions,
  depth: number,
): string | null {
  const signed = response.signed;
  if (!signed) return 'the OCSP response is not signed';
  const candidates: X509[] = [issuer];
  for (const der of response.certificates) {
    try {
      candidates.push(parseCertificate(der));
    } catch {
      continue;
    }
  }
  for (const candidate of candidates) {
    const named =
      'byName' in signed.responderId
        ? bytesEqual(candidate.subject.der, signed.responderId.byName)
        : bytesEqual(createHash('sha1').update(candidate.publicKeyBits).digest(), signed.responderId.byKey);
    if (!named) continue;
    if (
      signatureProblem(signed.tbs, signed.signatureAlgorithmOid, undefined, signed.signature, keyOf(candidate)) !== null
    )
      continue;
    if (sameEntity(candidate, issuer)) return null;
    // A delegated responder: issued by the CA itself, for OCSPSigning (RFC 6960 §4.2.2.2).
    if (candidate.issuer.key !== issuer.subject.key)
      return 'the OCSP responder certificate is not issued by the CA of the certificate';
    if (depth >= MAX_RECURSION) return 'the OCSP responder is too deep to validate';
    const result = validate(
      candidate,
      {
        ...options,
        pool: [issuer, ...options.pool],
        leaf: {
          keyUsage: [KEY_USAGE.digitalSignature, KEY_USAGE.nonRepudiation],
          extendedKeyUsage: { anyOf: [OID.kpOcspSigning], required: true },
        },
        time: response.producedAt ?? options.time,
      },
      depth + 1,
    );
    if (!pathAccepted(result) || result.path[1]?.id !== issuer.id)
      return `the OCSP responder certificate does not validate: ${result.failure?.message ?? 'its own status is not good'}`;
    return null;
  }
  return 'the OCSP response is signed neither by the CA nor by a responder it certified';
}
