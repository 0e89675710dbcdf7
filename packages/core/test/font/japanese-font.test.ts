import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import { isCoreError } from '../../src/errors.ts';
import {
  buildType0FontObjects,
  createFontSubset,
  loadJapaneseFont,
  type FontSubset,
  type JapaneseFont,
} from '../../src/font/japanese-font.ts';
import { checksum } from '../../src/font/truetype-subset.ts';
import { buildOnePagePdf, type TextLine } from './minimal-pdf.ts';

const run = promisify(execFile);
const STAMP = '締結証明書ID: 3F7A-92KD';
const SECOND = '契約締結証明書 東京都 ダウンロード ABCxyz 0123';
const YOSHI = '\u{20BB7}'; // 𠮷, outside the BMP

let dir: string;
let font: JapaneseFont;

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inkan-font-'));
});
after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function writePdf(name: string, subset: FontSubset, lines: TextLine[]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, buildOnePagePdf(buildType0FontObjects(subset), lines));
  return file;
}

/** pdftotext's lines without the blank line ending a text block and the form feed ending the page. */
function extractedLines(stdout: string): string[] {
  return stdout.replace(/\n*\f$/, '').split('\n');
}

/**
 * mutool's stderr less its progress line and the notice that this mupdf build lacks ICC support
 * (printed for every file, with or without colour spaces).
 */
function mutoolComplaints(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^page \S+ \d+$/.test(l) && l !== 'warning: ICC support is not available');
}

/** Renders page 1 in grey at `dpi` and returns its pixels (PGM P5 body). */
async function renderGray(file: string, dpi: number): Promise<Uint8Array> {
  const prefix = file.replace(/\.pdf$/, '');
  await run('pdftoppm', ['-r', String(dpi), '-gray', '-singlefile', file, prefix]);
  const pgm = fs.readFileSync(`${prefix}.pgm`);
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(pgm.subarray(0, 40).toString('latin1'));
  assert.ok(header, 'pdftoppm wrote a binary PGM');
  return pgm.subarray(header[0].length);
}

test('loading parses once per weight and caches it', (t) => {
  const started = performance.now();
  font = loadJapaneseFont();
  const cold = performance.now() - started;
  const again = performance.now();
  assert.equal(loadJapaneseFont('regular'), font);
  const warm = performance.now() - again;
  const boldStarted = performance.now();
  const bold = loadJapaneseFont('bold');
  const boldCold = performance.now() - boldStarted;
  assert.notEqual(bold, font);
  const subsetStarted = performance.now();
  createFontSubset(font, STAMP);
  const firstSubset = performance.now() - subsetStarted;
  assert.equal(font.postscriptName, 'NotoSansJP-Regular');
  assert.equal(bold.postscriptName, 'NotoSansJP-Bold');
  t.diagnostic(
    `load regular cold ${cold.toFixed(1)} ms, cached ${warm.toFixed(3)} ms, bold cold ${boldCold.toFixed(1)} ms, first subset ${firstSubset.toFixed(1)} ms`,
  );
});

test('a hand-written PDF with the subset extracts, lists, checks and renders cleanly', async (t) => {
  const subset = createFontSubset(font, STAMP + SECOND);
  const file = writePdf('stamp.pdf', subset, [
    { x: 20, y: 90, fontSize: 16, hex: subset.encode(STAMP) },
    { x: 20, y: 50, fontSize: 16, hex: subset.encode(SECOND) },
  ]);

  const text = await run('pdftotext', ['-enc', 'UTF-8', file, '-']);
  assert.deepEqual(extractedLines(text.stdout), [STAMP, SECOND]);

  const fonts = await run('pdffonts', [file]);
  const row = fonts.stdout.split('\n').find((line) => line.startsWith(subset.baseFontName));
  assert.ok(row, `pdffonts lists ${subset.baseFontName}:\n${fonts.stdout}`);
  assert.match(row, /^[A-Z]{6}\+NotoSansJP-Regular\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes\s+5\s+0$/);

  const check = await run('qpdf', ['--check', file]);
  assert.match(check.stdout, /No syntax or stream encoding errors found/);

  const png = path.join(dir, 'mutool.png');
  const drawn = await run('mutool', ['draw', '-o', png, file]);
  assert.deepEqual(mutoolComplaints(drawn.stderr), [], 'mutool draw prints no warning about the file');
  assert.ok(fs.statSync(png).size > 1000);

  await run('pdftoppm', ['-r', '100', '-png', '-singlefile', file, path.join(dir, 'stamp')]);
  assert.ok(fs.statSync(path.join(dir, 'stamp.png')).size > 1000);
  t.diagnostic(`subset for both lines: ${subset.fontFile2.length} bytes, ${subset.widths.length} glyphs`);
});

test('glyphs render as real, distinct outlines, not .notdef boxes', async () => {
  const subset = createFontSubset(font, '締結');
  const big = (hex: string): TextLine[] => [{ x: 20, y: 20, fontSize: 100, hex }];
  const tei = await renderGray(writePdf('tei.pdf', subset, big(subset.encode('締'))), 36);
  const ketsu = await renderGray(writePdf('ketsu.pdf', subset, big(subset.encode('結'))), 36);
  const notdef = await renderGray(writePdf('notdef.pdf', subset, big('0000')), 36);
  const ink = (pixels: Uint8Array): number => pixels.reduce((n, p) => n + (p < 128 ? 1 : 0), 0);
  assert.ok(ink(tei) > 100 && ink(ketsu) > 100, 'both characters leave ink');
  assert.notDeepEqual(tei, ketsu);
  assert.notDeepEqual(tei, notdef);
  assert.notDeepEqual(ketsu, notdef);
});

test('the subset program is a valid TrueType font with the original outlines and a working cmap', () => {
  const text = STAMP + SECOND + YOSHI;
  const subset = createFontSubset(font, text);
  const bytes = subset.fontFile2;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assert.equal(checksum(bytes), 0xb1b0afba, 'whole-file checksum matches head.checkSumAdjustment');
  const tags: string[] = [];
  for (let i = 0; i < view.getUint16(4); i++) {
    const record = 12 + i * 16;
    const tag = Buffer.from(bytes.subarray(record, record + 4)).toString('latin1');
    tags.push(tag);
    const offset = view.getUint32(record + 8);
    const table = bytes.slice(offset, offset + view.getUint32(record + 12));
    if (tag === 'head') table.fill(0, 8, 12);
    assert.equal(view.getUint32(record + 4), checksum(table), `checksum of ${tag}`);
  }
  for (const tag of ['cmap', 'glyf', 'head', 'hhea', 'hmtx', 'loca', 'maxp']) assert.ok(tags.includes(tag), tag);
  assert.deepEqual(tags, [...tags].sort());

  const reparsed = fontkit.create(bytes);
  assert.equal(reparsed.numGlyphs, subset.widths.length);
  for (const ch of new Set(Array.from(text))) {
    const cp = ch.codePointAt(0) as number;
    const cid = parseInt(subset.encode(ch), 16);
    const mine = reparsed.glyphForCodePoint(cp);
    const original = font.fontkit.glyphForCodePoint(cp);
    assert.equal(mine.id, cid, `cmap of the subset maps ${ch} to its CID`);
    assert.equal(mine.path.toSVG(), original.path.toSVG(), `outline of ${ch}`);
    assert.equal(mine.advanceWidth, original.advanceWidth, `advance of ${ch}`);
  }
});

test('the same text gives the same subset; other glyph sets and weights give other tags', (t) => {
  const a = createFontSubset(font, STAMP);
  const b = createFontSubset(font, STAMP);
  assert.match(a.baseFontName, /^[A-Z]{6}\+NotoSansJP-Regular$/);
  assert.equal(a.baseFontName, b.baseFontName);
  assert.deepEqual(a.fontFile2, b.fontFile2);
  assert.equal(createFontSubset(font, Array.from(STAMP).reverse().join('')).baseFontName, a.baseFontName);
  assert.notEqual(createFontSubset(font, `${STAMP}X`).baseFontName, a.baseFontName);
  const bold = createFontSubset(loadJapaneseFont('bold'), STAMP);
  assert.match(bold.baseFontName, /^[A-Z]{6}\+NotoSansJP-Bold$/);
  assert.notEqual(bold.baseFontName.slice(0, 6), a.baseFontName.slice(0, 6));
  assert.ok(a.fontFile2.length < 20_000, `stamp subset is small (${a.fontFile2.length} bytes)`);
  t.diagnostic(
    `stamp subset: ${a.fontFile2.length} bytes regular, ${bold.fontFile2.length} bytes bold, ${a.widths.length} glyphs`,
  );
});

test('a large subset (1200 kanji, many bfchar blocks) still extracts line by line', async (t) => {
  const kanji: string[] = [];
  for (let cp = 0x4e00; kanji.length < 1200; cp++)
    if (font.hasGlyphsFor(String.fromCodePoint(cp))) kanji.push(String.fromCodePoint(cp));
  const lines = Array.from({ length: 30 }, (_, i) => kanji.slice(i * 40, i * 40 + 40).join(''));
  const started = performance.now();
  const subset = createFontSubset(font, lines.join(''));
  const elapsed = performance.now() - started;
  assert.equal(subset.widths.length, 1201);
  // 1200 mappings (.notdef has none) in blocks of at most 100, as TN 5014 limits them.
  assert.deepEqual(
    [...subset.toUnicodeCMap.matchAll(/(\d+) beginbfchar/g)].map((m) => Number(m[1])),
    Array(12).fill(100),
  );
  const file = path.join(dir, 'large.pdf');
  const textLines = lines.map((line, i): TextLine => ({
    x: 10,
    y: 420 - i * 14,
    fontSize: 10,
    hex: subset.encode(line),
  }));
  fs.writeFileSync(file, buildOnePagePdf(buildType0FontObjects(subset), textLines, [420, 440]));
  const text = await run('pdftotext', ['-enc', 'UTF-8', file, '-']);
  assert.deepEqual(extractedLines(text.stdout), lines);
  await run('qpdf', ['--check', file]);
  t.diagnostic(`1200-kanji subset: ${subset.fontFile2.length} bytes, built in ${elapsed.toFixed(1)} ms`);
});

test('a non-BMP character round-trips through ToUnicode', async () => {
  assert.ok(font.hasGlyphsFor(YOSHI), 'Noto Sans JP has U+20BB7');
  const line = `${YOSHI}野家 ${YOSHI}`;
  const subset = createFontSubset(font, line);
  assert.match(subset.toUnicodeCMap, /<[0-9A-F]{4}> <D842DFB7>/);
  const file = writePdf('yoshi.pdf', subset, [{ x: 20, y: 50, fontSize: 16, hex: subset.encode(line) }]);
  const text = await run('pdftotext', ['-enc', 'UTF-8', file, '-']);
  assert.deepEqual(extractedLines(text.stdout), [line]);
});

test('characters outside the font or the subset are refused with FONT_GLYPH_MISSING', () => {
  assert.equal(font.hasGlyphsFor(STAMP + SECOND), true);
  assert.equal(font.hasGlyphsFor('契約 \u{1F600}'), false);
  assert.equal(font.hasGlyphsFor('\u0378'), false);
  assert.throws(
    () => createFontSubset(font, 'OK \u{1F600}'),
    (e) => isCoreError(e, 'FONT_GLYPH_MISSING') && /U\+1F600/.test(e.message),
  );
  const subset = createFontSubset(font, STAMP);
  assert.throws(
    () => subset.encode('契'),
    (e) => isCoreError(e, 'FONT_GLYPH_MISSING'),
  );
  assert.throws(
    () => subset.widthOf('z', 12),
    (e) => isCoreError(e, 'FONT_GLYPH_MISSING'),
  );
  assert.throws(
    () => loadJapaneseFont('light' as 'regular'),
    (e) => isCoreError(e, 'FONT_UNAVAILABLE'),
  );
});

test('widths, encoding and the PDF dictionaries carry the font metrics', () => {
  const subset = createFontSubset(font, STAMP);
  const advance = (ch: string): number => font.fontkit.glyphForCodePoint(ch.codePointAt(0) as number).advanceWidth;
  assert.equal(subset.unitsPerEm, 1000);
  assert.equal(subset.widthOf('締結', 10), ((advance('締') + advance('結')) * 10) / 1000);
  assert.equal(
    subset.widthOf('ID: 3', 12),
    ((advance('I') + advance('D') + advance(':') + advance(' ') + advance('3')) * 12) / 1000,
  );
  assert.equal(subset.defaultWidth, 1000);
  assert.equal(subset.encode('締').length, 4);
  assert.equal(subset.encode(''), '');
  assert.equal(new Set(subset.widths.map(([cid]) => cid)).size, subset.widths.length);

  const objects = buildType0FontObjects(subset);
  const name = `/${subset.baseFontName}`;
  assert.equal(
    objects.type0Dict,
    `<< /Type /Font /Subtype /Type0 /BaseFont ${name} /Encoding /Identity-H /DescendantFonts [{{DESCENDANT}}] /ToUnicode {{TOUNICODE}} >>`,
  );
  assert.match(objects.cidFontDict, /\/Subtype \/CIDFontType2 /);
  assert.match(
    objects.cidFontDict,
    /\/CIDSystemInfo << \/Registry \(Adobe\) \/Ordering \(Identity\) \/Supplement 0 >>/,
  );
  assert.match(objects.cidFontDict, /\/FontDescriptor \{\{DESCRIPTOR\}\} \/CIDToGIDMap \/Identity \/DW 1000 \/W \[/);
  // Every non-default width appears in /W at its CID.
  const w = /\/W \[(.*)\] >>$/.exec(objects.cidFontDict)?.[1] ?? '';
  const fromW = new Map<number, number>();
  for (const [, start, list] of w.matchAll(/(\d+) \[([^\]]*)\]/g)) {
    list.split(' ').forEach((width, i) => fromW.set(Number(start) + i, Number(width)));
  }
  for (const [cid, width] of subset.widths)
    assert.equal(fromW.get(cid) ?? subset.defaultWidth, width, `width of CID ${cid}`);
  assert.ok(fromW.size > 0);
  assert.equal(
    objects.fontDescriptorDict,
    `<< /Type /FontDescriptor /FontName ${name} /Flags 4 /FontBBox [-1002 -1048 2928 1808] /ItalicAngle 0` +
      ' /Ascent 1160 /Descent -288 /CapHeight 733 /StemV 88 /FontFile2 {{FONTFILE2}} >>',
  );
  assert.equal(Buffer.from(objects.toUnicode).toString('latin1'), subset.toUnicodeCMap);
  assert.equal(objects.fontFile2, subset.fontFile2);
});
