import {
  formatMessage,
  inBothLanguages,
  inBothLanguagesJoined,
  type MessageKey,
  type MessageVars,
} from '@inkan/core/messages';
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
  const support = m.supportContact
    ? formatMessage(m.language, 'mail.contact.support', { contact: m.supportContact })
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
  const say = (key: MessageKey, vars?: MessageVars) => formatMessage(m.language, key, vars);
  const organization = m.organizationName;
  return render(m, oneLine(say('mail.registration.request.subject', { organization })), {
    intro: say('mail.registration.request.intro', {
      company: m.companyName,
      person: m.personName,
      organization,
      requester: m.requesterName ? say('mail.registration.request.requester', { name: m.requesterName }) : '',
    }),
    button: { label: say('mail.registration.request.button'), url: m.url },
    paragraphs: [
      say('mail.registration.request.secrecy', { organization }),
      say('mail.link.oneUse', { until: formatMailTime(m.validUntil, m.language) }),
    ],
    note: say('mail.notExpected'),
  });
}

/** The confirmation after a registration: who was registered, when, and how to change it (never the code). */
export function renderRegistrationConfirmedMail(m: RegistrationConfirmedMail): RenderedMail {
  const say = (key: MessageKey, vars?: MessageVars) => formatMessage(m.language, key, vars);
  const organization = m.organizationName;
  return render(m, oneLine(say('mail.registration.confirmed.subject', { organization })), {
    intro: say('mail.registration.confirmed.intro', {
      organization,
      company: m.companyName,
      signer: m.signerName,
      email: m.signerEmail,
      at: formatMailTime(m.registeredAt, m.language),
    }),
    paragraphs: [
      say('mail.registration.confirmed.usage', { organization }),
      say('mail.registration.confirmed.change', { organization }),
    ],
    note: say('mail.registration.confirmed.notExpected', { organization }),
  });
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
  const vars = { company: m.companyName, person: m.personName, signer: m.signerName, email: m.signerEmail };
  const subject = oneLine(formatMessage('ja', 'mail.registration.notice.subject', { company: m.companyName }));
  const intro = inBothLanguages('mail.registration.notice.intro', vars);
  const usage = inBothLanguages('mail.registration.notice.usage');
  const note = inBothLanguages('mail.registration.notice.sentTo', { organization: m.organizationName });
  const support = m.supportContact ? [`${inBothLanguagesJoined('mail.contact.label')}: ${m.supportContact}`] : [];
  const button = { label: inBothLanguagesJoined('mail.registration.notice.button'), url: m.addressBookUrl };
  const text = [
    intro.ja,
    `▼${button.label}\n${button.url}`,
    usage.ja,
    '----',
    intro.en,
    usage.en,
    ...support,
    `${note.ja}\n${note.en}`,
    `--\n${footer('ja')}`,
  ].join('\n\n');
  const blocks: HtmlBlock[] = [
    { kind: 'paragraph', text: intro.ja },
    { kind: 'button', label: button.label, url: button.url },
    { kind: 'paragraph', text: usage.ja },
    { kind: 'paragraph', text: intro.en },
    { kind: 'paragraph', text: usage.en },
    ...support.map((text) => ({ kind: 'paragraph' as const, text })),
    { kind: 'paragraph', text: `${note.ja}\n${note.en}`, muted: true },
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
