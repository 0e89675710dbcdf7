import { formatMailTime, type RenderedMail } from './format.ts';
import { bilingual } from './sender-notices.ts';
import { oneLine } from './signing-request.ts';

/** LTA renewal refused: the TSA's own certificate ends too soon for a new archive timestamp to help. */
export interface RenewalRefusedMail {
  organizationName: string;
  /** How many of the organisation's files were due and not renewed today. */
  files: number;
  /** When the TSA's certificate ends. */
  tsaNotAfter: Date;
  /** The renewals page (契約管理 → タイムスタンプの更新). */
  url: string;
}

/**
 * The notice to an organisation's administrators, Japanese first with the English text below (members
 * have no language setting).
 */
export function renderRenewalRefused(m: RenewalRefusedMail): RenderedMail {
  const subject = oneLine(
    '【Inkan】タイムスタンプを更新できません（タイムスタンプ局の証明書の期限） / Archive timestamp renewal refused',
  );
  const ja = [
    `${m.organizationName}の保管文書${m.files}件のタイムスタンプ（LTA）の更新を、本日は行いませんでした。`,
    `更新に使うタイムスタンプ局の証明書が${formatMailTime(m.tsaNotAfter, 'ja')}に期限を迎えるため、新しいタイムスタンプもすぐに更新が必要になります。`,
    'Inkanの運用担当者に、タイムスタンプ局の証明書の更新（または別のタイムスタンプ局の設定）を依頼してください。更新されるまで毎日再試行し、そのたびにお知らせします。期限を過ぎると、これらの文書の署名は検証で「判定不能」になるおそれがあります。',
  ].join('\n');
  const en = [
    `LTA renewal of ${m.files} archived file(s) of ${m.organizationName} was not done today.`,
    `The certificate of the timestamp authority used for renewal ends on ${formatMailTime(m.tsaNotAfter, 'en')}, so a new timestamp would need renewing again at once.`,
    "Please ask the operator of Inkan to renew the timestamp authority's certificate (or to configure another one). Renewal is tried again every day, and you are told each time. Past that date, verification of these files may become INDETERMINATE.",
  ].join('\n');
  return bilingual(subject, ja, en, { label: 'タイムスタンプの更新を開く / Open renewals', url: m.url });
}
