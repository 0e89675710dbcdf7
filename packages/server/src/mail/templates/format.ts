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
    return `${parts.year}年${parts.month}月${parts.day}日 ${parts.hour}:${parts.minute}（日本時間）`;
  }
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** A duration in whole days (rounded down, at least 1) or hours, for "valid for …". */
export function formatValidity(ms: number, language: 'ja' | 'en'): string {
  const days = Math.floor(ms / 86_400_000);
  if (days >= 1) return language === 'ja' ? `${days}日間` : `${days} day${days === 1 ? '' : 's'}`;
  const hours = Math.max(1, Math.floor(ms / 3_600_000));
  return language === 'ja' ? `${hours}時間` : `${hours} hour${hours === 1 ? '' : 's'}`;
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
  const who = contact.name ? `${contact.organization} ${contact.name}` : contact.organization;
  if (language === 'ja') {
    return [
      'お問い合わせ先（送信者）',
      `${who}${contact.name ? ' 様' : ''}`,
      ...(contact.email ? [`メール: ${contact.email}`] : []),
      ...(contact.phone ? [`電話: ${contact.phone}`] : []),
      ...(contact.organizationContact ? [`${contact.organization}の連絡先: ${contact.organizationContact}`] : []),
      ...(contact.email ? ['このメールに返信すると、送信者に届きます。'] : []),
    ].join('\n');
  }
  return [
    'Questions? Contact the sender',
    who,
    ...(contact.email ? [`E-mail: ${contact.email}`] : []),
    ...(contact.phone ? [`Telephone: ${contact.phone}`] : []),
    ...(contact.organizationContact ? [`${contact.organization} contact: ${contact.organizationContact}`] : []),
    ...(contact.email ? ['Replying to this mail reaches the sender.'] : []),
  ].join('\n');
}

/**
 * The footer of every mail: who answers replies, the help page (困ったときは) and the operator's support.
 * `repliesToSender`: the mail carries the sender as Reply-To, so replies reach a person.
 */
export function footer(language: 'ja' | 'en', help?: MailHelp, options: { repliesToSender?: boolean } = {}): string {
  const lines: string[] = [];
  if (language === 'ja') {
    lines.push(
      options.repliesToSender
        ? 'このメールは送信専用アドレスから送信していますが、ご返信は送信者に届きます。'
        : 'このメールは送信専用アドレスから送信しています。ご返信いただいてもお答えできません。',
    );
    if (help) {
      lines.push(`困ったときは: ${help.url}`);
      const support = [help.support.email, help.support.url].filter(Boolean).join(' / ');
      if (support) lines.push(`サポート窓口: ${support}`);
    }
    lines.push('Inkan 電子契約');
  } else {
    lines.push(
      options.repliesToSender
        ? 'This message was sent from a no-reply address; replies go to the sender.'
        : 'This message was sent from a no-reply address; replies are not read.',
    );
    if (help) {
      lines.push(`Help: ${help.url}`);
      const support = [help.support.email, help.support.url].filter(Boolean).join(' / ');
      if (support) lines.push(`Support: ${support}`);
    }
    lines.push('Inkan electronic contracts');
  }
  return lines.join('\n');
}
