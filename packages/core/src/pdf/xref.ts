import { CoreError } from '../errors.ts';
import { decodeStream } from './filters.ts';
import { PdfBudget } from './limits.ts';
import { PdfLexer, indexOfAscii, lastIndexOfAscii, startsWith, isWhitespace } from './lexer.ts';
import { PdfDict, PdfRef, PdfStream } from './objects.ts';

/** Where an object lives: at a byte offset, or inside an object stream. */
export type XrefEntry =
  | { kind: 'offset'; offset: number; generation: number }
  | { kind: 'compressed'; streamObjectNumber: number; index: number }
  | { kind: 'free' };

/** The merged cross-reference information of a file: newest entry wins. */
export interface XrefTable {
  entries: Map<number, XrefEntry>;
  /** The newest trailer (for a stream: the xref stream's dictionary). */
  trailer: PdfDict;
  /** Offset of the newest xref section (the value after `startxref`). */
  startxref: number;
  /** Kind of the newest section; an update writes the same kind. */
  kind: 'table' | 'stream';
  /** True when the table was rebuilt by scanning because the xref was broken. */
  repaired: boolean;
  /** Offsets of the cross-reference sections of the /Prev chain, newest first (empty when repaired). */
  sections: number[];
}

/** Finds the offset given after the last `startxref` keyword. */
export function findStartxref(bytes: Uint8Array): number {
  const tailStart = Math.max(0, bytes.length - 2048);
  const at = lastIndexOfAscii(bytes, 'startxref', bytes.length);
  if (at < 0 || at < tailStart - 1)
    throw new CoreError('PDF_TRUNCATED', 'the file ends without "startxref": it is truncated or not a complete PDF');
  const lexer = new PdfLexer(bytes);
  lexer.pos = at + 9;
  const offset = lexer.tryReadUnsigned();
  if (offset === undefined) throw new CoreError('PDF_BROKEN_XREF', 'the value after "startxref" is not a number');
  if (indexOfAscii(bytes, '%%EOF', at) < 0)
    throw new CoreError('PDF_TRUNCATED', 'the file ends without "%%EOF": it is truncated');
  return offset;
}

/** The largest key of a map of object numbers (0 when empty), without spreading a huge map into arguments. */
export function largestObjectNumber(entries: Map<number, unknown>): number {
  let max = 0;
  for (const key of entries.keys()) if (key > max) max = key;
  return max;
}

/**
 * Reads the xref chain starting at `startxref`, following /Prev and /XRefStm. The chain's length,
 * its entries and its decoded streams count against `budget`; a /Prev chain that loops is over it.
 */
export function readXref(
  bytes: Uint8Array,
  startxref: number,
  budget: PdfBudget = new PdfBudget(bytes.length),
): XrefTable {
  const entries = new Map<number, XrefEntry>();
  const visited = new Set<number>();
  let trailer: PdfDict | undefined;
  let kind: 'table' | 'stream' = 'table';
  let offset: number | undefined = startxref;
  let first = true;
  const sections: number[] = [];
  while (offset !== undefined) {
    sections.push(offset);
    if (visited.has(offset)) {
      budget.exceed(
        'xref-sections',
        budget.maxXrefSections,
        `the cross-reference chain (/Prev) loops back to the section at byte ${offset}, so it never ends`,
      );
    }
    budget.check('xref-sections', visited.size + 1, budget.maxXrefSections);
    visited.add(offset);
    const section = readSection(bytes, offset, entries, budget);
    if (first) {
      trailer = section.trailer;
      kind = section.kind;
      first = false;
    }
    const xrefStm = section.trailer.get('XRefStm');
    if (section.kind === 'table' && typeof xrefStm === 'number' && !visited.has(xrefStm)) {
      visited.add(xrefStm);
      readSection(bytes, xrefStm, entries, budget);
    }
    const prev = section.trailer.get('Prev');
    offset = typeof prev === 'number' ? prev : undefined;
  }
  return { entries, trailer: trailer!, startxref, kind, repaired: false, sections };
}

interface Section {
  trailer: PdfDict;
  kind: 'table' | 'stream';
}

function readSection(bytes: Uint8Array, offset: number, entries: Map<number, XrefEntry>, budget: PdfBudget): Section {
  if (!Number.isInteger(offset) || offset < 0 || offset >= bytes.length) {
    throw new CoreError('PDF_BROKEN_XREF', `a cross-reference offset (${offset}) points outside the file`);
  }
  let p = offset;
  while (p < bytes.length && isWhitespace(bytes[p])) p++;
  if (startsWith(bytes, p, 'xref')) return readTable(bytes, p + 4, entries, budget);
  try {
    return readStreamSection(bytes, p, entries, budget);
  } catch (error) {
    if (error instanceof CoreError && (error.code === 'PDF_BROKEN_XREF' || error.code === 'PDF_TOO_COMPLEX'))
      throw error;
    throw new CoreError('PDF_BROKEN_XREF', `no cross-reference section at offset ${offset}`, { cause: error });
  }
}

function readTable(bytes: Uint8Array, start: number, entries: Map<number, XrefEntry>, budget: PdfBudget): Section {
  const lexer = new PdfLexer(bytes, undefined, budget);
  lexer.pos = start;
  for (;;) {
    lexer.skipWhitespaceAndComments();
    if (startsWith(bytes, lexer.pos, 'trailer')) break;
    const firstNumber = lexer.tryReadUnsigned();
    const count = lexer.tryReadUnsigned();
    if (firstNumber === undefined || count === undefined)
      throw new CoreError('PDF_BROKEN_XREF', 'malformed cross-reference table');
    lexer.skipWhitespaceAndComments();
    let p = lexer.pos;
    for (let i = 0; i < count; i++) {
      // Entries are "oooooooooo ggggg n" plus a 2-byte EOL; tolerate 1-byte EOLs.
      while (p < bytes.length && isWhitespace(bytes[p])) p++;
      if (p + 18 > bytes.length) throw new CoreError('PDF_BROKEN_XREF', 'the cross-reference table is cut short');
      const offset = parseDigits(bytes, p, 10);
      const generation = parseDigits(bytes, p + 11, 5);
      const type = bytes[p + 17];
      if (offset < 0 || generation < 0 || (type !== 0x6e && type !== 0x66)) {
        throw new CoreError('PDF_BROKEN_XREF', 'malformed cross-reference entry');
      }
      const objectNumber = firstNumber + i;
      if (!entries.has(objectNumber)) {
        entries.set(objectNumber, type === 0x6e ? { kind: 'offset', offset, generation } : { kind: 'free' });
        if (entries.size > budget.maxObjects) budget.exceed('objects', budget.maxObjects);
      }
      p += 18;
    }
    lexer.pos = p;
  }
  lexer.pos += 7;
  const trailer = lexer.parseObject();
  if (!(trailer instanceof PdfDict)) throw new CoreError('PDF_BROKEN_XREF', 'the trailer is not a dictionary');
  return { trailer, kind: 'table' };
}

function parseDigits(bytes: Uint8Array, p: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = bytes[p + i];
    if (c < 0x30 || c > 0x39) return -1;
    v = v * 10 + (c - 0x30);
  }
  return v;
}

function readStreamSection(
  bytes: Uint8Array,
  offset: number,
  entries: Map<number, XrefEntry>,
  budget: PdfBudget,
): Section {
  const lexer = new PdfLexer(bytes, undefined, budget);
  lexer.pos = offset;
  const object = lexer.parseIndirectObject();
  const stream = object.value;
  if (!(stream instanceof PdfStream) || stream.dict.name('Type') !== 'XRef') {
    throw new CoreError('PDF_BROKEN_XREF', `offset ${offset} does not hold a cross-reference stream`);
  }
  const dict = stream.dict;
  const w = dict.get('W');
  if (!Array.isArray(w) || w.length < 3 || !w.every((n) => typeof n === 'number' && n >= 0 && n <= 8)) {
    throw new CoreError('PDF_BROKEN_XREF', 'cross-reference stream has a bad /W');
  }
  const [w0, w1, w2] = w as number[];
  // A row of no bytes would let /Index claim any number of entries for free.
  if (w0 + w1 + w2 === 0) throw new CoreError('PDF_BROKEN_XREF', 'cross-reference stream has a bad /W');
  const size = dict.get('Size');
  if (typeof size !== 'number') throw new CoreError('PDF_BROKEN_XREF', 'cross-reference stream has no /Size');
  const index = dict.get('Index');
  const ranges: number[] =
    Array.isArray(index) && index.every((n) => typeof n === 'number') ? (index as number[]) : [0, size];
  const data = decodeStream(stream, undefined, budget);
  const rowLength = w0 + w1 + w2;
  let row = 0;
  for (let r = 0; r + 1 < ranges.length; r += 2) {
    const firstNumber = ranges[r];
    const count = ranges[r + 1];
    for (let i = 0; i < count; i++, row++) {
      const p = row * rowLength;
      if (p + rowLength > data.length)
        throw new CoreError('PDF_BROKEN_XREF', 'cross-reference stream is shorter than its /Index says');
      const type = w0 === 0 ? 1 : readInt(data, p, w0);
      const f2 = readInt(data, p + w0, w1);
      const f3 = readInt(data, p + w0 + w1, w2);
      const objectNumber = firstNumber + i;
      if (entries.has(objectNumber)) continue;
      if (type === 0) entries.set(objectNumber, { kind: 'free' });
      else if (type === 1) entries.set(objectNumber, { kind: 'offset', offset: f2, generation: f3 });
      else if (type === 2) entries.set(objectNumber, { kind: 'compressed', streamObjectNumber: f2, index: f3 });
      if (entries.size > budget.maxObjects) budget.exceed('objects', budget.maxObjects);
    }
  }
  return { trailer: dict, kind: 'stream' };
}

function readInt(data: Uint8Array, p: number, width: number): number {
  let v = 0;
  for (let i = 0; i < width; i++) v = v * 256 + data[p + i];
  return v;
}

/**
 * Rebuilds a cross-reference table by scanning for `N G obj` headers, the way viewers repair
 * damaged files. Used only for reading (the verifier); signing refuses a broken file.
 */
export function reconstructXref(bytes: Uint8Array, budget: PdfBudget = new PdfBudget(bytes.length)): XrefTable {
  const entries = new Map<number, XrefEntry>();
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const header = /(\d+)\s+(\d+)\s+obj\b/g;
  let match: RegExpExecArray | null;
  while ((match = header.exec(text)) !== null) {
    const before = match.index === 0 ? 0x0a : bytes[match.index - 1];
    if (!isWhitespace(before) && before !== 0x3e) continue;
    entries.set(Number(match[1]), { kind: 'offset', offset: match.index, generation: Number(match[2]) });
    if (entries.size > budget.maxObjects) budget.exceed('objects', budget.maxObjects);
  }
  let trailer: PdfDict | undefined;
  const at = lastIndexOfAscii(bytes, 'trailer');
  if (at >= 0) {
    const lexer = new PdfLexer(bytes, undefined, budget);
    lexer.pos = at + 7;
    try {
      const t = lexer.parseObject();
      if (t instanceof PdfDict) trailer = t;
    } catch {
      trailer = undefined;
    }
  }
  if (trailer === undefined) {
    // Look for a catalog among the objects found.
    for (const [num, entry] of entries) {
      if (entry.kind !== 'offset') continue;
      const lexer = new PdfLexer(bytes, undefined, budget);
      lexer.pos = entry.offset;
      try {
        const obj = lexer.parseIndirectObject();
        const dict = obj.value instanceof PdfStream ? obj.value.dict : obj.value;
        if (dict instanceof PdfDict && dict.name('Type') === 'Catalog') {
          trailer = new PdfDict([['Root', new PdfRef(num, entry.generation)]]);
        }
        if (dict instanceof PdfDict && dict.name('Type') === 'XRef' && dict.get('Root') instanceof PdfRef) {
          trailer = dict;
        }
      } catch (error) {
        if (error instanceof CoreError && error.code === 'PDF_TOO_COMPLEX') throw error;
        continue;
      }
    }
  }
  if (trailer === undefined)
    throw new CoreError('PDF_BROKEN_XREF', 'the cross-reference table is broken and no document catalog can be found');
  const maxNumber = largestObjectNumber(entries);
  trailer = trailer.clone().set('Size', maxNumber + 1);
  return { entries, trailer, startxref: -1, kind: 'table', repaired: true, sections: [] };
}
