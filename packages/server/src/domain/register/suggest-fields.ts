/**
 * Field suggestions for the contract register, read from a contract's text layer with no outside
 * service: 契約金額, 契約開始日, 契約満了日, 自動更新, 解約通知期限 and the parties 甲/乙. Each suggestion
 * carries the sentence it came from; nothing is saved until a person accepts it.
 */
import { suggestAmount } from './suggest-amount.ts';
import { suggestParties } from './suggest-parties.ts';
import { suggestTerm } from './suggest-term.ts';
import type { FieldSuggestion } from './suggestion-types.ts';
import { normalizeForSearch, splitSentences } from './text-spans.ts';

export type * from './suggestion-types.ts';

/** Proposes register fields from a contract's text; offsets refer to the text given. */
export function suggestContractFields(text: string): FieldSuggestion[] {
  const normalized = normalizeForSearch(text);
  const sentences = splitSentences(normalized);
  const suggestions: FieldSuggestion[] = [];
  const amount = suggestAmount(normalized, sentences);
  if (amount) suggestions.push(amount);
  suggestions.push(...suggestTerm(sentences));
  const parties = suggestParties(normalized, sentences);
  if (parties) suggestions.push(parties);
  // Sources quote the original text, not the normalized one (full-width digits stay as written).
  return suggestions.map((suggestion) => ({
    ...suggestion,
    source: { ...suggestion.source, sentence: text.slice(suggestion.source.start, suggestion.source.end) },
  }));
}
