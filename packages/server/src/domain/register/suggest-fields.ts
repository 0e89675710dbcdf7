/**
 * Field suggestions for the contract register, read from a contract's text layer with no outside
 * service: 契約金額, 契約開始日, 契約満了日, 自動更新, 解約通知期限 and the parties 甲/乙. Each suggestion
 * carries the sentence it came from; nothing is saved until a person accepts it.
 */
import { suggestAmount } from './suggest-amount.ts';
import { suggestParties } from './suggest-parties.ts';
import { suggestTerm } from './suggest-term.ts';
import type { FieldSuggestion } from './suggestion-types.ts';
import { prepareSearchText, spanInInput, splitSentences } from './text-spans.ts';

export type * from './suggestion-types.ts';

/** Proposes register fields from a contract's text; offsets refer to the text given. */
export function suggestContractFields(text: string): FieldSuggestion[] {
  const search = prepareSearchText(text);
  const sentences = splitSentences(search.text);
  const suggestions: FieldSuggestion[] = [];
  const amount = suggestAmount(search.text, sentences);
  if (amount) suggestions.push(amount);
  suggestions.push(...suggestTerm(sentences));
  const parties = suggestParties(search.text, sentences);
  if (parties) suggestions.push(parties);
  // Sources quote the input as given (full-width digits, line breaks of the PDF and all).
  return suggestions.map((suggestion) => {
    const { start, end } = spanInInput(search, suggestion.source.start, suggestion.source.end);
    return { ...suggestion, source: { sentence: text.slice(start, end), start, end } };
  });
}
