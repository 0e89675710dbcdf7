import type { SignatureReport, VerificationReport } from '@inkan/core';

/** The verifier's report as plain text for a terminal. */
export function formatVerificationReport(report: VerificationReport): string {
  const lines: string[] = [];
  lines.push(
    `File: ${report.file.size} bytes, SHA-256 ${report.file.sha256}, ${report.file.revisions} revision(s), ${report.file.pages ?? '?'} page(s)`,
  );
  for (const problem of report.problems) lines.push(`! ${problem}`);
  for (const s of report.signatures) lines.push('', ...formatSignature(s));
  if (report.attacks.length > 0) lines.push('', `Detected attack patterns: ${report.attacks.join(', ')}`);
  lines.push('', `Result: ${report.summary}`);
  return `${lines.join('\n')}\n`;
}

function formatSignature(s: SignatureReport): string[] {
  const kind = s.type === 'document-timestamp' ? 'Document timestamp' : 'Signature';
  const lines = [
    `${kind} #${s.index} (${s.fieldName}, revision ${s.revision ?? '?'}): ${s.status.toUpperCase()} — ${s.indication}${s.subIndication ? `/${s.subIndication}` : ''}`,
  ];
  lines.push(`  Verdict:       ${VERDICT_JA[s.indication]}${s.subIndication ? `：${SUB_JA[s.subIndication]}` : ''}`);
  if (s.signer) lines.push(`  Signer:        ${s.signer.subject ?? '?'}`);
  if (s.claimed.name) lines.push(`  Name:          ${s.claimed.name}`);
  if (s.claimed.reason) lines.push(`  Reason:        ${s.claimed.reason}`);
  if (s.claimed.location) lines.push(`  Location:      ${s.claimed.location}`);
  if (s.claimed.signingTime) lines.push(`  Signing time:  ${s.claimed.signingTime} (claimed)`);
  if (s.timestamp)
    lines.push(
      `  Timestamp:     ${s.timestamp.time} by ${s.timestamp.tsa} (${s.timestamp.imprintMatches && s.timestamp.signatureValid ? 'valid' : 'INVALID'}${s.timestamp.trusted ? ', trusted' : ', untrusted'}${s.timestamp.accepted ? ', proves the time' : ', proves nothing'})`,
    );
  if (s.bestSignatureTime) lines.push(`  Proven time:   ${s.bestSignatureTime} (best-signature-time)`);
  if (s.validationTime) lines.push(`  Validated at:  ${s.validationTime}`);
  lines.push(
    `  Integrity:     coverage ${ok(s.integrity.coverageOk)}, digest ${ok(s.integrity.digestMatches)}, signature ${ok(s.integrity.signatureValid)}, signer binding ${ok(s.integrity.signingCertificateMatches)}`,
  );
  if (s.certificate)
    lines.push(
      `  Chain:         ${s.certificate.chain.map((c) => c.subject).join(' → ')} (${s.certificate.trusted ? 'trusted' : 'untrusted'})`,
    );
  lines.push(
    `  Revocation:    ${s.revocation.status}${s.revocation.revokedAt ? ` (revoked at ${s.revocation.revokedAt})` : ''} (${s.revocation.source}, ${s.revocation.ocspResponses} OCSP, ${s.revocation.crls} CRL${s.revocation.complete ? ', complete' : ''})`,
  );
  if (s.level) lines.push(`  PAdES level:   ${s.level}`);
  lines.push(
    `  Later changes: ${s.coversWholeFile ? 'none (covers the whole file)' : s.laterChanges.allowed ? `allowed (${summariseChanges(s)})` : 'NOT ALLOWED'}`,
  );
  for (const p of s.problems) lines.push(`  ! ${p}`);
  return lines;
}

// The verdict in plain Japanese (the terminal's first language); the line above gives the ETSI terms.
const VERDICT_JA: Record<SignatureReport['indication'], string> = {
  'TOTAL-PASSED': '有効',
  'TOTAL-FAILED': '無効',
  INDETERMINATE: '判定不能',
};
const SUB_JA: Record<NonNullable<SignatureReport['subIndication']>, string> = {
  FORMAT_FAILURE: '署名の形式または対象範囲に異常があります',
  HASH_FAILURE: '署名された内容とファイルが一致しません（改ざん）',
  SIG_CRYPTO_FAILURE: '署名値を検証できません',
  REVOKED: '署名の時点より前に証明書が失効しています',
  EXPIRED: '証明書の有効期限後に署名されています',
  NOT_YET_VALID: '証明書の有効期間前に署名されています',
  NO_SIGNING_CERTIFICATE_FOUND: '署名者の証明書を特定できません',
  NO_CERTIFICATE_CHAIN_FOUND: '信頼できるルート証明書までたどれません',
  CHAIN_CONSTRAINTS_FAILURE: '証明書の連鎖が規則（CA資格・パス長・鍵用途など）に反しています',
  CERTIFICATE_CHAIN_GENERAL_FAILURE: '証明書の連鎖にこの検証機能が対応していない内容があります',
  REVOKED_NO_POE: '証明書が失効しており、失効前の署名を証明するタイムスタンプがありません',
  REVOKED_CA_NO_POE: '発行元の証明書が失効しており、失効前の署名を証明するタイムスタンプがありません',
  OUT_OF_BOUNDS_NO_POE: '証明書の期限切れ後で、期限内の存在を証明するタイムスタンプがありません',
  TRY_LATER: '失効情報が得られないため、いまは判定できません',
};

function summariseChanges(s: SignatureReport): string {
  const kinds = [...new Set(s.laterChanges.changes.map((c) => c.kind))];
  return kinds.length > 0 ? kinds.join(', ') : 'no content changes';
}

function ok(value: boolean): string {
  return value ? 'ok' : 'FAILED';
}
