// Turns laid-out pages (text runs, rules, filled boxes) into a complete PDF with Noto Sans JP
// subsets embedded: one subset per weight, holding exactly the characters drawn in that weight.
import { deflateSync } from 'node:zlib';
import {
  buildType0FontObjects,
  createFontSubset,
  loadJapaneseFont,
  type FontSubset,
  type FontWeight,
} from '../font/japanese-font.ts';
import { PdfLexer } from '../pdf/lexer.ts';
import { PdfDict, PdfName, PdfStream, type PdfRef } from '../pdf/objects.ts';
import { formatNumber, pdfDate, textString } from '../pdf/serialize.ts';
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

/** Writes `pages` as a PDF: catalog, page tree, shared font resources, Flate-compressed contents, /Info. */
export function buildTextPdf(input: { pages: readonly PageCanvas[]; info: DocumentInfo; lang?: string }): Uint8Array {
  const writer = new PdfFileWriter();
  const fonts = embedFonts(writer, input.pages);
  const fontResources = new PdfDict();
  for (const font of fonts.values()) fontResources.set(font.resourceName, font.ref);
  const resources = writer.add(new PdfDict([['Font', fontResources]]));

  const pagesRef = writer.reserve();
  const kids: PdfRef[] = [];
  for (const page of input.pages) {
    const content = flate(Buffer.from(contentStream(page, fonts), 'latin1'));
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

/** One Type0 font per weight used, subset for exactly the characters drawn in that weight. */
function embedFonts(writer: PdfFileWriter, pages: readonly PageCanvas[]): Map<FontWeight, PlacedFont> {
  const textOf = new Map<FontWeight, Set<string>>();
  for (const page of pages) {
    for (const op of page.ops) {
      if (op.kind !== 'text') continue;
      let chars = textOf.get(op.weight);
      if (chars === undefined) textOf.set(op.weight, (chars = new Set()));
      for (const ch of op.text) chars.add(ch);
    }
  }
  const fonts = new Map<FontWeight, PlacedFont>();
  for (const weight of ['regular', 'bold'] as const) {
    const chars = textOf.get(weight);
    if (chars === undefined) continue;
    const subset = createFontSubset(loadJapaneseFont(weight), [...chars].join(''));
    const objects = buildType0FontObjects(subset);
    const fontFile = writer.add(
      new PdfStream(
        new PdfDict([
          ['Filter', PdfName.of('FlateDecode')],
          ['Length1', objects.fontFile2.length],
        ]),
        flate(objects.fontFile2),
      ),
    );
    const toUnicode = writer.add(
      new PdfStream(new PdfDict([['Filter', PdfName.of('FlateDecode')]]), flate(objects.toUnicode)),
    );
    const descriptor = writer.add(parseDict(objects.fontDescriptorDict.replace('{{FONTFILE2}}', fontFile.toString())));
    const cidFont = writer.add(parseDict(objects.cidFontDict.replace('{{DESCRIPTOR}}', descriptor.toString())));
    const ref = writer.add(
      parseDict(
        objects.type0Dict.replace('{{DESCENDANT}}', cidFont.toString()).replace('{{TOUNICODE}}', toUnicode.toString()),
      ),
    );
    fonts.set(weight, { resourceName: weight === 'bold' ? 'F2' : 'F1', ref, subset });
  }
  return fonts;
}

/** The page's content stream; every operation sets the state it needs, so the order of ops is free. */
function contentStream(page: PageCanvas, fonts: ReadonlyMap<FontWeight, PlacedFont>): string {
  const n = (v: number): string => formatNumber(Math.round(v * 100) / 100);
  const out: string[] = [];
  for (const op of page.ops) {
    switch (op.kind) {
      case 'text': {
        const font = fonts.get(op.weight) as PlacedFont;
        out.push(
          `BT /${font.resourceName} ${n(op.size)} Tf ${n(op.gray)} g ${n(op.x)} ${n(op.y)} Td <${font.subset.encode(op.text)}> Tj ET`,
        );
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
