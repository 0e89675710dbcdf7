import { formatMessage, type MessageKey, type MessageVars } from '@inkan/core/messages';
import {
  footer,
  formatMailTime,
  formatValidity,
  senderContactText,
  type MailHelp,
  type MailSenderContact,
  type RenderedMail,
} from './format.ts';
import { renderHtmlMail, type HtmlBlock } from './html.ts';
import { oneLine } from './signing-request.ts';

/** What the completion mail (電子署名完了のお知らせ) says. */
export interface CompletionMail {
  language: 'ja' | 'en';
  organizationName: string;
  envelopeName: string;
  certificateId: string;
  recipientName: string;
  /** `${INKAN_PUBLIC_URL}/d/{token}`. */
  downloadUrl: string;
  validUntil: Date;
  /** INKAN_DOWNLOAD_TTL, for "valid for 14 days". */
  validForMs: number;
  /** The certificate of completion is attached (the organisation's setting). */
  certificateAttached?: boolean;
  /** `${INKAN_PUBLIC_URL}/claim/{token}` (recipients only): 保管 into the recipient's free account. */
  claimUrl?: string;
  claimValidUntil?: Date;
  /** INKAN_CLAIM_TTL, for "within 30 days". */
  claimValidForMs?: number;
  /** `${INKAN_PUBLIC_URL}/verify`: where anyone checks the signatures without an account. */
  verifyUrl: string;
  /** `${INKAN_PUBLIC_URL}/pki/ca/root.cer` (DER, which Reader imports): the trust anchor to add to Adobe Acrobat Reader. */
  rootCertificateUrl: string;
  help: MailHelp;
  /** For recipients: whom to ask (and the mail's Reply-To); absent in the sender's own copy. */
  sender?: MailSenderContact;
}

/** The completion mail with its ダウンロード link, in the catalog's words. */
export function renderCompletion(m: CompletionMail): RenderedMail {
  const language = m.language;
  const say = (key: MessageKey, vars?: MessageVars) => formatMessage(language, key, vars);
  const envelope = m.envelopeName;
  const subject = oneLine(say('mail.completion.subject', { envelope }));
  const intro = say('mail.completion.intro', {
    recipient: m.recipientName,
    organization: m.organizationName,
    envelope,
  });
  const validity = say('mail.completion.validity', {
    period: formatValidity(m.validForMs, language),
    until: formatMailTime(m.validUntil, language),
  });
  const facts: Array<[string, string]> = [
    [say('mail.completion.documents'), envelope],
    [say('mail.completion.certificateId'), m.certificateId],
    ...(m.certificateAttached
      ? [[say('mail.completion.attached'), say('mail.completion.attachedCertificate')] as [string, string]]
      : []),
  ];
  const claim = m.claimUrl
    ? say('mail.completion.claim', {
        period: formatValidity(m.claimValidForMs ?? 0, language),
        until: formatMailTime(m.claimValidUntil ?? m.validUntil, language),
      })
    : undefined;
  // How to check the signatures of the downloaded PDFs (the verify page, or Reader with the root trusted).
  const check = say('mail.completion.howToCheck', {
    verifyUrl: m.verifyUrl,
    rootUrl: m.rootCertificateUrl,
    steps: `${m.help.url}#adobe-reader`,
  });
  const contact = m.sender ? senderContactText(m.sender, language) : undefined;
  const foot = footer(language, m.help, { repliesToSender: Boolean(m.sender?.email) });
  const download = say('mail.completion.download');
  const store = say('mail.completion.store');
  const text = [
    intro,
    `${download}:\n${m.downloadUrl}`,
    ...(claim ? [`${store}:\n${m.claimUrl}\n${claim}`] : []),
    validity,
    facts.map(([k, v]) => `${k}: ${v}`).join('\n'),
    check,
    ...(contact ? [contact] : []),
    `--\n${foot}`,
  ].join('\n\n');
  const blocks: HtmlBlock[] = [
    { kind: 'paragraph', text: intro },
    { kind: 'button', label: download, url: m.downloadUrl },
    ...(claim && m.claimUrl
      ? [
          { kind: 'button', label: store, url: m.claimUrl } as HtmlBlock,
          { kind: 'paragraph', text: claim } as HtmlBlock,
        ]
      : []),
    { kind: 'paragraph', text: validity },
    { kind: 'facts', rows: facts },
    { kind: 'paragraph', text: check },
    ...(contact ? ([{ kind: 'paragraph', text: contact }] as HtmlBlock[]) : []),
  ];
  return { subject, text, html: renderHtmlMail({ language, title: subject, blocks, footer: foot }) };
}
