// The certificate of completion (契約締結証明書): an A4 PDF, Japanese with English beneath, that
// lets a reader of a printed contract check it against the signed files. The caller signs and
// seals it (signPdf, sealPdf) like any document.
import { CoreError } from '../errors.ts';
import { formatJst, formatJstUtc, formatUtcInParentheses } from './format-time.ts';
import { PageFlow, cellLines, rowHeight, type Line, type Row, type TextStyle } from './layout.ts';
import { wrapText } from './line-wrap.ts';
import { A4, buildTextPdf, type PageCanvas } from './pdf-builder.ts';
import { TextMetrics } from './text-metrics.ts';

export interface CompletionCertificateData {
  /** The ID stamped bottom-left on page 1 of every signed document, e.g. IK-7F3A-92KD-XW4P. */
  certificateId: string;
  envelope: { id: string; name: string; createdAt: Date; sentAt: Date; completedAt: Date };
  sender: { organization: string; name: string; email: string };
  documents: Array<{ name: string; pages: number; sha256Original: string; sha256Signed: string }>;
  parties: Array<{
    name: string;
    email: string;
    authentication: string;
    ip: string | null;
    userAgent: string | null;
    signedAt: Date;
    /** The party's fields as drawn into the documents (issue 11 part 4), e.g. "契約書.pdf 2ページ 日付: 2026年12月6日". */
    fields?: string[];
  }>;
  /** 受信者 (CC): received the completion mail and the download; they did not sign. */
  ccRecipients?: Array<{ name: string; email: string }>;
  /**
   * 稟議 (internal approval) before sending, every round and approver in route order: who, the decision
   * as printed (e.g. "承認 (approved)"), when, and the comment or reason. Left out: no section.
   */
  approvals?: Array<{
    round: number;
    routeName: string;
    step: number;
    stepMode: string;
    name: string;
    email: string;
    decision: string;
    decidedAt: Date | null;
    comment: string | null;
  }>;
  events: Array<{ at: Date; actor: string; action: string; ip?: string | null }>;
  /** The public verification page, e.g. https://host/verify. */
  verification: { url: string };
  issuedAt: Date;
}

export const CERTIFICATE_TITLE = '契約締結証明書';

const MM = 72 / 25.4;
const MARGIN = 20 * MM;
const LEFT = MARGIN;
const WIDTH = A4.width - 2 * MARGIN;
const TOP = A4.height - MARGIN;
/** The footer lives inside the bottom margin's edge: content stops above it. */
const FOOTER_BASELINE = MARGIN + 2.5;
const FOOTER_RULE = MARGIN + 13;
const BODY_BOTTOM = MARGIN + 24;
const RUNNING_HEADER_HEIGHT = 24;

const style = (weight: 'regular' | 'bold', size: number, gray: number, leading: number): TextStyle => ({
  weight,
  size,
  gray,
  leading,
});
const S = {
  title: style('bold', 21, 0, 28),
  subtitle: style('regular', 10, 0.35, 14),
  idLabel: style('regular', 7.5, 0.35, 10),
  idValue: style('bold', 13, 0, 17),
  heading: style('bold', 11.5, 0, 16),
  headingEn: style('regular', 8, 0.4, 16),
  labelJa: style('regular', 8.5, 0.2, 11.5),
  labelEn: style('regular', 6.5, 0.45, 8.5),
  value: style('regular', 9, 0, 13),
  valueBold: style('bold', 9.5, 0, 13.5),
  hash: style('regular', 8.5, 0, 12.5),
  blockTitle: style('bold', 10, 0, 14),
  blockLabel: style('bold', 8.5, 0.2, 12),
  tableHead: style('bold', 7.5, 0.15, 10.5),
  tableHeadEn: style('regular', 6.5, 0.45, 9),
  cell: style('regular', 8, 0, 11.5),
  cellMuted: style('regular', 8, 0.4, 11.5),
  paraJa: style('regular', 9, 0.05, 14.5),
  paraEn: style('regular', 8, 0.35, 12),
  running: style('regular', 7.5, 0.4, 10),
  footer: style('regular', 7.5, 0.3, 10),
  pageNumber: style('regular', 8, 0.2, 10),
};

const LABEL_COLUMN = 132;
const LABEL_VALUE = [LABEL_COLUMN, WIDTH - LABEL_COLUMN];
const ROW_RULE = { width: 0.4, gray: 0.8 };
const BAND_GRAY = 0.93;
/** No. | time | actor | action | IP. */
const EVENT_COLUMNS = [24, 122, 120, WIDTH - 24 - 122 - 120 - 82, 82];

/** Renders the certificate of completion as a PDF (A4 portrait, Noto Sans JP embedded, unsigned). */
export function renderCompletionCertificate(data: CompletionCertificateData): Uint8Array {
  validate(data);
  const metrics = new TextMetrics();
  const c = (text: string): string => metrics.clean(text);
  const certificateId = data.certificateId;

  const flow = new PageFlow(
    { pageWidth: A4.width, pageHeight: A4.height, left: LEFT, bottom: BODY_BOTTOM },
    (index) => (index === 0 ? TOP : TOP - RUNNING_HEADER_HEIGHT),
    (page, index) => {
      if (index > 0) drawRunningHeader(page);
    },
  );
  const pieces = (...items: Array<[string, TextStyle]>) => items.map(([text, s]) => ({ text, style: s }));
  const cell = (width: number, ...items: Array<[string, TextStyle]>): Line[] =>
    cellLines(metrics, width - 8, pieces(...items));
  const labelValue = (ja: string, en: string, value: string, valueStyle: TextStyle = S.value): Row => ({
    columns: LABEL_VALUE,
    cells: [cell(LABEL_VALUE[0], [ja, S.labelJa], [en, S.labelEn]), cell(LABEL_VALUE[1], [value, valueStyle])],
    continuation: cell(LABEL_VALUE[0], [`${ja}（続き）`, S.labelJa], [`${en} (continued)`, S.labelEn]),
    padTop: 4,
    padBottom: 4,
    padX: 4,
    ruleBelow: ROW_RULE,
  });
  const blockHeader = (ja: string, en: string, title: string): Row => ({
    columns: LABEL_VALUE,
    cells: [cell(LABEL_VALUE[0], [ja, S.blockLabel], [en, S.labelEn]), cell(LABEL_VALUE[1], [title, S.blockTitle])],
    padTop: 5,
    padBottom: 5,
    padX: 4,
    fillGray: BAND_GRAY,
    ruleBelow: ROW_RULE,
  });
  const heading = (number: number, ja: string, en: string, keepWith: number): void => {
    flow.gap(14);
    flow.ensure(24 + keepWith);
    const baseline = flow.y - 14;
    const label = `${number}. ${ja}`;
    flow.page.text(LEFT, baseline, label, S.heading);
    flow.page.text(LEFT + metrics.width(label, 'bold', S.heading.size) + 8, baseline, en, S.headingEn);
    flow.page.line(LEFT, flow.y - 20, LEFT + WIDTH, flow.y - 20, 0.9, 0.15);
    flow.y -= 24;
  };
  const paragraph = (items: Array<[string, TextStyle]>, indent = 0): Row => ({
    columns: indent > 0 ? [indent, WIDTH - indent] : [WIDTH],
    cells:
      indent > 0
        ? [[], cellLines(metrics, WIDTH - indent, pieces(...items))]
        : [cellLines(metrics, WIDTH, pieces(...items))],
    padTop: 0,
    padBottom: 6,
    padX: 0,
  });

  drawTitleBlock(flow, metrics, certificateId);
  flow.placeRows([
    paragraph([
      [
        '本証明書は、電子契約サービス Inkan の記録に基づき、下記の文書について、下記の署名者全員による電子署名が完了したことを証明するものです。',
        S.paraJa,
      ],
      [
        'This certificate attests, from the records of the Inkan electronic contract service, that every party listed below has electronically signed the documents listed below.',
        S.paraEn,
      ],
    ]),
  ]);

  // 1. Summary
  const summary: Row[] = [
    labelValue('締結証明書ID', 'Certificate ID', certificateId, S.valueBold),
    labelValue('封筒名', 'Envelope name', c(data.envelope.name), S.valueBold),
    labelValue('封筒ID', 'Envelope ID', c(data.envelope.id)),
    labelValue('送信元組織', 'Sender organization', c(data.sender.organization)),
    labelValue('送信者', 'Sender', `${c(data.sender.name)} <${c(data.sender.email)}>`),
    labelValue('作成日時', 'Created', formatJstUtc(data.envelope.createdAt)),
    labelValue('送信日時', 'Sent', formatJstUtc(data.envelope.sentAt)),
    labelValue('締結日時', 'Completed', formatJstUtc(data.envelope.completedAt)),
    labelValue('証明書発行日時', 'Certificate issued', formatJstUtc(data.issuedAt)),
  ];
  heading(1, '契約の概要', 'Summary', 60);
  flow.placeRows(summary, { keepTogether: true });

  // 2. Documents
  const documentBlocks = data.documents.map((d, i) => [
    blockHeader(`文書 ${i + 1}`, `Document ${i + 1}`, c(d.name)),
    labelValue('ページ数', 'Pages', `${d.pages} ページ (${d.pages} ${d.pages === 1 ? 'page' : 'pages'})`),
    labelValue('原本の SHA-256', 'SHA-256 of the original', d.sha256Original.toLowerCase(), S.hash),
    labelValue('署名済みファイルの SHA-256', 'SHA-256 of the signed file', d.sha256Signed.toLowerCase(), S.hash),
  ]);
  heading(2, '対象文書', 'Documents', firstBlockHeight(documentBlocks));
  placeBlocks(
    flow,
    documentBlocks,
    paragraph([
      ['（なし）', S.value],
      ['(none)', S.paraEn],
    ]),
  );

  // 3. Parties
  const partyBlocks = data.parties.map((p, i) => [
    blockHeader(`署名者 ${i + 1}`, `Party ${i + 1}`, c(p.name)),
    labelValue('メールアドレス', 'E-mail', c(p.email)),
    labelValue('本人確認の方法', 'Authentication', c(p.authentication)),
    labelValue('IPアドレス', 'IP address', p.ip ? c(p.ip) : '記録なし (not recorded)'),
    labelValue('ユーザーエージェント', 'User agent', p.userAgent ? c(p.userAgent) : '記録なし (not recorded)'),
    labelValue('署名日時', 'Signed at', formatJstUtc(p.signedAt), S.valueBold),
    ...(p.fields ?? []).map((f) => labelValue('入力項目', 'Field', c(f))),
  ]);
  // CC recipients follow the signers in the same section: named, and marked as not signing.
  partyBlocks.push(
    ...(data.ccRecipients ?? []).map((r, i) => [
      blockHeader(`受信者 (CC) ${i + 1}`, `CC recipient ${i + 1}`, c(r.name)),
      labelValue('メールアドレス', 'E-mail', c(r.email)),
      labelValue(
        '役割',
        'Role',
        '署名なし・完了通知とダウンロードのみ (no signature; completion mail and download only)',
      ),
    ]),
  );
  heading(3, '署名者', 'Signing parties', firstBlockHeight(partyBlocks));
  placeBlocks(
    flow,
    partyBlocks,
    paragraph([
      ['（なし）', S.value],
      ['(none)', S.paraEn],
    ]),
  );

  // 4. Event history
  const head = (ja: string, en: string, i: number): Line[] =>
    cell(EVENT_COLUMNS[i], [ja, S.tableHead], [en, S.tableHeadEn]);
  const tableHeader: Row = {
    columns: EVENT_COLUMNS,
    cells: [
      head('No.', '', 0),
      head('日時', 'Time', 1),
      head('操作者', 'Actor', 2),
      head('操作', 'Action', 3),
      head('IPアドレス', 'IP address', 4),
    ],
    padTop: 4,
    padBottom: 4,
    padX: 4,
    fillGray: BAND_GRAY,
    ruleBelow: { width: 0.6, gray: 0.55 },
  };
  const eventRows: Row[] = data.events.map((e, i) => ({
    columns: EVENT_COLUMNS,
    cells: [
      cell(EVENT_COLUMNS[0], [String(i + 1), S.cellMuted]),
      cell(EVENT_COLUMNS[1], [`${formatJst(e.at)}\n${formatUtcInParentheses(e.at)}`, S.cell]),
      cell(EVENT_COLUMNS[2], [c(e.actor), S.cell]),
      cell(EVENT_COLUMNS[3], [c(e.action), S.cell]),
      cell(EVENT_COLUMNS[4], e.ip ? [c(e.ip), S.cell] : ['—', S.cellMuted]),
    ],
    padTop: 3.5,
    padBottom: 3.5,
    padX: 4,
    ruleBelow: ROW_RULE,
  }));
  // 4. Internal approval (稟議), only for envelopes that went through it; the later sections move down one.
  let section = 4;
  const approvals = data.approvals ?? [];
  if (approvals.length > 0) {
    const approvalBlocks = approvals.map((a) => [
      blockHeader(`承認 ${a.round}-${a.step}`, `Approval ${a.round}-${a.step}`, `${c(a.name)} <${c(a.email)}>`),
      labelValue('承認ルート', 'Approval route', `${c(a.routeName)}（${a.round}回目 / round ${a.round}）`),
      labelValue('ステップ', 'Step', `${a.step}: ${c(a.stepMode)}`),
      labelValue('判断', 'Decision', c(a.decision), S.valueBold),
      labelValue('日時', 'Decided at', a.decidedAt ? formatJstUtc(a.decidedAt) : '—'),
      ...(a.comment ? [labelValue('コメント・理由', 'Comment or reason', c(a.comment))] : []),
    ]);
    heading(section, '社内承認（稟議）', 'Internal approval', firstBlockHeight(approvalBlocks));
    placeBlocks(flow, approvalBlocks, paragraph([['（なし）', S.value]]));
    section += 1;
  }

  heading(section, '操作履歴', 'Event history', rowHeight(tableHeader) + (eventRows[0] ? rowHeight(eventRows[0]) : 0));
  if (eventRows.length === 0)
    flow.placeRows([
      paragraph([
        ['（記録なし）', S.value],
        ['(no events recorded)', S.paraEn],
      ]),
    ]);
  else {
    flow.drawRow(tableHeader);
    flow.placeRows(eventRows, { repeat: [tableHeader] });
  }

  // 5. How to verify
  const url = c(data.verification.url);
  const steps: Array<[string, string]> = [
    [
      `署名済みPDFを Adobe Acrobat Reader で開き、署名パネルで各署名とタイムスタンプが有効であることを確認してください。または検証ページ ${url} にPDFをアップロードすると、署名者、署名日時、タイムスタンプ、署名後の改変の有無が表示されます（アカウント不要、アップロードしたファイルは保存されません）。`,
      `Open the signed PDF in Adobe Acrobat Reader and check in the Signatures panel that every signature and timestamp is valid, or upload it at the verification page ${url} to see who signed, when, the timestamps, and whether anything changed after signing (no account needed; uploaded files are not stored).`,
    ],
    [
      '各文書ファイルの SHA-256 ハッシュ値を計算し、本証明書の「署名済みファイルの SHA-256」と一致することを確認してください（例: Windows では certutil -hashfile ファイル名 SHA256、macOS・Linux では shasum -a 256 ファイル名）。ハッシュ値は本証明書の発行時点のファイルのものです。',
      'Compute the SHA-256 of each document file and compare it with "SHA-256 of the signed file" on this certificate (e.g. certutil -hashfile FILE SHA256 on Windows, shasum -a 256 FILE on macOS and Linux). The values are those of the files when this certificate was issued.',
    ],
    [
      `署名済みPDFの1ページ目左下に記載された締結証明書IDが、本証明書の締結証明書ID（${certificateId}）と一致することを確認してください。検証ページで締結証明書IDを入力すると、この証明書の概要（文書のハッシュ値、署名日時）を照会できます。`,
      `Check that the certificate ID printed at the bottom left of page 1 of each signed PDF is this certificate's ID (${certificateId}). Entering the certificate ID at the verification page shows this certificate's summary (document hashes, signing times).`,
    ],
    [
      '本証明書自体にも Inkan による電子署名とタイムスタンプが付与されています。PDFで受け取った場合は、1. と同じ方法で検証できます。',
      'This certificate is itself signed and timestamped by Inkan; received as a PDF, it can be verified as in step 1.',
    ],
  ];
  const stepRows: Row[] = steps.map(([ja, en], i) => ({
    columns: [18, WIDTH - 18],
    cells: [
      cellLines(metrics, 18, pieces([`${i + 1}.`, S.paraJa])),
      cellLines(metrics, WIDTH - 18, pieces([ja, S.paraJa], [en, S.paraEn])),
    ],
    padTop: 0,
    padBottom: 7,
    padX: 0,
  }));
  heading(section + 1, '検証方法', 'How to verify', stepRows[0] ? rowHeight(stepRows[0]) : 0);
  for (const row of stepRows) flow.placeRows([row], { keepTogether: true });

  drawFooters(flow.pages, metrics, certificateId);
  return buildTextPdf({
    pages: flow.pages,
    lang: 'ja-JP',
    info: {
      title: CERTIFICATE_TITLE,
      subject: `Certificate of Completion ${certificateId}`,
      keywords: certificateId,
      creator: 'Inkan',
      producer: 'Inkan',
      creationDate: data.issuedAt,
    },
  });
}

/** What a section heading must keep with it: the first block when it fits on a page, else its first two rows. */
function firstBlockHeight(blocks: Row[][]): number {
  const first = blocks[0];
  if (first === undefined) return 20;
  const whole = first.reduce((sum, row) => sum + rowHeight(row), 0);
  return whole <= TOP - RUNNING_HEADER_HEIGHT - BODY_BOTTOM - 40
    ? whole
    : first.slice(0, 2).reduce((sum, row) => sum + Math.min(rowHeight(row), 60), 0);
}

/** Blocks (a document, a party) are kept on one page when they fit on one, with a gap between. */
function placeBlocks(flow: PageFlow, blocks: Row[][], empty: Row): void {
  if (blocks.length === 0) return flow.placeRows([empty]);
  blocks.forEach((rows, i) => {
    if (i > 0) flow.gap(9);
    flow.placeRows(rows, { keepTogether: true });
  });
}

/** Title, subtitle and the certificate ID box on page 1, then a heavy rule. */
function drawTitleBlock(flow: PageFlow, metrics: TextMetrics, certificateId: string): void {
  const page = flow.page;
  const top = flow.y;
  page.text(LEFT, top - 22, CERTIFICATE_TITLE, S.title);
  page.text(LEFT, top - 40, 'Certificate of Completion', S.subtitle);

  const boxWidth = 200;
  const boxX = LEFT + WIDTH - boxWidth;
  const idLines = wrapText(certificateId, boxWidth - 16, (s) => metrics.width(s, 'bold', S.idValue.size));
  const boxHeight = 8 + S.idLabel.leading + idLines.length * S.idValue.leading + 6;
  page.rect(boxX, top - boxHeight, boxWidth, boxHeight, { strokeGray: 0.25, lineWidth: 0.8 });
  page.text(boxX + 8, top - 8 - 7.5, '締結証明書ID / Certificate ID', S.idLabel);
  idLines.forEach((line, i) =>
    page.text(boxX + 8, top - 8 - S.idLabel.leading - 13 - i * S.idValue.leading, line, S.idValue),
  );

  const bottom = Math.min(top - 48, top - boxHeight) - 8;
  page.line(LEFT, bottom, LEFT + WIDTH, bottom, 1.6, 0.1);
  flow.y = bottom - 12;
}

function drawRunningHeader(page: PageCanvas): void {
  page.text(LEFT, TOP - 8, `${CERTIFICATE_TITLE}  Certificate of Completion`, S.running);
  page.line(LEFT, TOP - 13, LEFT + WIDTH, TOP - 13, 0.4, 0.7);
}

/** Every page: the certificate ID bottom-left (as on page 1 of the documents) and "n / N" bottom-right. */
function drawFooters(pages: readonly PageCanvas[], metrics: TextMetrics, certificateId: string): void {
  pages.forEach((page, i) => {
    page.line(LEFT, FOOTER_RULE, LEFT + WIDTH, FOOTER_RULE, 0.4, 0.7);
    page.text(LEFT, FOOTER_BASELINE, `締結証明書ID / Certificate ID: ${certificateId}`, S.footer);
    const number = `${i + 1} / ${pages.length}`;
    page.text(
      LEFT + WIDTH - metrics.width(number, 'regular', S.pageNumber.size),
      FOOTER_BASELINE,
      number,
      S.pageNumber,
    );
  });
}

function validate(data: CompletionCertificateData): void {
  const fail = (message: string): never => {
    throw new CoreError('CERTIFICATE_INVALID_DATA', message);
  };
  // The same rule as stampCertificateId: the ID printed here must be the one stamped on the documents.
  if (!/^[\x21-\x7e]{1,64}$/.test(data.certificateId))
    fail('the certificate ID must be 1–64 printable ASCII characters');
  const dates: Array<[string, Date]> = [
    ['envelope.createdAt', data.envelope.createdAt],
    ['envelope.sentAt', data.envelope.sentAt],
    ['envelope.completedAt', data.envelope.completedAt],
    ['issuedAt', data.issuedAt],
    ...data.parties.map((p, i): [string, Date] => [`parties[${i}].signedAt`, p.signedAt]),
    ...data.events.map((e, i): [string, Date] => [`events[${i}].at`, e.at]),
  ];
  for (const [field, date] of dates) {
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) fail(`${field} is not a valid date`);
  }
  data.documents.forEach((d, i) => {
    if (!Number.isInteger(d.pages) || d.pages < 0) fail(`documents[${i}].pages must be a non-negative integer`);
    if (!/^[0-9a-fA-F]{64}$/.test(d.sha256Original)) fail(`documents[${i}].sha256Original is not a SHA-256 in hex`);
    if (!/^[0-9a-fA-F]{64}$/.test(d.sha256Signed)) fail(`documents[${i}].sha256Signed is not a SHA-256 in hex`);
  });
}
