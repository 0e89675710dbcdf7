import { formatMessage } from '../messages/index.ts';
import { CoreError } from '../errors.ts';
import { PdfDocument } from '../pdf/document.ts';
import { IncrementalUpdate, joinUpdate, type UpdatedPdf } from '../pdf/incremental-update.ts';
import { PdfDict, PdfRef, PdfStream, type PdfObject } from '../pdf/objects.ts';
import { formatNumber } from '../pdf/serialize.ts';
import { pageTextBoxes, type Box } from '../pdf/text-boxes.ts';
import { embedJapaneseFont } from './embed-font.ts';

export interface StampOptions {
  /** The certificate-of-completion ID. */
  certificateId: string;
  /** The label before the ID. */
  label?: string;
  /** Font size in points. */
  fontSize?: number;
  /** Distance from the bottom-left corner of the visible page, in points. */
  margin?: number;
  /**
   * Characters the ID is drawn from (e.g. its alphabet): the embedded font subset then covers the label
   * and all of them, the same for every ID, so it is built once per process instead of once per stamp.
   */
  idAlphabet?: string;
  /**
   * Move the line up, clear of text the page already shows at its bottom-left (default true); when
   * the bottom quarter of the page has no free line, it stays at the corner.
   */
  avoidText?: boolean;
}

const DEFAULT_STAMP_LABEL = `${formatMessage('ja', 'certificate.pdf.certificateId')}: `;

/** The line stampCertificateIdParts draws (with the default label): `締結証明書ID: {id}`. */
export function certificateIdStampText(certificateId: string): string {
  return `${DEFAULT_STAMP_LABEL}${certificateId}`;
}

/**
 * Stamps `締結証明書ID: {id}` at the bottom-left of page 1 (as the page is viewed, honouring /Rotate
 * and /CropBox) — on the lowest line there that no existing text overlaps — in an embedded Noto Sans
 * JP subset, by an incremental update. Done before the first
 * signature so that every signature covers it.
 */
export function stampCertificateIdParts(pdf: Uint8Array, options: StampOptions): UpdatedPdf {
  const id = options.certificateId;
  if (!/^[\x21-\x7e]{1,64}$/.test(id))
    throw new CoreError('PDF_UNSUPPORTED', 'the certificate ID must be 1–64 printable ASCII characters');
  const label = options.label ?? DEFAULT_STAMP_LABEL;
  const text = `${label}${id}`;
  const fontSize = options.fontSize ?? 8;
  const margin = options.margin ?? 14;

  const doc = PdfDocument.load(pdf);
  const page = doc.page(0);
  const update = new IncrementalUpdate(doc);
  const subsetText =
    options.idAlphabet !== undefined && [...id].every((ch) => options.idAlphabet!.includes(ch))
      ? `${label}${options.idAlphabet}`
      : undefined;
  const font = embedJapaneseFont(update, text, 'regular', subsetText);

  const pageDict = page.dict.clone();
  const resources = (doc.dict(doc.inherited(page.dict, 'Resources')) ?? new PdfDict()).clone();
  const fonts = (doc.dict(resources.get('Font')) ?? new PdfDict()).clone();
  let fontName = 'InkanJP';
  for (let i = 2; fonts.has(fontName); i++) fontName = `InkanJP${i}`;
  fonts.set(fontName, font.ref);
  resources.set('Font', fonts);
  pageDict.set('Resources', resources);

  const corner = bottomLeftMatrix(doc, page.dict, margin);
  const shift =
    options.avoidText === false
      ? 0
      : freeLineOffset(
          corner,
          pageTextBoxes(doc, 0),
          font.subset.widthOf(text, fontSize),
          fontSize,
          visibleHeight(doc, page.dict),
        );
  const matrix = [
    corner[0],
    corner[1],
    corner[2],
    corner[3],
    corner[4] + corner[2] * shift,
    corner[5] + corner[3] * shift,
  ];
  const content = `\nQ\nq\n${matrix.map(formatNumber).join(' ')} cm\n0 g\nBT\n/${fontName} ${formatNumber(fontSize)} Tf\n0 0 Td\n<${font.subset.encode(text)}> Tj\nET\nQ\n`;
  const openRef = update.add(new PdfStream(new PdfDict(), Buffer.from('q\n', 'latin1')));
  const stampRef = update.add(new PdfStream(new PdfDict(), Buffer.from(content, 'latin1')));
  const existing = doc.resolve(pageDict.get('Contents'));
  const existingRefs: PdfObject[] = Array.isArray(existing)
    ? existing
    : pageDict.get('Contents') instanceof PdfRef
      ? [pageDict.get('Contents')!]
      : [];
  pageDict.set('Contents', [openRef, ...existingRefs, stampRef]);
  update.set(page.ref, pageDict);
  return update.build();
}

/** Like stampCertificateIdParts, joined into one buffer. */
export function stampCertificateId(pdf: Uint8Array, options: StampOptions): Uint8Array {
  return joinUpdate(stampCertificateIdParts(pdf, options));
}

/**
 * How far up (in the line's own direction) the ID line must move so that its box meets no text box:
 * the lowest free line within the bottom quarter of the viewed page, 0 when there is none.
 */
function freeLineOffset(matrix: number[], boxes: Box[], width: number, fontSize: number, height: number): number {
  const pad = 1.5;
  const toPage = (x: number, y: number): [number, number] => [
    matrix[0] * x + matrix[2] * y + matrix[4],
    matrix[1] * x + matrix[3] * y + matrix[5],
  ];
  for (let dy = 0; dy <= height / 4; dy += 2) {
    const corners = [
      toPage(-pad, dy - 0.25 * fontSize - pad),
      toPage(width + pad, dy - 0.25 * fontSize - pad),
      toPage(-pad, dy + 0.95 * fontSize + pad),
      toPage(width + pad, dy + 0.95 * fontSize + pad),
    ];
    const xs = corners.map((c) => c[0]);
    const ys = corners.map((c) => c[1]);
    const box: Box = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
    if (!boxes.some((b) => b[0] < box[2] && b[2] > box[0] && b[1] < box[3] && b[3] > box[1])) return dy;
  }
  return 0;
}

/** The height of the visible page as viewed (width when it is turned by 90° or 270°). */
function visibleHeight(doc: PdfDocument, pageDict: PdfDict): number {
  const [x0, y0, x1, y1] = visibleBox(doc, pageDict);
  const rotateValue = doc.resolve(doc.inherited(pageDict, 'Rotate'));
  const turned = typeof rotateValue === 'number' && Math.abs(Math.round(rotateValue / 90)) % 2 === 1;
  return turned ? x1 - x0 : y1 - y0;
}

/** The `cm` matrix that puts text space's origin at the viewed bottom-left corner, reading left to right. */
function bottomLeftMatrix(doc: PdfDocument, pageDict: PdfDict, margin: number): number[] {
  const box = visibleBox(doc, pageDict);
  const [x0, y0, x1, y1] = box;
  const rotateValue = doc.resolve(doc.inherited(pageDict, 'Rotate'));
  const rotate = (((typeof rotateValue === 'number' ? Math.round(rotateValue / 90) * 90 : 0) % 360) + 360) % 360;
  switch (rotate) {
    case 90:
      return [0, 1, -1, 0, x1 - margin, y0 + margin];
    case 180:
      return [-1, 0, 0, -1, x1 - margin, y1 - margin];
    case 270:
      return [0, -1, 1, 0, x0 + margin, y1 - margin];
    default:
      return [1, 0, 0, 1, x0 + margin, y0 + margin];
  }
}

function visibleBox(doc: PdfDocument, pageDict: PdfDict): [number, number, number, number] {
  const read = (key: string): [number, number, number, number] | undefined => {
    const v = doc.resolve(doc.inherited(pageDict, key));
    if (!Array.isArray(v) || v.length !== 4) return undefined;
    const n = v.map((x) => doc.resolve(x));
    if (!n.every((x) => typeof x === 'number')) return undefined;
    const [a, b, c, d] = n as number[];
    return [Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d)];
  };
  const media = read('MediaBox') ?? [0, 0, 595.28, 841.89];
  const crop = read('CropBox');
  if (!crop) return media;
  const box: [number, number, number, number] = [
    Math.max(media[0], crop[0]),
    Math.max(media[1], crop[1]),
    Math.min(media[2], crop[2]),
    Math.min(media[3], crop[3]),
  ];
  return box[0] < box[2] && box[1] < box[3] ? box : media;
}
