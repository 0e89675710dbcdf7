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
  const subject = oneLine(`アクセスコードのロックのお知らせ: ${m.envelopeName}`);
  const ja = `「${m.envelopeName}」の署名者 ${m.recipientName}（${m.recipientEmail}）様がアクセスコードを${m.attempts}回続けて間違えたため、署名用URLをロックしました。\nご本人に確認のうえ、封筒の画面からロックを解除するか、新しいアクセスコードを設定してください。`;
  const en = `The signer ${m.recipientName} (${m.recipientEmail}) of "${m.envelopeName}" entered a wrong access code ${m.attempts} times, so their signing link is locked.\nAfter checking with them, unlock it or set a new access code on the envelope's page.`;
  return bilingual(subject, ja, en, { label: '封筒を開く / Open the envelope', url: m.envelopeUrl }, m.help);
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
  const subject = oneLine(`署名拒否のお知らせ: ${m.envelopeName}`);
  const ja = `「${m.envelopeName}」の署名者 ${m.recipientName}（${m.recipientEmail}）様が署名を拒否しました。封筒は拒否の状態になりました。\n\n理由:\n${m.reason}`;
  const en = `${m.recipientName} (${m.recipientEmail}) declined to sign "${m.envelopeName}". The envelope is now declined.\n\nReason:\n${m.reason}`;
  return bilingual(subject, ja, en, { label: '封筒を開く / Open the envelope', url: m.envelopeUrl }, m.help);
}

/** A mail to the sender's side: the Japanese text, its link, then the English text and the link again. */
export function bilingual(
  subject: string,
  ja: string,
  en: string,
  link: { label: string; url: string },
  help?: MailHelp,
): RenderedMail {
  const foot = footer('ja', help);
  const text = [ja, link.url, '----', en, link.url, `--\n${foot}`].join('\n\n');
  const blocks: HtmlBlock[] = [
    { kind: 'paragraph', text: ja },
    { kind: 'button', label: link.label, url: link.url },
    { kind: 'paragraph', text: en },
  ];
  return { subject, text, html: renderHtmlMail({ language: 'ja', title: subject, blocks, footer: foot }) };
}
