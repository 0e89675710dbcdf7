// Turns laid-out pages (text runs, rules, filled boxes) into a complete PDF with Noto Sans JP
// subsets embedded: per weight, one subset holding exactly the characters drawn in that weight, or,
// given shared glyphs, a subset of those made once per process and one of the document's other characters.
import { deflateSync } from 'node:zlib';
import {
  buildType0FontObjects,
  createFontSubset,
  loadJapaneseFont,
  type FontSubset,
  type FontWeight,
  type JapaneseFont,
} from '../font/japanese-font.ts';
import { PdfLexer } from '../pdf/lexer.ts';
import { PdfDict, PdfName, PdfStream, type PdfRef } from '../pdf/objects.ts';
import { formatHundredths as n, pdfDate, textString } from '../pdf/serialize.ts';
import { PdfFileWriter } from './pdf-file-writer.ts';

/** A4 portrait in points (210 × 297 mm). */
export const A4: Readonly<{ width: number; height: number }> = { width: 595.28, height: 841.89 };

export type DrawOp =
  | { kind: 'text'; x: number; y: number; text: string; weight: FontWeight; size: number; gray: number }
  | { kind: 'line'; x1: number; y1: number; x2: number; y2: number; width: number; gray: number }
  | {
      kind: 'rect';
      x: number;
      y: number;
      width: number;
      height: number;
      fillGray?: number;
      strokeGray?: number;
      lineWidth?: number;
    };

/** The drawing of one page, in PDF user space (origin bottom-left, points). */
export class PageCanvas {
  readonly ops: DrawOp[] = [];
  constructor(
    readonly width: number,
    readonly height: number,
  ) {}

  /** Text with its baseline starting at (x, y); gray 0 is black. */
  text(x: number, y: number, text: string, style: { weight: FontWeight; size: number; gray: number }): void {
    if (text !== '') this.ops.push({ kind: 'text', x, y, text, ...style });
  }

  line(x1: number, y1: number, x2: number, y2: number, width: number, gray: number): void {
    this.ops.push({ kind: 'line', x1, y1, x2, y2, width, gray });
  }

  /** A rectangle with (x, y) its bottom-left corner, filled and/or stroked. */
  rect(
    x: number,
    y: number,
    width: number,
    height: number,
    paint: { fillGray?: number; strokeGray?: number; lineWidth?: number },
  ): void {
    this.ops.push({ kind: 'rect', x, y, width, height, ...paint });
  }
}

export interface DocumentInfo {
  title: string;
  subject?: string;
  keywords?: string;
  creator?: string;
  producer: string;
  creationDate: Date;
}

/**
 * Characters, per weight, that most documents of a kind draw (the fixed labels of the certificate, Latin
 * letters and digits). Their subset is made and compressed once per process and embedded in every
 * document as the same bytes; a second, small subset per weight holds the document's other characters.
 */
export type SharedGlyphs = Partial<Record<FontWeight, string>>;

/** Writes `pages` as a PDF: catalog, page tree, shared font resources, Flate-compressed contents, /Info. */
export function buildTextPdf(input: {
  pages: readonly PageCanvas[];
  info: DocumentInfo;
  lang?: string;
  sharedGlyphs?: SharedGlyphs;
}): Uint8Array {
  const writer = new PdfFileWriter();
  const fonts = embedFonts(writer, input.pages, input.sharedGlyphs ?? {});
  const fontResources = new PdfDict();
  for (const weightFonts of fonts.values())
    for (const font of [weightFonts.shared, weightFonts.own]) if (font) fontResources.set(font.resourceName, font.ref);
  const resources = writer.add(new PdfDict([['Font', fontResources]]));

  const pagesRef = writer.reserve();
  const kids: PdfRef[] = [];
  // Text operators by weight, size and text, made once per document: labels repeat on every page.
  const encoded = new Map<string, string>();
  for (const page of input.pages) {
    const content = flate(Buffer.from(contentStream(page, fonts, encoded), 'latin1'));
    const contentRef = writer.add(new PdfStream(new PdfDict([['Filter', PdfName.of('FlateDecode')]]), content));
    kids.push(
      writer.add(
        new PdfDict([
          ['Type', PdfName.of('Page')],
          ['Parent', pagesRef],
          ['MediaBox', [0, 0, page.width, page.height]],
          ['Resources', resources],
          ['Contents', contentRef],
        ]),
      ),
    );
  }
  writer.set(
    pagesRef,
    new PdfDict([
      ['Type', PdfName.of('Pages')],
      ['Kids', kids],
      ['Count', kids.length],
    ]),
  );

  const catalog = new PdfDict([
    ['Type', PdfName.of('Catalog')],
    ['Pages', pagesRef],
    // Viewers show the title instead of the file name; /Lang helps screen readers and search.
    ['ViewerPreferences', new PdfDict([['DisplayDocTitle', true]])],
  ]);
  if (input.lang) catalog.set('Lang', textString(input.lang));
  const root = writer.add(catalog);

  const { info: i } = input;
  const info = new PdfDict([['Title', textString(i.title)]]);
  if (i.subject) info.set('Subject', textString(i.subject));
  if (i.keywords) info.set('Keywords', textString(i.keywords));
  if (i.creator) info.set('Creator', textString(i.creator));
  info.set('Producer', textString(i.producer));
  info.set('CreationDate', pdfDate(i.creationDate));
  info.set('ModDate', pdfDate(i.creationDate));
  return writer.toBytes({ root, info: writer.add(info) });
}

interface PlacedFont {
  resourceName: string;
  ref: PdfRef;
  subset: FontSubset;
}

/** The fonts of one weight: the shared subset (when the weight has shared glyphs) and the document's own. */
interface WeightFonts {
  shared?: PlacedFont;
  own?: PlacedFont;
}

/** A subset with its streams already compressed, to be embedded as it is. */
interface EmbeddableSubset {
  subset: FontSubset;
  /** Uncompressed length of the font program, for /Length1. */
  fontFile2Length: number;
  fontFile2: Buffer;
  toUnicode: Buffer;
  /** The three dictionaries, their references to the other objects still to be set. */
  type0: PdfDict;
  cidFont: PdfDict;
  descriptor: PdfDict;
}

/** Shared subsets by the text they hold, per parsed font: made once, dropped with the font (see loadJapaneseFont). */
const sharedSubsets = new WeakMap<JapaneseFont, Map<string, EmbeddableSubset>>();

function sharedSubset(font: JapaneseFont, text: string): EmbeddableSubset {
  let byText = sharedSubsets.get(font);
  if (byText === undefined) sharedSubsets.set(font, (byText = new Map()));
  let embeddable = byText.get(text);
  if (embeddable === undefined) {
    embeddable = embeddableSubset(createFontSubset(font, text));
    byText.set(text, embeddable);
  }
  return embeddable;
}

function embeddableSubset(subset: FontSubset): EmbeddableSubset {
  const objects = buildType0FontObjects(subset);
  const placeholder = (dict: string): PdfDict => parseDict(dict.replace(/\{\{[A-Z0-9]+\}\}/g, '0 0 R'));
  return {
    subset,
    fontFile2Length: objects.fontFile2.length,
    fontFile2: flate(objects.fontFile2),
    toUnicode: flate(objects.toUnicode),
    type0: placeholder(objects.type0Dict),
    cidFont: placeholder(objects.cidFontDict),
    descriptor: placeholder(objects.fontDescriptorDict),
  };
}

/** Resource names: F1/F2 the regular/bold subsets as before shared glyphs existed, F3/F4 the documents' own. */
const RESOURCE_NAMES = {
  regular: { shared: 'F1', own: 'F3' },
  bold: { shared: 'F2', own: 'F4' },
} as const;

/**
 * One Type0 font per weight used, subset for exactly the characters drawn in that weight; with shared
 * glyphs for the weight, two: the shared subset and one for the characters outside it.
 */
function embedFonts(
  writer: PdfFileWriter,
  pages: readonly PageCanvas[],
  sharedGlyphs: SharedGlyphs,
): Map<FontWeight, WeightFonts> {
  // Texts first, characters after: labels repeat on every page and in every block.
  const textsOf = new Map<FontWeight, Set<string>>();
  for (const page of pages) {
    for (const op of page.ops) {
      if (op.kind !== 'text') continue;
      let texts = textsOf.get(op.weight);
      if (texts === undefined) textsOf.set(op.weight, (texts = new Set()));
      texts.add(op.text);
    }
  }
  const textOf = new Map<FontWeight, Set<string>>();
  for (const [weight, texts] of textsOf) {
    const chars = new Set<string>();
    for (const text of texts) for (const ch of text) chars.add(ch);
    textOf.set(weight, chars);
  }
  const fonts = new Map<FontWeight, WeightFonts>();
  for (const weight of ['regular', 'bold'] as const) {
    const chars = textOf.get(weight);
    if (chars === undefined) continue;
    const font = loadJapaneseFont(weight);
    const shared = sharedGlyphs[weight];
    const names = RESOURCE_NAMES[weight];
    if (shared === undefined) {
      const own = embeddableSubset(createFontSubset(font, [...chars].join('')));
      fonts.set(weight, { own: placeFont(writer, own, names.shared) });
      continue;
    }
    const sharedEmbeddable = sharedSubset(font, shared);
    const ownChars = [...chars].filter(
      (ch) => sharedEmbeddable.subset.hexOf(ch.codePointAt(0) as number) === undefined,
    );
    fonts.set(weight, {
      shared: placeFont(writer, sharedEmbeddable, names.shared),
      own:
        ownChars.length > 0
          ? placeFont(writer, embeddableSubset(createFontSubset(font, ownChars.join(''))), names.own)
          : undefined,
    });
  }
  return fonts;
}

/** Adds the five objects of a Type0 font (font program and ToUnicode already compressed). */
function placeFont(writer: PdfFileWriter, embeddable: EmbeddableSubset, resourceName: string): PlacedFont {
  const fontFile = writer.add(
    new PdfStream(
      new PdfDict([
        ['Filter', PdfName.of('FlateDecode')],
        ['Length1', embeddable.fontFile2Length],
      ]),
      embeddable.fontFile2,
    ),
  );
  const toUnicode = writer.add(
    new PdfStream(new PdfDict([['Filter', PdfName.of('FlateDecode')]]), embeddable.toUnicode),
  );
  const descriptor = writer.add(embeddable.descriptor.clone().set('FontFile2', fontFile));
  const cidFont = writer.add(embeddable.cidFont.clone().set('FontDescriptor', descriptor));
  const ref = writer.add(embeddable.type0.clone().set('DescendantFonts', [cidFont]).set('ToUnicode', toUnicode));
  return { resourceName, ref, subset: embeddable.subset };
}

/**
 * The text operators of a run: one Tj per stretch of characters in the same subset. Within BT … ET
 * each Tj moves the text position by the glyphs' widths, so a change of subset mid-line draws exactly
 * where one subset would have.
 */
function textOperators(text: string, size: string, fonts: WeightFonts): string {
  const { shared, own } = fonts;
  if (shared === undefined || own === undefined) {
    const font = (shared ?? own) as PlacedFont;
    return `/${font.resourceName} ${size} Tf <${font.subset.encode(text)}> Tj`;
  }
  let out = '';
  let current: PlacedFont | undefined;
  let hex = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    let font = shared;
    let code = shared.subset.hexOf(cp);
    if (code === undefined) {
      font = own;
      code = own.subset.encode(ch);
    }
    if (font !== current) {
      if (current !== undefined) out += `<${hex}> Tj `;
      out += `/${font.resourceName} ${size} Tf `;
      current = font;
      hex = '';
    }
    hex += code;
  }
  return `${out}<${hex}> Tj`;
}

/** The page's content stream; every operation sets the state it needs, so the order of ops is free. */
function contentStream(
  page: PageCanvas,
  fonts: ReadonlyMap<FontWeight, WeightFonts>,
  encoded: Map<string, string>,
): string {
  const out: string[] = [];
  for (const op of page.ops) {
    switch (op.kind) {
      case 'text': {
        const size = n(op.size);
        const key = `${op.weight} ${size} ${op.text}`;
        let text = encoded.get(key);
        if (text === undefined) {
          text = textOperators(op.text, size, fonts.get(op.weight) as WeightFonts);
          encoded.set(key, text);
        }
        out.push(`BT ${n(op.gray)} g ${n(op.x)} ${n(op.y)} Td ${text} ET`);
        break;
      }
      case 'line':
        out.push(`${n(op.width)} w ${n(op.gray)} G 0 J ${n(op.x1)} ${n(op.y1)} m ${n(op.x2)} ${n(op.y2)} l S`);
        break;
      case 'rect': {
        const path = `${n(op.x)} ${n(op.y)} ${n(op.width)} ${n(op.height)} re`;
        const fill = op.fillGray !== undefined;
        const stroke = op.strokeGray !== undefined;
        if (!fill && !stroke) break;
        const state = `${fill ? `${n(op.fillGray as number)} g ` : ''}${stroke ? `${n(op.lineWidth ?? 0.5)} w ${n(op.strokeGray as number)} G ` : ''}`;
        out.push(`${state}${path} ${fill && stroke ? 'B' : fill ? 'f' : 'S'}`);
        break;
      }
    }
  }
  return `${out.join('\n')}\n`;
}

/**
 * Flate for the certificate's streams (font programs, content, ToUnicode). Level 1 with the largest
 * hash memory takes about half the CPU of the default level 6 on a certificate's streams, for about
 * 5% more bytes (measured on the sample certificate: 75.1 KB against 71.3 KB of streams, issue 10);
 * every certificate is compressed once and stored, so the CPU matters more than the bytes.
 */
function flate(data: Uint8Array): Buffer {
  return deflateSync(data, { level: 1, memLevel: 9 });
}

function parseDict(text: string): PdfDict {
  const value = new PdfLexer(Buffer.from(text, 'latin1')).parseObject();
  if (!(value instanceof PdfDict)) throw new Error('font object is not a dictionary');
  return value;
}
