import { formatMessage, type MessageKey, type MessageVars } from '@inkan/core/messages';
import {
  footer,
  formatMailTime,
  senderContactText,
  type MailHelp,
  type MailSenderContact,
  type RenderedMail,
} from './format.ts';
import { renderHtmlMail, type HtmlBlock } from './html.ts';

/** What the signing-request mail says. */
export interface SigningRequestMail {
  language: 'ja' | 'en';
  organizationName: string;
  /** The person who sent the envelope, when known. */
  senderName: string | null;
  envelopeName: string;
  message: string;
  recipientName: string;
  /** `${INKAN_PUBLIC_URL}/s/{token}`. */
  url: string;
  /** Until when the link works. */
  validUntil: Date;
  /** 'login': the organisation's own signer, who signs in instead of entering a code. */
  auth: 'access_code' | 'login';
  /** 1 for the first mail, 2+ for a resend. */
  sequence: number;
  /** A reminder (リマインド): the same link again, the access code unchanged. */
  reminder?: boolean;
  /** Whom to ask (the mail's Reply-To is the sender's e-mail when known). */
  sender: MailSenderContact;
  help: MailHelp;
  /** Whether the mail carries a Reply-To (the sender, or the organisation's メール設定); default: the sender has an e-mail. */
  repliesAnswered?: boolean;
  /** The organisation's logo (組織情報), shown above the title of the HTML part. */
  logo?: { url: string; alt: string } | null;
}

/** Header-safe: a subject never carries line breaks or other control characters. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** The signing-request mail (subject exactly as in PRODUCT.md for Japanese), in the catalog's words. */
export function renderSigningRequest(m: SigningRequestMail): RenderedMail {
  const language = m.language;
  const say = (key: MessageKey, vars?: MessageVars) => formatMessage(language, key, vars);
  const organization = m.organizationName;
  const envelope = m.envelopeName;
  // The subject stays exactly as specified even for a resend (recipients and filters look for it).
  const subject = oneLine(
    `${m.reminder ? say('mail.signingRequest.reminderPrefix') : ''}${say('mail.signingRequest.subject', { organization, envelope })}`,
  );
  const from = m.senderName
    ? say('mail.from.withName', { organization, name: m.senderName })
    : say('mail.from.organization', { organization });
  const intro = m.reminder
    ? say('mail.signingRequest.reminderIntro', {
        recipient: m.recipientName,
        from,
        envelope,
        sameCode: m.auth === 'access_code' ? say('mail.signingRequest.sameCode') : '',
      })
    : say('mail.signingRequest.intro', {
        recipient: m.recipientName,
        resent: m.sequence > 1 ? say('mail.signingRequest.resent') : '',
        from,
        envelope,
      });
  const auth = say(m.auth === 'access_code' ? 'mail.signingRequest.accessCode' : 'mail.signingRequest.login');
  const validity = say('mail.signingRequest.validity', { until: formatMailTime(m.validUntil, language) });
  const personal = say('mail.signingRequest.personal');
  const contact = senderContactText(m.sender, language);
  const helpLine = say('mail.signingRequest.help', { url: m.help.url });
  const foot = footer(language, m.help, { repliesToSender: m.repliesAnswered ?? m.sender.email !== null });
  const text = [
    intro,
    m.message ? `${say('mail.signingRequest.messageHeading')}\n${m.message}` : '',
    `${say('mail.signingRequest.linkHeading')}\n${m.url}\n${validity}`,
    auth,
    contact,
    helpLine,
    personal,
    `--\n${foot}`,
  ]
    .filter(Boolean)
    .join('\n\n');
  const blocks: HtmlBlock[] = [
    { kind: 'paragraph', text: intro },
    ...(m.message ? ([{ kind: 'quote', text: m.message }] as HtmlBlock[]) : []),
    { kind: 'button', label: say('mail.signingRequest.button'), url: m.url },
    { kind: 'paragraph', text: validity },
    { kind: 'paragraph', text: auth },
    { kind: 'paragraph', text: contact },
    { kind: 'paragraph', text: helpLine },
    { kind: 'paragraph', text: personal, muted: true },
  ];
  return {
    subject,
    text,
    html: renderHtmlMail({
      language,
      title: subject,
      blocks,
      footer: foot,
      ...(m.logo ? { logo: m.logo } : {}),
    }),
  };
}
