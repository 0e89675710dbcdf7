import { footer, formatMailTime, type RenderedMail } from './format.ts';
import { renderHtmlMail, type HtmlBlock } from './html.ts';
import { oneLine } from './signing-request.ts';

/** What a job was doing, in both languages (the administrators' list and the notice mail). */
export const JOB_KIND_LABELS: Record<string, { ja: string; en: string }> = {
  'mail.signing-request': { ja: '署名依頼メールの送信', en: 'Sending a signing request mail' },
  'mail.completion': { ja: '電子署名完了のお知らせの送信', en: 'Sending the completion mail' },
  'mail.recipient-locked': { ja: 'ロックのお知らせの送信', en: 'Sending a lockout notice' },
  'mail.recipient-declined': { ja: '拒否のお知らせの送信', en: 'Sending a decline notice' },
  'mail.contract-reminder': { ja: '契約期限のお知らせの送信', en: 'Sending a contract deadline reminder' },
  'mail.account': { ja: 'アカウントのお知らせの送信', en: 'Sending an account mail' },
  'envelope.sign': { ja: '電子署名の付与', en: 'Applying a signature' },
  'envelope.seal': { ja: '文書タイムスタンプの付与', en: 'Adding the document timestamp' },
  'envelope.certificate': { ja: '契約締結証明書の発行', en: 'Issuing the certificate of completion' },
  'envelope.expiry-sweep': { ja: '有効期限切れの封筒の処理', en: 'Expiring envelopes' },
  'audit.anchor': { ja: '操作ログへのタイムスタンプ付与', en: 'Timestamping the audit log' },
  'backup.run': { ja: 'バックアップ', en: 'Backup' },
  'register.reminders': { ja: '契約期限のお知らせの準備', en: 'Preparing contract deadline reminders' },
  'retention.sweep': {
    ja: '保存期間が満了した文書の消去',
    en: 'Erasing documents at the end of their retention period',
  },
  'bulk.send-row': { ja: 'CSV一括送信の封筒の作成と送信', en: 'Making and sending an envelope of a bulk send' },
};

/** The label of a job kind (the kind itself when unknown). */
export function jobKindLabel(kind: string, language: 'ja' | 'en'): string {
  return JOB_KIND_LABELS[kind]?.[language] ?? kind;
}

/** A job that failed for good. */
export interface JobFailedMail {
  kind: string;
  envelopeName: string | null;
  attempts: number;
  firstAttemptAt: Date | null;
  failedAt: Date;
  lastError: string;
  /** Where to act: the envelope's page (senders) or the failed jobs page (administrators). */
  url: string;
  /** Whether the reader can retry it (administrators). */
  canRetry: boolean;
}

/** The notice to the sender or the administrators that a job gave up after its retry window. */
export function renderJobFailed(m: JobFailedMail): RenderedMail {
  const what = { ja: jobKindLabel(m.kind, 'ja'), en: jobKindLabel(m.kind, 'en') };
  const subject = oneLine(
    `【Inkan】処理に失敗しました: ${what.ja}${m.envelopeName ? `（${m.envelopeName}）` : ''} / Job failed`,
  );
  const since = (language: 'ja' | 'en'): string =>
    m.firstAttemptAt ? formatMailTime(m.firstAttemptAt, language) : '—';
  const ja = [
    `「${what.ja}」の処理が、${since('ja')}から${m.attempts}回試みても成功しなかったため、失敗として停止しました。`,
    m.envelopeName ? `封筒: ${m.envelopeName}` : '',
    `停止日時: ${formatMailTime(m.failedAt, 'ja')}`,
    `最後のエラー: ${m.lastError}`,
    m.canRetry
      ? '原因（メールサーバーやタイムスタンプ局の障害など）を取り除いてから、管理画面の「失敗した処理」で再実行してください。'
      : '組織の管理者に連絡して、原因を取り除いたうえで再実行を依頼してください。',
  ]
    .filter(Boolean)
    .join('\n');
  const en = [
    `"${what.en}" did not succeed in ${m.attempts} attempts since ${since('en')}, so it was stopped as failed.`,
    m.envelopeName ? `Envelope: ${m.envelopeName}` : '',
    `Stopped at: ${formatMailTime(m.failedAt, 'en')}`,
    `Last error: ${m.lastError}`,
    m.canRetry
      ? 'Once the cause (a mail server or timestamp authority outage …) is removed, retry it on the "Failed jobs" page of the administration.'
      : 'Please ask an administrator of the organisation to remove the cause and retry it.',
  ]
    .filter(Boolean)
    .join('\n');
  const label = m.canRetry ? '失敗した処理を開く / Open failed jobs' : '封筒を開く / Open the envelope';
  const text = [ja, m.url, '----', en, m.url, `--\n${footer('ja')}`].join('\n\n');
  const blocks: HtmlBlock[] = [
    { kind: 'paragraph', text: ja },
    { kind: 'button', label, url: m.url },
    { kind: 'paragraph', text: en },
  ];
  return { subject, text, html: renderHtmlMail({ language: 'ja', title: subject, blocks, footer: footer('ja') }) };
}
