import { footer, formatMailTime, type RenderedMail } from './format.ts';
import { renderHtmlMail, type HtmlBlock } from './html.ts';
import { oneLine } from './signing-request.ts';

/** What both 届出 mails name: the organisation asking, and how to reach it. */
interface RegistrationMailBase {
  language: 'ja' | 'en';
  organizationName: string;
  /** 組織情報: contacts and logo, when set. */
  supportContact: string | null;
  logoUrl: string | null;
}

/** The 届出 request (署名用メールアドレス届出のお願い) to a counterparty's contact. */
export interface RegistrationRequestMail extends RegistrationMailBase {
  companyName: string;
  personName: string;
  requesterName: string | null;
  url: string;
  validUntil: Date;
}

/** The confirmation (届出受付のお知らせ) to the registered signer and the contact: never the code. */
export interface RegistrationConfirmedMail extends RegistrationMailBase {
  companyName: string;
  signerName: string;
  signerEmail: string;
  registeredAt: Date;
}

function render(
  m: RegistrationMailBase,
  subject: string,
  parts: { intro: string; button?: { label: string; url: string }; paragraphs: string[]; note: string },
): RenderedMail {
  const ja = m.language === 'ja';
  const support = m.supportContact
    ? ja
      ? `お問い合わせ先: ${m.supportContact}`
      : `Contact: ${m.supportContact}`
    : null;
  const paragraphs = [...parts.paragraphs, ...(support ? [support] : [])];
  const text = [
    parts.intro,
    ...(parts.button ? [`▼${parts.button.label}\n${parts.button.url}`] : []),
    ...paragraphs,
    parts.note,
    `--\n${footer(m.language)}`,
  ].join('\n\n');
  const blocks: HtmlBlock[] = [
    { kind: 'paragraph', text: parts.intro },
    ...(parts.button ? [{ kind: 'button' as const, label: parts.button.label, url: parts.button.url }] : []),
    ...paragraphs.map((p) => ({ kind: 'paragraph' as const, text: p })),
    { kind: 'paragraph', text: parts.note, muted: true },
  ];
  return {
    subject,
    text,
    html: renderHtmlMail({
      language: m.language,
      title: subject,
      blocks,
      footer: footer(m.language),
      ...(m.logoUrl ? { logo: { url: m.logoUrl, alt: m.organizationName } } : {}),
    }),
  };
}

/** The 届出 request mail: a one-use link where the counterparty names its signer and chooses the access code. */
export function renderRegistrationRequestMail(m: RegistrationRequestMail): RenderedMail {
  const ja = m.language === 'ja';
  const subject = oneLine(
    ja
      ? `【${m.organizationName}】様より署名用メールアドレス届出のお願い`
      : `[${m.organizationName}] Please register the e-mail address of your signer`,
  );
  const intro = ja
    ? `${m.companyName}\n${m.personName} 様\n\n${m.organizationName}${m.requesterName ? `（担当: ${m.requesterName}）` : ''}から、電子契約の署名に使うメールアドレスとアクセスコードの届出をお願いしています。\n下のボタンから、契約に署名する権限のある方のお名前とメールアドレスを入力し、アクセスコード（6〜8桁の数字）をお決めください。`
    : `${m.personName}, ${m.companyName}\n\n${m.organizationName}${m.requesterName ? ` (${m.requesterName})` : ''} asks you to register the e-mail address of the person who signs contracts for you, and to choose an access code.\nUse the button below: enter the signer's name and e-mail address and choose an access code of 6 to 8 digits.`;
  const secrecy = ja
    ? `アクセスコードは暗号化（ハッシュ化）して保存され、${m.organizationName}の担当者にも知らされません。今後、署名依頼メールが届いたら、ここで決めたアクセスコードを入力してください。`
    : `The access code is stored only in hashed form: nobody at ${m.organizationName} learns it. When a signing request arrives, enter the code you chose here.`;
  const validity = ja
    ? `このURLは一度だけ使えます。有効期限: ${formatMailTime(m.validUntil, 'ja')}`
    : `The link works once. Valid until: ${formatMailTime(m.validUntil, 'en')}`;
  const note = ja
    ? 'お心当たりがない場合は、このメールを破棄してください。'
    : 'If you did not expect this, ignore this mail.';
  return render(m, subject, {
    intro,
    button: { label: ja ? '届出手続きへ' : 'Register the signer', url: m.url },
    paragraphs: [secrecy, validity],
    note,
  });
}

/** The confirmation after a registration: who was registered, when, and how to change it (never the code). */
export function renderRegistrationConfirmedMail(m: RegistrationConfirmedMail): RenderedMail {
  const ja = m.language === 'ja';
  const subject = oneLine(
    ja
      ? `【${m.organizationName}】署名用メールアドレスの届出を受け付けました`
      : `[${m.organizationName}] Your signer registration was received`,
  );
  const intro = ja
    ? `${m.organizationName}あての署名用メールアドレスの届出を受け付けました。\n\n取引先: ${m.companyName}\n署名者: ${m.signerName} <${m.signerEmail}>\n届出日時: ${formatMailTime(m.registeredAt, 'ja')}`
    : `Your signer registration with ${m.organizationName} was received.\n\nCounterparty: ${m.companyName}\nSigner: ${m.signerName} <${m.signerEmail}>\nRegistered: ${formatMailTime(m.registeredAt, 'en')}`;
  const usage = ja
    ? `今後、${m.organizationName}からの署名依頼メールが届いたら、届出の際にお決めになったアクセスコードを入力してください。アクセスコードはこのメールにも記載しておらず、${m.organizationName}の担当者も知りません。`
    : `When a signing request from ${m.organizationName} arrives, enter the access code you chose. The code is not in this mail, and nobody at ${m.organizationName} knows it.`;
  const change = ja
    ? `アクセスコードを忘れた場合や変更したい場合は、${m.organizationName}に新しい届出用URLをご依頼ください。`
    : `If you forget the code or want to change it, ask ${m.organizationName} for a new registration link.`;
  const note = ja
    ? `この届出にお心当たりがない場合は、至急${m.organizationName}にご連絡ください。`
    : `If you did not make this registration, contact ${m.organizationName} at once.`;
  return render(m, subject, { intro, paragraphs: [usage, change], note });
}

/**
 * The notice to the member who asked for the 届出: who registered, and where to use it (never the code).
 * Members have no language setting, so like the other mails to the sender's side (sender-notices.ts) it
 * is Japanese first with the English text below.
 */
export interface RegistrationNoticeMail extends Omit<RegistrationMailBase, 'language'> {
  companyName: string;
  personName: string;
  signerName: string;
  signerEmail: string;
  addressBookUrl: string;
}

/** 「取引先から署名用メールアドレスの届出がありました」 to the sender who requested it, in Japanese then English. */
export function renderRegistrationNoticeMail(m: RegistrationNoticeMail): RenderedMail {
  const subject = oneLine(`【Inkan】${m.companyName}から署名用メールアドレスの届出がありました`);
  const ja = {
    intro: `${m.companyName}（${m.personName}様）から、署名用メールアドレスの届出がありました。\n\n署名者: ${m.signerName} <${m.signerEmail}>`,
    usage:
      'アクセスコードは取引先が決めたもので、Inkanにはハッシュ値だけが保存されています。封筒の作成で「アドレス帳から選ぶ」からこの取引先を選ぶと、登録済みアクセスコードが使われます（アクセスコードを伝える必要はありません）。',
    note: `このメールは${m.organizationName}のアドレス帳から届出を依頼した方にお送りしています。`,
  };
  const en = {
    intro: `${m.companyName} (${m.personName}) registered its signer.\n\nSigner: ${m.signerName} <${m.signerEmail}>`,
    usage:
      'The counterparty chose the access code; Inkan keeps only its hash. Choose the counterparty with "Choose from the address book" when creating an envelope and its registered code is used (nothing to pass on).',
    note: `Sent to the member of ${m.organizationName} who requested the registration.`,
  };
  const support = m.supportContact ? [`お問い合わせ先 / Contact: ${m.supportContact}`] : [];
  const button = { label: 'アドレス帳を開く / Open the address book', url: m.addressBookUrl };
  const text = [
    ja.intro,
    `▼${button.label}\n${button.url}`,
    ja.usage,
    '----',
    en.intro,
    en.usage,
    ...support,
    `${ja.note}\n${en.note}`,
    `--\n${footer('ja')}`,
  ].join('\n\n');
  const blocks: HtmlBlock[] = [
    { kind: 'paragraph', text: ja.intro },
    { kind: 'button', label: button.label, url: button.url },
    { kind: 'paragraph', text: ja.usage },
    { kind: 'paragraph', text: en.intro },
    { kind: 'paragraph', text: en.usage },
    ...support.map((text) => ({ kind: 'paragraph' as const, text })),
    { kind: 'paragraph', text: `${ja.note}\n${en.note}`, muted: true },
  ];
  return {
    subject,
    text,
    html: renderHtmlMail({
      language: 'ja',
      title: subject,
      blocks,
      footer: footer('ja'),
      ...(m.logoUrl ? { logo: { url: m.logoUrl, alt: m.organizationName } } : {}),
    }),
  };
}
