/*
 * Turns the verifier's report into what the public verification page shows: an overall verdict, and
 * for each signature and document timestamp the facts a reader asks about (who, when, proven by which
 * timestamp, changed afterwards?, issued by whom, PAdES level) with a plain-language summary in
 * Japanese and English. The report itself is returned beside it, unchanged, for the technical reader.
 */
import type { Indication, PadesLevel, SignatureReport, SubIndication, VerificationReport } from '@inkan/core';
import {
  attackWords,
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
    ja: `${jstFormat.format(date)}（日本時間）`,
    en: `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`,
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

/** The plain-language sentences of one signature: who, when, changed?, issued by whom, level, verdict. */
function summarise(s: SignatureReport, p: PresentedSignature): { ja: string[]; en: string[] } {
  const ja: string[] = [];
  const en: string[] = [];
  const say = (text: Bilingual) => {
    ja.push(text.ja);
    en.push(text.en);
  };
  const isTimestamp = s.type === 'document-timestamp';
  const tsa = p.timestampAuthority;

  // Who.
  if (isTimestamp) {
    say(
      tsa
        ? { ja: `${tsa}が発行した文書タイムスタンプです。`, en: `A document timestamp issued by ${tsa}.` }
        : { ja: '文書タイムスタンプです。', en: 'A document timestamp.' },
    );
  } else if (p.signer?.name || p.signer?.email) {
    // The certificate's O is the issuer's naming for a witness certificate, not the signer's employer: left to the facts.
    const name = p.signer.name ?? p.signer.email ?? '';
    const email = p.signer.name && p.signer.email ? p.signer.email : null;
    say({
      ja: `${name}${email ? `（${email}）` : ''}の電子署名です。`,
      en: `Signed by ${name}${email ? ` (${email})` : ''}.`,
    });
  } else {
    say({
      ja: '署名者の証明書が見つからないため、誰の署名かを確認できません。',
      en: 'The signer certificate is missing: who signed cannot be determined.',
    });
  }

  // When.
  if (p.time?.proven) {
    const at = timeWords(p.time.at);
    say(
      isTimestamp
        ? {
            ja: `この文書が${at.ja}に存在していたことを証明します。`,
            en: `It proves the document existed at ${at.en}.`,
          }
        : {
            ja: `署名日時は${at.ja}です。${tsa ?? 'タイムスタンプ局'}のタイムスタンプにより、この時刻に署名が存在していたことが証明されています。`,
            en: `Signed at ${at.en}; a timestamp from ${tsa ?? 'a timestamp authority'} proves the signature existed at that time.`,
          },
    );
  } else if (isTimestamp) {
    // A token over bytes that changed fails for that reason, said below; only a broken token is said here.
    if (s.integrity.digestMatches)
      say({ ja: 'タイムスタンプトークンを検証できません。', en: 'The timestamp token does not verify.' });
  } else if (s.timestamp) {
    say({
      ja: 'タイムスタンプが付いていますが、検証できません。',
      en: 'There is a timestamp, but it does not verify.',
    });
  } else if (!isTimestamp && p.time) {
    const at = timeWords(p.time.at);
    say({
      ja: `タイムスタンプがないため、署名日時として記載された${at.ja}は署名者の申告にすぎず、証明されていません。`,
      en: `There is no timestamp: the signing time (${at.en}) is only what the signer wrote, not proven.`,
    });
  } else if (!isTimestamp) {
    say({
      ja: 'タイムスタンプがなく、署名日時は記録されていません。',
      en: 'There is no timestamp and no signing time.',
    });
  }

  // Changed afterwards?
  if (!s.integrity.coverageOk) {
    say({
      ja: '署名の対象範囲に異常があり、ファイルの一部が署名で守られていません。',
      en: 'The signed byte range is abnormal: part of the file is not protected by the signature.',
    });
  }
  if (s.integrity.digestAlgorithm === null) {
    say({
      ja: '署名の値を読み取れません。署名として壊れています。',
      en: 'The signature value cannot be read: the signature is broken.',
    });
  } else if (!s.integrity.digestMatches) {
    say(
      isTimestamp
        ? {
            ja: 'タイムスタンプが押された内容と、このファイルの内容が一致しません。タイムスタンプの後に文書が改ざんされています。',
            en: 'The timestamped content does not match this file: the document was altered after the timestamp.',
          }
        : {
            ja: '署名された内容と、このファイルの内容が一致しません。署名の後に文書が改ざんされています。',
            en: 'The signed content does not match this file: the document was altered after signing.',
          },
    );
  } else if (!s.integrity.signatureValid) {
    say({
      ja: '署名の値を証明書の公開鍵で検証できません。',
      en: "The signature value does not verify with the certificate's public key.",
    });
  } else if (!s.integrity.signingCertificateMatches) {
    say({
      ja: '署名と証明書の結び付きを確認できません。',
      en: 'The signature is not bound to the certificate that made it.',
    });
  }
  const forbidden = p.laterChanges.filter((c) => !c.allowed);
  if (forbidden.length > 0) {
    const what = list(forbidden.map((c) => c.text));
    say({
      ja: `署名の後に、認められていない変更が加えられています：${what.ja}。`,
      en: `Changes that are not allowed were made after signing: ${what.en}.`,
    });
  } else if (p.changesAfterSigning === 'forbidden') {
    say({ ja: '署名の後の変更を確認できません。', en: 'What changed after signing cannot be checked.' });
  } else if (p.changesAfterSigning === 'unchanged') {
    say({
      ja: `${isTimestamp ? 'この文書タイムスタンプ' : 'この署名'}の後、ファイルは一切変更されていません。`,
      en: 'The file has not changed at all since.',
    });
  } else if (p.changesAfterSigning === 'allowed') {
    const what = list(p.laterChanges.map((c) => c.text));
    say(
      p.laterChanges.length > 0
        ? {
            ja: `この後の変更は${what.ja}のみで、いずれも署名済みPDFに認められている変更です。`,
            en: `Only changes a signed PDF may receive came afterwards: ${what.en}.`,
          }
        : { ja: 'この後に加えられた変更はありません。', en: 'Nothing was changed afterwards.' },
    );
  }

  // Issued by whom.
  if (p.issuer === 'this-inkan') {
    say({
      ja: isTimestamp
        ? 'タイムスタンプ局の証明書は、このInkanのルート証明書までたどれます。'
        : '証明書は、このInkanのルート証明書までたどれます。',
      en: isTimestamp
        ? "The timestamp authority's certificate chains to this Inkan's root certificate."
        : "The certificates chain to this Inkan's root certificate.",
    });
  } else if (p.issuer === 'unknown') {
    say({
      ja: s.certificate?.trusted
        ? 'タイムスタンプ局の証明書は、このInkanのルート証明書にも、ここで知られているどの発行元にもつながっていません。'
        : '証明書は、このInkanのルート証明書にも、ここで知られているどの発行元にもつながっていません。',
      en: s.certificate?.trusted
        ? "The timestamp authority's certificate chains neither to this Inkan's root nor to any issuer known here."
        : "The certificate chains neither to this Inkan's root nor to any issuer known here.",
    });
  }
  if (s.certificate && !s.certificate.validAtSigningTime) {
    say(
      p.time?.proven
        ? {
            ja: '署名の時点で、証明書は有効期間外でした。',
            en: 'The certificate was not within its validity period at signing time.',
          }
        : {
            ja: 'タイムスタンプがないため現在の時刻で確かめましたが、証明書は有効期間外です。',
            en: 'Without a timestamp the certificate is checked at the current time, and it is not within its validity period.',
          },
    );
  }
  if (s.revocation.revokedAt) {
    const at = timeWords(s.revocation.revokedAt);
    say(
      s.indication === 'TOTAL-PASSED'
        ? {
            ja: `証明書は${at.ja}に失効しましたが、それより前に署名が存在したことがタイムスタンプで証明されています。`,
            en: `The certificate was revoked at ${at.en}, but a timestamp proves the signature existed before.`,
          }
        : { ja: `証明書は${at.ja}に失効しています。`, en: `The certificate was revoked at ${at.en}.` },
    );
  } else if (s.revocation.status === 'revoked')
    say({ ja: '証明書は失効しています。', en: 'The certificate has been revoked.' });

  // Level.
  if (!isTimestamp) {
    if (p.level && p.levelText)
      say({ ja: `PAdES ${p.level}：${p.levelText.ja}です。`, en: `PAdES ${p.level}: ${p.levelText.en}.` });
    else if (s.status !== 'invalid')
      say({ ja: 'PAdESのベースラインの形式ではありません。', en: 'This is not a PAdES baseline signature.' });
  }

  // Verdict.
  if (s.status === 'valid')
    say(
      isTimestamp
        ? { ja: 'この文書タイムスタンプは有効です。', en: 'This document timestamp is valid.' }
        : { ja: 'この署名は有効です。', en: 'This signature is valid.' },
    );
  else if (s.status === 'untrusted')
    say({
      ja: '署名そのものは壊れていませんが、発行元を確認できません。',
      en: 'It is intact, but its issuer cannot be confirmed.',
    });
  else if (s.status === 'indeterminate') {
    const why = s.subIndication ? SUB_INDICATION_WORDS[s.subIndication] : { ja: '', en: '' };
    say({
      ja: `有効かどうかを判定できません。${why.ja}`,
      en: `Whether it is valid cannot be decided. ${why.en}`.trim(),
    });
  } else {
    if (s.subIndication === 'REVOKED' || s.subIndication === 'EXPIRED' || s.subIndication === 'NOT_YET_VALID')
      say(SUB_INDICATION_WORDS[s.subIndication]);
    say(
      isTimestamp
        ? { ja: 'この文書タイムスタンプは無効です。', en: 'This document timestamp is invalid.' }
        : { ja: 'この署名は無効です。', en: 'This signature is invalid.' },
    );
  }
  return { ja, en };
}
