/** Finds the names the contract calls 甲 and 乙. */
import { inBothLanguages } from '@inkan/core/messages';
import type { FieldSuggestion } from './suggestion-types.ts';
import { type Sentence, sentenceAt } from './text-spans.ts';

const DEFINITION = /[（(]\s*以下\s*[、,]?\s*「?\s*(甲|乙)\s*」?\s*と(?:いう|称する)[。.]?\s*[）)]/gu;
const ROLES =
  '売主|買主|賃貸人|賃借人|貸主|借主|発注者|受注者|注文者|請負者|請負人|委託者|受託者|使用者|許諾者|被許諾者|開示者|受領者';
const LEADING = new RegExp(String.raw`^(?:\s|と|及び|および|並びに|、|,|は|(?:${ROLES}))+`, 'u');

/** The name written just before "（以下「甲」という。）". */
function nameBefore(text: string, index: number): string | null {
  let cursor = index;
  // Skip one parenthetical between the name and the definition: デザイン工房あお（代表 青井 空）（以下「乙」…
  if (text[cursor - 1] === '）' || text[cursor - 1] === ')') {
    const open = Math.max(text.lastIndexOf('（', cursor - 1), text.lastIndexOf('(', cursor - 1));
    if (open >= 0 && cursor - open < 40) cursor = open;
  }
  let begin = cursor;
  while (begin > 0 && cursor - begin < 80 && !/[）)。\n「」:：]/u.test(text[begin - 1]!)) begin--;
  const name = text.slice(begin, cursor).replace(LEADING, '').trim();
  return name.length > 0 && name.length <= 60 ? name : null;
}

/** Proposes the parties from their definitions (以下「甲」という。). */
export function suggestParties(text: string, sentences: Sentence[]): FieldSuggestion | null {
  const found: { kou: string | null; otsu: string | null } = { kou: null, otsu: null };
  let first: Sentence | undefined;
  for (const match of text.matchAll(DEFINITION)) {
    const key = match[1] === '甲' ? 'kou' : 'otsu';
    if (found[key] !== null) continue;
    const name = nameBefore(text, match.index);
    if (!name) continue;
    found[key] = name;
    first ??= sentenceAt(sentences, match.index);
    if (found.kou && found.otsu) break;
  }
  if (!first || (found.kou === null && found.otsu === null)) return null;
  return {
    field: 'parties',
    value: found,
    confidence: found.kou && found.otsu ? 0.9 : 0.6,
    source: { sentence: first.text, start: first.start, end: first.end },
    reason: inBothLanguages('reg.suggestReason.parties'),
  };
}
