import { createHash } from 'node:crypto';
import { hashNameOfOid } from '../asn1/oids.ts';
import { parseCmsSignature, type ParsedCmsSignature } from '../cms/parse.ts';
import { verifyCmsSignature } from '../cms/verify.ts';
import { CoreError } from '../errors.ts';
import { PdfDocument } from '../pdf/document.ts';
import { PdfBudget, type PdfLimits } from '../pdf/limits.ts';
import { PdfRef, PdfStream, PdfString, type PdfObject } from '../pdf/objects.ts';
import { PdfLexer } from '../pdf/lexer.ts';
import { parsePdfDate } from '../pdf/serialize.ts';
import { derOfContents, listSignatures, rangeEnd, type PdfSignatureInfo } from '../pades/signatures.ts';
import { BER, expectTag, readDer } from '../asn1/der-reader.ts';
import { OID } from '../asn1/oids.ts';
import type { ParsedOcspResponse } from '../pki/ocsp-messages.ts';
import type { RevocationProvider } from '../revocation.ts';
import { parseTimestampToken, type ParsedTimestampToken } from '../tsp/token.ts';
import { KEY_USAGE, type X509 } from '../x509/certificate.ts';
import { buildChain, cert, certs, isSelfSigned } from '../x509/chain.ts';
import { parseCrls, type ParsedCrl } from '../x509/crl.ts';
import { nameAttribute, nameText } from '../x509/name.ts';
import {
  validatePath,
  type LeafRequirements,
  type PathValidationResult,
  type RevocationSources,
  type RevocationStatus,
} from '../x509/path-validation.ts';
import {
  byteRangeProblems,
  ByteRangeDigests,
  revisionEnds,
  FileHashCheckpoints,
  type FileDigests,
} from './byte-range.ts';
import type {
  CertificateSummary,
  Indication,
  PadesLevel,
  RevocationReport,
  SignatureReport,
  SubIndication,
  TimestampReport,
  VerificationReport,
} from './report.ts';
import { diffRevisions } from './revision-diff.ts';
import { parseRevocationData } from './revocation-status.ts';

export interface VerifyOptions {
  /** Trusted roots (DER). Without any, every chain is untrusted. */
  trustAnchors?: readonly Uint8Array[];
  /** The validation time (default: now): certificates and revocation are read at it, or at a time a document timestamp proves. */
  at?: Date;
  /** Older name of `at`. */
  now?: Date;
  /**
   * Asked for revocation data the file lacks: the installation's own CA, or the AIA/CDP URLs (the
   * CLI's --online). Without it only the data in the file counts.
   */
  revocationProvider?: RevocationProvider;
  /** Revocation data the caller fetched beforehand (DER), e.g. the installation's current CRLs handed to a worker thread. */
  revocationData?: { crls?: readonly Uint8Array[]; ocsp?: readonly Uint8Array[] };
  /** Resource limits of reading the file (decoded bytes, objects, nesting, xref chain…); defaults by file size. */
  limits?: PdfLimits;
  /**
   * The SHA-256 of these very bytes, fed while they were read (FileHashCheckpoints), or the digests
   * computed from it (FileHashCheckpoints.digests, e.g. by the thread that read the file): spares the
   * verifier its own pass over the file. Ignored unless it covers exactly `bytes.length` bytes.
   */
  fileHash?: FileHashCheckpoints | FileDigests;
}

interface Dss {
  certificates: Uint8Array[];
  ocsp: Uint8Array[];
  crls: Uint8Array[];
}

/**
 * Verifies every signature and document timestamp of a PDF: coverage, digest, CMS, signer binding,
 * timestamps, chains to the trust anchors, revocation data, PAdES level, and what later revisions
 * changed. Unreadable files come back with exitCode 2; a file over a resource limit (options.limits)
 * throws CoreError PDF_TOO_COMPLEX naming the limit, even where reading it was otherwise tolerated.
 */
export async function verifyPdf(bytes: Uint8Array, options: VerifyOptions = {}): Promise<VerificationReport> {
  const budget = new PdfBudget(bytes.length, options.limits);
  let report: VerificationReport;
  try {
    report = await verifyWithinBudget(bytes, options, budget);
  } catch (error) {
    throw budget.exceeded ?? error;
  }
  if (budget.exceeded) throw budget.exceeded;
  return report;
}

async function verifyWithinBudget(
  bytes: Uint8Array,
  options: VerifyOptions,
  budget: PdfBudget,
): Promise<VerificationReport> {
  const file = { size: bytes.length, sha256: '', revisions: 0, pages: null as number | null };
  let doc: PdfDocument;
  try {
    doc = PdfDocument.load(bytes, { tolerant: true, allowEncrypted: true, budget });
    file.pages = doc.pageCount;
  } catch (error) {
    file.revisions = revisionEnds(bytes).length;
    file.sha256 = sha256OfFile(bytes, options.fileHash);
    return unreadable(file, error);
  }
  const ends = revisionEnds(bytes, doc.xref.sections);
  file.revisions = ends.length;
  let signatures: PdfSignatureInfo[];
  try {
    signatures = listSignatures(doc);
    budget.check('signatures', signatures.length, budget.maxSignatures);
  } catch (error) {
    file.sha256 = sha256OfFile(bytes, options.fileHash);
    return unreadable(file, error);
  }
  // One pass over the file gives its SHA-256 and every signature's range digest.
  const digests = new ByteRangeDigests(
    bytes,
    signatures.map((s) => s.byteRange),
    options.fileHash,
  );
  file.sha256 = digests.fileSha256;
  if (signatures.length === 0) {
    const stripped = unlistedSignatureValues(doc, digests, []).length;
    const problems = ['the PDF has no signatures'];
    if (stripped > 0)
      problems.push(
        `the file still holds ${stripped} signature value(s) that no signature field lists: a later revision removed them`,
      );
    return {
      schemaVersion: 2,
      file,
      signatures: [],
      attacks: stripped > 0 ? ['signature-removed'] : [],
      problems,
      exitCode: 2,
      summary: 'No signatures found.',
    };
  }

  const anchors = certs(options.trustAnchors ?? []);
  const anchorIds = new Set(anchors.map((a) => a.id));
  const dss = readDss(doc);
  const parsedCms = new Map<Uint8Array, ParsedCmsSignature>();
  const embedded = embeddedData(signatures, parsedCms);
  const dssCrls = parseCrls(dss.crls);
  const dssOcsp = parseRevocationData(dss.ocsp, []).ocsp;
  const context: Context = {
    bytes,
    digests,
    doc,
    ends,
    anchors,
    anchorIds,
    dss,
    embedded,
    parsedCms,
    pool: [...certs(dss.certificates), ...embedded.certificates, ...anchors],
    revocation: { crls: [...dssCrls, ...embedded.crls], ocsp: [...dssOcsp, ...embedded.ocsp] },
    at: options.at ?? options.now ?? new Date(),
    revocationProvider: options.revocationProvider,
    supplied: {
      crls: parseCrls(options.revocationData?.crls ?? []),
      ocsp: parseRevocationData([...(options.revocationData?.ocsp ?? [])], []).ocsp,
    },
    fetched: new Map(),
    acceptedDocumentTimestamps: new Map(),
    signedStates: new Map(),
  };

  // Document timestamps last to first: each is validated at the time the next one proves; then the signatures.
  const reports: SignatureReport[] = new Array(signatures.length);
  for (let i = signatures.length - 1; i >= 0; i--)
    if (signatures[i].type === 'document-timestamp') reports[i] = await verifySignature(context, signatures[i], i + 1);
  for (let i = 0; i < signatures.length; i++)
    if (signatures[i].type !== 'document-timestamp') reports[i] = await verifySignature(context, signatures[i], i + 1);
  assignLevels(context, signatures, reports);

  const attacks = new Set<string>();
  const problems: string[] = [];
  if (doc.xref.repaired) problems.push('the cross-reference table is broken; the file was read by scanning');
  for (const r of reports) {
    if (!r.integrity.coverageOk) attacks.add('coverage-anomaly');
    if (r.problems.some((p) => p.includes('signature wrapping'))) attacks.add('signature-wrapping');
    for (const change of r.laterChanges.changes) {
      if (change.allowed) continue;
      if (
        change.kind === 'page-content-changed' ||
        change.kind === 'appearance-changed' ||
        change.kind === 'object-changed'
      )
        attacks.add('shadow-attack');
      else attacks.add('incremental-saving');
    }
  }
  // A signature value still in the bytes that no field lists was removed (or hidden) by a later
  // revision: the revision diff of the remaining signatures cannot see it when it came after them.
  const removed = unlistedSignatureValues(doc, digests, signatures);
  for (const range of removed) {
    const revision = ends.indexOf(range[2] + range[3]);
    problems.push(
      `a signature value in the file (ByteRange [${range.join(' ')}]${revision >= 0 ? `, revision ${revision + 1}` : ''}) belongs to no signature field: a later revision removed or hid that signature`,
    );
  }
  if (removed.length > 0) attacks.add('signature-removed');
  const allValid = reports.every((r) => r.indication === 'TOTAL-PASSED');
  const invalid = reports.filter((r) => r.status === 'invalid').length;
  const untrusted = reports.filter((r) => r.status === 'untrusted').length;
  const indeterminate = reports.filter((r) => r.status === 'indeterminate').length;
  const summary = !allValid
    ? `${invalid} invalid (TOTAL-FAILED), ${untrusted} untrusted and ${indeterminate} indeterminate of ${reports.length} signature(s).`
    : removed.length > 0
      ? `All ${reports.length} listed signature(s) are valid and trusted, but ${removed.length} signature(s) in the file were removed from the document.`
      : `All ${reports.length} signature(s) are valid and trusted.`;
  return {
    schemaVersion: 2,
    file,
    signatures: reports,
    attacks: [...attacks],
    problems,
    exitCode: allValid && removed.length === 0 ? 0 : 1,
    summary,
  };
}

/**
 * ByteRanges of signature values in the bytes that neither a signature field nor the catalog's
 * /Perms (usage rights /UR3, /DocMDP: signatures outside the form) claims.
 */
function unlistedSignatureValues(
  doc: PdfDocument,
  digests: ByteRangeDigests,
  signatures: PdfSignatureInfo[],
): number[][] {
  const known = new Set(signatures.map((s) => s.byteRange.join(' ')));
  try {
    const perms = doc.dict(doc.catalog.get('Perms'));
    for (const value of perms?.entries.values() ?? []) {
      const range = doc.resolve(doc.dict(value)?.get('ByteRange'));
      if (Array.isArray(range)) known.add(range.map((n) => doc.resolve(n)).join(' '));
    }
  } catch {
    // An unreadable /Perms claims nothing.
  }
  return digests.signatureValues().filter((range) => !known.has(range.join(' ')));
}

/** The SHA-256 of the whole file (hex): the one computed while it was read, else a pass of its own. */
function sha256OfFile(bytes: Uint8Array, fed: VerifyOptions['fileHash']): string {
  if (fed !== undefined && fed.length === bytes.length)
    return fed instanceof FileHashCheckpoints ? fed.fileSha256() : fed.sha256;
  return createHash('sha256').update(bytes).digest('hex');
}

interface Context {
  bytes: Uint8Array;
  digests: ByteRangeDigests;
  doc: PdfDocument;
  ends: number[];
  anchors: X509[];
  anchorIds: Set<string>;
  dss: Dss;
  /** Certificates and revocation data inside the CMS signatures and timestamp tokens. */
  embedded: { certificates: X509[]; crls: ParsedCrl[]; ocsp: ParsedOcspResponse[] };
  /** The CMS of each signature, parsed once (by its /Contents bytes). */
  parsedCms: Map<Uint8Array, ParsedCmsSignature>;
  /** Every certificate the file offers (DSS, CMS, tokens) and the anchors. */
  pool: X509[];
  /** Every piece of revocation data in the file (the DSS and the embedded data). */
  revocation: RevocationSources;
  at: Date;
  revocationProvider?: RevocationProvider;
  /** Revocation data the caller fetched beforehand: counts at the validation time only. */
  supplied: RevocationSources;
  fetched: Map<string, Promise<RevocationSources>>;
  /** Ends of the document timestamps that passed, with the times they prove. */
  acceptedDocumentTimestamps: Map<number, Date>;
  signedStates: Map<number, PdfDocument | null>;
}

function unreadable(file: VerificationReport['file'], error: unknown): VerificationReport {
  const message =
    error instanceof CoreError
      ? `${error.code}: ${error.message}`
      : `unreadable: ${(error as Error)?.message ?? String(error)}`;
  return {
    schemaVersion: 2,
    file,
    signatures: [],
    attacks: [],
    problems: [message],
    exitCode: 2,
    summary: 'The file cannot be read as a PDF.',
  };
}

/** The document as it stood when a signature covering [0, end) was made (cached). */
function signedState(context: Context, end: number): PdfDocument | null {
  if (!context.signedStates.has(end)) {
    let state: PdfDocument | null = null;
    try {
      state =
        end === context.bytes.length
          ? context.doc
          : PdfDocument.load(context.bytes.subarray(0, end), {
              tolerant: true,
              allowEncrypted: true,
              budget: context.doc.budget,
            });
    } catch {
      state = null;
    }
    context.signedStates.set(end, state);
  }
  return context.signedStates.get(end) ?? null;
}

async function verifySignature(context: Context, signature: PdfSignatureInfo, index: number): Promise<SignatureReport> {
  const report = blankReport(context, signature, index);
  let trust: Judgement | null = null;
  try {
    trust = await checkSignature(context, signature, report);
  } catch (error) {
    // Input no check foresaw must still give a report (never a crash), and never a valid one.
    report.problems.push(`the signature cannot be checked: ${(error as Error)?.message ?? String(error)}`);
    report.integrity.signatureValid = false;
  }
  return finish(report, trust);
}

function blankReport(context: Context, signature: PdfSignatureInfo, index: number): SignatureReport {
  const end = rangeEnd(signature);
  const revision = context.ends.indexOf(end);
  return {
    index,
    fieldName: signature.fieldName,
    type: signature.type,
    subFilter: signature.subFilter ?? null,
    revision: revision >= 0 ? revision + 1 : null,
    coversWholeFile: end === context.bytes.length,
    byteRange: signature.byteRange,
    signer: null,
    claimed: {
      name: text(signature, 'Name'),
      reason: text(signature, 'Reason'),
      location: text(signature, 'Location'),
      contactInfo: text(signature, 'ContactInfo'),
      signingTime: dateText(signature),
    },
    integrity: {
      coverageOk: false,
      digestMatches: false,
      signatureValid: false,
      signingCertificateMatches: false,
      digestAlgorithm: null,
    },
    timestamp: null,
    certificate: null,
    revocation: { source: 'none', ocspResponses: 0, crls: 0, status: 'missing', complete: false, revokedAt: null },
    level: null,
    laterChanges: { allowed: true, changes: [] },
    indication: 'TOTAL-FAILED',
    subIndication: 'FORMAT_FAILURE',
    bestSignatureTime: null,
    validationTime: null,
    status: 'invalid',
    problems: [],
  };
}

async function checkSignature(
  context: Context,
  signature: PdfSignatureInfo,
  report: SignatureReport,
): Promise<Judgement | null> {
  const { bytes } = context;
  const { problems } = report;
  const end = rangeEnd(signature);
  const state = Number.isFinite(end) && end <= bytes.length ? signedState(context, end) : null;
  const span = state ? objectSpan(state, signature.objectNumber) : undefined;
  const coverage = byteRangeProblems(bytes, signature.byteRange, context.ends, span);
  problems.push(...coverage);
  report.integrity.coverageOk = coverage.length === 0;
  if (
    signature.byteRange.length !== 4 ||
    !signature.byteRange.every((n) => Number.isInteger(n) && n >= 0) ||
    end > bytes.length
  ) {
    return null;
  }
  // /Contents in the dictionary must be the bytes in the gap (else the gap is not this signature's).
  // An odd count of hex digits reads as if a final 0 followed (ISO 32000-1 7.3.4.3): compare it so.
  const gapDigits = Buffer.from(bytes.subarray(signature.byteRange[1] + 1, signature.byteRange[2] - 1))
    .toString('latin1')
    .replace(/\s+/g, '')
    .toLowerCase();
  const gapHex = gapDigits.length % 2 === 1 ? `${gapDigits}0` : gapDigits;
  if (gapHex !== Buffer.from(signature.contents).toString('hex')) {
    problems.push("the ByteRange gap does not hold this signature's /Contents (signature wrapping)");
    report.integrity.coverageOk = false;
  }
  // The dictionary must already be in the revision it signs, as it is now: a copy in a new field,
  // or one redefined later (another /ByteRange or /Contents), claims bytes that someone else signed.
  if (state && signature.objectNumber > 0 && !sameInSignedRevision(state, signature)) {
    problems.push(
      `the signature dictionary (object ${signature.objectNumber}) is not the one in the revision its ByteRange covers (signature wrapping)`,
    );
    report.integrity.coverageOk = false;
  }

  const der = derOfContents(signature.contents);
  const trust =
    signature.type === 'document-timestamp'
      ? await verifyDocumentTimestamp(context, report, der, end)
      : await verifyCmsPdfSignature(context, report, der, end, context.parsedCms.get(signature.contents));

  if (end < bytes.length && state) {
    try {
      const diff = diffRevisions(state, context.doc);
      report.laterChanges = { allowed: diff.allowed, changes: diff.changes };
      for (const change of diff.changes)
        if (!change.allowed) problems.push(`changed after signing: ${change.description}`);
    } catch (error) {
      report.laterChanges = { allowed: false, changes: [] };
      problems.push(`the changes made after signing cannot be analysed: ${(error as Error).message}`);
    }
  } else if (end < bytes.length) {
    report.laterChanges = { allowed: false, changes: [] };
    problems.push('the signed revision cannot be read, so later changes cannot be checked');
  }
  return trust;
}

/** Does the revision a signature covers hold its dictionary with the same /ByteRange and /Contents? */
function sameInSignedRevision(state: PdfDocument, signature: PdfSignatureInfo): boolean {
  try {
    const dict = state.dict(new PdfRef(signature.objectNumber));
    if (!dict) return false;
    const contents = state.resolve(dict.get('Contents'));
    const range = state.resolve(dict.get('ByteRange'));
    return (
      contents instanceof PdfString &&
      Buffer.compare(contents.bytes, signature.contents) === 0 &&
      Array.isArray(range) &&
      range.length === signature.byteRange.length &&
      range.every((n, i) => state.resolve(n) === signature.byteRange[i])
    );
  } catch {
    return false;
  }
}

/** The ETSI verdict of a signature or document timestamp from its integrity and its trust judgement. */
function finish(report: SignatureReport, trust: Judgement | null): SignatureReport {
  const i = report.integrity;
  let verdict: { indication: Indication; sub: SubIndication | null };
  if (!i.coverageOk || !report.laterChanges.allowed) verdict = { indication: 'TOTAL-FAILED', sub: 'FORMAT_FAILURE' };
  else if (!i.digestMatches) verdict = { indication: 'TOTAL-FAILED', sub: 'HASH_FAILURE' };
  else if (!i.signatureValid)
    verdict =
      report.signer === null && report.type === 'signature'
        ? { indication: 'INDETERMINATE', sub: 'NO_SIGNING_CERTIFICATE_FOUND' }
        : { indication: 'TOTAL-FAILED', sub: 'SIG_CRYPTO_FAILURE' };
  else if (!i.signingCertificateMatches) verdict = { indication: 'INDETERMINATE', sub: 'NO_SIGNING_CERTIFICATE_FOUND' };
  // A signature timestamp that does not match its signature is a forgery, not merely useless.
  else if (report.timestamp && (!report.timestamp.imprintMatches || !report.timestamp.signatureValid))
    verdict = { indication: 'TOTAL-FAILED', sub: 'SIG_CRYPTO_FAILURE' };
  else if (!trust) verdict = { indication: 'INDETERMINATE', sub: 'NO_SIGNING_CERTIFICATE_FOUND' };
  else verdict = { indication: trust.indication, sub: trust.subIndication };
  report.indication = verdict.indication;
  report.subIndication = verdict.sub;
  report.status =
    verdict.indication === 'TOTAL-PASSED'
      ? 'valid'
      : verdict.indication === 'TOTAL-FAILED'
        ? 'invalid'
        : verdict.sub === 'NO_CERTIFICATE_CHAIN_FOUND'
          ? 'untrusted'
          : 'indeterminate';
  if (verdict.sub === 'NO_CERTIFICATE_CHAIN_FOUND' && !report.problems.some((p) => p.includes('trusted root')))
    report.problems.push('the certificate chain does not lead to a trusted root');
  return report;
}

/** Signer certificates: digitalSignature or nonRepudiation; an EKU, when present, for signing documents. */
const SIGNER_REQUIREMENTS: LeafRequirements = {
  keyUsage: [KEY_USAGE.digitalSignature, KEY_USAGE.nonRepudiation],
  extendedKeyUsage: {
    anyOf: [
      OID.kpDocumentSigning,
      OID.kpEmailProtection,
      '1.2.840.113583.1.1.5',
      '1.3.6.1.4.1.311.10.3.12',
      '1.3.6.1.5.5.7.3.2',
      '1.3.6.1.5.5.7.3.3',
    ],
    acceptAny: true,
  },
};
/** TSA certificates (RFC 3161 §2.3): the timeStamping EKU, critical and alone. */
const TSA_REQUIREMENTS: LeafRequirements = {
  keyUsage: [KEY_USAGE.digitalSignature, KEY_USAGE.nonRepudiation],
  extendedKeyUsage: { anyOf: [OID.kpTimeStamping], required: true, critical: true, only: true },
};

/** The time a signature is proved to have existed at (proven) or, without proof, the validation time. */
interface SignatureTime {
  time: Date;
  proven: boolean;
}

/** A time certificates may be validated at, with the revocation data proved to exist by then. */
interface ControlTime {
  time: Date;
  sources: RevocationSources;
  /** Null for the validation time itself; else which document timestamp proves this time. */
  provedBy: string | null;
  /**
   * The newest document timestamp's own time, tried when revocation data current at the validation time
   * is missing. Never after an expired certificate: a timestamp is no proof of its own existence, so
   * without a later proof of existence an expired TSA path stays OUT_OF_BOUNDS_NO_POE (ETSI EN 319 102-1).
   */
  ownTime?: boolean;
}

/** The trust verdict for one certificate path. */
interface Judgement {
  indication: Indication;
  subIndication: SubIndication | null;
  problems: string[];
  notes: string[];
  path: X509[];
  validationTime: Date;
  revocation: RevocationStatus[];
  /** Whether an earlier proof of existence could change the answer (expiry, missing or stale revocation data). */
  retry: boolean;
}

function certificateName(c: X509): string {
  return nameAttribute(c.subject, OID.commonName) ?? nameText(c.subject);
}

/** Applies ETSI EN 319 102-1's rules to one path validation result. */
function judgePath(result: PathValidationResult, when: SignatureTime, control: ControlTime, role: string): Judgement {
  const base = {
    problems: [] as string[],
    notes: [] as string[],
    path: [...result.path],
    validationTime: control.time,
    revocation: [...result.revocation],
    retry: false,
  };
  const fail = (indication: Indication, subIndication: SubIndication, problem: string, retry = false): Judgement => ({
    ...base,
    indication,
    subIndication,
    problems: [problem],
    retry,
  });
  const leaf = result.path[0];
  if (result.failure) {
    const { kind, index, message } = result.failure;
    switch (kind) {
      case 'no-chain':
        return fail(
          'INDETERMINATE',
          'NO_CERTIFICATE_CHAIN_FOUND',
          `the ${role} certificate chain does not lead to a trusted root`,
        );
      case 'expired':
        if (index === 0 && when.proven && when.time > leaf.notAfter)
          return fail(
            'TOTAL-FAILED',
            'EXPIRED',
            `the ${role} certificate had expired (${leaf.notAfter.toISOString()}) when the signature was made (${when.time.toISOString()})`,
          );
        return fail(
          'INDETERMINATE',
          'OUT_OF_BOUNDS_NO_POE',
          `${message}, and nothing proves the signature and its validation data existed before then`,
          true,
        );
      case 'not-yet-valid':
        return index === 0
          ? fail('TOTAL-FAILED', 'NOT_YET_VALID', message)
          : fail('INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE', message);
      case 'unsupported':
        return fail('INDETERMINATE', 'CERTIFICATE_CHAIN_GENERAL_FAILURE', message);
      default:
        return fail('INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE', message);
    }
  }
  if (when.proven && when.time > leaf.notAfter)
    return fail(
      'TOTAL-FAILED',
      'EXPIRED',
      `the ${role} certificate had expired (${leaf.notAfter.toISOString()}) when the signature was made (${when.time.toISOString()})`,
    );
  if (when.proven && when.time < leaf.notBefore)
    return fail(
      'TOTAL-FAILED',
      'NOT_YET_VALID',
      `the ${role} certificate was not yet valid when the signature was made (${when.time.toISOString()})`,
    );
  const notes: string[] = [];
  for (const [index, status] of result.revocation.entries()) {
    if (status.status !== 'revoked') continue;
    const c = result.path[index];
    const what = index === 0 ? `the ${role} certificate` : `the CA certificate ${certificateName(c)}`;
    const at = status.revokedAt?.toISOString() ?? '?';
    if (when.proven && status.revokedAt && status.revokedAt > when.time) {
      notes.push(
        `${what} was revoked on ${at}, after the time the signature is proved to exist (${when.time.toISOString()})`,
      );
      continue;
    }
    if (when.proven)
      return fail(
        'TOTAL-FAILED',
        'REVOKED',
        `${what} was revoked on ${at}, before the signature is proved to exist (${when.time.toISOString()})`,
      );
    return fail(
      'INDETERMINATE',
      index === 0 ? 'REVOKED_NO_POE' : 'REVOKED_CA_NO_POE',
      `${what} was revoked on ${at}, and no timestamp proves the signature was made before`,
    );
  }
  for (const [index, status] of result.revocation.entries()) {
    if (status.status === 'good' || status.status === 'revoked' || status.status === 'not-checked') continue;
    const c = result.path[index];
    const what = index === 0 ? `the ${role} certificate` : `the CA certificate ${certificateName(c)}`;
    const why =
      status.status === 'unsupported'
        ? `${status.detail} (not supported)`
        : status.status === 'unknown'
          ? 'the OCSP responder does not know it'
          : (status.detail ?? 'none found');
    return fail(
      'INDETERMINATE',
      'TRY_LATER',
      `no usable revocation data for ${what} at ${control.time.toISOString()}: ${why}`,
      true,
    );
  }
  return { ...base, indication: 'TOTAL-PASSED', subIndication: null, notes };
}

/**
 * Validates `leaf`'s path at the validation time and, when expiry or missing revocation data stops it,
 * at each time a later document timestamp proves (with the validation data that existed by then).
 */
async function judgeCertificate(
  context: Context,
  leaf: X509,
  pool: X509[],
  requirements: LeafRequirements,
  when: SignatureTime,
  controls: ControlTime[],
  role: string,
): Promise<Judgement> {
  let first: Judgement | undefined;
  for (const control of controls) {
    if (control.ownTime && first?.subIndication === 'OUT_OF_BOUNDS_NO_POE') continue;
    let sources = control.sources;
    if (control.provedBy === null && context.revocationProvider)
      sources = await withFetched(context, leaf, pool, control, requirements);
    const result = validatePath(leaf, {
      anchors: context.anchors,
      pool,
      time: control.time,
      leaf: requirements,
      revocation: sources,
    });
    const judgement = judgePath(result, when, control, role);
    if (control.provedBy !== null)
      judgement.notes.push(`validated at ${control.time.toISOString()}, the time proved by ${control.provedBy}`);
    // A pass, or a definite answer (e.g. revoked before the proved time), ends the search.
    if (judgement.indication === 'TOTAL-PASSED' || !judgement.retry) return judgement;
    first ??= judgement;
  }
  return first as Judgement;
}

/** Adds what the revocation provider (the installation's CA, or the AIA/CDP URLs online) says about the path. */
async function withFetched(
  context: Context,
  leaf: X509,
  pool: X509[],
  control: ControlTime,
  requirements: LeafRequirements,
): Promise<RevocationSources> {
  const structural = validatePath(leaf, { anchors: context.anchors, pool, time: control.time, leaf: requirements });
  const crls = [...control.sources.crls];
  const ocsp = [...control.sources.ocsp];
  const provider = context.revocationProvider as RevocationProvider;
  for (let i = 0; i + 1 < structural.path.length; i++) {
    const subject = structural.path[i];
    const issuer = structural.path[i + 1];
    let pending = context.fetched.get(subject.id);
    if (!pending) {
      pending = fetchRevocation(provider, subject, issuer);
      context.fetched.set(subject.id, pending);
    }
    const data = await pending;
    crls.push(...data.crls);
    ocsp.push(...data.ocsp);
  }
  return { crls, ocsp };
}

async function fetchRevocation(provider: RevocationProvider, subject: X509, issuer: X509): Promise<RevocationSources> {
  const out: { crls: ParsedCrl[]; ocsp: ParsedOcspResponse[] } = { crls: [], ocsp: [] };
  try {
    const response = await provider.ocsp(subject.der, issuer.der);
    if (response) out.ocsp.push(...parseRevocationData([response], []).ocsp);
  } catch {
    // An unreachable responder is no data.
  }
  if (out.ocsp.length === 0) {
    try {
      const crl = await provider.crl(subject.der, issuer.der);
      if (crl) out.crls.push(...parseCrls([crl]));
    } catch {
      // As above.
    }
  }
  return out;
}

async function verifyCmsPdfSignature(
  context: Context,
  report: SignatureReport,
  der: Uint8Array,
  end: number,
  parsed: ParsedCmsSignature | undefined,
): Promise<Judgement | null> {
  const { problems } = report;
  let cms: ParsedCmsSignature;
  try {
    cms = parsed ?? parseCmsSignature(der);
  } catch (error) {
    problems.push(`the signature value cannot be parsed as CMS: ${(error as Error).message}`);
    return null;
  }
  const hash = hashNameOfOid(cms.digestAlgorithmOid);
  report.integrity.digestAlgorithm = hash ?? cms.digestAlgorithmOid;
  if (!hash) {
    problems.push(`unsupported digest algorithm ${cms.digestAlgorithmOid}`);
    return null;
  }
  const digest = context.digests.digest(report.byteRange, hash);
  const result = verifyCmsSignature(cms, digest);
  report.integrity.digestMatches = result.messageDigestMatches;
  report.integrity.signatureValid = result.signatureValid;
  const hasEss = Boolean(cms.signedAttributes?.signingCertificateV2 ?? cms.signedAttributes?.signingCertificateV1);
  // Signatures without ESS (adbe.pkcs7.detached) are valid signatures; B-B needs the attribute.
  report.integrity.signingCertificateMatches = hasEss ? result.signingCertificateMatches : result.signatureValid;
  if (
    !result.messageDigestMatches &&
    (cms.signedAttributes === undefined || cms.signedAttributes.messageDigest !== undefined)
  ) {
    problems.push(
      'the document was changed: the digest of the signed bytes does not match the signature (messageDigest)',
    );
  }
  for (const p of result.problems) if (!problems.includes(p)) problems.push(p);
  if (!cms.signerCertificate) return null;

  let signer: X509;
  try {
    signer = cert(cms.signerCertificate);
  } catch (error) {
    problems.push(`the signer certificate cannot be read: ${(error as Error).message}`);
    return null;
  }
  report.signer = subjectFields(signer);
  const pool = [...certs(cms.certificates), ...context.pool];
  const controls = controlTimesFor(context, end);

  let when: SignatureTime = { time: context.at, proven: false };
  if (cms.signatureTimestampToken) {
    const imprint = (token: ParsedTimestampToken) => {
      const alg = hashNameOfOid(token.messageImprint.hashAlgorithmOid);
      return alg ? createHash(alg).update(cms.signatureValue).digest() : undefined;
    };
    const evaluated = await verifyToken(context, cms.signatureTimestampToken, imprint, pool, controls);
    report.timestamp = evaluated.report;
    for (const p of evaluated.report.problems) problems.push(`signature timestamp: ${p}`);
    if (evaluated.report.accepted) when = { time: new Date(evaluated.report.time), proven: true };
    else if (evaluated.report.imprintMatches && evaluated.report.signatureValid)
      problems.push('the signature timestamp proves nothing, so the signature is judged without it');
  }
  report.bestSignatureTime = when.proven ? when.time.toISOString() : null;
  const judgement = await judgeCertificate(context, signer, pool, SIGNER_REQUIREMENTS, when, controls, 'signer');
  problems.push(...judgement.problems, ...judgement.notes);
  report.validationTime = judgement.validationTime.toISOString();
  // As in schema 1: at the token's time when the token itself is intact (trusted or not), else at the validation time.
  const claimed =
    report.timestamp && report.timestamp.imprintMatches && report.timestamp.signatureValid
      ? new Date(report.timestamp.time)
      : when.time;
  const validAt = claimed >= signer.notBefore && claimed <= signer.notAfter;
  report.certificate = {
    chain: judgement.path.map(summary),
    trusted: judgement.path.length > 1 || context.anchorIds.has(signer.id),
    validAtSigningTime: validAt,
  };
  report.revocation = revocationReport(context, judgement, cms.crls.length);
  // B-LT asks whether the file carries the data, whoever the verifier trusts.
  const tsaChain = cms.signatureTimestampToken ? tokenChain(cms.signatureTimestampToken, pool) : [];
  report.revocation.complete =
    hasValidationData(context, buildChain(signer, pool)) &&
    (tsaChain.length === 0 || hasValidationData(context, tsaChain));
  return judgement;
}

async function verifyDocumentTimestamp(
  context: Context,
  report: SignatureReport,
  der: Uint8Array,
  end: number,
): Promise<Judgement | null> {
  const evaluated = await verifyToken(
    context,
    der,
    (token) => {
      const alg = hashNameOfOid(token.messageImprint.hashAlgorithmOid);
      if (alg) report.integrity.digestAlgorithm = alg;
      return alg ? context.digests.digest(report.byteRange, alg) : undefined;
    },
    context.pool,
    [
      ...controlTimesFor(context, end),
      // The newest document timestamp has no later proof of existence: when revocation data current
      // at the validation time is missing, its TSA is read against the revocation data current when it
      // stamped (what Adobe does for timestamps). An expired TSA certificate is not excused this way:
      // that is what renewal (a later archive timestamp) is for.
      ...(isLastDocumentTimestamp(context, end)
        ? [
            {
              time: stampTime(der) ?? context.at,
              sources: context.revocation,
              provedBy: 'the document timestamp itself (no later one)',
              ownTime: true,
            },
          ]
        : []),
    ],
  );
  const ts = evaluated.report;
  report.timestamp = ts;
  report.integrity.digestMatches = ts.imprintMatches;
  report.integrity.signatureValid = ts.signatureValid;
  report.integrity.signingCertificateMatches = ts.signatureValid;
  if (!ts.imprintMatches && ts.time !== '')
    report.problems.push('the document was changed: the document timestamp does not match the signed bytes');
  report.problems.push(...ts.problems);
  if (ts.time !== '') report.bestSignatureTime = ts.time;
  const tsa = evaluated.tsa;
  report.signer = tsa ? subjectFields(tsa) : null;
  if (!evaluated.judgement) return null;
  report.validationTime = evaluated.judgement.validationTime.toISOString();
  report.certificate = {
    chain: ts.chain,
    trusted: ts.trusted,
    validAtSigningTime: tsa !== undefined && new Date(ts.time) >= tsa.notBefore && new Date(ts.time) <= tsa.notAfter,
  };
  report.revocation = revocationReport(context, evaluated.judgement, 0);
  report.revocation.complete = hasValidationData(context, tokenChain(der, context.pool));
  if (evaluated.judgement.indication === 'TOTAL-PASSED') context.acceptedDocumentTimestamps.set(end, new Date(ts.time));
  return evaluated.judgement;
}

/**
 * The times a signature or timestamp ending at `end` may be validated at: now (with every piece of
 * revocation data in the file and the provider), then each later accepted document timestamp's
 * time, latest first, with the revocation data of the revision it covers.
 */
function controlTimesFor(context: Context, end: number): ControlTime[] {
  const now = {
    crls: [...context.revocation.crls, ...context.supplied.crls],
    ocsp: [...context.revocation.ocsp, ...context.supplied.ocsp],
  };
  const controls: ControlTime[] = [{ time: context.at, sources: now, provedBy: null }];
  const later = [...context.acceptedDocumentTimestamps].filter(([tsEnd]) => tsEnd > end).sort((a, b) => b[0] - a[0]);
  for (const [tsEnd, time] of later) {
    const state = signedState(context, tsEnd);
    if (!state) continue;
    const dss = readDss(state);
    controls.push({
      time,
      sources: {
        crls: [...parseCrls(dss.crls), ...context.embedded.crls],
        ocsp: [...parseRevocationData(dss.ocsp, []).ocsp, ...context.embedded.ocsp],
      },
      provedBy: `the document timestamp of ${time.toISOString()}`,
    });
  }
  return controls;
}

function isLastDocumentTimestamp(context: Context, end: number): boolean {
  return ![...context.acceptedDocumentTimestamps.keys()].some((tsEnd) => tsEnd > end);
}

function stampTime(tokenDer: Uint8Array): Date | undefined {
  try {
    return parseTimestampToken(tokenDer).genTime;
  } catch {
    return undefined;
  }
}

/** The TSA's chain up to a self-signed certificate (for the presence of validation data, not trust). */
function tokenChain(tokenDer: Uint8Array, pool: X509[]): X509[] {
  try {
    const token = parseTimestampToken(tokenDer);
    return token.signerCertificate
      ? buildChain(cert(token.signerCertificate), [...certs(token.certificates), ...pool])
      : [];
  } catch {
    return [];
  }
}

/** Whether the file holds a CRL or OCSP response about every certificate of `chain` but the self-signed one. */
function hasValidationData(context: Context, chain: X509[]): boolean {
  if (chain.length === 0) return false;
  return chain.every((c) => {
    if (isSelfSigned(c) || (c.extensions.has(OID.ocspNoCheck) && c.extendedKeyUsage?.includes(OID.kpOcspSigning)))
      return true;
    return (
      context.revocation.crls.some((crl) => crl.issuer.key === c.issuer.key) ||
      context.revocation.ocsp.some((o) => o.responses.some((r) => r.serialHex === c.serialHex))
    );
  });
}

interface EvaluatedToken {
  report: TimestampReport;
  judgement: Judgement | null;
  tsa?: X509;
}

async function verifyToken(
  context: Context,
  tokenDer: Uint8Array,
  expectedDigest: (token: ParsedTimestampToken) => Uint8Array | undefined,
  pool: X509[],
  controls: ControlTime[],
): Promise<EvaluatedToken> {
  let token: ParsedTimestampToken;
  try {
    token = parseTimestampToken(tokenDer);
  } catch (error) {
    return {
      report: {
        time: '',
        tsa: '',
        serialNumber: '',
        policy: '',
        imprintMatches: false,
        signatureValid: false,
        chain: [],
        trusted: false,
        accepted: false,
        problems: [`the timestamp token cannot be parsed: ${(error as Error).message}`],
      },
      judgement: null,
    };
  }
  const problems: string[] = [];
  const digest = expectedDigest(token);
  const imprintMatches =
    digest !== undefined && Buffer.compare(Buffer.from(digest), Buffer.from(token.messageImprint.digest)) === 0;
  if (!imprintMatches) problems.push('the timestamp does not match what it stamps (message imprint mismatch)');
  const signatureProblem = await token.signatureProblem();
  if (signatureProblem) problems.push(`the timestamp signature is invalid: ${signatureProblem}`);
  let tsa: X509 | undefined;
  try {
    tsa = token.signerCertificate ? cert(token.signerCertificate) : undefined;
  } catch {
    tsa = undefined;
  }
  const report: TimestampReport = {
    time: token.genTime.toISOString(),
    tsa: tsa ? nameText(tsa.subject) : (token.tsaName ?? ''),
    serialNumber: token.serialNumberHex,
    policy: token.policyOid,
    imprintMatches,
    signatureValid: signatureProblem === null,
    chain: [],
    trusted: false,
    accepted: false,
    problems,
  };
  if (!tsa) {
    problems.push('the TSA certificate is not in the token');
    return { report, judgement: null };
  }
  const tokenPool = [...certs(token.certificates), ...pool];
  // The TSA certificate must have been valid, with its whole path, when it stamped (RFC 3161 §2.3/§4).
  const atGenTime = validatePath(tsa, {
    anchors: context.anchors,
    pool: tokenPool,
    time: token.genTime,
    leaf: TSA_REQUIREMENTS,
  });
  let judgement: Judgement;
  if (atGenTime.failure && atGenTime.failure.kind !== 'no-chain') {
    judgement = judgePath(
      atGenTime,
      { time: token.genTime, proven: true },
      { time: token.genTime, sources: context.revocation, provedBy: null },
      'TSA',
    );
    if (atGenTime.failure.kind === 'expired' || atGenTime.failure.kind === 'not-yet-valid')
      judgement = {
        ...judgement,
        indication: 'TOTAL-FAILED',
        subIndication:
          atGenTime.failure.index === 0
            ? atGenTime.failure.kind === 'expired'
              ? 'EXPIRED'
              : 'NOT_YET_VALID'
            : 'CHAIN_CONSTRAINTS_FAILURE',
        problems: [`at the time it stamped (${token.genTime.toISOString()}): ${atGenTime.failure.message}`],
      };
  } else {
    judgement = await judgeCertificate(
      context,
      tsa,
      tokenPool,
      TSA_REQUIREMENTS,
      { time: token.genTime, proven: true },
      controls,
      'TSA',
    );
  }
  report.chain = judgement.path.map(summary);
  report.trusted =
    judgement.subIndication !== 'NO_CERTIFICATE_CHAIN_FOUND' &&
    judgement.path.length > 0 &&
    context.anchorIds.has(judgement.path[judgement.path.length - 1].id);
  problems.push(...judgement.problems);
  report.accepted = imprintMatches && signatureProblem === null && judgement.indication === 'TOTAL-PASSED';
  return { report, judgement, tsa };
}

function revocationReport(context: Context, judgement: Judgement, cmsCrls: number): RevocationReport {
  const signerStatus = judgement.revocation[0]?.status;
  const revoked = judgement.revocation.find((r) => r.status === 'revoked');
  return {
    source:
      context.dss.ocsp.length + context.dss.crls.length > 0
        ? 'dss'
        : cmsCrls + context.embedded.crls.length + context.embedded.ocsp.length > 0
          ? 'cms'
          : (context.fetched.size > 0 || context.supplied.crls.length + context.supplied.ocsp.length > 0) &&
              signerStatus !== undefined &&
              signerStatus !== 'missing'
            ? 'online'
            : 'none',
    ocspResponses: context.dss.ocsp.length,
    crls: context.dss.crls.length,
    status:
      signerStatus === 'good' || signerStatus === 'revoked' || signerStatus === 'unknown' ? signerStatus : 'missing',
    complete:
      judgement.revocation.length > 0 &&
      judgement.revocation.every((r) => r.status === 'good' || r.status === 'revoked'),
    revokedAt: revoked?.revokedAt?.toISOString() ?? null,
  };
}

/** Levels: B-B (ESS-bound CAdES), B-T (+ valid signature timestamp), B-LT (+ complete validation data in the DSS), B-LTA (+ a valid document timestamp over that DSS). */
function assignLevels(context: Context, signatures: PdfSignatureInfo[], reports: SignatureReport[]): void {
  const validDocTimestamps = reports
    .map((r, i) => ({ r, end: rangeEnd(signatures[i]) }))
    .filter(
      ({ r }) =>
        r.type === 'document-timestamp' &&
        r.integrity.coverageOk &&
        r.timestamp?.imprintMatches &&
        r.timestamp.signatureValid,
    );
  reports.forEach((r, i) => {
    if (r.type !== 'signature' || r.indication === 'TOTAL-FAILED') return;
    const ess = r.integrity.signingCertificateMatches && r.subFilter === 'ETSI.CAdES.detached';
    if (!ess) return;
    let level: PadesLevel = 'B-B';
    if (r.timestamp && r.timestamp.imprintMatches && r.timestamp.signatureValid) level = 'B-T';
    const end = rangeEnd(signatures[i]);
    if (level === 'B-T' && r.revocation.complete && r.revocation.source === 'dss') {
      level = 'B-LT';
      const sealed = validDocTimestamps.some(({ end: tsEnd }) => tsEnd > end && hasDss(signedState(context, tsEnd)));
      if (sealed) level = 'B-LTA';
    }
    r.level = level;
  });
}

function hasDss(doc: PdfDocument | null): boolean {
  try {
    return doc !== null && doc.dict(doc.catalog.get('DSS')) !== undefined;
  } catch {
    return false;
  }
}

function readDss(doc: PdfDocument): Dss {
  const out: Dss = { certificates: [], ocsp: [], crls: [] };
  let dss;
  try {
    dss = doc.dict(doc.catalog.get('DSS'));
  } catch {
    return out;
  }
  if (!dss) return out;
  const read = (key: string, into: Uint8Array[]) => {
    let arr: PdfObject;
    try {
      arr = doc.resolve(dss.get(key));
    } catch {
      return;
    }
    if (!Array.isArray(arr)) return;
    for (const item of arr) {
      try {
        const stream = doc.resolve(item);
        if (stream instanceof PdfStream) into.push(doc.streamData(stream));
      } catch {
        continue;
      }
    }
  };
  read('Certs', out.certificates);
  read('OCSPs', out.ocsp);
  read('CRLs', out.crls);
  return out;
}

/** Byte span of an object in the file, when stored at an offset (not in an object stream). */
function objectSpan(doc: PdfDocument, objectNumber: number): { start: number; end: number } | undefined {
  const entry = doc.xref.entries.get(objectNumber);
  if (!entry || entry.kind !== 'offset') return undefined;
  try {
    const lexer = new PdfLexer(doc.bytes);
    lexer.pos = entry.offset;
    const obj = lexer.parseIndirectObject();
    return { start: entry.offset, end: obj.end };
  } catch {
    return undefined;
  }
}

function text(signature: PdfSignatureInfo, key: string): string | null {
  const v = signature.dict.get(key);
  return v instanceof PdfString ? v.text() : null;
}

function dateText(signature: PdfSignatureInfo): string | null {
  const v = signature.dict.get('M');
  if (!(v instanceof PdfString)) return null;
  return parsePdfDate(v.text())?.toISOString() ?? v.text();
}

/** The certificates and revocation data carried inside the CMS signatures and their timestamp tokens (`crls`, adbe-revocationInfoArchival). */
function embeddedData(
  signatures: PdfSignatureInfo[],
  parsed: Map<Uint8Array, ParsedCmsSignature>,
): Context['embedded'] {
  const certificateDers: Uint8Array[] = [];
  const crlDers: Uint8Array[] = [];
  const ocspDers: Uint8Array[] = [];
  const readCms = (der: Uint8Array, archival: boolean) => {
    const cms = parseCmsSignature(der);
    certificateDers.push(...cms.certificates);
    crlDers.push(...cms.crls);
    if (archival) {
      const attribute = cms.signedAttributes?.all.find((a) => a.typeOid === ADBE_REVOCATION_ARCHIVAL);
      for (const value of attribute?.values ?? []) {
        // RevocationInfoArchival ::= SEQUENCE { crl [0] EXPLICIT SEQUENCE OF CRL, ocsp [1] EXPLICIT SEQUENCE OF OCSPResponse, … }
        for (const part of expectTag(readDer(value, BER), 0x30, 'RevocationInfoArchival').children()) {
          const items = part.children()[0]?.children() ?? [];
          if (part.tag === 0xa0) crlDers.push(...items.map((n) => new Uint8Array(n.raw)));
          else if (part.tag === 0xa1) ocspDers.push(...items.map((n) => new Uint8Array(n.raw)));
        }
      }
    }
    return cms;
  };
  for (const signature of signatures) {
    try {
      const der = derOfContents(signature.contents);
      const cms = readCms(der, signature.type === 'signature');
      parsed.set(signature.contents, cms);
      if (signature.type === 'signature' && cms.signatureTimestampToken) readCms(cms.signatureTimestampToken, false);
    } catch {
      continue;
    }
  }
  return {
    certificates: certs(certificateDers),
    crls: parseCrls(crlDers),
    ocsp: parseRevocationData(ocspDers, []).ocsp,
  };
}

const ADBE_REVOCATION_ARCHIVAL = '1.2.840.113583.1.1.8';

function subjectFields(c: X509): SignatureReport['signer'] {
  const email = nameAttribute(c.subject, '1.2.840.113549.1.9.1') ?? c.emailAddresses[0] ?? null;
  return {
    commonName: nameAttribute(c.subject, OID.commonName),
    subject: nameText(c.subject),
    email,
    organization: nameAttribute(c.subject, OID.organizationName),
  };
}

function summary(c: X509): CertificateSummary {
  return {
    subject: nameText(c.subject),
    issuer: nameText(c.issuer),
    serialNumber: c.serialHex,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    fingerprint: c.id,
  };
}
