import { formatCalendarDate, formatMessage, type MessageKey, type MessageVars } from '@inkan/core/messages';
/** Japan time for the mails; one formatter for the process (making one costs more than formatting). */
const JAPAN_TIME = new Intl.DateTimeFormat('ja-JP', {
  timeZone: 'Asia/Tokyo',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** A time as people read it in mail: Japan time for Japanese, UTC for English. */
export function formatMailTime(date: Date, language: 'ja' | 'en'): string {
  if (language === 'ja') {
    const parts: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
    for (const part of JAPAN_TIME.formatToParts(date)) parts[part.type] = part.value;
    const day = formatCalendarDate('ja', parts.year!, parts.month!, parts.day!);
    return formatMessage('ja', 'mail.time', { date: day, time: `${parts.hour}:${parts.minute}` });
  }
  const iso = date.toISOString();
  return formatMessage('en', 'mail.time', { date: iso.slice(0, 10), time: iso.slice(11, 16) });
}

/** A duration in whole days (rounded down, at least 1) or hours, for "valid for …". */
export function formatValidity(ms: number, language: 'ja' | 'en'): string {
  const days = Math.floor(ms / 86_400_000);
  if (days >= 1)
    return formatMessage(language, days === 1 ? 'mail.validity.oneDay' : 'mail.validity.days', { n: days });
  const hours = Math.max(1, Math.floor(ms / 3_600_000));
  return formatMessage(language, hours === 1 ? 'mail.validity.oneHour' : 'mail.validity.hours', { n: hours });
}

/** A rendered mail: subject, text and HTML. */
export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** The help links of every mail: the help page (困ったときは) and the operator's support contact. */
export interface MailHelp {
  /** `${INKAN_PUBLIC_URL}/help`. */
  url: string;
  /** INKAN_SUPPORT_EMAIL / INKAN_SUPPORT_URL, when set. */
  support: { email: string | null; url: string | null };
}

/** The help links of an installation (public URL and support contact). */
export function mailHelpOf(config: {
  publicUrl: string;
  support: { email: string | null; url: string | null };
}): MailHelp {
  return { url: `${config.publicUrl}/help`, support: config.support };
}

/** Whom a signer can ask about an envelope (see SenderContact of the domain). */
export interface MailSenderContact {
  organization: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  /** The organisation's own 送信者の連絡先 (組織情報), when set. */
  organizationContact?: string | null;
}

/** The sender's contact as lines of a mail: organisation and person, e-mail, telephone. */
export function senderContactText(contact: MailSenderContact, language: 'ja' | 'en'): string {
  const say = (key: MessageKey, vars?: MessageVars) => formatMessage(language, key, vars);
  const { organization } = contact;
  return [
    say('mail.contact.title'),
    contact.name ? say('mail.contact.person', { organization, name: contact.name }) : organization,
    ...(contact.email ? [say('mail.contact.email', { email: contact.email })] : []),
    ...(contact.phone ? [say('mail.contact.phone', { phone: contact.phone })] : []),
    ...(contact.organizationContact
      ? [say('mail.contact.organization', { organization, contact: contact.organizationContact })]
      : []),
    ...(contact.email ? [say('mail.contact.replies')] : []),
  ].join('\n');
}

/**
 * The footer of every mail: who answers replies, the help page (困ったときは) and the operator's support.
 * `repliesToSender`: the mail carries the sender as Reply-To, so replies reach a person.
 */
export function footer(language: 'ja' | 'en', help?: MailHelp, options: { repliesToSender?: boolean } = {}): string {
  const say = (key: MessageKey, vars?: MessageVars) => formatMessage(language, key, vars);
  const lines = [say(options.repliesToSender ? 'mail.footer.repliesToSender' : 'mail.footer.noReply')];
  if (help) {
    lines.push(say('mail.helpLine', { url: help.url }));
    const support = [help.support.email, help.support.url].filter(Boolean).join(' / ');
    if (support) lines.push(say('mail.footer.support', { support }));
  }
  lines.push(say('mail.footer.signature'));
  return lines.join('\n');
}
