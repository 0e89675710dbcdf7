// Where a page shows text, approximately: one box per text-showing operator, in default user space.
// Enough to keep a stamp off existing text (the ID line), not a text extractor: glyph widths are
// estimated (1 em per 2-byte glyph of a Type0 font, 0.6 em per byte otherwise), and a box reaches from
// the descender to the ascender of the font size. Bounded: at most MAX_OPERATIONS operators and forms
// nested 3 deep; a page that cannot be read gives the boxes found so far.
import type { PdfDocument } from './document.ts';
import { PdfLexer } from './lexer.ts';
import { PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfObject } from './objects.ts';

/** An axis-aligned box in default user space: [x0, y0, x1, y1]. */
export type Box = [number, number, number, number];
type Matrix = [number, number, number, number, number, number];

const MAX_OPERATIONS = 200_000;
const MAX_FORM_DEPTH = 3;
const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];

function multiply(m: Matrix, n: Matrix): Matrix {
  return [
    m[0] * n[0] + m[1] * n[2],
    m[0] * n[1] + m[1] * n[3],
    m[2] * n[0] + m[3] * n[2],
    m[2] * n[1] + m[3] * n[3],
    m[4] * n[0] + m[5] * n[2] + n[4],
    m[4] * n[1] + m[5] * n[3] + n[5],
  ];
}

function apply(m: Matrix, x: number, y: number): [number, number] {
  return [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];
}

/** The boxes of the text shown on page `pageIndex` (0-based). */
export function pageTextBoxes(doc: PdfDocument, pageIndex: number): Box[] {
  const page = doc.page(pageIndex);
  const boxes: Box[] = [];
  const budget = { operations: 0 };
  const resources = doc.dict(doc.inherited(page.dict, 'Resources'));
  const contents = doc.resolve(page.dict.get('Contents'));
  const streams = (Array.isArray(contents) ? contents : [page.dict.get('Contents')])
    .map((v) => doc.resolve(v))
    .filter((v): v is PdfStream => v instanceof PdfStream);
  try {
    const data = Buffer.concat(streams.flatMap((s) => [doc.streamData(s), Buffer.from('\n')]));
    scan(doc, data, resources, IDENTITY, boxes, budget, 0);
  } catch {
    // An unreadable content stream: keep what was found.
  }
  return boxes;
}

interface TextState {
  fontSize: number;
  twoByte: boolean;
  leading: number;
  scale: number;
  rise: number;
  charSpacing: number;
  tm: Matrix;
  tlm: Matrix;
}

function scan(
  doc: PdfDocument,
  data: Uint8Array,
  resources: PdfDict | undefined,
  base: Matrix,
  boxes: Box[],
  budget: { operations: number },
  depth: number,
): void {
  const lexer = new PdfLexer(data);
  const operands: PdfObject[] = [];
  const stack: Matrix[] = [];
  let ctm: Matrix = base;
  const text: TextState = {
    fontSize: 12,
    twoByte: false,
    leading: 0,
    scale: 1,
    rise: 0,
    charSpacing: 0,
    tm: IDENTITY,
    tlm: IDENTITY,
  };
  const fonts = doc.dict(resources?.get('Font'));
  const xobjects = doc.dict(resources?.get('XObject'));
  const num = (i: number): number => {
    const v = operands[operands.length - i];
    return typeof v === 'number' ? v : 0;
  };
  const show = (glyphCount: number, ems: number) => {
    const trm = multiply([text.fontSize * text.scale, 0, 0, text.fontSize, 0, text.rise], multiply(text.tm, ctm));
    const width = ems + (glyphCount * text.charSpacing) / Math.max(text.fontSize, 0.001);
    const corners = [apply(trm, 0, -0.22), apply(trm, width, -0.22), apply(trm, 0, 0.9), apply(trm, width, 0.9)];
    const xs = corners.map((c) => c[0]);
    const ys = corners.map((c) => c[1]);
    boxes.push([Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)]);
    // Advance the text matrix by the estimated width.
    text.tm = multiply([1, 0, 0, 1, width * text.fontSize * text.scale, 0], text.tm);
  };
  const ems = (s: PdfString) => (text.twoByte ? s.bytes.length / 2 : s.bytes.length * 0.6);
  const glyphs = (s: PdfString) => (text.twoByte ? s.bytes.length / 2 : s.bytes.length);
  const nextLine = () => {
    text.tlm = multiply([1, 0, 0, 1, 0, -text.leading], text.tlm);
    text.tm = text.tlm;
  };

  for (;;) {
    lexer.skipWhitespaceAndComments();
    if (lexer.pos >= data.length) return;
    if (++budget.operations > MAX_OPERATIONS) return;
    const c = data[lexer.pos];
    if (
      c === 0x2f ||
      c === 0x28 ||
      c === 0x3c ||
      c === 0x5b ||
      (c >= 0x30 && c <= 0x39) ||
      c === 0x2b ||
      c === 0x2d ||
      c === 0x2e
    ) {
      operands.push(lexer.parseObject());
      continue;
    }
    const op = lexer.readToken();
    if (op === '') {
      lexer.pos++;
      operands.length = 0;
      continue;
    }
    switch (op) {
      case 'q':
        if (stack.length < 64) stack.push(ctm);
        break;
      case 'Q':
        ctm = stack.pop() ?? base;
        break;
      case 'cm':
        ctm = multiply([num(6), num(5), num(4), num(3), num(2), num(1)], ctm);
        break;
      case 'BT':
        text.tm = IDENTITY;
        text.tlm = IDENTITY;
        break;
      case 'Tf': {
        text.fontSize = num(1);
        const name = operands[operands.length - 2];
        const font = name instanceof PdfName ? doc.dict(fonts?.get(name.value)) : undefined;
        text.twoByte = font?.name('Subtype') === 'Type0';
        break;
      }
      case 'TL':
        text.leading = num(1);
        break;
      case 'Tz':
        text.scale = num(1) / 100;
        break;
      case 'Ts':
        text.rise = num(1);
        break;
      case 'Tc':
        text.charSpacing = num(1);
        break;
      case 'Td':
        text.tlm = multiply([1, 0, 0, 1, num(2), num(1)], text.tlm);
        text.tm = text.tlm;
        break;
      case 'TD':
        text.leading = -num(1);
        text.tlm = multiply([1, 0, 0, 1, num(2), num(1)], text.tlm);
        text.tm = text.tlm;
        break;
      case 'Tm':
        text.tlm = [num(6), num(5), num(4), num(3), num(2), num(1)];
        text.tm = text.tlm;
        break;
      case 'T*':
        nextLine();
        break;
      case 'Tj':
      case "'":
      case '"': {
        if (op !== 'Tj') nextLine();
        const s = operands[operands.length - 1];
        if (s instanceof PdfString && s.bytes.length > 0) show(glyphs(s), ems(s));
        break;
      }
      case 'TJ': {
        const list = operands[operands.length - 1];
        if (Array.isArray(list)) {
          let count = 0;
          let width = 0;
          for (const item of list) {
            if (item instanceof PdfString) {
              count += glyphs(item);
              width += ems(item);
            } else if (typeof item === 'number') width -= item / 1000;
          }
          if (count > 0) show(count, Math.max(width, 0));
        }
        break;
      }
      case 'Do': {
        const name = operands[operands.length - 1];
        const ref = name instanceof PdfName ? xobjects?.get(name.value) : undefined;
        const form = ref instanceof PdfRef || ref instanceof PdfStream ? doc.resolve(ref) : undefined;
        if (form instanceof PdfStream && form.dict.name('Subtype') === 'Form' && depth < MAX_FORM_DEPTH) {
          const m = doc.resolve(form.dict.get('Matrix'));
          const matrix: Matrix =
            Array.isArray(m) && m.length === 6 && m.every((v) => typeof v === 'number') ? (m as Matrix) : IDENTITY;
          const inner = doc.dict(form.dict.get('Resources')) ?? resources;
          scan(doc, doc.streamData(form), inner, multiply(matrix, ctm), boxes, budget, depth + 1);
        }
        break;
      }
      case 'BI': {
        // Inline image: skip its data up to "EI".
        const end = Buffer.from(data.buffer, data.byteOffset, data.byteLength).indexOf('EI', lexer.pos, 'latin1');
        lexer.pos = end < 0 ? data.length : end + 2;
        break;
      }
      default:
        break;
    }
    operands.length = 0;
  }
}
