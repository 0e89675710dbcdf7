// Noto Sans JP (SIL OFL, from @expo-google-fonts/noto-sans-jp) subsetted for embedding as a
// Type0/CIDFontType2 font with Identity-H encoding and /CIDToGIDMap /Identity: CIDs are the glyph
// ids of the subset program, so the PDF needs no CMap of its own besides ToUnicode.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type fontkitModule from '@pdf-lib/fontkit';
import type { Font } from '@pdf-lib/fontkit';
import { CoreError } from '../errors.ts';
import { buildToUnicodeCMap, hex4 } from './to-unicode-cmap.ts';
import { TrueTypeSource, closeOverComponents, subsetTrueType } from './truetype-subset.ts';

export { buildType0FontObjects } from './type0-font-objects.ts';
export type { Type0FontObjects } from './type0-font-objects.ts';

/** Noto Sans JP regular and bold; 'seal' is Noto Serif JP Bold (SIL OFL), the face of generated 印影. */
export type FontWeight = 'regular' | 'bold' | 'seal';

/** An embeddable subset of a font for a given text, with everything a PDF writer needs. */
export interface FontSubset {
  /** 'ABCDEF+NotoSansJP-Regular'; the tag is a hash of font, glyph set and ToUnicode mapping. */
  baseFontName: string;
  /** Standalone TrueType program for /FontFile2 (glyf, loca, head, hhea, hmtx, maxp, cmap, OS/2, post, name). */
  fontFile2: Uint8Array;
  unitsPerEm: number;
  /** [cid, advance] for every glyph of the subset, advances in 1000-unit glyph space. */
  widths: Array<[cid: number, width: number]>;
  /** /DW: the most common advance among the subset's glyphs. */
  defaultWidth: number;
  ascent: number;
  descent: number;
  capHeight: number;
  bbox: [number, number, number, number];
  italicAngle: number;
  stemV: number;
  flags: number;
  /** Complete ToUnicode CMap program: 2-byte CID → UTF-16BE text. */
  toUnicodeCMap: string;
  /** Hex string of 2-byte CIDs for a `<...> Tj` operand; throws FONT_GLYPH_MISSING for characters outside the subset. */
  encode(text: string): string;
  /** The 4 hex digits of the code point's CID, as encode writes them; undefined when the subset lacks it. */
  hexOf(codePoint: number): string | undefined;
  /** Width of `text` at `fontSize` in text space units (sum of advances, no kerning). */
  widthOf(text: string, fontSize: number): number;
}

const FONT_FILES: Record<FontWeight, string> = {
  regular: '@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf',
  bold: '@expo-google-fonts/noto-sans-jp/700Bold/NotoSansJP_700Bold.ttf',
  seal: '@expo-google-fonts/noto-serif-jp/700Bold/NotoSerifJP_700Bold.ttf',
};

/** A parsed Noto Sans JP weight; obtain it from loadJapaneseFont. */
// fontkit takes longer to load than a whole `inkan verify` runs: it is loaded when a font is first parsed.
let fontkit: typeof fontkitModule | undefined;
function loadFontkit(): typeof fontkitModule {
  fontkit ??= createRequire(import.meta.url)('@pdf-lib/fontkit') as typeof fontkitModule;
  return fontkit;
}

export class JapaneseFont {
  readonly weight: FontWeight;
  readonly postscriptName: string;
  readonly unitsPerEm: number;
  /** fontkit's parse of the whole font (metrics, cmap lookups, layout if ever needed). */
  readonly fontkit: Font;
  /** Raw table access used to write subsets. */
  readonly source: TrueTypeSource;

  constructor(weight: FontWeight, bytes: Uint8Array) {
    this.weight = weight;
    this.fontkit = loadFontkit().create(bytes);
    this.source = new TrueTypeSource(bytes);
    this.postscriptName =
      this.fontkit.postscriptName ??
      (weight === 'seal' ? 'NotoSerifJP-Bold' : `NotoSansJP-${weight === 'bold' ? 'Bold' : 'Regular'}`);
    this.unitsPerEm = this.fontkit.unitsPerEm;
  }

  /** Glyph ids already looked up (fontkit's cmap lookup builds a glyph object each time). */
  readonly #glyphIds = new Map<number, number>();

  /** Glyph id of a code point in the full font, 0 when the font has no glyph for it. */
  glyphIdFor(codePoint: number): number {
    let id = this.#glyphIds.get(codePoint);
    if (id === undefined) {
      id = this.fontkit.hasGlyphForCodePoint(codePoint) ? this.fontkit.glyphForCodePoint(codePoint).id : 0;
      this.#glyphIds.set(codePoint, id);
    }
    return id;
  }

  /** Whether every character of `text` has a glyph in this font (createFontSubset would not throw). */
  hasGlyphsFor(text: string): boolean {
    return missingCharacters(this, text).length === 0;
  }
}

const cache = new Map<FontWeight, JapaneseFont>();

/**
 * Parsed fonts are dropped this long after their last use: each holds the ~5.5 MB file and fontkit's
 * tables (tens of MB of a server's memory), and a server stamping from a cached subset or rendering
 * certificates now and then should not keep them for ever.
 */
const FONT_IDLE_MS = 30_000;
let releaseTimer: ReturnType<typeof setTimeout> | undefined;

function keepCachedFonts(): void {
  if (releaseTimer !== undefined) {
    releaseTimer.refresh();
    return;
  }
  releaseTimer = setTimeout(releaseJapaneseFonts, FONT_IDLE_MS);
  // Never keeps a process alive.
  releaseTimer.unref?.();
}

/** Drops the parsed fonts now (the next use parses them again). */
export function releaseJapaneseFonts(): void {
  if (releaseTimer !== undefined) clearTimeout(releaseTimer);
  releaseTimer = undefined;
  cache.clear();
}

/**
 * Loads Noto Sans JP of the given weight, parsed once and cached while in use (see FONT_IDLE_MS):
 * reading the ~5.5 MB file and parsing it costs tens of milliseconds, which each stamp or certificate
 * should not pay.
 */
export function loadJapaneseFont(weight: FontWeight = 'regular'): JapaneseFont {
  keepCachedFonts();
  const cached = cache.get(weight);
  if (cached !== undefined) return cached;
  const specifier = FONT_FILES[weight];
  if (specifier === undefined) throw new CoreError('FONT_UNAVAILABLE', `unknown font weight ${String(weight)}`);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(createRequire(import.meta.url).resolve(specifier));
  } catch (cause) {
    throw new CoreError('FONT_UNAVAILABLE', `cannot read ${specifier}`, { cause });
  }
  let font: JapaneseFont;
  try {
    font = new JapaneseFont(weight, bytes);
  } catch (cause) {
    if (cause instanceof CoreError) throw cause;
    throw new CoreError('FONT_UNAVAILABLE', `cannot parse ${specifier}`, { cause });
  }
  cache.set(weight, font);
  return font;
}

/** Builds the subset of `font` holding exactly the glyphs of `text` (plus .notdef); throws FONT_GLYPH_MISSING. */
export function createFontSubset(font: JapaneseFont, text: string): FontSubset {
  const missing = missingCharacters(font, text);
  if (missing.length > 0) throw missingError(font, missing);

  // Code points in order of first appearance: when two map to one glyph, the first one names it in ToUnicode.
  const codePoints = [...new Set(Array.from(text, (ch) => ch.codePointAt(0) as number))];
  const originalGlyphOf = new Map(codePoints.map((cp) => [cp, font.glyphIdFor(cp)]));
  // Sorted original ids make the CID numbering independent of the order of the text.
  const glyphIds = closeOverComponents(font.source, originalGlyphOf.values());
  const cidOf = new Map(glyphIds.map((gid, cid) => [gid, cid]));
  const cidOfCodePoint = new Map<number, number>();
  const cidToText = new Map<number, string>();
  for (const [cp, gid] of originalGlyphOf) {
    const cid = cidOf.get(gid) as number;
    cidOfCodePoint.set(cp, cid);
    if (!cidToText.has(cid)) cidToText.set(cid, String.fromCodePoint(cp));
  }

  const scale = 1000 / font.unitsPerEm;
  const widthOfCid = glyphIds.map((gid) => round3(font.source.horizontalMetric(gid).advance * scale));
  const widths = widthOfCid.map((width, cid): [number, number] => [cid, width]);
  const toUnicodeCMap = buildToUnicodeCMap(cidToText);
  const fontFile2 = subsetTrueType(font.source, glyphIds, cidOfCodePoint);

  const cidOfCharacter = (cp: number): number => {
    const cid = cidOfCodePoint.get(cp);
    if (cid === undefined) {
      throw new CoreError('FONT_GLYPH_MISSING', `character ${describe(cp)} is not in this font subset`, {
        details: { codePoint: cp },
      });
    }
    return cid;
  };

  // Each CID's operand hex, made once per subset: a certificate encodes thousands of characters.
  const hexOfCid: string[] = [];
  const f = font.fontkit;
  const bbox = f.bbox;
  return {
    baseFontName: `${subsetTag(font.postscriptName, glyphIds, cidToText)}+${font.postscriptName}`,
    fontFile2,
    unitsPerEm: font.unitsPerEm,
    widths,
    defaultWidth: mostCommon(widthOfCid),
    ascent: Math.round(f.ascent * scale),
    descent: Math.round(f.descent * scale),
    capHeight: Math.round(f.capHeight * scale),
    bbox: [bbox.minX, bbox.minY, bbox.maxX, bbox.maxY].map((v) => Math.round(v * scale)) as [
      number,
      number,
      number,
      number,
    ],
    italicAngle: f.italicAngle,
    stemV: stemV(font.source),
    flags: descriptorFlags(font),
    toUnicodeCMap,
    encode: (value) => {
      let hex = '';
      for (const ch of value) {
        const cid = cidOfCharacter(ch.codePointAt(0) as number);
        hex += hexOfCid[cid] ??= hex4(cid);
      }
      return hex;
    },
    hexOf: (codePoint) => {
      const cid = cidOfCodePoint.get(codePoint);
      return cid === undefined ? undefined : (hexOfCid[cid] ??= hex4(cid));
    },
    widthOf: (value, fontSize) => {
      let total = 0;
      for (const ch of value) total += widthOfCid[cidOfCharacter(ch.codePointAt(0) as number)];
      return (total * fontSize) / 1000;
    },
  };
}

function missingCharacters(font: JapaneseFont, text: string): number[] {
  const missing = new Set<number>();
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (font.glyphIdFor(cp) === 0) missing.add(cp);
  }
  return [...missing];
}

function missingError(font: JapaneseFont, missing: number[]): CoreError {
  return new CoreError(
    'FONT_GLYPH_MISSING',
    `${font.postscriptName} has no glyph for ${missing.slice(0, 5).map(describe).join(', ')}${missing.length > 5 ? ', …' : ''}`,
    { details: { codePoints: missing } },
  );
}

function describe(cp: number): string {
  const printable = cp > 0x20 && (cp < 0xd800 || cp > 0xdfff);
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}${printable ? ` '${String.fromCodePoint(cp)}'` : ''}`;
}

/**
 * Six uppercase letters from SHA-256 of font name, glyph set and ToUnicode mapping (PDF 32000-1
 * §9.6.4): equal tags then mean interchangeable subsets, and the same text always gets the same tag.
 */
function subsetTag(
  postscriptName: string,
  glyphIds: readonly number[],
  cidToText: ReadonlyMap<number, string>,
): string {
  // One update of the whole text: the same digest as an update per line, for less work.
  let hashed = `${postscriptName}\n${glyphIds.join(',')}\n`;
  for (const [cid, text] of [...cidToText].sort((a, b) => a[0] - b[0])) hashed += `${cid}:${text}\n`;
  const digest = createHash('sha256').update(hashed).digest();
  let tag = '';
  for (let i = 0; i < 6; i++) tag += String.fromCharCode(65 + (digest[i] % 26));
  return tag;
}

/** Fonts carry no StemV; this is the usual estimate from the OS/2 weight class (400 → 88, 700 → 166). */
function stemV(source: TrueTypeSource): number {
  const os2 = source.tables.get('OS/2');
  const weightClass = os2 !== undefined && os2.length >= 6 ? (os2[4] << 8) | os2[5] : 400;
  return Math.round(50 + (weightClass / 65) ** 2);
}

/** FontDescriptor /Flags (PDF 32000-1 §9.8.2). */
function descriptorFlags(font: JapaneseFont): number {
  const f = font.fontkit;
  const FIXED_PITCH = 1;
  const SERIF = 2;
  const SYMBOLIC = 4; // the glyphs lie outside the Adobe standard Latin character set
  const ITALIC = 64;
  const familyClass = f['OS/2']?.sFamilyClass ?? 0;
  let flags = SYMBOLIC;
  if (f.post?.isFixedPitch) flags |= FIXED_PITCH;
  if (familyClass >> 8 >= 1 && familyClass >> 8 <= 7) flags |= SERIF; // IBM family classes 1–7 are serif designs
  if (f.italicAngle !== 0 || f.head?.macStyle?.italic) flags |= ITALIC;
  return flags;
}

function mostCommon(values: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = values[0] ?? 1000;
  let bestCount = 0;
  for (const [v, count] of counts) {
    if (count > bestCount || (count === bestCount && v < best)) {
      best = v;
      bestCount = count;
    }
  }
  return best;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
