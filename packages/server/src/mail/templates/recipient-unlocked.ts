import { formatMessage, type MessageKey, type MessageVars } from '@inkan/core/messages';
import { footer, senderContactText, type MailHelp, type MailSenderContact, type RenderedMail } from './format.ts';
import { renderHtmlMail, type HtmlBlock } from './html.ts';
import { oneLine } from './signing-request.ts';

/** What the unlock notice to a signer says (never the access code itself). */
export interface RecipientUnlockedMail {
  language: 'ja' | 'en';
  recipientName: string;
  envelopeName: string;
  /** The sender set a new access code: the old one no longer works. */
  newCode: boolean;
  sender: MailSenderContact;
  help: MailHelp;
}

/** The mail that tells a signer their signing link works again. */
export function renderRecipientUnlocked(m: RecipientUnlockedMail): RenderedMail {
  const contact = senderContactText(m.sender, m.language);
  const foot = footer(m.language, m.help, { repliesToSender: m.sender.email !== null });
  const say = (key: MessageKey, vars?: MessageVars) => formatMessage(m.language, key, vars);
  const organization = m.sender.organization;
  const subject = oneLine(say('mail.unlocked.subject', { organization }));
  const from = m.sender.name
    ? say('mail.from.withName', { organization, name: m.sender.name })
    : say('mail.from.organization', { organization });
  const body = say('mail.unlocked.body', { recipient: m.recipientName, from, envelope: m.envelopeName });
  const code = say(m.newCode ? 'mail.unlocked.newCode' : 'mail.unlocked.sameCode');
  const helpLine = say('mail.helpLine', { url: m.help.url });
  const text = [body, code, contact, helpLine, `--\n${foot}`].join('\n\n');
  const blocks: HtmlBlock[] = [
    { kind: 'paragraph', text: body },
    { kind: 'paragraph', text: code },
    { kind: 'paragraph', text: contact },
    { kind: 'paragraph', text: helpLine },
  ];
  return { subject, text, html: renderHtmlMail({ language: m.language, title: subject, blocks, footer: foot }) };
}
