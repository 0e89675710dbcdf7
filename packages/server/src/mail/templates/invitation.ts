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

const ROLE_LABEL = {
  ja: { admin: '管理者', member: 'メンバー', viewer: '閲覧者' },
  en: { admin: 'administrator', member: 'member', viewer: 'viewer' },
} as const;

/** The invitation to join an organisation (button 招待を受ける; one use, 7 days). Every value is escaped in HTML. */
export function renderInvitationMail(m: InvitationMail): RenderedMail {
  const ja = m.language === 'ja';
  const role = ROLE_LABEL[m.language][m.role];
  const subject = oneLine(
    ja ? `【Inkan】${m.organizationName}への招待が届いています` : `[Inkan] You are invited to ${m.organizationName}`,
  );
  const intro = ja
    ? `${m.inviterName ? `${m.inviterName}様から、` : ''}Inkan の「${m.organizationName}」に${role}として招待されました。\n下のボタンから招待を受けてください。`
    : `${m.inviterName ? `${m.inviterName} has invited you` : 'You are invited'} to join "${m.organizationName}" on Inkan as ${role === 'administrator' ? 'an' : 'a'} ${role}.\nAccept with the button below.`;
  const label = ja ? '招待を受ける' : 'Accept the invitation';
  const validity = ja
    ? `このURLは一度だけ使えます。有効期限: ${formatMailTime(m.validUntil, 'ja')}`
    : `The link works once. Valid until: ${formatMailTime(m.validUntil, 'en')}`;
  const support = m.supportContact
    ? ja
      ? `お問い合わせ先: ${m.supportContact}`
      : `Contact: ${m.supportContact}`
    : null;
  const note = ja
    ? 'お心当たりがない場合は、このメールを破棄してください。'
    : 'If you did not expect this, ignore this mail.';
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
