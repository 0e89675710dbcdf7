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

/**
 * The text the finders work on: full-width ASCII made half-width. Each replaced character keeps
 * its length (one UTF-16 unit), so every offset in the normalized text is an offset in the input.
 */
export function normalizeForSearch(text: string): string {
  return toHalfWidth(text.length > MAX_SUGGEST_TEXT_LENGTH ? text.slice(0, MAX_SUGGEST_TEXT_LENGTH) : text);
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
  // Binary search: sentences are in text order and do not overlap.
  let low = 0;
  let high = sentences.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const sentence = sentences[middle]!;
    if (offset < sentence.start) high = middle - 1;
    else if (offset >= sentence.end) low = middle + 1;
    else return sentence;
  }
  return undefined;
}
