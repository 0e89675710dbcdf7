import { formatMailTime, type RenderedMail } from './format.ts';
import { bilingual } from './sender-notices.ts';

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
  const vars = (language: 'ja' | 'en') => ({
    organization: m.organizationName,
    files: m.files,
    until: formatMailTime(m.tsaNotAfter, language),
  });
  return bilingual(
    'mail.renewalRefused.subject',
    'mail.renewalRefused.body',
    vars,
    m.url,
    undefined,
    'mail.renewalRefused.button',
  );
}
