// The certificate of completion (契約締結証明書): an A4 PDF, Japanese with English beneath, that
// lets a reader of a printed contract check it against the signed files. The caller signs and
// seals it (signPdf, sealPdf) like any document.
import { CoreError } from '../errors.ts';
import { formatJst, formatJstUtc, formatUtcInParentheses } from './format-time.ts';
import { PageFlow, cellLines, rowHeight, type Line, type Row, type TextStyle } from './layout.ts';
import { wrapText } from './line-wrap.ts';
import { A4, buildTextPdf, type PageCanvas, type SharedGlyphs } from './pdf-builder.ts';
import { TextMetrics } from './text-metrics.ts';
import {
  formatMessage,
  inBothLanguages,
  inBothLanguagesJoined,
  type MessageKey,
  type MessageVars,
} from '../messages/index.ts';

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

export const CERTIFICATE_TITLE = formatMessage('ja', 'certificate.pdf.title');
const CERTIFICATE_TITLE_EN = formatMessage('en', 'certificate.pdf.title');

/** Labels without variables, formatted once per process: a certificate prints them in every block. */
const fixedWords = new Map<string, { ja: string; en: string }>();
/** A label of the certificate from the catalog, in Japanese and in English. */
const words = (name: string, vars?: MessageVars): { ja: string; en: string } => {
  if (vars !== undefined) return inBothLanguages(`certificate.pdf.${name}` as MessageKey, vars);
  let both = fixedWords.get(name);
  if (both === undefined) {
    both = inBothLanguages(`certificate.pdf.${name}` as MessageKey);
    fixedWords.set(name, both);
  }
  return both;
};
/** "日本語 (English)": a value printed in both languages on one line. */
const jaWithEn = (name: string, vars?: MessageVars): string => {
  const { ja, en } = words(name, vars);
  return `${ja} (${en})`;
};

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
  const certificateId = data.certificateId;
  return buildTextPdf({
    pages: layOutCertificate(data),
    lang: 'ja-JP',
    info: {
      title: CERTIFICATE_TITLE,
      subject: `${CERTIFICATE_TITLE_EN} ${certificateId}`,
      keywords: certificateId,
      creator: 'Inkan',
      producer: 'Inkan',
      creationDate: data.issuedAt,
    },
    sharedGlyphs: certificateSharedGlyphs(),
  });
}

let sharedGlyphs: SharedGlyphs | undefined;

/**
 * The characters every certificate may draw whatever its data, per weight: its labels (found by laying
 * out certificates whose caller text is plain ASCII, one with every optional section and one with
 * none) and printable ASCII. Worked out once per process; a character missing here only lands in the
 * certificate's own subset. (The catalog's audit-event labels were left out: they made every
 * certificate 16 KB larger for no measurable CPU.)
 */
export function certificateSharedGlyphs(): SharedGlyphs {
  if (sharedGlyphs !== undefined) return sharedGlyphs;
  const ascii = String.fromCharCode(...Array.from({ length: 0x7f - 0x20 }, (_, i) => 0x20 + i));
  const chars = { regular: new Set(ascii), bold: new Set(ascii) };
  for (const probe of [probeCertificateData(true), probeCertificateData(false)])
    for (const page of layOutCertificate(probe))
      for (const op of page.ops)
        if (op.kind === 'text' && op.weight !== 'seal') for (const ch of op.text) chars[op.weight].add(ch);
  sharedGlyphs = { regular: [...chars.regular].join(''), bold: [...chars.bold].join('') };
  return sharedGlyphs;
}

/** Data whose caller-supplied text is plain ASCII: what a layout of it draws beyond ASCII is the certificate's own. */
function probeCertificateData(everySection: boolean): CompletionCertificateData {
  const at = new Date(Date.UTC(2026, 0, 1));
  const party = { name: 'x', email: 'x', authentication: 'x', signedAt: at };
  const data: CompletionCertificateData = {
    certificateId: 'x',
    envelope: { id: 'x', name: 'x', createdAt: at, sentAt: at, completedAt: at },
    sender: { organization: 'x', name: 'x', email: 'x' },
    documents: [],
    parties: [],
    events: [],
    verification: { url: 'x' },
    issuedAt: at,
  };
  if (!everySection) return data;
  const hash = '0'.repeat(64);
  data.documents = [1, 2].map((pages) => ({ name: 'x', pages, sha256Original: hash, sha256Signed: hash }));
  data.parties = [
    { ...party, ip: 'x', userAgent: 'x', fields: ['x'] },
    { ...party, ip: null, userAgent: null },
  ];
  data.ccRecipients = [{ name: 'x', email: 'x' }];
  // A decided step and a pending one (no decision time, no comment).
  data.approvals = [1, 2].map((step) => ({
    round: 1,
    routeName: 'x',
    step,
    stepMode: 'x',
    name: 'x',
    email: 'x',
    decision: 'x',
    decidedAt: step === 1 ? at : null,
    comment: step === 1 ? 'x' : null,
  }));
  data.events = ['x', null].map((ip) => ({ at, actor: 'x', action: 'x', ip }));
  return data;
}

/** The certificate's pages, laid out and ready to be written. */
function layOutCertificate(data: CompletionCertificateData): PageCanvas[] {
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
  const labelValue = (name: string, value: string, valueStyle: TextStyle = S.value): Row => {
    const { ja, en } = words(name);
    const continued = {
      ja: formatMessage('ja', 'certificate.pdf.continued', { label: ja }),
      en: formatMessage('en', 'certificate.pdf.continued', { label: en }),
    };
    return {
      columns: LABEL_VALUE,
      cells: [cell(LABEL_VALUE[0], [ja, S.labelJa], [en, S.labelEn]), cell(LABEL_VALUE[1], [value, valueStyle])],
      continuation: cell(LABEL_VALUE[0], [continued.ja, S.labelJa], [continued.en, S.labelEn]),
      padTop: 4,
      padBottom: 4,
      padX: 4,
      ruleBelow: ROW_RULE,
    };
  };
  const blockHeader = ({ ja, en }: { ja: string; en: string }, title: string): Row => ({
    columns: LABEL_VALUE,
    cells: [cell(LABEL_VALUE[0], [ja, S.blockLabel], [en, S.labelEn]), cell(LABEL_VALUE[1], [title, S.blockTitle])],
    padTop: 5,
    padBottom: 5,
    padX: 4,
    fillGray: BAND_GRAY,
    ruleBelow: ROW_RULE,
  });
  const heading = (number: number, name: string, keepWith: number): void => {
    const { ja, en } = words(`section.${name}`);
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
      [words('attestation').ja, S.paraJa],
      [words('attestation').en, S.paraEn],
    ]),
  ]);

  // 1. Summary
  const summary: Row[] = [
    labelValue('certificateId', certificateId, S.valueBold),
    labelValue('envelopeName', c(data.envelope.name), S.valueBold),
    labelValue('envelopeId', c(data.envelope.id)),
    labelValue('senderOrganization', c(data.sender.organization)),
    labelValue('sender', `${c(data.sender.name)} <${c(data.sender.email)}>`),
    labelValue('createdAt', formatJstUtc(data.envelope.createdAt)),
    labelValue('sentAt', formatJstUtc(data.envelope.sentAt)),
    labelValue('completedAt', formatJstUtc(data.envelope.completedAt)),
    labelValue('issuedAt', formatJstUtc(data.issuedAt)),
  ];
  heading(1, 'summary', 60);
  flow.placeRows(summary, { keepTogether: true });

  // 2. Documents
  const documentBlocks = data.documents.map((d, i) => [
    blockHeader(words('document', { n: i + 1 }), c(d.name)),
    labelValue('pages', jaWithEn(d.pages === 1 ? 'pageCount.one' : 'pageCount', { n: d.pages })),
    labelValue('sha256Original', d.sha256Original.toLowerCase(), S.hash),
    labelValue('sha256Signed', d.sha256Signed.toLowerCase(), S.hash),
  ]);
  heading(2, 'documents', firstBlockHeight(documentBlocks));
  placeBlocks(
    flow,
    documentBlocks,
    paragraph([
      [words('none').ja, S.value],
      [words('none').en, S.paraEn],
    ]),
  );

  // 3. Parties
  const partyBlocks = data.parties.map((p, i) => [
    blockHeader(words('party', { n: i + 1 }), c(p.name)),
    labelValue('email', c(p.email)),
    labelValue('authentication', c(p.authentication)),
    labelValue('ipAddress', p.ip ? c(p.ip) : jaWithEn('notRecorded')),
    labelValue('userAgent', p.userAgent ? c(p.userAgent) : jaWithEn('notRecorded')),
    labelValue('signedAt', formatJstUtc(p.signedAt), S.valueBold),
    ...(p.fields ?? []).map((f) => labelValue('field', c(f))),
  ]);
  // CC recipients follow the signers in the same section: named, and marked as not signing.
  partyBlocks.push(
    ...(data.ccRecipients ?? []).map((r, i) => [
      blockHeader(words('cc', { n: i + 1 }), c(r.name)),
      labelValue('email', c(r.email)),
      labelValue('role', jaWithEn('ccRole')),
    ]),
  );
  heading(3, 'parties', firstBlockHeight(partyBlocks));
  placeBlocks(
    flow,
    partyBlocks,
    paragraph([
      [words('none').ja, S.value],
      [words('none').en, S.paraEn],
    ]),
  );

  // 4. Event history
  const head = ({ ja, en }: { ja: string; en: string }, i: number): Line[] =>
    cell(EVENT_COLUMNS[i], [ja, S.tableHead], [en, S.tableHeadEn]);
  const tableHeader: Row = {
    columns: EVENT_COLUMNS,
    cells: [
      // The number column has no English line under it: "No." reads the same in both.
      head({ ja: words('event.number').ja, en: '' }, 0),
      head(words('event.time'), 1),
      head(words('event.actor'), 2),
      head(words('event.action'), 3),
      head(words('ipAddress'), 4),
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
      blockHeader(words('approval', { round: a.round, step: a.step }), `${c(a.name)} <${c(a.email)}>`),
      labelValue(
        'approval.route',
        `${c(a.routeName)}（${words('approval.round', { n: a.round }).ja} / ${words('approval.round', { n: a.round }).en}）`,
      ),
      labelValue('approval.step', `${a.step}: ${c(a.stepMode)}`),
      labelValue('approval.decision', c(a.decision), S.valueBold),
      labelValue('approval.decidedAt', a.decidedAt ? formatJstUtc(a.decidedAt) : '—'),
      ...(a.comment ? [labelValue('approval.comment', c(a.comment))] : []),
    ]);
    heading(section, 'approvals', firstBlockHeight(approvalBlocks));
    placeBlocks(flow, approvalBlocks, paragraph([[words('none').ja, S.value]]));
    section += 1;
  }

  heading(section, 'events', rowHeight(tableHeader) + (eventRows[0] ? rowHeight(eventRows[0]) : 0));
  if (eventRows.length === 0)
    flow.placeRows([
      paragraph([
        [words('event.none').ja, S.value],
        [words('event.none').en, S.paraEn],
      ]),
    ]);
  else {
    flow.drawRow(tableHeader);
    flow.placeRows(eventRows, { repeat: [tableHeader] });
  }

  // 5. How to verify
  const url = c(data.verification.url);
  const steps: Array<[string, string]> = [1, 2, 3, 4].map((n) => {
    const { ja, en } = words(`verify.step${n}`, { url, certificateId });
    return [ja, en];
  });
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
  heading(section + 1, 'verify', stepRows[0] ? rowHeight(stepRows[0]) : 0);
  for (const row of stepRows) flow.placeRows([row], { keepTogether: true });

  drawFooters(flow.pages, metrics, certificateId);
  return flow.pages;
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
  page.text(LEFT, top - 40, CERTIFICATE_TITLE_EN, S.subtitle);

  const boxWidth = 200;
  const boxX = LEFT + WIDTH - boxWidth;
  const idLines = wrapText(certificateId, boxWidth - 16, (s) => metrics.width(s, 'bold', S.idValue.size));
  const boxHeight = 8 + S.idLabel.leading + idLines.length * S.idValue.leading + 6;
  page.rect(boxX, top - boxHeight, boxWidth, boxHeight, { strokeGray: 0.25, lineWidth: 0.8 });
  page.text(boxX + 8, top - 8 - 7.5, idLabel(), S.idLabel);
  idLines.forEach((line, i) =>
    page.text(boxX + 8, top - 8 - S.idLabel.leading - 13 - i * S.idValue.leading, line, S.idValue),
  );

  const bottom = Math.min(top - 48, top - boxHeight) - 8;
  page.line(LEFT, bottom, LEFT + WIDTH, bottom, 1.6, 0.1);
  flow.y = bottom - 12;
}

/** "締結証明書ID / Certificate ID", as in the ID box and the footers. */
function idLabel(): string {
  return inBothLanguagesJoined('certificate.pdf.certificateId');
}

function drawRunningHeader(page: PageCanvas): void {
  page.text(LEFT, TOP - 8, `${CERTIFICATE_TITLE}  ${CERTIFICATE_TITLE_EN}`, S.running);
  page.line(LEFT, TOP - 13, LEFT + WIDTH, TOP - 13, 0.4, 0.7);
}

/** Every page: the certificate ID bottom-left (as on page 1 of the documents) and "n / N" bottom-right. */
function drawFooters(pages: readonly PageCanvas[], metrics: TextMetrics, certificateId: string): void {
  pages.forEach((page, i) => {
    page.line(LEFT, FOOTER_RULE, LEFT + WIDTH, FOOTER_RULE, 0.4, 0.7);
    page.text(LEFT, FOOTER_BASELINE, `${idLabel()}: ${certificateId}`, S.footer);
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
