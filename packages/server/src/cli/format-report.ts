import type { SignatureReport, VerificationReport } from '@inkan/core';
// The verdict words only, not the whole catalog (see verification-verdicts.ts).
import { verificationVerdictsJa as ja } from '@inkan/core/messages/verdicts';

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
  lines.push(`  Verdict:       ${VERDICT_JA[s.indication]}${s.subIndication ? `：${SUB_JA(s.subIndication)}` : ''}`);
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

// The verdict in plain Japanese (the terminal's first language), in the catalog's words of the verification
// page; the line above gives the ETSI terms.
const VERDICT_JA: Record<SignatureReport['indication'], string> = {
  'TOTAL-PASSED': ja['verification.status.valid'],
  'TOTAL-FAILED': ja['verification.status.invalid'],
  INDETERMINATE: ja['verification.status.indeterminate'],
};
const SUB_JA = (sub: NonNullable<SignatureReport['subIndication']>): string => ja[`verification.subIndication.${sub}`];

function summariseChanges(s: SignatureReport): string {
  const kinds = [...new Set(s.laterChanges.changes.map((c) => c.kind))];
  return kinds.length > 0 ? kinds.join(', ') : 'no content changes';
}

function ok(value: boolean): string {
  return value ? 'ok' : 'FAILED';
}
