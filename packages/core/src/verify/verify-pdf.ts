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
import { parseTimestampToken, type ParsedTimestampToken } from '../tsp/token.ts';
import { buildChain, cert, certs, isSelfSigned, type Cert } from '../x509/chain.ts';
import { byteRangeProblems, ByteRangeDigests, revisionEnds, signatureValuesInFile } from './byte-range.ts';
import type { CertificateSummary, PadesLevel, RevocationReport, SignatureReport, TimestampReport, VerificationReport } from './report.ts';
import { diffRevisions } from './revision-diff.ts';
import { parseRevocationData, revocationStatusOf, type RevocationData } from './revocation-status.ts';

export interface VerifyOptions {
  /** Trusted roots (DER). Without any, every chain is untrusted. */
  trustAnchors?: readonly Uint8Array[];
  /** The time to validate at when a signature has no timestamp (default: now). */
  now?: Date;
  /** Resource limits of reading the file (decoded bytes, objects, nesting, xref chain…); defaults by file size. */
  limits?: PdfLimits;
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

async function verifyWithinBudget(bytes: Uint8Array, options: VerifyOptions, budget: PdfBudget): Promise<VerificationReport> {
  const file = { size: bytes.length, sha256: '', revisions: 0, pages: null as number | null };
  let doc: PdfDocument;
  try {
    doc = PdfDocument.load(bytes, { tolerant: true, allowEncrypted: true, budget });
    file.pages = doc.pageCount;
  } catch (error) {
    file.revisions = revisionEnds(bytes).length;
    file.sha256 = createHash('sha256').update(bytes).digest('hex');
    return unreadable(file, error);
  }
  const ends = revisionEnds(bytes, doc.xref.sections);
  file.revisions = ends.length;
  let signatures: PdfSignatureInfo[];
  try {
    signatures = listSignatures(doc);
    budget.check('signatures', signatures.length, budget.maxSignatures);
  } catch (error) {
    file.sha256 = createHash('sha256').update(bytes).digest('hex');
    return unreadable(file, error);
  }
  // One pass over the file gives its SHA-256 and every signature's range digest.
  const digests = new ByteRangeDigests(bytes, signatures.map((s) => s.byteRange));
  file.sha256 = digests.fileSha256;
  if (signatures.length === 0) {
    const stripped = unlistedSignatureValues(doc, bytes, []).length;
    const problems = ['the PDF has no signatures'];
    if (stripped > 0) problems.push(`the file still holds ${stripped} signature value(s) that no signature field lists: a later revision removed them`);
    return { schemaVersion: 1, file, signatures: [], attacks: stripped > 0 ? ['signature-removed'] : [], problems, exitCode: 2, summary: 'No signatures found.' };
  }

  const anchors = certs(options.trustAnchors ?? []);
  const anchorIds = new Set(anchors.map((a) => a.id));
  const dss = readDss(doc);
  const revocation = parseRevocationData(dss.ocsp, dss.crls);
  const context: Context = { bytes, digests, doc, ends, anchors, anchorIds, dss, revocation, now: options.now ?? new Date(), signedStates: new Map() };

  const reports: SignatureReport[] = [];
  for (let i = 0; i < signatures.length; i++) reports.push(await verifySignature(context, signatures[i], i + 1));
  assignLevels(context, signatures, reports);

  const attacks = new Set<string>();
  const problems: string[] = [];
  if (doc.xref.repaired) problems.push('the cross-reference table is broken; the file was read by scanning');
  for (const r of reports) {
    if (!r.integrity.coverageOk) attacks.add('coverage-anomaly');
    if (r.problems.some((p) => p.includes('signature wrapping'))) attacks.add('signature-wrapping');
    for (const change of r.laterChanges.changes) {
      if (change.allowed) continue;
      if (change.kind === 'page-content-changed' || change.kind === 'appearance-changed' || change.kind === 'object-changed') attacks.add('shadow-attack');
      else attacks.add('incremental-saving');
    }
  }
  // A signature value still in the bytes that no field lists was removed (or hidden) by a later
  // revision: the revision diff of the remaining signatures cannot see it when it came after them.
  const removed = unlistedSignatureValues(doc, bytes, signatures);
  for (const range of removed) {
    const revision = ends.indexOf(range[2] + range[3]);
    problems.push(`a signature value in the file (ByteRange [${range.join(' ')}]${revision >= 0 ? `, revision ${revision + 1}` : ''}) belongs to no signature field: a later revision removed or hid that signature`);
  }
  if (removed.length > 0) attacks.add('signature-removed');
  const allValid = reports.every((r) => r.status === 'valid');
  const invalid = reports.filter((r) => r.status === 'invalid').length;
  const untrusted = reports.filter((r) => r.status === 'untrusted').length;
  const summary = !allValid
    ? `${invalid} invalid and ${untrusted} untrusted of ${reports.length} signature(s).`
    : removed.length > 0
      ? `All ${reports.length} listed signature(s) are valid and trusted, but ${removed.length} signature(s) in the file were removed from the document.`
      : `All ${reports.length} signature(s) are valid and trusted.`;
  return { schemaVersion: 1, file, signatures: reports, attacks: [...attacks], problems, exitCode: allValid && removed.length === 0 ? 0 : 1, summary };
}

/**
 * ByteRanges of signature values in the bytes that neither a signature field nor the catalog's
 * /Perms (usage rights /UR3, /DocMDP: signatures outside the form) claims.
 */
function unlistedSignatureValues(doc: PdfDocument, bytes: Uint8Array, signatures: PdfSignatureInfo[]): number[][] {
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
  return signatureValuesInFile(bytes).filter((range) => !known.has(range.join(' ')));
}

interface Context {
  bytes: Uint8Array;
  digests: ByteRangeDigests;
  doc: PdfDocument;
  ends: number[];
  anchors: Cert[];
  anchorIds: Set<string>;
  dss: Dss;
  revocation: RevocationData;
  now: Date;
  signedStates: Map<number, PdfDocument | null>;
}

function unreadable(file: VerificationReport['file'], error: unknown): VerificationReport {
  const message = error instanceof CoreError ? `${error.code}: ${error.message}` : `unreadable: ${(error as Error)?.message ?? String(error)}`;
  return { schemaVersion: 1, file, signatures: [], attacks: [], problems: [message], exitCode: 2, summary: 'The file cannot be read as a PDF.' };
}

/** The document as it stood when a signature covering [0, end) was made (cached). */
function signedState(context: Context, end: number): PdfDocument | null {
  if (!context.signedStates.has(end)) {
    let state: PdfDocument | null = null;
    try {
      state = end === context.bytes.length ? context.doc : PdfDocument.load(context.bytes.subarray(0, end), { tolerant: true, allowEncrypted: true, budget: context.doc.budget });
    } catch {
      state = null;
    }
    context.signedStates.set(end, state);
  }
  return context.signedStates.get(end) ?? null;
}

async function verifySignature(context: Context, signature: PdfSignatureInfo, index: number): Promise<SignatureReport> {
  const report = blankReport(context, signature, index);
  try {
    await checkSignature(context, signature, report);
  } catch (error) {
    // Input no check foresaw must still give a report (never a crash), and never a valid one.
    report.problems.push(`the signature cannot be checked: ${(error as Error)?.message ?? String(error)}`);
    report.integrity.signatureValid = false;
  }
  return finish(report);
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
    integrity: { coverageOk: false, digestMatches: false, signatureValid: false, signingCertificateMatches: false, digestAlgorithm: null },
    timestamp: null,
    certificate: null,
    revocation: { source: 'none', ocspResponses: 0, crls: 0, status: 'missing', complete: false },
    level: null,
    laterChanges: { allowed: true, changes: [] },
    status: 'invalid',
    problems: [],
  };
}

async function checkSignature(context: Context, signature: PdfSignatureInfo, report: SignatureReport): Promise<void> {
  const { bytes } = context;
  const { problems } = report;
  const end = rangeEnd(signature);
  const state = Number.isFinite(end) && end <= bytes.length ? signedState(context, end) : null;
  const span = state ? objectSpan(state, signature.objectNumber) : undefined;
  const coverage = byteRangeProblems(bytes, signature.byteRange, context.ends, span);
  problems.push(...coverage);
  report.integrity.coverageOk = coverage.length === 0;
  if (signature.byteRange.length !== 4 || !signature.byteRange.every((n) => Number.isInteger(n) && n >= 0) || end > bytes.length) {
    return;
  }
  // /Contents in the dictionary must be the bytes in the gap (else the gap is not this signature's).
  // An odd count of hex digits reads as if a final 0 followed (ISO 32000-1 7.3.4.3): compare it so.
  const gapDigits = Buffer.from(bytes.subarray(signature.byteRange[1] + 1, signature.byteRange[2] - 1)).toString('latin1').replace(/\s+/g, '').toLowerCase();
  const gapHex = gapDigits.length % 2 === 1 ? `${gapDigits}0` : gapDigits;
  if (gapHex !== Buffer.from(signature.contents).toString('hex')) {
    problems.push("the ByteRange gap does not hold this signature's /Contents (signature wrapping)");
    report.integrity.coverageOk = false;
  }
  // The dictionary must already be in the revision it signs, as it is now: a copy in a new field,
  // or one redefined later (another /ByteRange or /Contents), claims bytes that someone else signed.
  if (state && signature.objectNumber > 0 && !sameInSignedRevision(state, signature)) {
    problems.push(`the signature dictionary (object ${signature.objectNumber}) is not the one in the revision its ByteRange covers (signature wrapping)`);
    report.integrity.coverageOk = false;
  }

  const der = derOfContents(signature.contents);
  if (signature.type === 'document-timestamp') {
    await verifyDocumentTimestamp(context, report, der);
  } else {
    await verifyCmsPdfSignature(context, report, der);
  }

  if (end < bytes.length && state) {
    try {
      const diff = diffRevisions(state, context.doc);
      report.laterChanges = { allowed: diff.allowed, changes: diff.changes };
      for (const change of diff.changes) if (!change.allowed) problems.push(`changed after signing: ${change.description}`);
    } catch (error) {
      report.laterChanges = { allowed: false, changes: [] };
      problems.push(`the changes made after signing cannot be analysed: ${(error as Error).message}`);
    }
  } else if (end < bytes.length) {
    report.laterChanges = { allowed: false, changes: [] };
    problems.push('the signed revision cannot be read, so later changes cannot be checked');
  }
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

function finish(report: SignatureReport): SignatureReport {
  const i = report.integrity;
  const intact =
    i.coverageOk &&
    i.digestMatches &&
    i.signatureValid &&
    i.signingCertificateMatches &&
    report.laterChanges.allowed &&
    (report.timestamp === null || (report.timestamp.imprintMatches && report.timestamp.signatureValid)) &&
    report.revocation.status !== 'revoked' &&
    (report.certificate?.validAtSigningTime ?? false);
  const trusted = (report.certificate?.trusted ?? false) && (report.timestamp === null || report.timestamp.trusted);
  report.status = !intact ? 'invalid' : trusted ? 'valid' : 'untrusted';
  if (intact && !trusted) report.problems.push('the certificate chain does not lead to a trusted root');
  return report;
}

async function verifyCmsPdfSignature(context: Context, report: SignatureReport, der: Uint8Array): Promise<void> {
  const { problems } = report;
  let cms: ParsedCmsSignature;
  try {
    cms = parseCmsSignature(der);
  } catch (error) {
    problems.push(`the signature value cannot be parsed as CMS: ${(error as Error).message}`);
    return;
  }
  const hash = hashNameOfOid(cms.digestAlgorithmOid);
  report.integrity.digestAlgorithm = hash ?? cms.digestAlgorithmOid;
  if (!hash) {
    problems.push(`unsupported digest algorithm ${cms.digestAlgorithmOid}`);
    return;
  }
  const digest = context.digests.digest(report.byteRange, hash);
  const result = verifyCmsSignature(cms, digest);
  report.integrity.digestMatches = result.messageDigestMatches;
  report.integrity.signatureValid = result.signatureValid;
  const hasEss = Boolean(cms.signedAttributes?.signingCertificateV2 ?? cms.signedAttributes?.signingCertificateV1);
  // Signatures without ESS (adbe.pkcs7.detached) are valid signatures; B-B needs the attribute.
  report.integrity.signingCertificateMatches = hasEss ? result.signingCertificateMatches : result.signatureValid;
  if (!result.messageDigestMatches && (cms.signedAttributes === undefined || cms.signedAttributes.messageDigest !== undefined)) {
    problems.push('the document was changed: the digest of the signed bytes does not match the signature (messageDigest)');
  }
  for (const p of result.problems) if (!problems.includes(p)) problems.push(p);
  if (!cms.signerCertificate) return;

  const signer = cert(cms.signerCertificate);
  report.signer = subjectFields(signer);
  const pool = [...certs(cms.certificates), ...certs(context.dss.certificates), ...context.anchors];

  let signingTime = context.now;
  if (cms.signatureTimestampToken) {
    const tsDigestCheck = (token: ParsedTimestampToken) => {
      const alg = hashNameOfOid(token.messageImprint.hashAlgorithmOid);
      return alg ? createHash(alg).update(cms.signatureValue).digest() : undefined;
    };
    report.timestamp = await verifyToken(context, cms.signatureTimestampToken, tsDigestCheck, pool);
    if (report.timestamp && report.timestamp.imprintMatches && report.timestamp.signatureValid) signingTime = new Date(report.timestamp.time);
    if (report.timestamp) for (const p of report.timestamp.problems) problems.push(`signature timestamp: ${p}`);
  }
  const chain = buildChain(signer, pool);
  const trusted = chainTrusted(context, chain);
  const validAt = signer.x509.validFrom && new Date(signer.x509.validFrom) <= signingTime && signingTime <= new Date(signer.x509.validTo);
  if (!validAt) problems.push(`the signer certificate was not valid at ${signingTime.toISOString()}`);
  report.certificate = { chain: chain.map(summary), trusted, validAtSigningTime: Boolean(validAt) };
  report.revocation = await revocationReport(context, chain, report.timestamp ? tokenChain(context, cms.signatureTimestampToken!, pool) : [], certs(cms.crls).length);
  if (report.revocation.status === 'revoked') problems.push('the signer certificate is revoked');
}

async function verifyDocumentTimestamp(context: Context, report: SignatureReport, der: Uint8Array): Promise<void> {
  const pool = [...certs(context.dss.certificates), ...context.anchors];
  report.timestamp = await verifyToken(
    context,
    der,
    (token) => {
      const alg = hashNameOfOid(token.messageImprint.hashAlgorithmOid);
      if (alg) report.integrity.digestAlgorithm = alg;
      return alg ? context.digests.digest(report.byteRange, alg) : undefined;
    },
    pool,
  );
  if (!report.timestamp) return;
  const ts = report.timestamp;
  report.integrity.digestMatches = ts.imprintMatches;
  report.integrity.signatureValid = ts.signatureValid;
  report.integrity.signingCertificateMatches = ts.signatureValid;
  if (!ts.imprintMatches) report.problems.push('the document was changed: the document timestamp does not match the signed bytes');
  report.problems.push(...ts.problems);
  const chain = tokenChain(context, der, pool);
  report.signer = chain.length > 0 ? subjectFields(chain[0]) : null;
  report.certificate = { chain: ts.chain, trusted: ts.trusted, validAtSigningTime: chain.length > 0 && new Date(chain[0].x509.validFrom) <= new Date(ts.time) && new Date(ts.time) <= new Date(chain[0].x509.validTo) };
  report.revocation = await revocationReport(context, chain, [], 0);
}

function tokenChain(context: Context, tokenDer: Uint8Array, pool: Cert[]): Cert[] {
  try {
    const token = parseTimestampToken(tokenDer);
    if (!token.signerCertificate) return [];
    return buildChain(cert(token.signerCertificate), [...certs(token.certificates), ...pool]);
  } catch {
    return [];
  }
}

async function verifyToken(context: Context, tokenDer: Uint8Array, expectedDigest: (token: ParsedTimestampToken) => Uint8Array | undefined, pool: Cert[]): Promise<TimestampReport | null> {
  let token: ParsedTimestampToken;
  try {
    token = parseTimestampToken(tokenDer);
  } catch (error) {
    return { time: '', tsa: '', serialNumber: '', policy: '', imprintMatches: false, signatureValid: false, chain: [], trusted: false, problems: [`the timestamp token cannot be parsed: ${(error as Error).message}`] };
  }
  const problems: string[] = [];
  const digest = expectedDigest(token);
  const imprintMatches = digest !== undefined && Buffer.compare(Buffer.from(digest), Buffer.from(token.messageImprint.digest)) === 0;
  if (!imprintMatches) problems.push('the timestamp does not match what it stamps (message imprint mismatch)');
  const signatureProblem = await token.signatureProblem();
  if (signatureProblem) problems.push(`the timestamp signature is invalid: ${signatureProblem}`);
  const chain = token.signerCertificate ? buildChain(cert(token.signerCertificate), [...certs(token.certificates), ...pool]) : [];
  const trusted = chainTrusted(context, chain);
  if (chain.length > 0 && !chainHasTimestampingUsage(chain[0])) problems.push('the TSA certificate lacks the timeStamping extended key usage');
  return {
    time: token.genTime.toISOString(),
    tsa: chain[0] ? oneLine(chain[0].x509.subject) : (token.tsaName ?? ''),
    serialNumber: token.serialNumberHex,
    policy: token.policyOid,
    imprintMatches,
    signatureValid: signatureProblem === null,
    chain: chain.map(summary),
    trusted,
    problems,
  };
}

function chainHasTimestampingUsage(c: Cert): boolean {
  return (c.x509.keyUsage ?? []).includes('1.3.6.1.5.5.7.3.8');
}

function chainTrusted(context: Context, chain: Cert[]): boolean {
  return chain.some((c) => context.anchorIds.has(c.id));
}

async function revocationReport(context: Context, chain: Cert[], tsaChain: Cert[], cmsCrls: number): Promise<RevocationReport> {
  const report: RevocationReport = {
    source: context.dss.ocsp.length + context.dss.crls.length > 0 ? 'dss' : cmsCrls > 0 ? 'cms' : 'none',
    ocspResponses: context.dss.ocsp.length,
    crls: context.dss.crls.length,
    status: 'missing',
    complete: false,
  };
  let complete = chain.length > 0;
  for (const [list, isSigner] of [[chain, true], [tsaChain, false]] as const) {
    for (let i = 0; i < list.length; i++) {
      const subject = list[i];
      const issuer = list[i + 1];
      if (isSelfSigned(subject)) continue;
      if (!issuer) {
        complete = false;
        continue;
      }
      if (hasOcspNoCheck(subject)) continue;
      const status = await revocationStatusOf(subject, issuer, context.revocation);
      if (isSigner && i === 0) report.status = status;
      if (status === 'missing') complete = false;
      if (status === 'revoked' && !(isSigner && i === 0)) report.status = 'revoked';
    }
  }
  report.complete = complete;
  return report;
}

function hasOcspNoCheck(c: Cert): boolean {
  return Buffer.from(c.der).includes(Buffer.from([0x06, 0x09, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x05]));
}

/** Levels: B-B (ESS-bound CAdES), B-T (+ valid signature timestamp), B-LT (+ complete validation data in the DSS), B-LTA (+ a valid document timestamp over that DSS). */
function assignLevels(context: Context, signatures: PdfSignatureInfo[], reports: SignatureReport[]): void {
  const validDocTimestamps = reports
    .map((r, i) => ({ r, end: rangeEnd(signatures[i]) }))
    .filter(({ r }) => r.type === 'document-timestamp' && r.integrity.coverageOk && r.timestamp?.imprintMatches && r.timestamp.signatureValid);
  reports.forEach((r, i) => {
    if (r.type !== 'signature' || r.status === 'invalid') return;
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

function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

function attribute(name: string, key: string): string | null {
  const line = name.split('\n').find((l) => l.startsWith(`${key}=`));
  return line ? line.slice(key.length + 1) : null;
}

function subjectFields(c: Cert): SignatureReport['signer'] {
  const s = c.x509.subject;
  const email = attribute(s, 'emailAddress') ?? (c.x509.subjectAltName?.match(/email:([^,\s]+)/)?.[1] ?? null);
  return { commonName: attribute(s, 'CN'), subject: oneLine(s), email, organization: attribute(s, 'O') };
}

function summary(c: Cert): CertificateSummary {
  return {
    subject: oneLine(c.x509.subject),
    issuer: oneLine(c.x509.issuer),
    serialNumber: c.x509.serialNumber.toLowerCase(),
    notBefore: new Date(c.x509.validFrom).toISOString(),
    notAfter: new Date(c.x509.validTo).toISOString(),
    fingerprint: c.id,
  };
}
