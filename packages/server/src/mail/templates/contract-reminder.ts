import { footer, type MailHelp, type RenderedMail } from './format.ts';
import { renderHtmlMail, type HtmlBlock } from './html.ts';
import { oneLine } from './signing-request.ts';

/** What a deadline reminder (期限のお知らせ) says: Japanese first, English second, in one mail. */
export interface ContractReminderMail {
  recipientName: string;
  title: string;
  counterparties: string[];
  kind: 'end' | 'notice';
  /** The deadline, YYYY-MM-DD. */
  dueOn: string;
  daysLeft: number;
  autoRenew: boolean;
  /** `${INKAN_PUBLIC_URL}/contracts/{id}`. */
  url: string;
  help?: MailHelp;
}

function japaneseDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** The reminder mail N days before 契約満了日 or 解約通知期限. */
export function renderContractReminder(m: ContractReminderMail): RenderedMail {
  const whatJa = m.kind === 'end' ? '契約満了日' : '解約通知期限';
  const whatEn = m.kind === 'end' ? 'ends' : 'must be given notice of termination by';
  const when = m.daysLeft === 0 ? '本日' : `${m.daysLeft}日後`;
  const subject = oneLine(`【Inkan】${whatJa}が${when}です：${m.title}`);
  const ja = `${m.recipientName} 様\n\n契約「${m.title}」の${whatJa}（${japaneseDate(m.dueOn)}）が${when}です。${m.kind === 'notice' ? '更新しない場合は、期限までに相手方へ解約の通知をしてください。' : m.autoRenew ? 'この契約は自動更新です。' : '更新の要否をご確認ください。'}`;
  const en = `The contract "${m.title}" ${whatEn} ${m.dueOn} (${m.daysLeft === 0 ? 'today' : `in ${m.daysLeft} days`}).`;
  const facts: Array<[string, string]> = [
    ['契約 / Contract', m.title],
    ['取引先 / Counterparties', m.counterparties.join('、') || '—'],
    [`${whatJa} / ${m.kind === 'end' ? 'End date' : 'Notice deadline'}`, `${japaneseDate(m.dueOn)} (${m.dueOn})`],
  ];
  const text = [
    ja,
    `契約台帳で確認 / Open in the register:\n${m.url}`,
    facts.map(([k, v]) => `${k}: ${v}`).join('\n'),
    en,
    `--\n${footer('ja', m.help)}`,
  ].join('\n\n');
  const blocks: HtmlBlock[] = [
    { kind: 'paragraph', text: ja },
    { kind: 'button', label: '契約台帳で確認 / Open', url: m.url },
    { kind: 'facts', rows: facts },
    { kind: 'paragraph', text: en, muted: true },
  ];
  return {
    subject,
    text,
    html: renderHtmlMail({ language: 'ja', title: subject, blocks, footer: footer('ja', m.help) }),
  };
}
