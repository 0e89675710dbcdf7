/**
 * Fields and seals drawn into the page content (issue 11 part 4).
 *
 * Before the first signature, `declareFieldAreasParts` writes each page's field rectangles into the
 * page dictionary (`/InkanFields [[x0 y0 x1 y1] …]`), wraps the page's content in q … Q and makes its
 * resources direct. Every signature covers that declaration.
 *
 * When a recipient signs, `addFieldValues` runs inside the SAME incremental update as their signature:
 * field k of a page becomes a Form XObject `/InkanField{k}` whose /BBox is the declared rectangle
 * (drawing is clipped to it), invoked by one appended content stream of `q /InkanField{k} Do Q`.
 * The verifier (revision-diff.ts) allows exactly that shape after an earlier signature — new drawings
 * confined to declared, still empty field rectangles — and flags anything else, including a second
 * drawing into a field already filled.
 */
import { formatMessage } from '../messages/index.ts';
import { deflateSync } from 'node:zlib';
import { CoreError } from '../errors.ts';
import { loadJapaneseFont } from '../font/japanese-font.ts';
import type { SealImage } from '../image/seal-image.ts';
import { PdfDocument } from '../pdf/document.ts';
import { IncrementalUpdate, joinUpdate, type UpdatedPdf } from '../pdf/incremental-update.ts';
import { PdfDict, PdfName, PdfRef, PdfStream, type PdfObject } from '../pdf/objects.ts';
import { formatNumber } from '../pdf/serialize.ts';
import { embedJapaneseFont, type EmbeddedFont } from './embed-font.ts';
import { FIELD_AREAS_KEY, FIELD_LIMITS, FIELD_XOBJECT_PREFIX, readAreas, type FieldRect } from './field-areas.ts';

export { FIELD_AREAS_KEY, FIELD_LIMITS, FIELD_XOBJECT_PREFIX, readAreas, type FieldRect };

/** A field rectangle to declare: 0-based page index and rectangle. */
export interface FieldArea {
  page: number;
  rect: FieldRect;
}

/** What is drawn into a field. */
export type FieldValue =
  | { kind: 'seal'; name: string }
  | { kind: 'image'; image: SealImage }
  | { kind: 'text'; text: string }
  | { kind: 'checkbox'; checked: boolean }
  | { kind: 'empty' };

/** A value for declared field `area` (its index in the page's /InkanFields) of 0-based `page`. */
export interface FieldFill {
  page: number;
  area: number;
  value: FieldValue;
}

const SEAL_RED = '0.78 0.09 0.11';

/**
 * Declares field rectangles on their pages by an incremental update (to be made before the first
 * signature). Returns the update and, for each area in input order, its index on its page.
 */
export function declareFieldAreasParts(
  pdf: Uint8Array,
  areas: readonly FieldArea[],
): UpdatedPdf & { indexes: number[] } {
  if (areas.length > FIELD_LIMITS.areasPerDocument)
    throw new CoreError('FIELD_INVALID', `at most ${FIELD_LIMITS.areasPerDocument} fields per document`);
  const doc = PdfDocument.load(pdf);
  const update = new IncrementalUpdate(doc);
  const indexes: number[] = [];
  const byPage = new Map<number, FieldRect[]>();
  for (const area of areas) {
    if (!Number.isInteger(area.page) || area.page < 0 || area.page >= doc.pageCount)
      throw new CoreError('FIELD_INVALID', `page ${area.page + 1} does not exist`);
    checkRect(area.rect, pageBox(doc, doc.page(area.page).dict), area.page);
    const list = byPage.get(area.page) ?? [];
    indexes.push(list.length);
    list.push(area.rect);
    byPage.set(area.page, list);
  }
  for (const [pageIndex, rects] of byPage) {
    const page = doc.page(pageIndex);
    const pageDict = page.dict.clone();
    if (pageDict.has(FIELD_AREAS_KEY))
      throw new CoreError('FIELD_INVALID', `page ${pageIndex + 1} already has declared fields`);
    pageDict.set(
      FIELD_AREAS_KEY,
      rects.map((r) => r.map((n) => Math.round(n * 100) / 100)),
    );
    const resources = (doc.dict(doc.inherited(page.dict, 'Resources')) ?? new PdfDict()).clone();
    resources.set('XObject', (doc.dict(resources.get('XObject')) ?? new PdfDict()).clone());
    pageDict.set('Resources', resources);
    // The page's own content may leave the graphics state changed: wrap it, so the fields drawn later
    // start from the default state.
    const openRef = update.add(new PdfStream(new PdfDict(), Buffer.from('q\n', 'latin1')));
    const closeRef = update.add(new PdfStream(new PdfDict(), Buffer.from('\nQ\n', 'latin1')));
    pageDict.set('Contents', [openRef, ...contentRefs(doc, pageDict), closeRef]);
    update.set(page.ref, pageDict);
  }
  return { ...update.build(), indexes };
}

/** Like declareFieldAreasParts, joined into one buffer. */
export function declareFieldAreas(pdf: Uint8Array, areas: readonly FieldArea[]): Uint8Array {
  return joinUpdate(declareFieldAreasParts(pdf, areas));
}

/** The declared field rectangles of a page (0-based), [] when none. */
export function declaredFieldAreas(doc: PdfDocument, pageIndex: number): FieldRect[] {
  const value = doc.resolve(doc.page(pageIndex).dict.get(FIELD_AREAS_KEY));
  return readAreas(doc, value) ?? [];
}

/**
 * Draws `fills` into their declared fields as part of `update` (the update that also adds the signature).
 * Throws FIELD_INVALID for an undeclared or already filled field.
 */
export function addFieldValues(doc: PdfDocument, update: IncrementalUpdate, fills: readonly FieldFill[]): void {
  if (fills.length === 0) return;
  const texts = fills.flatMap((f) => (f.value.kind === 'text' ? [f.value.text] : []));
  const seals = fills.flatMap((f) => (f.value.kind === 'seal' ? [sealCharacters(f.value.name)] : []));
  const textFont = texts.length > 0 ? embedJapaneseFont(update, texts.join('')) : undefined;
  const sealFont = seals.length > 0 ? embedJapaneseFont(update, seals.join(''), 'seal') : undefined;

  const byPage = new Map<number, FieldFill[]>();
  for (const fill of fills) byPage.set(fill.page, [...(byPage.get(fill.page) ?? []), fill]);
  for (const [pageIndex, pageFills] of byPage) {
    if (!Number.isInteger(pageIndex) || pageIndex < 0 || pageIndex >= doc.pageCount)
      throw new CoreError('FIELD_INVALID', `page ${pageIndex + 1} does not exist`);
    const page = doc.page(pageIndex);
    const current = update.current(page.ref);
    const pageDict = (current instanceof PdfDict ? current : page.dict).clone();
    const areas = readAreas(doc, pageDict.get(FIELD_AREAS_KEY));
    if (!areas) throw new CoreError('FIELD_INVALID', `page ${pageIndex + 1} has no declared fields`);
    const resources = (doc.dict(pageDict.get('Resources')) ?? new PdfDict()).clone();
    const xobjects = (doc.dict(resources.get('XObject')) ?? new PdfDict()).clone();
    const rotate = pageRotation(doc, page.dict);
    let content = '';
    for (const fill of pageFills) {
      const rect = areas[fill.area];
      if (!Number.isInteger(fill.area) || !rect)
        throw new CoreError('FIELD_INVALID', `field ${fill.area} is not declared on page ${pageIndex + 1}`);
      const name = `${FIELD_XOBJECT_PREFIX}${fill.area}`;
      if (xobjects.has(name))
        throw new CoreError('FIELD_INVALID', `field ${fill.area} of page ${pageIndex + 1} is already filled`);
      xobjects.set(name, fieldXObject(update, rect, rotate, fill.value, { text: textFont, seal: sealFont }));
      content += `q /${name} Do Q\n`;
    }
    resources.set('XObject', xobjects);
    pageDict.set('Resources', resources);
    const stampRef = update.add(new PdfStream(new PdfDict(), Buffer.from(content, 'latin1')));
    pageDict.set('Contents', [...contentRefs(doc, pageDict), stampRef]);
    update.set(page.ref, pageDict);
  }
}

/** The characters of a generated seal: the family name (the part before a space), at most 6 characters. */
export function sealCharacters(name: string): string {
  const trimmed = name.trim();
  const family = trimmed.split(/[\s\u3000]+/)[0] ?? '';
  const font = loadJapaneseFont('seal');
  const chars = Array.from(family)
    .filter((ch) => font.hasGlyphsFor(ch))
    .slice(0, FIELD_LIMITS.sealChars);
  return chars.length > 0 ? chars.join('') : formatMessage('ja', 'seal.mark');
}

function contentRefs(doc: PdfDocument, pageDict: PdfDict): PdfObject[] {
  const value = pageDict.get('Contents');
  if (value instanceof PdfRef) {
    const resolved = doc.resolve(value);
    return Array.isArray(resolved) ? [...resolved] : [value];
  }
  return Array.isArray(value) ? [...value] : [];
}

function fieldXObject(
  update: IncrementalUpdate,
  rect: FieldRect,
  rotate: number,
  value: FieldValue,
  fonts: { text?: EmbeddedFont; seal?: EmbeddedFont },
): PdfRef {
  const [x0, y0, x1, y1] = rect;
  const turned = rotate === 90 || rotate === 270;
  const width = turned ? y1 - y0 : x1 - x0;
  const height = turned ? x1 - x0 : y1 - y0;
  const resources = new PdfDict();
  const body = drawValue(update, value, width, height, fonts, resources);
  const matrix = viewedMatrix(rect, rotate);
  const content = body === '' ? '' : `${matrix.map(formatNumber).join(' ')} cm\n${body}`;
  return update.add(
    new PdfStream(
      new PdfDict([
        ['Type', PdfName.of('XObject')],
        ['Subtype', PdfName.of('Form')],
        ['BBox', rect],
        ['Resources', resources],
        ['Filter', PdfName.of('FlateDecode')],
      ]),
      deflateSync(Buffer.from(content, 'latin1')),
    ),
  );
}

/** The content drawing `value` in a box of width × height as viewed (origin bottom-left). */
function drawValue(
  update: IncrementalUpdate,
  value: FieldValue,
  width: number,
  height: number,
  fonts: { text?: EmbeddedFont; seal?: EmbeddedFont },
  resources: PdfDict,
): string {
  const f = formatNumber;
  switch (value.kind) {
    case 'empty':
      return '';
    case 'checkbox': {
      const side = Math.min(width, height) * 0.9;
      const x = (width - side) / 2;
      const y = (height - side) / 2;
      let out = `0 G ${f(Math.max(0.6, side * 0.06))} w ${f(x)} ${f(y)} ${f(side)} ${f(side)} re S\n`;
      if (value.checked) {
        const p = (u: number, v: number) => `${f(x + u * side)} ${f(y + v * side)}`;
        out += `${f(side * 0.11)} w 1 J 1 j ${p(0.2, 0.52)} m ${p(0.42, 0.26)} l ${p(0.82, 0.8)} l S\n`;
      }
      return out;
    }
    case 'text': {
      const font = fonts.text!;
      resources.set('Font', new PdfDict([['F1', font.ref]]));
      const text = value.text;
      if (text === '') return '';
      let size = Math.min(height * 0.62, 14);
      const natural = font.subset.widthOf(text, size);
      if (natural > width - 4) size = Math.max(3, (size * (width - 4)) / natural);
      const baseline = height / 2 - size * 0.38;
      return `0 g BT /F1 ${f(size)} Tf ${f(2)} ${f(baseline)} Td <${font.subset.encode(text)}> Tj ET\n`;
    }
    case 'seal': {
      const font = fonts.seal!;
      resources.set('Font', new PdfDict([['F1', font.ref]]));
      return drawSeal(sealCharacters(value.name), width, height, font);
    }
    case 'image': {
      const image = value.image;
      const entries: Array<[string, PdfObject]> = [
        ['Type', PdfName.of('XObject')],
        ['Subtype', PdfName.of('Image')],
        ['Width', image.width],
        ['Height', image.height],
        ['ColorSpace', PdfName.of(image.colorSpace)],
        ['BitsPerComponent', 8],
        ['Filter', PdfName.of(image.filter)],
      ];
      if (image.alpha) {
        const mask = update.add(
          new PdfStream(
            new PdfDict([
              ['Type', PdfName.of('XObject')],
              ['Subtype', PdfName.of('Image')],
              ['Width', image.width],
              ['Height', image.height],
              ['ColorSpace', PdfName.of('DeviceGray')],
              ['BitsPerComponent', 8],
              ['Filter', PdfName.of('FlateDecode')],
            ]),
            image.alpha,
          ),
        );
        entries.push(['SMask', mask]);
      }
      const ref = update.add(new PdfStream(new PdfDict(entries), image.data));
      resources.set('XObject', new PdfDict([['Im1', ref]]));
      const scale = Math.min(width / image.width, height / image.height);
      const w = image.width * scale;
      const h = image.height * scale;
      return `q ${f(w)} 0 0 ${f(h)} ${f((width - w) / 2)} ${f((height - h) / 2)} cm /Im1 Do Q\n`;
    }
  }
}

/** A round red 印影: a ring and the characters in vertical columns, right to left. */
function drawSeal(chars: string, width: number, height: number, font: EmbeddedFont): string {
  const f = formatNumber;
  const cx = width / 2;
  const cy = height / 2;
  const r = (Math.min(width, height) / 2) * 0.94;
  const lineWidth = Math.max(0.8, r * 0.08);
  const k = 0.5523 * r;
  let out = `${SEAL_RED} RG ${SEAL_RED} rg ${f(lineWidth)} w\n`;
  out += `${f(cx + r)} ${f(cy)} m ${f(cx + r)} ${f(cy + k)} ${f(cx + k)} ${f(cy + r)} ${f(cx)} ${f(cy + r)} c\n`;
  out += `${f(cx - k)} ${f(cy + r)} ${f(cx - r)} ${f(cy + k)} ${f(cx - r)} ${f(cy)} c\n`;
  out += `${f(cx - r)} ${f(cy - k)} ${f(cx - k)} ${f(cy - r)} ${f(cx)} ${f(cy - r)} c\n`;
  out += `${f(cx + k)} ${f(cy - r)} ${f(cx + r)} ${f(cy - k)} ${f(cx + r)} ${f(cy)} c S\n`;
  const list = Array.from(chars);
  const columns = list.length <= 3 ? 1 : 2;
  const rows = Math.ceil(list.length / columns);
  const inner = r - lineWidth * 1.6;
  // The block of columns × rows em squares fits inside the ring (its corners on the inner circle).
  const size = ((2 * inner) / Math.sqrt(columns * columns + rows * rows)) * 1.08;
  out += 'BT\n';
  list.forEach((ch, i) => {
    const column = Math.floor(i / rows); // 0 = the rightmost column, read first
    const row = i % rows;
    const rowsHere = Math.min(rows, list.length - column * rows);
    const xc = cx + ((columns - 1) / 2 - column) * size;
    const yc = cy + ((rowsHere - 1) / 2 - row) * size;
    const x = xc - font.subset.widthOf(ch, size) / 2;
    const y = yc - size * 0.38;
    out += `/F1 ${f(size)} Tf 1 0 0 1 ${f(x)} ${f(y)} Tm <${font.subset.encode(ch)}> Tj\n`;
  });
  return `${out}ET\n`;
}

/** Maps a viewed box (origin at its viewed bottom-left, reading left to right) onto `rect` of a page rotated `rotate`. */
function viewedMatrix(rect: FieldRect, rotate: number): number[] {
  const [x0, y0, x1, y1] = rect;
  switch (rotate) {
    case 90:
      return [0, 1, -1, 0, x1, y0];
    case 180:
      return [-1, 0, 0, -1, x1, y1];
    case 270:
      return [0, -1, 1, 0, x0, y1];
    default:
      return [1, 0, 0, 1, x0, y0];
  }
}

function pageRotation(doc: PdfDocument, pageDict: PdfDict): number {
  const value = doc.resolve(doc.inherited(pageDict, 'Rotate'));
  return (((typeof value === 'number' ? Math.round(value / 90) * 90 : 0) % 360) + 360) % 360;
}

/** The page's visible box (CropBox within MediaBox). */
export function pageBox(doc: PdfDocument, pageDict: PdfDict): FieldRect {
  const read = (key: string): FieldRect | undefined => {
    const v = doc.resolve(doc.inherited(pageDict, key));
    if (!Array.isArray(v) || v.length !== 4) return undefined;
    const n = v.map((x) => doc.resolve(x));
    if (!n.every((x): x is number => typeof x === 'number')) return undefined;
    const [a, b, c, d] = n;
    return [Math.min(a, c), Math.min(b, d), Math.max(a, c), Math.max(b, d)];
  };
  const media = read('MediaBox') ?? [0, 0, 595.28, 841.89];
  const crop = read('CropBox');
  if (!crop) return media;
  const box: FieldRect = [
    Math.max(media[0], crop[0]),
    Math.max(media[1], crop[1]),
    Math.min(media[2], crop[2]),
    Math.min(media[3], crop[3]),
  ];
  return box[0] < box[2] && box[1] < box[3] ? box : media;
}

function checkRect(rect: FieldRect, box: FieldRect, pageIndex: number): void {
  const ok =
    Array.isArray(rect) &&
    rect.length === 4 &&
    rect.every((n) => typeof n === 'number' && Number.isFinite(n)) &&
    rect[2] - rect[0] >= FIELD_LIMITS.minSide &&
    rect[3] - rect[1] >= FIELD_LIMITS.minSide &&
    rect[0] >= box[0] - 0.01 &&
    rect[1] >= box[1] - 0.01 &&
    rect[2] <= box[2] + 0.01 &&
    rect[3] <= box[3] + 0.01;
  if (!ok) throw new CoreError('FIELD_INVALID', `a field rectangle lies outside page ${pageIndex + 1}`);
}
