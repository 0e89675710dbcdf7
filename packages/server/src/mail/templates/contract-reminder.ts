import {
  formatCalendarDate,
  formatMessage,
  inBothLanguagesJoined,
  type MessageKey,
  type MessageVars,
} from '@inkan/core/messages';
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
  return formatCalendarDate('ja', y!, m!, d!);
}

/** The reminder mail N days before 契約満了日 or 解約通知期限, in the catalog's words: Japanese, then English. */
export function renderContractReminder(m: ContractReminderMail): RenderedMail {
  const say = (language: 'ja' | 'en', key: MessageKey, vars?: MessageVars) => formatMessage(language, key, vars);
  const what: MessageKey = m.kind === 'end' ? 'mail.contractReminder.what.end' : 'mail.contractReminder.what.notice';
  const advice: MessageKey =
    m.kind === 'notice'
      ? 'mail.contractReminder.advice.notice'
      : m.autoRenew
        ? 'mail.contractReminder.advice.autoRenew'
        : 'mail.contractReminder.advice.check';
  const varsIn = (language: 'ja' | 'en') => ({
    name: m.recipientName,
    title: m.title,
    date: language === 'ja' ? japaneseDate(m.dueOn) : m.dueOn,
    when:
      m.daysLeft === 0
        ? say(language, 'mail.contractReminder.when.today')
        : say(language, 'mail.contractReminder.when.days', { n: m.daysLeft }),
    advice: say(language, advice),
  });
  const body: MessageKey = m.kind === 'end' ? 'mail.contractReminder.body.end' : 'mail.contractReminder.body.notice';
  const subject = oneLine(say('ja', 'mail.contractReminder.subject', { ...varsIn('ja'), what: say('ja', what) }));
  const ja = say('ja', body, varsIn('ja'));
  const en = say('en', body, varsIn('en'));
  const open = inBothLanguagesJoined('mail.contractReminder.open');
  const facts: Array<[string, string]> = [
    [inBothLanguagesJoined('mail.contractReminder.fact.contract'), m.title],
    [inBothLanguagesJoined('mail.contractReminder.fact.counterparties'), m.counterparties.join('、') || '—'],
    [inBothLanguagesJoined(what), `${japaneseDate(m.dueOn)} (${m.dueOn})`],
  ];
  const text = [
    ja,
    `${open}:\n${m.url}`,
    facts.map(([k, v]) => `${k}: ${v}`).join('\n'),
    en,
    `--\n${footer('ja', m.help)}`,
  ].join('\n\n');
  const blocks: HtmlBlock[] = [
    { kind: 'paragraph', text: ja },
    { kind: 'button', label: open, url: m.url },
    { kind: 'facts', rows: facts },
    { kind: 'paragraph', text: en, muted: true },
  ];
  return {
    subject,
    text,
    html: renderHtmlMail({ language: 'ja', title: subject, blocks, footer: footer('ja', m.help) }),
  };
}
