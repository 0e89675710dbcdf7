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
  let subject: string;
  let body: string;
  let code: string;
  if (m.language === 'ja') {
    subject = oneLine(`【${m.sender.organization}】署名用URLのロック解除のお知らせ`);
    const from = m.sender.name ? `${m.sender.organization}（${m.sender.name}）様` : `${m.sender.organization}様`;
    body = `${m.recipientName} 様\n\n${from}からの「${m.envelopeName}」への署名依頼について、送信者が署名用URLのロックを解除しました。\n先にお送りした署名依頼メールのURLから、もう一度お手続きください。`;
    code = m.newCode
      ? 'アクセスコードが新しくなりました。以前のアクセスコードは使えません。新しいアクセスコードは、送信者からメール以外の方法でお知らせします（このメールには記載されていません）。'
      : 'アクセスコードは変わっていません。以前にお知らせしたアクセスコードを入力してください。';
  } else {
    subject = oneLine(`${m.sender.organization}: your signing link is unlocked`);
    const from = m.sender.name ? `${m.sender.name} of ${m.sender.organization}` : m.sender.organization;
    body = `Dear ${m.recipientName},\n\n${from} unlocked your link to sign "${m.envelopeName}".\nPlease open the link of the signing request mail you received earlier and try again.`;
    code = m.newCode
      ? 'The access code has changed: the previous one no longer works. The sender gives you the new code by other means than e-mail (it is not in this mail).'
      : 'The access code has not changed: enter the code you were given before.';
  }
  const helpLine = m.language === 'ja' ? `困ったときは: ${m.help.url}` : `Help: ${m.help.url}`;
  const text = [body, code, contact, helpLine, `--\n${foot}`].join('\n\n');
  const blocks: HtmlBlock[] = [
    { kind: 'paragraph', text: body },
    { kind: 'paragraph', text: code },
    { kind: 'paragraph', text: contact },
    { kind: 'paragraph', text: helpLine },
  ];
  return { subject, text, html: renderHtmlMail({ language: m.language, title: subject, blocks, footer: foot }) };
}
