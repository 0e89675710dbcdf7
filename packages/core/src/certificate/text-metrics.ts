// Measuring and cleaning text for layout, on the full Noto Sans JP fonts: a subset made later from
// the same glyphs has the same advances, so what is measured here is what gets drawn.
import { loadJapaneseFont, type FontWeight, type JapaneseFont } from '../font/japanese-font.ts';

/** The geta mark, the Japanese typesetting convention for a character that cannot be printed. */
export const UNPRINTABLE = '\u3013';

/**
 * Advances (in em) by code point, per parsed font: shared by every certificate a process renders, and
 * dropped with the font itself (a released font is parsed again into a new object with a new table).
 */
const advancesOfFont = new WeakMap<JapaneseFont, Map<number, number>>();

/** Measures text in the regular and bold weights of Noto Sans JP. */
export class TextMetrics {
  readonly #fonts = new Map<FontWeight, JapaneseFont>();
  /** The font and its advance table per weight, looked up once per measurer rather than per call. */
  readonly #measured: Partial<Record<FontWeight, { font: JapaneseFont; advances: Map<number, number> }>> = {};

  /** Width of `text` at `size` points (sum of advances, no kerning, like the PDF text operators). */
  width(text: string, weight: FontWeight, size: number): number {
    const { font, advances } = (this.#measured[weight] ??= this.#measurer(weight));
    let total = 0;
    for (let i = 0; i < text.length; i++) {
      // A surrogate pair is one code point (two code units); a lone surrogate is measured as it is.
      const cp = text.codePointAt(i) as number;
      if (cp > 0xffff) i++;
      let advance = advances.get(cp);
      if (advance === undefined) {
        advance = font.source.horizontalMetric(font.glyphIdFor(cp)).advance / font.unitsPerEm;
        advances.set(cp, advance);
      }
      total += advance;
    }
    return total * size;
  }

  /**
   * Makes caller-supplied text printable in both weights: control characters and line breaks become
   * spaces, invisible format characters (zero-width, variation selectors) are dropped, and characters
   * the font lacks become 〓 — the certificate must always be produced, and must show that
   * something was there rather than silently dropping it.
   */
  clean(text: string): string {
    let out = '';
    for (const ch of text) {
      const cp = ch.codePointAt(0) as number;
      if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp === 0x2028 || cp === 0x2029) out += ' ';
      else if (isInvisible(cp)) continue;
      else if (cp === 0xa0) out += ' ';
      else if (this.#font('regular').glyphIdFor(cp) === 0 || this.#font('bold').glyphIdFor(cp) === 0)
        out += UNPRINTABLE;
      else out += ch;
    }
    return out.replace(/ {2,}/g, ' ').trim();
  }

  #font(weight: FontWeight): JapaneseFont {
    let font = this.#fonts.get(weight);
    if (font === undefined) {
      font = loadJapaneseFont(weight);
      this.#fonts.set(weight, font);
    }
    return font;
  }

  #measurer(weight: FontWeight): { font: JapaneseFont; advances: Map<number, number> } {
    const font = this.#font(weight);
    let advances = advancesOfFont.get(font);
    if (advances === undefined) {
      advances = new Map();
      advancesOfFont.set(font, advances);
    }
    return { font, advances };
  }
}

function isInvisible(cp: number): boolean {
  return (
    (cp >= 0x200b && cp <= 0x200f) || // zero-width space/joiners, direction marks
    (cp >= 0x202a && cp <= 0x202e) || // bidi embeddings
    (cp >= 0x2060 && cp <= 0x2064) ||
    cp === 0xfeff ||
    (cp >= 0xfe00 && cp <= 0xfe0f) || // variation selectors
    (cp >= 0xe0100 && cp <= 0xe01ef) // ideographic variation selectors
  );
}

/** How many advances are cached for a parsed font (tests: the table lives and dies with the font). */
export function cachedAdvanceCount(font: JapaneseFont): number {
  return advancesOfFont.get(font)?.size ?? 0;
}
