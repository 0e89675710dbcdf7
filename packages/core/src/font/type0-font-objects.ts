// The PDF objects of an embedded Type0/CIDFontType2 font, as library-neutral strings and bytes.
import type { FontSubset } from './japanese-font.ts';

/**
 * The five objects of a composite font. Dictionaries carry placeholders the caller replaces with
 * `N 0 R` references: {{DESCENDANT}} and {{TOUNICODE}} in type0Dict, {{DESCRIPTOR}} in cidFontDict,
 * {{FONTFILE2}} in fontDescriptorDict. `fontFile2` and `toUnicode` are stream contents; the
 * FontFile2 stream dictionary needs `/Length1 <fontFile2.length>` (uncompressed length) besides /Length.
 */
export interface Type0FontObjects {
  type0Dict: string;
  cidFontDict: string;
  fontDescriptorDict: string;
  fontFile2: Uint8Array;
  toUnicode: Uint8Array;
}

/** Describes a subset as Type0 font + CIDFontType2 (Identity-H, /CIDToGIDMap /Identity) + descriptor + streams. */
export function buildType0FontObjects(subset: FontSubset): Type0FontObjects {
  const name = pdfName(subset.baseFontName);
  const type0Dict =
    `<< /Type /Font /Subtype /Type0 /BaseFont ${name} /Encoding /Identity-H` +
    ` /DescendantFonts [{{DESCENDANT}}] /ToUnicode {{TOUNICODE}} >>`;
  const cidFontDict =
    `<< /Type /Font /Subtype /CIDFontType2 /BaseFont ${name}` +
    ` /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>` +
    ` /FontDescriptor {{DESCRIPTOR}} /CIDToGIDMap /Identity /DW ${num(subset.defaultWidth)}` +
    ` /W ${widthArray(subset.widths, subset.defaultWidth)} >>`;
  const fontDescriptorDict =
    `<< /Type /FontDescriptor /FontName ${name} /Flags ${subset.flags}` +
    ` /FontBBox [${subset.bbox.map(num).join(' ')}] /ItalicAngle ${num(subset.italicAngle)}` +
    ` /Ascent ${num(subset.ascent)} /Descent ${num(subset.descent)} /CapHeight ${num(subset.capHeight)}` +
    ` /StemV ${num(subset.stemV)} /FontFile2 {{FONTFILE2}} >>`;
  return {
    type0Dict,
    cidFontDict,
    fontDescriptorDict,
    fontFile2: subset.fontFile2,
    toUnicode: new TextEncoder().encode(subset.toUnicodeCMap),
  };
}

/** The /W array in its `cFirst [w1 w2 ...]` form, leaving out glyphs that have the default width. */
function widthArray(widths: ReadonlyArray<readonly [number, number]>, defaultWidth: number): string {
  const sorted = widths.filter(([, w]) => w !== defaultWidth).sort((a, b) => a[0] - b[0]);
  const groups: string[] = [];
  let start = -1;
  let previous = -2;
  let run: number[] = [];
  const flush = (): void => {
    if (run.length > 0) groups.push(`${start} [${run.map(num).join(' ')}]`);
  };
  for (const [cid, width] of sorted) {
    if (cid !== previous + 1) {
      flush();
      start = cid;
      run = [];
    }
    run.push(width);
    previous = cid;
  }
  flush();
  return `[${groups.join(' ')}]`;
}

/** A PDF name token; characters outside the regular set are #-escaped (PDF 32000-1 §7.3.5). */
function pdfName(value: string): string {
  let out = '/';
  for (const byte of new TextEncoder().encode(value)) {
    const regular = byte > 0x20 && byte < 0x7f && !'()<>[]{}/%#'.includes(String.fromCharCode(byte));
    out += regular ? String.fromCharCode(byte) : `#${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** A PDF number: integers as such, reals with at most 3 decimals and never in exponent form. */
function num(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return value.toFixed(3).replace(/0+$/, '').replace(/\.$/, '');
}
