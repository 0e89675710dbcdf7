import { formatMessage, type MessageKey, type MessageVars } from '@inkan/core/messages';
import { footer, formatMailTime, type RenderedMail } from './format.ts';
import { renderHtmlMail, type HtmlBlock } from './html.ts';
import { oneLine } from './signing-request.ts';

/** What the invitation mail says. */
export interface InvitationMail {
  language: 'ja' | 'en';
  organizationName: string;
  inviterName: string | null;
  role: 'admin' | 'member' | 'viewer';
  url: string;
  validUntil: Date;
  /** 組織情報: contacts and logo, when set. */
  supportContact: string | null;
  logoUrl: string | null;
}

/** The invitation to join an organisation (button 招待を受ける; one use, 7 days). Every value is escaped in HTML. */
export function renderInvitationMail(m: InvitationMail): RenderedMail {
  const say = (key: MessageKey, vars?: MessageVars) => formatMessage(m.language, key, vars);
  const organization = m.organizationName;
  const role = say(`mail.invitation.role.${m.role}`);
  const subject = oneLine(say('mail.invitation.subject', { organization }));
  const intro = m.inviterName
    ? say('mail.invitation.introBy', { inviter: m.inviterName, organization, role })
    : say('mail.invitation.intro', { organization, role });
  const label = say('mail.invitation.accept');
  const validity = say('mail.link.oneUse', { until: formatMailTime(m.validUntil, m.language) });
  const support = m.supportContact ? say('mail.contact.support', { contact: m.supportContact }) : null;
  const note = say('mail.notExpected');
  const text = [
    intro,
    `▼${label}\n${m.url}`,
    validity,
    ...(support ? [support] : []),
    note,
    `--\n${footer(m.language)}`,
  ].join('\n\n');
  const blocks: HtmlBlock[] = [
    { kind: 'paragraph', text: intro },
    { kind: 'button', label, url: m.url },
    { kind: 'paragraph', text: validity },
    ...(support ? [{ kind: 'paragraph' as const, text: support }] : []),
    { kind: 'paragraph', text: note, muted: true },
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
