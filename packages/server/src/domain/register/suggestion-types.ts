/** Types of the field suggestions made from a contract's text. */

/** A bilingual explanation, Japanese first. */
export interface SuggestionReason {
  ja: string;
  en: string;
}

/** Where a suggestion came from: the exact sentence and its offsets (UTF-16 units) in the text given. */
export interface SuggestionSource {
  sentence: string;
  start: number;
  end: number;
}

/** The contract amount found and why it was chosen over the other amounts. */
export interface AmountValue {
  yen: number;
  currency: 'JPY';
  tax: 'included' | 'excluded' | null;
  basis: 'total' | 'monthly' | 'yearly';
  /** The context word that ranked this amount first (契約金額, 委託料, 賃料 …). */
  context: string;
}

/** An automatic renewal clause; periodMonths is null when the clause names no period. */
export interface AutoRenewalValue {
  renews: true;
  periodMonths: number | null;
}

/** The notice deadline before the end of term, and its date when the end date is known. */
export interface NoticeDeadlineValue {
  amount: number;
  unit: 'months' | 'days';
  date: string | null;
}

/** The parties named 甲 and 乙. */
export interface PartiesValue {
  kou: string | null;
  otsu: string | null;
}

interface SuggestionBase<F extends string, V> {
  field: F;
  value: V;
  /** 0..1: how sure the finder is (explicit wording high, computed or inferred lower). */
  confidence: number;
  source: SuggestionSource;
  reason: SuggestionReason;
}

/** One proposed field value; it is saved only when a person accepts it. */
export type FieldSuggestion =
  | SuggestionBase<'amount', AmountValue>
  | SuggestionBase<'startDate', string>
  | SuggestionBase<'endDate', string>
  | SuggestionBase<'autoRenewal', AutoRenewalValue>
  | SuggestionBase<'noticeDeadline', NoticeDeadlineValue>
  | SuggestionBase<'parties', PartiesValue>;

/** The field names suggestions are made for. */
export type SuggestedField = FieldSuggestion['field'];
