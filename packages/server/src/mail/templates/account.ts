import { formatMessage, type MessageKey, type MessageVars } from '@inkan/core/messages';
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

/** A catalog entry in the mail's language. */
const say = (language: Language, key: MessageKey, vars?: MessageVars): string => formatMessage(language, key, vars);
/** 「このURLは一度だけ使えます。有効期限: …」 */
const oneUseLink = (language: Language, until: Date) =>
  say(language, 'mail.link.oneUse', { until: formatMailTime(until, language) });

/** The subject of both sign-up mails (the guide's wording in Japanese). */
export const SIGNUP_SUBJECT: Record<Language, string> = {
  ja: say('ja', 'mail.account.signup.subject'),
  en: say('en', 'mail.account.signup.subject'),
};

/** The sign-up mail: the button アカウント登録手続きへ leads to the registration form (one use, 24 h). */
export function renderSignupMail(m: {
  language: Language;
  url: string;
  validUntil: Date;
  help?: MailHelp;
}): RenderedMail {
  const l = m.language;
  return render(
    l,
    {
      subject: SIGNUP_SUBJECT[l],
      blocks: [
        { text: say(l, 'mail.account.signup.body') },
        { label: say(l, 'mail.account.signup.button'), url: m.url },
        { text: oneUseLink(l, m.validUntil) },
      ],
      note: say(l, 'mail.account.signup.note'),
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
  const l = m.language;
  return render(
    l,
    {
      subject: SIGNUP_SUBJECT[l],
      blocks: [
        { text: say(l, 'mail.account.signupExisting.body') },
        { label: say(l, 'mail.account.signupExisting.signIn'), url: m.signInUrl },
        { label: say(l, 'mail.account.reset.button'), url: m.resetUrl },
      ],
      note: say(l, 'mail.account.signupExisting.note'),
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
  const l = m.language;
  return render(
    l,
    {
      subject: say(l, 'mail.account.reset.subject'),
      blocks: [
        { text: say(l, 'mail.account.reset.body') },
        { label: say(l, 'mail.account.reset.button'), url: m.url },
        { text: oneUseLink(l, m.validUntil) },
      ],
      note: say(l, 'mail.account.reset.note'),
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
  const l = m.language;
  return render(
    l,
    {
      subject: say(l, 'mail.account.emailChange.subject'),
      blocks: [
        { text: say(l, 'mail.account.emailChange.body') },
        { label: say(l, 'mail.account.emailChange.button'), url: m.url },
        { text: oneUseLink(l, m.validUntil) },
      ],
      note: say(l, 'mail.account.emailChange.note'),
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
  const l = m.language;
  return render(
    l,
    {
      subject: say(l, 'mail.account.emailChanged.subject'),
      blocks: [
        { text: say(l, 'mail.account.emailChanged.body', { at: formatMailTime(m.at, l), email: m.newEmail }) },
        { text: say(l, 'mail.account.emailChanged.warning') },
      ],
      note: say(l, 'mail.account.emailChanged.note'),
    },
    m.help,
  );
}
