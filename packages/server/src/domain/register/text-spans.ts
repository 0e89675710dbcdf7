/** Sentences of a contract text with their offsets, shared by the field finders. */
import { toHalfWidth } from '@inkan/core/text/ja-values';

/** A sentence (or a line without 。) and where it lies in the original text. */
export interface Sentence {
  text: string;
  start: number;
  end: number;
}

/** The longest text looked at: a contract's text layer beyond this is not read (bounds every regex). */
export const MAX_SUGGEST_TEXT_LENGTH = 200_000;

/** The text the finders read, and for each of its characters the offset of that character in the input. */
export interface SearchText {
  text: string;
  toInput: Int32Array;
}

// A line starting like this begins a new clause, item or signature block, never a wrapped sentence.
const BLOCK_START =
  /^\s*(?:第[0-9一二三四五六七八九十百]+条|[0-9]{1,2}[\s.、)）]|[（(][0-9一二三四五六七八九十]{1,3}[）)]|[一二三四五六七八九十]{1,3}[\s、.]|[甲乙][\s:：]|[・•※]|以上|記$)/u;

/**
 * Prepares a contract's text layer for the finders: full-width ASCII made half-width, and the line
 * breaks a PDF puts inside a sentence (a nearly full line not ending with 。 followed by a line that
 * does not start a new clause) removed, so that a wrapped sentence is read whole. Every character
 * keeps a link to its offset in the input, so sources quote the input exactly.
 */
export function prepareSearchText(input: string): SearchText {
  const half = toHalfWidth(input.length > MAX_SUGGEST_TEXT_LENGTH ? input.slice(0, MAX_SUGGEST_TEXT_LENGTH) : input);
  const lines: Array<{ start: number; end: number }> = [];
  let lineStart = 0;
  for (let i = 0; i <= half.length; i++) {
    const ch = half[i];
    if (i === half.length || ch === '\n' || ch === '\f') {
      lines.push({ start: lineStart, end: i });
      lineStart = i + 1;
    }
  }
  const lengthOf = (line: { start: number; end: number }) => half.slice(line.start, line.end).trim().length;
  const lengths = lines
    .map(lengthOf)
    .filter((length) => length > 0)
    .sort((a, b) => a - b);
  // The width of a full line: the 90th percentile of line lengths (wrapped text has many full lines).
  const fullLine = Math.max(20, lengths[Math.floor(lengths.length * 0.9)] ?? 0);
  const chars: string[] = [];
  const offsets: number[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    for (let i = line.start; i < line.end; i++) {
      if (half[i] === '\r') continue;
      chars.push(half[i]!);
      offsets.push(i);
    }
    const next = lines[index + 1];
    if (!next) break;
    const current = half.slice(line.start, line.end).trim();
    const following = half.slice(next.start, next.end);
    const wrapped =
      current.length >= fullLine * 0.85 &&
      !current.endsWith('。') &&
      following.trim().length > 0 &&
      !BLOCK_START.test(following);
    if (!wrapped) {
      chars.push('\n');
      offsets.push(line.end);
    }
  }
  return { text: chars.join(''), toInput: Int32Array.from(offsets) };
}

/** Maps a [start, end) span of the prepared text back to the input. */
export function spanInInput(search: SearchText, start: number, end: number): { start: number; end: number } {
  if (end <= start) return { start: search.toInput[start] ?? 0, end: search.toInput[start] ?? 0 };
  return { start: search.toInput[start]!, end: search.toInput[end - 1]! + 1 };
}

/** Splits on 。 and line ends; trims the spaces around each piece. */
export function splitSentences(text: string): Sentence[] {
  const sentences: Sentence[] = [];
  let begin = 0;
  const push = (from: number, to: number) => {
    let start = from;
    let end = to;
    while (start < end && /\s/u.test(text[start]!)) start++;
    while (end > start && /\s/u.test(text[end - 1]!)) end--;
    if (end > start) sentences.push({ text: text.slice(start, end), start, end });
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '。') {
      // A 。 inside parentheses (（以下「甲」という。）) does not end the sentence.
      if (text[i + 1] === '）' || text[i + 1] === ')') continue;
      push(begin, i + 1);
      begin = i + 1;
    } else if (ch === '\n') {
      push(begin, i);
      begin = i + 1;
    }
  }
  push(begin, text.length);
  return sentences;
}

/** The sentence holding an offset. */
export function sentenceAt(sentences: Sentence[], offset: number): Sentence | undefined {
  const index = sentenceIndexAt(sentences, offset);
  return index < 0 ? undefined : sentences[index];
}

/**
 * The short label lines just before a sentence (「三」「委託料」): a text layer often puts the cells of
 * a 頭書 table on lines of their own, so a value's label is found on the lines before it.
 */
export function labelBefore(sentences: Sentence[], index: number): string {
  const labels: string[] = [];
  for (let i = index - 1; i >= 0 && i >= index - 2; i--) {
    const text = sentences[i]!.text;
    if (text.length > 12 || text.endsWith('。')) break;
    labels.unshift(text);
  }
  return labels.join(' ');
}

function sentenceIndexAt(sentences: Sentence[], offset: number): number {
  // Binary search: sentences are in text order and do not overlap.
  let low = 0;
  let high = sentences.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const sentence = sentences[middle]!;
    if (offset < sentence.start) high = middle - 1;
    else if (offset >= sentence.end) low = middle + 1;
    else return middle;
  }
  return -1;
}

/** The index of the sentence holding an offset, or -1. */
export { sentenceIndexAt };
