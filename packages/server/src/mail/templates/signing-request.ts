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
  /** A reminder (リマインド): a new link (earlier ones keep working), the access code unchanged. */
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

/** The signing-request mail (subject exactly as in PRODUCT.md for Japanese). */
export function renderSigningRequest(m: SigningRequestMail): RenderedMail {
  return m.language === 'ja' ? japanese(m) : english(m);
}

function japanese(m: SigningRequestMail): RenderedMail {
  // The subject stays exactly as specified even for a resend (recipients and filters look for it).
  const subject = oneLine(
    `${m.reminder ? '【リマインド】' : ''}【${m.organizationName}】様より${m.envelopeName}への署名依頼が届いています`,
  );
  const sender = m.senderName ? `${m.organizationName}（${m.senderName}）様` : `${m.organizationName}様`;
  const intro = m.reminder
    ? `${m.recipientName} 様\n\n${sender}より届いている「${m.envelopeName}」への署名依頼について、まだ署名が完了していないため、改めてお知らせします。\n下記のURLから文書の内容をご確認のうえ、署名してください（前回のご案内のURLも引き続きお使いいただけます）。${m.auth === 'access_code' ? 'アクセスコードも前回と変わりません。' : ''}`
    : `${m.recipientName} 様\n\n${m.sequence > 1 ? '（再送）' : ''}${sender}より、「${m.envelopeName}」への署名依頼が届いています。\n下記のURLから文書の内容をご確認のうえ、署名してください。`;
  const auth =
    m.auth === 'access_code'
      ? 'アクセスコードについて\n文書を開くには、アクセスコード（数字4〜8桁）の入力が必要です。アクセスコードは、無関係な第三者による文書の閲覧を防止するためのもので、このメールには記載されていません。送信者からメール以外の方法で別途お知らせしています。ご不明な場合は送信者にお問い合わせください。'
      : 'このURLを開いたあと、Inkanのアカウントでログインして署名してください。';
  const validity = `有効期限: ${formatMailTime(m.validUntil, 'ja')}`;
  const personal = 'このURLはあなた専用です。他の方に転送しないでください。';
  const contact = senderContactText(m.sender, 'ja');
  const helpLine = `アクセスコードがわからない、リンクが開けないなど、困ったときは: ${m.help.url}`;
  const foot = footer('ja', m.help, { repliesToSender: m.repliesAnswered ?? m.sender.email !== null });
  const text = [
    intro,
    m.message ? `▼メッセージ\n${m.message}` : '',
    `▼署名用URL\n${m.url}\n${validity}`,
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
    { kind: 'button', label: '文書を確認する', url: m.url },
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
      language: 'ja',
      title: subject,
      blocks,
      footer: foot,
      ...(m.logo ? { logo: m.logo } : {}),
    }),
  };
}

function english(m: SigningRequestMail): RenderedMail {
  const subject = oneLine(
    `${m.reminder ? 'Reminder: ' : ''}${m.organizationName} has sent you "${m.envelopeName}" to sign`,
  );
  const sender = m.senderName ? `${m.senderName} of ${m.organizationName}` : m.organizationName;
  const intro = m.reminder
    ? `Dear ${m.recipientName},\n\nThis is a reminder: ${sender} has sent you "${m.envelopeName}" to sign, and it is not signed yet.\nPlease review the documents at the address below and sign them (the link of the earlier mail still works too).${m.auth === 'access_code' ? ' The access code has not changed.' : ''}`
    : `Dear ${m.recipientName},\n\n${m.sequence > 1 ? '(Reminder) ' : ''}${sender} has sent you "${m.envelopeName}" to sign.\nPlease review the documents at the address below and sign them.`;
  const auth =
    m.auth === 'access_code'
      ? 'About the access code\nTo open the documents you need an access code (4 to 8 digits). It keeps unrelated third parties from seeing the documents and is not in this mail: the sender gives it to you separately, by other means than e-mail. If you do not have it, please ask the sender.'
      : 'After opening the link, sign in with your Inkan account to sign.';
  const validity = `Valid until: ${formatMailTime(m.validUntil, 'en')}`;
  const personal = 'This link is personal to you. Please do not forward it.';
  const contact = senderContactText(m.sender, 'en');
  const helpLine = `No access code, a link that does not open, or other trouble? Help: ${m.help.url}`;
  const foot = footer('en', m.help, { repliesToSender: m.repliesAnswered ?? m.sender.email !== null });
  const text = [
    intro,
    m.message ? `Message:\n${m.message}` : '',
    `Your signing link:\n${m.url}\n${validity}`,
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
    { kind: 'button', label: 'Review the documents', url: m.url },
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
      language: 'en',
      title: subject,
      blocks,
      footer: foot,
      ...(m.logo ? { logo: m.logo } : {}),
    }),
  };
}
