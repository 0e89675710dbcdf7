import {
  formatMessage,
  inBothLanguages,
  inBothLanguagesJoined,
  type Language,
  type MessageKey,
  type MessageVars,
} from '@inkan/core/messages';
import { footer, type MailHelp, type RenderedMail } from './format.ts';
import { renderHtmlMail, type HtmlBlock } from './html.ts';
import { oneLine } from './signing-request.ts';

/*
 * Mails to the sender's side. Users have no language setting yet, so these are Japanese first with
 * the English text below.
 */

/** A recipient was locked after too many wrong access codes. */
export interface RecipientLockedMail {
  envelopeName: string;
  recipientName: string;
  recipientEmail: string;
  attempts: number;
  /** `${INKAN_PUBLIC_URL}/envelopes/{id}`. */
  envelopeUrl: string;
  help?: MailHelp;
}

/** The lockout notice to the sender. */
export function renderRecipientLocked(m: RecipientLockedMail): RenderedMail {
  const vars = { envelope: m.envelopeName, name: m.recipientName, email: m.recipientEmail, attempts: m.attempts };
  return bilingual('mail.locked.subject', 'mail.locked.body', vars, m.envelopeUrl, m.help);
}

/** A recipient declined to sign. */
export interface RecipientDeclinedMail {
  envelopeName: string;
  recipientName: string;
  recipientEmail: string;
  reason: string;
  envelopeUrl: string;
  help?: MailHelp;
}

/** The decline notice to the sender. */
export function renderRecipientDeclined(m: RecipientDeclinedMail): RenderedMail {
  const vars = { envelope: m.envelopeName, name: m.recipientName, email: m.recipientEmail, reason: m.reason };
  return bilingual('mail.declined.subject', 'mail.declined.body', vars, m.envelopeUrl, m.help);
}

/**
 * A notice in the catalog's words: Japanese subject; the Japanese text, then the English, each with the link
 * (its button says `linkKey`, by default 封筒を開く / Open the envelope).
 */
export function bilingual(
  subjectKey: MessageKey,
  bodyKey: MessageKey,
  vars: MessageVars | ((language: Language) => MessageVars),
  url: string,
  help?: MailHelp,
  linkKey: MessageKey = 'mail.openEnvelope',
): RenderedMail {
  const subject = oneLine(formatMessage('ja', subjectKey, typeof vars === 'function' ? vars('ja') : vars));
  const { ja, en } = inBothLanguages(bodyKey, vars);
  const link = { label: inBothLanguagesJoined(linkKey), url };
  const foot = footer('ja', help);
  const text = [ja, link.url, '----', en, link.url, `--\n${foot}`].join('\n\n');
  const blocks: HtmlBlock[] = [
    { kind: 'paragraph', text: ja },
    { kind: 'button', label: link.label, url: link.url },
    { kind: 'paragraph', text: en },
  ];
  return { subject, text, html: renderHtmlMail({ language: 'ja', title: subject, blocks, footer: foot }) };
}
