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

/** How to check the signatures of the downloaded PDFs (the verify page, or Reader with the root trusted). */
function howToCheck(m: CompletionMail, language: 'ja' | 'en'): string {
  const steps = `${m.help.url}#adobe-reader`;
  return language === 'ja'
    ? `署名の確認方法\nダウンロードしたPDFには、署名者ごとの電子署名とタイムスタンプが付いています。\n・検証ページ（${m.verifyUrl}）にPDFをドロップすると、署名・タイムスタンプと、署名後の改ざんの有無を確認できます（アカウント不要）。\n・Adobe Acrobat Readerで署名を「有効」と表示させるには、Inkanのルート証明書（${m.rootCertificateUrl}）を信頼済み証明書に追加してください。手順: ${steps}`
    : `How to check the signatures\nThe PDFs carry one electronic signature and timestamp per signer.\n- Drop a PDF on the verification page (${m.verifyUrl}) to see each signature and timestamp and whether anything changed after signing (no account needed).\n- For Adobe Acrobat Reader to show the signatures as valid, add the Inkan root certificate (${m.rootCertificateUrl}) to its trusted certificates. Steps: ${steps}`;
}

/** The completion mail with its ダウンロード link. */
export function renderCompletion(m: CompletionMail): RenderedMail {
  if (m.language === 'ja') {
    const subject = '電子署名完了のお知らせ';
    const intro = `${m.recipientName} 様\n\n${m.organizationName}様の「${m.envelopeName}」について、すべての署名者の電子署名が完了しました。\n下記の「ダウンロード」から締結済みの文書をダウンロードしてください。`;
    const validity = `※ダウンロードの有効期限は${formatValidity(m.validForMs, 'ja')}（${formatMailTime(m.validUntil, 'ja')}まで）です。期限内に必ずダウンロードを行ってください。期限を過ぎた場合は、署名依頼元にご連絡ください。`;
    const facts: Array<[string, string]> = [
      ['文書', m.envelopeName],
      ['締結証明書ID', m.certificateId],
      ...(m.certificateAttached
        ? [['添付ファイル', '契約締結証明書（PDF、署名・タイムスタンプ付き）'] as [string, string]]
        : []),
    ];
    const claim = m.claimUrl
      ? `「Inkanで保管」から、締結済みの文書と契約締結証明書を無料のInkanアカウントに保管できます（期限なく閲覧・ダウンロードできます）。保管可能期間は${formatValidity(m.claimValidForMs ?? 0, 'ja')}（${formatMailTime(m.claimValidUntil ?? m.validUntil, 'ja')}まで）です。`
      : undefined;
    const check = howToCheck(m, 'ja');
    const contact = m.sender ? senderContactText(m.sender, 'ja') : undefined;
    const foot = footer('ja', m.help, { repliesToSender: Boolean(m.sender?.email) });
    const text = [
      intro,
      `ダウンロード:\n${m.downloadUrl}`,
      ...(claim ? [`Inkanで保管:\n${m.claimUrl}\n${claim}`] : []),
      validity,
      facts.map(([k, v]) => `${k}: ${v}`).join('\n'),
      check,
      ...(contact ? [contact] : []),
      `--\n${foot}`,
    ].join('\n\n');
    const blocks: HtmlBlock[] = [
      { kind: 'paragraph', text: intro },
      { kind: 'button', label: 'ダウンロード', url: m.downloadUrl },
      ...(claim && m.claimUrl
        ? [
            { kind: 'button', label: 'Inkanで保管', url: m.claimUrl } as HtmlBlock,
            { kind: 'paragraph', text: claim } as HtmlBlock,
          ]
        : []),
      { kind: 'paragraph', text: validity },
      { kind: 'facts', rows: facts },
      { kind: 'paragraph', text: check },
      ...(contact ? ([{ kind: 'paragraph', text: contact }] as HtmlBlock[]) : []),
    ];
    return { subject, text, html: renderHtmlMail({ language: 'ja', title: subject, blocks, footer: foot }) };
  }
  const subject = oneLine(`Signing completed: "${m.envelopeName}"`);
  const intro = `Dear ${m.recipientName},\n\nEveryone has signed "${m.envelopeName}" from ${m.organizationName}.\nDownload the signed documents with the link below.`;
  const validity = `The download link is valid for ${formatValidity(m.validForMs, 'en')} (until ${formatMailTime(m.validUntil, 'en')}). Please download the documents before then; afterwards, contact the sender.`;
  const facts: Array<[string, string]> = [
    ['Documents', m.envelopeName],
    ['Certificate ID', m.certificateId],
    ...(m.certificateAttached
      ? [['Attached', 'Certificate of completion (PDF, signed and timestamped)'] as [string, string]]
      : []),
  ];
  const claim = m.claimUrl
    ? `With "Store in Inkan" you keep the signed documents and the certificate of completion in a free Inkan account, with no expiry. Storing is possible for ${formatValidity(m.claimValidForMs ?? 0, 'en')} (until ${formatMailTime(m.claimValidUntil ?? m.validUntil, 'en')}).`
    : undefined;
  const check = howToCheck(m, 'en');
  const contact = m.sender ? senderContactText(m.sender, 'en') : undefined;
  const foot = footer('en', m.help, { repliesToSender: Boolean(m.sender?.email) });
  const text = [
    intro,
    `Download:\n${m.downloadUrl}`,
    ...(claim ? [`Store in Inkan (Inkanで保管):\n${m.claimUrl}\n${claim}`] : []),
    validity,
    facts.map(([k, v]) => `${k}: ${v}`).join('\n'),
    check,
    ...(contact ? [contact] : []),
    `--\n${foot}`,
  ].join('\n\n');
  const blocks: HtmlBlock[] = [
    { kind: 'paragraph', text: intro },
    { kind: 'button', label: 'Download', url: m.downloadUrl },
    ...(claim && m.claimUrl
      ? [
          { kind: 'button', label: 'Store in Inkan (Inkanで保管)', url: m.claimUrl } as HtmlBlock,
          { kind: 'paragraph', text: claim } as HtmlBlock,
        ]
      : []),
    { kind: 'paragraph', text: validity },
    { kind: 'facts', rows: facts },
    { kind: 'paragraph', text: check },
    ...(contact ? ([{ kind: 'paragraph', text: contact }] as HtmlBlock[]) : []),
  ];
  return { subject, text, html: renderHtmlMail({ language: 'en', title: subject, blocks, footer: foot }) };
}
