import { footer, formatMailTime, type MailHelp, type RenderedMail } from './format.ts';
import { renderHtmlMail, type HtmlBlock } from './html.ts';
import { oneLine } from './signing-request.ts';

/*
 * Mails about the account itself: sign-up (and its twin for an address that has an account already, so
 * that the sign-up form answers the same either way), password reset, and e-mail change (a link to the
 * new address, a notice to the old one). Each in Japanese or English, text and HTML.
 */

type Language = 'ja' | 'en';

/** The parts of an account mail: paragraphs and buttons in order, then a muted note. */
interface AccountMailParts {
  subject: string;
  blocks: Array<{ text: string } | { label: string; url: string }>;
  note: string;
}

function render(language: Language, parts: AccountMailParts, help?: MailHelp): RenderedMail {
  const subject = oneLine(parts.subject);
  const foot = footer(language, help);
  const text = [
    ...parts.blocks.map((b) => ('url' in b ? `▼${b.label}\n${b.url}` : b.text)),
    parts.note,
    `--\n${foot}`,
  ].join('\n\n');
  const blocks: HtmlBlock[] = [
    ...parts.blocks.map((b): HtmlBlock =>
      'url' in b ? { kind: 'button', label: b.label, url: b.url } : { kind: 'paragraph', text: b.text },
    ),
    { kind: 'paragraph', text: parts.note, muted: true },
  ];
  return { subject, text, html: renderHtmlMail({ language, title: subject, blocks, footer: foot }) };
}

/** The subject of both sign-up mails (the guide's wording in Japanese). */
export const SIGNUP_SUBJECT: Record<Language, string> = {
  ja: '【Inkan】アカウント登録のご案内',
  en: '[Inkan] Your account registration',
};

/** The sign-up mail: the button アカウント登録手続きへ leads to the registration form (one use, 24 h). */
export function renderSignupMail(m: {
  language: Language;
  url: string;
  validUntil: Date;
  help?: MailHelp;
}): RenderedMail {
  if (m.language === 'ja') {
    return render(
      'ja',
      {
        subject: SIGNUP_SUBJECT.ja,
        blocks: [
          { text: 'Inkanのアカウント登録のお申し込みを受け付けました。\n下のボタンから登録手続きを進めてください。' },
          { label: 'アカウント登録手続きへ', url: m.url },
          { text: `このURLは一度だけ使えます。有効期限: ${formatMailTime(m.validUntil, 'ja')}` },
        ],
        note: 'お心当たりがない場合は、このメールを破棄してください。アカウントは作成されません。',
      },
      m.help,
    );
  }
  return render(
    'en',
    {
      subject: SIGNUP_SUBJECT.en,
      blocks: [
        { text: 'We received a request to create an Inkan account for this address.\nContinue with the button below.' },
        { label: 'Continue to account registration', url: m.url },
        { text: `The link works once. Valid until: ${formatMailTime(m.validUntil, 'en')}` },
      ],
      note: 'If you did not ask for this, ignore this mail: no account is created.',
    },
    m.help,
  );
}

/** Sent instead of the sign-up mail when the address has an account already: sign in or reset the password. */
export function renderSignupExistingMail(m: {
  language: Language;
  signInUrl: string;
  resetUrl: string;
  help?: MailHelp;
}): RenderedMail {
  if (m.language === 'ja') {
    return render(
      'ja',
      {
        subject: SIGNUP_SUBJECT.ja,
        blocks: [
          {
            text: 'アカウント登録のお申し込みがありましたが、このメールアドレスのInkanアカウントはすでに登録されています。\nログインしてご利用ください。パスワードをお忘れの場合は再設定できます。',
          },
          { label: 'ログイン', url: m.signInUrl },
          { label: 'パスワードを再設定する', url: m.resetUrl },
        ],
        note: 'お心当たりがない場合は、このメールを破棄してください。アカウントに変更はありません。',
      },
      m.help,
    );
  }
  return render(
    'en',
    {
      subject: SIGNUP_SUBJECT.en,
      blocks: [
        {
          text: 'Someone asked to create an Inkan account for this address, but you already have one.\nSign in, or reset your password if you forgot it.',
        },
        { label: 'Sign in', url: m.signInUrl },
        { label: 'Reset the password', url: m.resetUrl },
      ],
      note: 'If you did not ask for this, ignore this mail: nothing about your account changed.',
    },
    m.help,
  );
}

/** The password-reset mail (one use, 1 h). */
export function renderPasswordResetMail(m: {
  language: Language;
  url: string;
  validUntil: Date;
  help?: MailHelp;
}): RenderedMail {
  if (m.language === 'ja') {
    return render(
      'ja',
      {
        subject: '【Inkan】パスワード再設定のご案内',
        blocks: [
          {
            text: 'パスワード再設定のお申し込みを受け付けました。\n下のボタンから新しいパスワードを設定してください。設定すると、ログイン中のすべての端末からログアウトします。',
          },
          { label: 'パスワードを再設定する', url: m.url },
          { text: `このURLは一度だけ使えます。有効期限: ${formatMailTime(m.validUntil, 'ja')}` },
        ],
        note: 'お心当たりがない場合は、このメールを破棄してください。パスワードは変わりません。',
      },
      m.help,
    );
  }
  return render(
    'en',
    {
      subject: '[Inkan] Reset your password',
      blocks: [
        {
          text: 'We received a request to reset your Inkan password.\nSet a new one with the button below. Doing so signs you out everywhere.',
        },
        { label: 'Reset the password', url: m.url },
        { text: `The link works once. Valid until: ${formatMailTime(m.validUntil, 'en')}` },
      ],
      note: 'If you did not ask for this, ignore this mail: your password stays as it is.',
    },
    m.help,
  );
}

/** To the new address: confirm the change of the account's e-mail address (one use, 24 h). */
export function renderEmailChangeMail(m: {
  language: Language;
  url: string;
  validUntil: Date;
  help?: MailHelp;
}): RenderedMail {
  if (m.language === 'ja') {
    return render(
      'ja',
      {
        subject: '【Inkan】メールアドレス変更の確認',
        blocks: [
          {
            text: 'Inkanアカウントのメールアドレスをこのアドレスに変更するお申し込みを受け付けました。\n下のボタンを押すと変更が完了します。',
          },
          { label: 'メールアドレスを変更する', url: m.url },
          { text: `このURLは一度だけ使えます。有効期限: ${formatMailTime(m.validUntil, 'ja')}` },
        ],
        note: 'お心当たりがない場合は、このメールを破棄してください。変更は行われません。',
      },
      m.help,
    );
  }
  return render(
    'en',
    {
      subject: '[Inkan] Confirm your new e-mail address',
      blocks: [
        {
          text: 'We received a request to change the e-mail address of an Inkan account to this address.\nThe button below completes the change.',
        },
        { label: 'Change the e-mail address', url: m.url },
        { text: `The link works once. Valid until: ${formatMailTime(m.validUntil, 'en')}` },
      ],
      note: 'If you did not ask for this, ignore this mail: nothing changes.',
    },
    m.help,
  );
}

/** To the old address: the account's e-mail address was changed. */
export function renderEmailChangedMail(m: {
  language: Language;
  newEmail: string;
  at: Date;
  help?: MailHelp;
}): RenderedMail {
  if (m.language === 'ja') {
    return render(
      'ja',
      {
        subject: '【Inkan】メールアドレスが変更されました',
        blocks: [
          {
            text: `${formatMailTime(m.at, 'ja')}に、Inkanアカウントのメールアドレスが ${m.newEmail} に変更されました。今後のお知らせは新しいアドレスに届きます。`,
          },
          {
            text: 'お心当たりがない場合は、アカウントが不正に使われたおそれがあります。すぐにInkanの運営者にご連絡ください。',
          },
        ],
        note: 'このメールは変更前のアドレスにお送りしています。',
      },
      m.help,
    );
  }
  return render(
    'en',
    {
      subject: '[Inkan] Your e-mail address was changed',
      blocks: [
        {
          text: `On ${formatMailTime(m.at, 'en')} the e-mail address of your Inkan account was changed to ${m.newEmail}. Mail now goes to the new address.`,
        },
        { text: 'If this was not you, your account may be misused: tell the operator of this Inkan at once.' },
      ],
      note: 'This notice goes to the previous address.',
    },
    m.help,
  );
}
