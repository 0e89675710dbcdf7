/*
 * Turns the verifier's report into what the public verification page shows: an overall verdict, and
 * for each signature and document timestamp the facts a reader asks about (who, when, proven by which
 * timestamp, changed afterwards?, issued by whom, PAdES level) with a plain-language summary in
 * Japanese and English. The report itself is returned beside it, unchanged, for the technical reader.
 */
import type { Indication, PadesLevel, SignatureReport, SubIndication, VerificationReport } from '@inkan/core';
import { formatMessage, type MessageKey } from '@inkan/core/messages';
import {
  attackWords,
  bilingual,
  changeWords,
  INDICATION_WORDS,
  LEVEL_WORDS,
  STATUS_WORDS,
  SUB_INDICATION_WORDS,
  VERDICT_WORDS,
  type Bilingual,
  type Verdict,
} from './wording.ts';

/** One later change, in plain words; `detail` is the verifier's precise English description. */
export interface PresentedChange {
  kind: string;
  allowed: boolean;
  page: number | null;
  text: Bilingual;
  detail: string;
}

/** One signature or document timestamp as the page shows it. */
export interface PresentedSignature {
  index: number;
  type: SignatureReport['type'];
  status: SignatureReport['status'];
  statusLabel: Bilingual;
  /** ETSI EN 319 102-1 indication and sub-indication, with their plain words. */
  indication: Indication;
  subIndication: SubIndication | null;
  indicationText: Bilingual;
  subIndicationText: Bilingual | null;
  /** From the signer certificate (for a document timestamp: the TSA's). */
  signer: { name: string | null; email: string | null; organization: string | null } | null;
  /** The signing time: proven by a valid timestamp, or only claimed by the signature dictionary. */
  time: { at: string; proven: boolean } | null;
  /** The timestamp authority's name (CN), when there is a timestamp. */
  timestampAuthority: string | null;
  /** this-inkan: every chain reaches this Inkan's root; unknown: some chain reaches nothing known; none: no certificate. */
  issuer: 'this-inkan' | 'unknown' | 'none';
  level: PadesLevel | null;
  levelText: Bilingual | null;
  /**
   * altered: the signed bytes themselves do not match (tampered, or a range that leaves bytes unsigned);
   * else what later revisions did: unchanged (nothing), allowed (only what a signed PDF may receive), forbidden.
   */
  changesAfterSigning: 'altered' | 'unchanged' | 'allowed' | 'forbidden';
  laterChanges: PresentedChange[];
  /** Plain-language sentences, in reading order. */
  summary: { ja: string[]; en: string[] };
}

/** The presentation block of POST /api/verify. */
export interface VerifyPresentation {
  verdict: Verdict;
  headline: Bilingual;
  explanation: Bilingual;
  signatures: PresentedSignature[];
  attacks: Array<{ id: string; name: Bilingual; explanation: Bilingual }>;
}

/** The overall verdict: any attack or invalid signature makes the file invalid, even one with no signature left. */
export function verdictOf(report: VerificationReport): Verdict {
  if (report.signatures.length === 0) {
    if (report.attacks.length > 0) return 'invalid';
    return report.file.pages === null ? 'unreadable' : 'unsigned';
  }
  if (report.attacks.length > 0 || report.signatures.some((s) => s.status === 'invalid')) return 'invalid';
  if (report.signatures.some((s) => s.status === 'untrusted')) return 'untrusted';
  if (report.signatures.some((s) => s.status === 'indeterminate')) return 'indeterminate';
  return 'valid';
}

/** Builds the presentation block of a report. */
export function presentReport(report: VerificationReport): VerifyPresentation {
  const verdict = verdictOf(report);
  return {
    verdict,
    headline: VERDICT_WORDS[verdict].headline,
    explanation: VERDICT_WORDS[verdict].explanation,
    signatures: report.signatures.map(presentSignature),
    attacks: report.attacks.map((id) => ({ id, ...attackWords(id) })),
  };
}

const jstFormat = new Intl.DateTimeFormat('ja-JP', {
  timeZone: 'Asia/Tokyo',
  year: 'numeric',
  month: 'long',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** A time in both languages: Japan time for Japanese readers, UTC for everyone else. */
function timeWords(iso: string): Bilingual {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return { ja: iso, en: iso };
  return {
    ja: formatMessage('ja', 'verification.summary.time', { time: jstFormat.format(date) }),
    en: formatMessage('en', 'verification.summary.time', { time: date.toISOString().slice(0, 19).replace('T', ' ') }),
  };
}

/** The CN of a one-line distinguished name (`O=Inkan, CN=Inkan Timestamp Authority`), else the whole name. */
function commonNameOf(dn: string): string {
  const match = /(?:^|,\s*)CN=([^,]+)/.exec(dn);
  return (match?.[1] ?? dn).trim();
}

/** Joins noun phrases into a list ("A、B" / "A, B"), each listed once. */
function list(items: Bilingual[]): Bilingual {
  const unique = (values: string[]) => [...new Set(values)];
  return { ja: unique(items.map((i) => i.ja)).join('、'), en: unique(items.map((i) => i.en)).join(', ') };
}

function presentSignature(s: SignatureReport): PresentedSignature {
  const timestampOk =
    s.timestamp !== null && s.timestamp.imprintMatches && s.timestamp.signatureValid && s.timestamp.time !== '';
  // Unproven times are still shown, marked as such: the claimed /M, or the genTime of a token that does not verify.
  const claimedAt = s.type === 'document-timestamp' && s.timestamp?.time ? s.timestamp.time : s.claimed.signingTime;
  const time = timestampOk
    ? { at: s.timestamp!.time, proven: true }
    : claimedAt
      ? { at: claimedAt, proven: false }
      : null;
  const chainTrusted = s.certificate?.trusted ?? null;
  const timestampTrusted = s.timestamp ? s.timestamp.trusted : null;
  const issuer: PresentedSignature['issuer'] =
    chainTrusted === null && timestampTrusted === null
      ? 'none'
      : chainTrusted !== false && timestampTrusted !== false
        ? 'this-inkan'
        : 'unknown';
  const laterChanges = s.laterChanges.changes.map((c) => ({
    kind: c.kind,
    allowed: c.allowed,
    page: c.page ?? null,
    text: changeWords(c.kind, c.page),
    detail: c.description,
  }));
  // digestAlgorithm is null when the signature value is not readable CMS: broken, which is not proof of tampering.
  const altered = !s.integrity.coverageOk || (s.integrity.digestAlgorithm !== null && !s.integrity.digestMatches);
  const changesAfterSigning = altered
    ? 'altered'
    : !s.laterChanges.allowed
      ? 'forbidden'
      : s.coversWholeFile
        ? 'unchanged'
        : 'allowed';
  const presented: PresentedSignature = {
    index: s.index,
    type: s.type,
    status: s.status,
    statusLabel: STATUS_WORDS[s.status],
    indication: s.indication,
    subIndication: s.subIndication,
    indicationText: INDICATION_WORDS[s.indication],
    subIndicationText: s.subIndication ? SUB_INDICATION_WORDS[s.subIndication] : null,
    signer: s.signer ? { name: s.signer.commonName, email: s.signer.email, organization: s.signer.organization } : null,
    time,
    timestampAuthority: s.timestamp?.tsa ? commonNameOf(s.timestamp.tsa) : null,
    issuer,
    level: s.level,
    levelText: s.level ? LEVEL_WORDS[s.level] : null,
    changesAfterSigning,
    laterChanges,
    summary: { ja: [], en: [] },
  };
  presented.summary = summarise(s, presented);
  return presented;
}

/** Values of a summary sentence: one for both languages, or one per language (a time, a list). */
type SummaryVars = Record<string, string | number | Bilingual>;

/** The plain-language sentences of one signature: who, when, changed?, issued by whom, level, verdict. */
function summarise(s: SignatureReport, p: PresentedSignature): { ja: string[]; en: string[] } {
  const ja: string[] = [];
  const en: string[] = [];
  const say = (text: Bilingual) => {
    ja.push(text.ja);
    en.push(text.en);
  };
  /** Says the catalog's `verification.summary.<id>` sentence. */
  const sayEntry = (id: SummaryId, vars: SummaryVars = {}) => {
    const key = `verification.summary.${id}` as const;
    const valuesIn = (language: 'ja' | 'en') =>
      Object.fromEntries(Object.entries(vars).map(([name, v]) => [name, typeof v === 'object' ? v[language] : v]));
    say({
      ja: formatMessage('ja', key, valuesIn('ja')).trim(),
      en: formatMessage('en', key, valuesIn('en')).trim(),
    });
  };
  const isTimestamp = s.type === 'document-timestamp';
  const tsa = p.timestampAuthority;

  // Who.
  if (isTimestamp) {
    if (tsa) sayEntry('documentTimestampBy', { tsa });
    else sayEntry('documentTimestamp');
  } else if (p.signer?.name || p.signer?.email) {
    // The certificate's O is the issuer's naming for a witness certificate, not the signer's employer: left to the facts.
    const name = p.signer.name ?? p.signer.email ?? '';
    const email = p.signer.name && p.signer.email ? p.signer.email : null;
    if (email) sayEntry('signedByWithEmail', { name, email });
    else sayEntry('signedBy', { name });
  } else {
    sayEntry('signerUnknown');
  }

  // When.
  if (p.time?.proven) {
    const at = timeWords(p.time.at);
    if (isTimestamp) sayEntry('timestampProvesExistence', { at });
    else sayEntry('signedAtProven', { at, tsa: tsa ?? bilingual('verification.summary.someTimestampAuthority') });
  } else if (isTimestamp) {
    // A token over bytes that changed fails for that reason, said below; only a broken token is said here.
    if (s.integrity.digestMatches) sayEntry('timestampTokenInvalid');
  } else if (s.timestamp) {
    sayEntry('timestampInvalid');
  } else if (!isTimestamp && p.time) {
    sayEntry('signedAtClaimed', { at: timeWords(p.time.at) });
  } else if (!isTimestamp) {
    sayEntry('noTime');
  }

  // Changed afterwards?
  if (!s.integrity.coverageOk) sayEntry('coverageAbnormal');
  if (s.integrity.digestAlgorithm === null) sayEntry('signatureUnreadable');
  else if (!s.integrity.digestMatches) sayEntry(isTimestamp ? 'timestampedContentAltered' : 'signedContentAltered');
  else if (!s.integrity.signatureValid) sayEntry('signatureValueInvalid');
  else if (!s.integrity.signingCertificateMatches) sayEntry('signerBindingInvalid');
  const forbidden = p.laterChanges.filter((c) => !c.allowed);
  if (forbidden.length > 0) sayEntry('forbiddenChanges', { changes: list(forbidden.map((c) => c.text)) });
  else if (p.changesAfterSigning === 'forbidden') sayEntry('changesUnknown');
  else if (p.changesAfterSigning === 'unchanged')
    sayEntry(isTimestamp ? 'unchangedSinceTimestamp' : 'unchangedSinceSignature');
  else if (p.changesAfterSigning === 'allowed') {
    if (p.laterChanges.length > 0) sayEntry('allowedChanges', { changes: list(p.laterChanges.map((c) => c.text)) });
    else sayEntry('noChanges');
  }

  // Issued by whom.
  if (p.issuer === 'this-inkan') sayEntry(isTimestamp ? 'timestampChainsToInkan' : 'chainsToInkan');
  else if (p.issuer === 'unknown') sayEntry(s.certificate?.trusted ? 'timestampIssuerUnknown' : 'issuerUnknown');
  if (s.certificate && !s.certificate.validAtSigningTime)
    sayEntry(p.time?.proven ? 'outsideValidityAtSigning' : 'outsideValidityNow');
  if (s.revocation.revokedAt) {
    const at = timeWords(s.revocation.revokedAt);
    sayEntry(s.indication === 'TOTAL-PASSED' ? 'revokedAfterProof' : 'revokedAt', { at });
  } else if (s.revocation.status === 'revoked') sayEntry('revoked');

  // Level.
  if (!isTimestamp) {
    if (p.level && p.levelText) sayEntry('level', { level: p.level, meaning: p.levelText });
    else if (s.status !== 'invalid') sayEntry('notBaseline');
  }

  // Verdict.
  if (s.status === 'valid') sayEntry(isTimestamp ? 'timestampValid' : 'signatureValid');
  else if (s.status === 'untrusted') sayEntry('untrusted');
  else if (s.status === 'indeterminate')
    sayEntry('indeterminate', { why: s.subIndication ? SUB_INDICATION_WORDS[s.subIndication] : '' });
  else {
    if (s.subIndication === 'REVOKED' || s.subIndication === 'EXPIRED' || s.subIndication === 'NOT_YET_VALID')
      say(SUB_INDICATION_WORDS[s.subIndication]);
    sayEntry(isTimestamp ? 'timestampInvalidVerdict' : 'signatureInvalid');
  }
  return { ja, en };
}

/** The sentences of the summary: `verification.summary.<id>` entries of the catalog. */
type SummaryId = MessageKey extends infer K ? (K extends `verification.summary.${infer Id}` ? Id : never) : never;
