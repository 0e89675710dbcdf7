// Greedy line breaking by measured width. Japanese may break between any two characters (with the
// basic kinsoku rules: no closing punctuation or small kana at a line start, no opening bracket at a
// line end); Latin text breaks at spaces; a word wider than the line (a SHA-256 in hex, a long
// user-agent token, a URL) is broken between characters, so nothing is ever clipped.

/** Characters that must not start a line (行頭禁則). */
const NO_LINE_START = new Set(
  Array.from(
    '、。，．,.:;!?)]}）」』】〕〉》｝］！？：；・ーぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ々〻ゝゞヽヾ〜～%％',
  ),
);
/** Characters that must not end a line (行末禁則). */
const NO_LINE_END = new Set(Array.from('([{（「『【〔〈《｛［'));

/** Where a word too long for a line had better be broken: after one of these. */
const SEPARATORS = new Set(Array.from('./@:;,-_?&=)'));

/** Whether a character is set solid in Japanese text, allowing a break on either side. */
function isCjk(cp: number): boolean {
  return (
    (cp >= 0x2e80 && cp <= 0x9fff) || // radicals, CJK punctuation, kana, CJK ideographs
    (cp >= 0xac00 && cp <= 0xd7af) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xffef) || // full-width forms
    cp >= 0x20000 // supplementary ideographs
  );
}

/**
 * Splits `text` into units that stay together: each Japanese character, each run of other
 * non-space characters, and single spaces (break opportunities). Kinsoku characters are glued to
 * their neighbour.
 */
function segment(text: string): string[] {
  const units: string[] = [];
  let word = '';
  for (const ch of text) {
    if (ch === ' ' || isCjk(ch.codePointAt(0) as number)) {
      if (word !== '') units.push(word);
      word = '';
      units.push(ch);
    } else {
      word += ch;
    }
  }
  if (word !== '') units.push(word);
  // Kinsoku: attach a no-start unit to the previous unit, a unit ending in a no-end character to the next.
  const glued: string[] = [];
  for (const unit of units) {
    const previous = glued.at(-1);
    if (
      previous !== undefined &&
      previous !== ' ' &&
      unit !== ' ' &&
      (NO_LINE_START.has(firstCharacter(unit)) || NO_LINE_END.has(lastCharacter(previous)))
    ) {
      glued[glued.length - 1] = previous + unit;
    } else {
      glued.push(unit);
    }
  }
  return glued;
}

/** The first character (code point) of a non-empty string, without splitting the whole string. */
function firstCharacter(text: string): string {
  return String.fromCodePoint(text.codePointAt(0) as number);
}

/** The last character (code point) of a non-empty string: a trailing surrogate pair stays whole. */
function lastCharacter(text: string): string {
  const low = text.charCodeAt(text.length - 1);
  const high = text.length >= 2 ? text.charCodeAt(text.length - 2) : 0;
  return low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff ? text.slice(-2) : text.slice(-1);
}

/**
 * Breaks `text` into lines no wider than `maxWidth` as measured by `measure`. A '\n' in the text
 * forces a break. Spaces at a break are dropped. Never returns an empty array.
 */
export function wrapText(text: string, maxWidth: number, measure: (s: string) => number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) wrapParagraph(paragraph, maxWidth, measure, lines);
  return lines.length > 0 ? lines : [''];
}

function wrapParagraph(text: string, maxWidth: number, measure: (s: string) => number, lines: string[]): void {
  const start = lines.length;
  let line = '';
  let width = 0;
  let pendingSpace = false;
  const spaceWidth = measure(' ');
  for (const unit of segment(text)) {
    if (unit === ' ') {
      pendingSpace = line !== '';
      continue;
    }
    const unitWidth = measure(unit);
    const gap = pendingSpace ? spaceWidth : 0;
    pendingSpace = false;
    if (line !== '' && width + gap + unitWidth <= maxWidth) {
      line += (gap > 0 ? ' ' : '') + unit;
      width += gap + unitWidth;
      continue;
    }
    if (line !== '') {
      lines.push(line);
      line = '';
      width = 0;
    }
    if (unitWidth <= maxWidth) {
      line = unit;
      width = unitWidth;
      continue;
    }
    // Wider than a whole line: break between characters, after the last separator that fits when
    // there is one in the line's second half (an e-mail address or IPv6 address then breaks at '.', '@' or ':').
    let breakAt = -1;
    for (const ch of unit) {
      const w = measure(ch);
      if (line !== '' && width + w > maxWidth) {
        if (breakAt > 0 && breakAt < line.length && measure(line.slice(0, breakAt)) >= maxWidth / 2) {
          const carried = line.slice(breakAt);
          line = line.slice(0, breakAt);
          lines.push(line);
          line = carried;
          width = measure(carried);
        } else {
          lines.push(line);
          line = '';
          width = 0;
        }
        breakAt = -1;
      }
      line += ch;
      width += w;
      if (SEPARATORS.has(ch)) breakAt = line.length;
    }
  }
  if (line !== '' || lines.length === start) lines.push(line);
}
