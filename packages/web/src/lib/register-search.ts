// The register's search: the state of the form, its place in the page URL (so back/forward and
// bookmarks keep a search) and the API query it becomes. Amounts and dates are read with the same
// parsers as the server's, so "１，０００万円" or "令和8年4月1日" mean the same on both sides.
import {
  checkAmountOrder,
  checkDateOrder,
  type JaParseResult,
  parseJapaneseDate,
  parseYenAmount,
} from '@inkan/core/text/ja-values';
import type { ContractFieldDefinition } from '../api/register-types.ts';
import type { Language } from '../i18n/translate.ts';

/** The date field a 取引年月日 range applies to (API: signedFrom/To, endFrom/To, startFrom/To, noticeFrom/To). */
export type RegisterDateField = 'signed' | 'end' | 'start' | 'notice';
export const REGISTER_DATE_FIELDS: RegisterDateField[] = ['signed', 'end', 'start', 'notice'];

/** Fields the "is empty" filter can name. */
export const EMPTY_FIELDS = [
  'amount',
  'endOn',
  'startOn',
  'noticeOn',
  'counterparties',
  'tax',
  'owner',
  'contractType',
  'referenceNumber',
  'tags',
] as const;

/** The search form as typed (raw text: it is validated on submit). */
export interface RegisterSearch {
  dateField: RegisterDateField;
  dateFrom: string;
  dateTo: string;
  amountMin: string;
  amountMax: string;
  counterparty: string;
  q: string;
  tag: string;
  status: string;
  /** 担当者: 'me' (the signed-in user's id is sent), a member's user id, or empty. */
  owner: string;
  empty: string;
  sort: string;
  /** Organisation-defined fields by key (API `field.<key>`, exact value), as typed. */
  fields: Record<string, string>;
}

/** The errors of a checked search: by form key, custom fields as `field.<key>`. */
export type SearchErrors = Partial<Record<Exclude<keyof RegisterSearch, 'fields'> | `field.${string}`, string>>;

const FIELD_KEY = /^[a-z][a-z0-9_]{0,39}$/u;

/** An empty search. */
export const EMPTY_SEARCH: RegisterSearch = {
  dateField: 'signed',
  dateFrom: '',
  dateTo: '',
  amountMin: '',
  amountMax: '',
  counterparty: '',
  q: '',
  tag: '',
  status: '',
  owner: '',
  empty: '',
  sort: '-signedOn',
  fields: {},
};

const TEXT_KEYS = [
  'dateFrom',
  'dateTo',
  'amountMin',
  'amountMax',
  'counterparty',
  'q',
  'tag',
  'status',
  'owner',
  'empty',
  'sort',
] as const;

/** Reads a search from the page URL's query. */
export function searchFromParams(params: URLSearchParams): RegisterSearch {
  const search: RegisterSearch = { ...EMPTY_SEARCH };
  const dateField = params.get('dateField');
  if (dateField && (REGISTER_DATE_FIELDS as string[]).includes(dateField))
    search.dateField = dateField as RegisterDateField;
  for (const key of TEXT_KEYS) {
    const value = params.get(key);
    if (value !== null) search[key] = value.slice(0, 200);
  }
  const fields: Record<string, string> = {};
  for (const [name, value] of params) {
    const key = name.startsWith('field.') ? name.slice(6) : '';
    if (FIELD_KEY.test(key) && Object.keys(fields).length < 50) fields[key] = value.slice(0, 200);
  }
  search.fields = fields;
  return search;
}

/** The page URL's query for a search (empty fields left out). */
export function searchToParams(search: RegisterSearch): URLSearchParams {
  const params = new URLSearchParams();
  if (search.dateField !== EMPTY_SEARCH.dateField && (search.dateFrom || search.dateTo))
    params.set('dateField', search.dateField);
  for (const key of TEXT_KEYS) {
    const value = search[key].trim();
    if (value && value !== EMPTY_SEARCH[key]) params.set(key, value);
  }
  for (const [key, raw] of Object.entries(search.fields)) {
    const value = raw.trim();
    if (value && FIELD_KEY.test(key)) params.set(`field.${key}`, value);
  }
  return params;
}

/** Whether any 詳細検索 field is set (the section then opens by itself). */
export function hasAdvancedCriteria(search: RegisterSearch): boolean {
  return Boolean(
    search.q ||
    search.tag ||
    search.status ||
    search.owner ||
    search.empty ||
    Object.values(search.fields).some((value) => value.trim()),
  );
}

/** A search checked: the API query, or a message per field in the UI language. */
export type CheckedSearch = { ok: true; query: URLSearchParams } | { ok: false; errors: SearchErrors };

function optional<T>(raw: string, parse: (input: string) => JaParseResult<T>): JaParseResult<T | null> {
  return raw.trim() === '' ? { ok: true, value: null } : parse(raw);
}

/**
 * Validates a search and turns it into the query of GET /api/v1/contracts (and contracts.csv). Custom
 * fields are matched exactly as stored: a number field's value is read as an amount (１，０００ → 1000),
 * a date field's as a date (令和8年4月1日 → 2026-04-01), so the search finds what the entry page saved.
 */
export function checkSearch(
  search: RegisterSearch,
  language: Language,
  userId: string | null = null,
  definitions: readonly ContractFieldDefinition[] = [],
): CheckedSearch {
  const errors: SearchErrors = {};
  const dateFrom = optional(search.dateFrom, parseJapaneseDate);
  const dateTo = optional(search.dateTo, parseJapaneseDate);
  const amountMin = optional(search.amountMin, parseYenAmount);
  const amountMax = optional(search.amountMax, parseYenAmount);
  if (!dateFrom.ok) errors.dateFrom = dateFrom.message[language];
  if (!dateTo.ok) errors.dateTo = dateTo.message[language];
  if (!amountMin.ok) errors.amountMin = amountMin.message[language];
  if (!amountMax.ok) errors.amountMax = amountMax.message[language];
  if (dateFrom.ok && dateTo.ok) {
    const order = checkDateOrder(dateFrom.value, dateTo.value);
    if (!order.ok) errors.dateTo = order.message[language];
  }
  if (amountMin.ok && amountMax.ok) {
    const order = checkAmountOrder(amountMin.value, amountMax.value);
    if (!order.ok) errors.amountMax = order.message[language];
  }
  const fieldQuery: Array<[string, string]> = [];
  for (const [key, raw] of Object.entries(search.fields)) {
    const text = raw.trim();
    if (!text || !FIELD_KEY.test(key)) continue;
    const type = definitions.find((definition) => definition.key === key)?.type ?? 'text';
    if (type === 'number') {
      const parsed = parseYenAmount(text);
      if (parsed.ok) fieldQuery.push([`field.${key}`, String(parsed.value)]);
      else errors[`field.${key}`] = parsed.message[language];
    } else if (type === 'date') {
      const parsed = parseJapaneseDate(text);
      if (parsed.ok) fieldQuery.push([`field.${key}`, parsed.value]);
      else errors[`field.${key}`] = parsed.message[language];
    } else fieldQuery.push([`field.${key}`, text]);
  }
  if (Object.keys(errors).length > 0 || !dateFrom.ok || !dateTo.ok || !amountMin.ok || !amountMax.ok)
    return { ok: false, errors };
  const query = new URLSearchParams();
  if (dateFrom.value) query.set(`${search.dateField}From`, dateFrom.value);
  if (dateTo.value) query.set(`${search.dateField}To`, dateTo.value);
  if (amountMin.value !== null) query.set('amountMin', String(amountMin.value));
  if (amountMax.value !== null) query.set('amountMax', String(amountMax.value));
  if (search.owner === 'me' && userId) query.set('owner', userId);
  else if (search.owner.trim() && search.owner !== 'me') query.set('owner', search.owner.trim());
  for (const key of ['counterparty', 'q', 'tag', 'status', 'empty', 'sort'] as const) {
    const value = search[key].trim();
    if (value) query.set(key, value);
  }
  for (const [name, value] of fieldQuery) query.set(name, value);
  return { ok: true, query };
}
