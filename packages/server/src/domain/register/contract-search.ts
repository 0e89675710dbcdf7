import { parseJapaneseDate, parseYenAmount } from '@inkan/core';
import { sql, type Expression, type ExpressionBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import {
  counterpartyCondition,
  fullTextCondition,
  type SubstringSearchHints,
} from '../../adapters/db/substring-match.ts';
import type { Schema } from '../../ports/database.ts';
import { AppError } from '../app-error.ts';
import { CONTRACT_STATUSES, normalizeForSearch, type ContractStatus } from './contract-model.ts';

/** Sortable columns of the register: the API's name → the column. */
export const SORT_COLUMNS = {
  title: 'title',
  counterparty: 'counterparty_norm',
  signedOn: 'signed_on',
  startOn: 'start_on',
  endOn: 'end_on',
  noticeOn: 'notice_on',
  amount: 'amount',
  contractType: 'contract_type',
  referenceNumber: 'reference_number',
  status: 'status',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
} as const;
export type SortKey = keyof typeof SORT_COLUMNS;
type SortColumn = (typeof SORT_COLUMNS)[SortKey];

/** Fields that `empty` may name (plus `field.<key>` for a custom field). */
export const EMPTY_FIELDS = [
  'counterparties',
  'signedOn',
  'startOn',
  'endOn',
  'noticeOn',
  'amount',
  'tax',
  'renewalMonths',
  'contractType',
  'referenceNumber',
  'owner',
  'memo',
  'tags',
] as const;
type EmptyField = (typeof EMPTY_FIELDS)[number];

const NULLABLE_COLUMN: Record<Exclude<EmptyField, 'counterparties' | 'memo' | 'tags'>, keyof Schema['contracts']> = {
  signedOn: 'signed_on',
  startOn: 'start_on',
  endOn: 'end_on',
  noticeOn: 'notice_on',
  amount: 'amount',
  tax: 'tax',
  renewalMonths: 'renewal_months',
  contractType: 'contract_type',
  referenceNumber: 'reference_number',
  owner: 'assignee_user_id',
};

/** The search criteria of GET /api/v1/contracts (and its CSV twin). All combine with AND. */
export interface ContractFilters {
  counterparty?: string;
  amountMin?: number;
  amountMax?: number;
  signedFrom?: string;
  signedTo?: string;
  startFrom?: string;
  startTo?: string;
  endFrom?: string;
  endTo?: string;
  noticeFrom?: string;
  noticeTo?: string;
  q?: string;
  tags: string[];
  empty: string[];
  fields: Record<string, string>;
  status?: ContractStatus;
  owner?: string;
  source?: 'envelope' | 'claim' | 'import';
}

/** Sort order: a column, a direction; empty values always come last; the id breaks ties. */
export interface ContractSort {
  key: SortKey;
  direction: 'asc' | 'desc';
}

/** A parsed list query. */
export interface ContractQuery {
  filters: ContractFilters;
  sort: ContractSort;
  cursor?: { value: string | number | null; id: string };
  limit: number;
}

const DATE_RANGES = [
  ['signedFrom', 'signedTo'],
  ['startFrom', 'startTo'],
  ['endFrom', 'endTo'],
  ['noticeFrom', 'noticeTo'],
] as const;
const SINGLE_PARAMS = new Set([
  'counterparty',
  'amountMin',
  'amountMax',
  'q',
  'status',
  'owner',
  'source',
  'sort',
  'cursor',
  'limit',
  'scope',
  ...DATE_RANGES.flat(),
]);
const MULTI_PARAMS = new Set(['tag', 'empty']);
const MAX_QUERY_TEXT = 200;
const FIELD_KEY = /^[a-z][a-z0-9_]{0,39}$/;

// A cursor holds a sort value (a title, the counterparties) and an id: longer than any search text.
const MAX_CURSOR = 16_384;

function single(name: string, value: unknown): string {
  if (Array.isArray(value)) throw new AppError('VALIDATION_FAILED', `${name} may be given once`, { field: name });
  if (typeof value !== 'string') throw new AppError('VALIDATION_FAILED', `${name} must be text`, { field: name });
  if (value.length > (name === 'cursor' ? MAX_CURSOR : MAX_QUERY_TEXT))
    throw new AppError('VALIDATION_FAILED', `${name} is too long`, { field: name });
  return value;
}

function many(name: string, value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length > 20) throw new AppError('VALIDATION_FAILED', `too many ${name} values`, { field: name });
  return list.map((v) => single(name, v));
}

/** Parses a yen amount or refuses it with the parser's message (１，２３４，５６７円, ¥1,234,567 accepted). */
export function requireAmount(field: string, input: string): number {
  const parsed = parseYenAmount(input);
  if (!parsed.ok)
    throw new AppError(
      'INVALID_AMOUNT',
      `${field}: ${parsed.message.en}`,
      { field, reason: parsed.code },
      withField(field, parsed.message),
    );
  return parsed.value;
}

/** Parses a date (2026-04-01, 令和8年4月1日) or refuses it with the parser's message. */
export function requireDate(field: string, input: string): string {
  const parsed = parseJapaneseDate(input);
  if (!parsed.ok)
    throw new AppError(
      'INVALID_DATE',
      `${field}: ${parsed.message.en}`,
      { field, reason: parsed.code },
      withField(field, parsed.message),
    );
  return parsed.value;
}

function withField(field: string, message: { ja: string; en: string }): { ja: string; en: string } {
  return { ja: `${message.ja}（${field}）`, en: `${message.en} (${field})` };
}

/** Text to search for: NFKC lower case, without control characters; undefined when blank. */
function searchText(value: string): string | undefined {
  const text = normalizeForSearch(value)
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim();
  return text === '' ? undefined : text;
}

/** Validates the query string of the list and CSV routes; unknown parameters are refused (a typo must not widen a search). */
export function parseContractQuery(query: Record<string, unknown>, options: { maxLimit?: number } = {}): ContractQuery {
  const filters: ContractFilters = { tags: [], empty: [], fields: {} };
  let sort: ContractSort = { key: 'signedOn', direction: 'desc' };
  let cursorText: string | undefined;
  let limit = 50;
  const maxLimit = options.maxLimit ?? 100;
  for (const [name, raw] of Object.entries(query)) {
    if (name.startsWith('field.')) {
      const key = name.slice(6);
      if (!FIELD_KEY.test(key)) throw new AppError('VALIDATION_FAILED', `${name} is not a field name`, { field: name });
      filters.fields[key] = single(name, raw).normalize('NFKC').trim();
      continue;
    }
    if (MULTI_PARAMS.has(name)) {
      const values = many(name, raw);
      if (name === 'tag') filters.tags.push(...values.map((v) => v.normalize('NFKC').trim()));
      else {
        for (const field of values) {
          if (
            !(EMPTY_FIELDS as readonly string[]).includes(field) &&
            !(field.startsWith('field.') && FIELD_KEY.test(field.slice(6)))
          ) {
            throw new AppError(
              'VALIDATION_FAILED',
              `empty must name one of ${EMPTY_FIELDS.join(', ')} or field.<key>`,
              { field: 'empty' },
            );
          }
          filters.empty.push(field);
        }
      }
      continue;
    }
    if (!SINGLE_PARAMS.has(name))
      throw new AppError('VALIDATION_FAILED', `unknown query parameter ${name}`, { field: name });
    const value = single(name, raw);
    switch (name) {
      case 'counterparty':
        filters.counterparty = searchText(value);
        break;
      case 'q':
        filters.q = searchText(value);
        break;
      case 'amountMin':
        filters.amountMin = requireAmount(name, value);
        break;
      case 'amountMax':
        filters.amountMax = requireAmount(name, value);
        break;
      case 'status':
        if (!(CONTRACT_STATUSES as readonly string[]).includes(value))
          throw new AppError('VALIDATION_FAILED', `status must be one of ${CONTRACT_STATUSES.join(', ')}`, {
            field: name,
          });
        filters.status = value as ContractStatus;
        break;
      case 'source':
        if (!['envelope', 'claim', 'import'].includes(value))
          throw new AppError('VALIDATION_FAILED', 'source must be envelope, claim or import', { field: name });
        filters.source = value as ContractFilters['source'];
        break;
      case 'owner':
        filters.owner = value;
        break;
      case 'sort': {
        const match = /^(-)?([A-Za-z]+)(?::(asc|desc))?$/.exec(value);
        if (!match || !(match[2] in SORT_COLUMNS))
          throw new AppError(
            'VALIDATION_FAILED',
            `sort must be one of ${Object.keys(SORT_COLUMNS).join(', ')} (prefix - or suffix :desc for descending)`,
            { field: name },
          );
        sort = { key: match[2] as SortKey, direction: match[1] === '-' || match[3] === 'desc' ? 'desc' : 'asc' };
        break;
      }
      case 'cursor':
        cursorText = value;
        break;
      case 'limit':
        limit = Number(value);
        if (!/^\d+$/.test(value) || limit < 1 || limit > maxLimit)
          throw new AppError('VALIDATION_FAILED', `limit must be 1–${maxLimit}`, { field: name });
        break;
      case 'scope':
        // Read by the route (which register a session means); validated there.
        break;
      default: {
        const range = DATE_RANGES.find((r) => (r as readonly string[]).includes(name));
        if (range) (filters as unknown as Record<string, string>)[name] = requireDate(name, value);
      }
    }
  }
  if (filters.amountMin !== undefined && filters.amountMax !== undefined && filters.amountMin > filters.amountMax) {
    throw new AppError('VALIDATION_FAILED', 'amountMin is greater than amountMax', { field: 'amountMin' });
  }
  for (const [from, to] of DATE_RANGES) {
    if (filters[from] !== undefined && filters[to] !== undefined && filters[from]! > filters[to]!)
      throw new AppError('DATE_ORDER', `${from} is after ${to}`, { field: from });
  }
  return { filters, sort, limit, ...(cursorText !== undefined ? { cursor: decodeCursor(cursorText, sort) } : {}) };
}

/** The opaque keyset cursor: the sort it belongs to, the last row's sort value and id. */
export function encodeCursor(sort: ContractSort, value: string | number | null, id: string): string {
  return Buffer.from(JSON.stringify([sort.key, sort.direction, value, id]), 'utf8').toString('base64url');
}

function decodeCursor(text: string, sort: ContractSort): { value: string | number | null; id: string } {
  try {
    const [key, direction, value, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    const valueOk =
      value === null || typeof value === 'string' || (typeof value === 'number' && Number.isSafeInteger(value));
    if (key === sort.key && direction === sort.direction && valueOk && typeof id === 'string')
      return { value: value as string | number | null, id };
  } catch {
    // fall through
  }
  throw new AppError('VALIDATION_FAILED', 'cursor is not valid for this sort', { field: 'cursor' });
}

type Qb<O> = SelectQueryBuilder<Schema & { c: Schema['contracts'] }, 'c', O>;
type Eb = ExpressionBuilder<Schema & { c: Schema['contracts'] }, 'c'>;

/** Adds the filters (and the scope) to a query over `contracts as c`. */
export function applyContractFilters<O>(
  query: Qb<O>,
  scope: string,
  filters: ContractFilters,
  dialect: 'sqlite' | 'postgres',
  hints: SubstringSearchHints = {},
): Qb<O> {
  let q = query.where('c.scope', '=', scope);
  if (filters.counterparty !== undefined)
    q = q.where(counterpartyCondition(dialect, filters.counterparty, hints.counterparty));
  if (filters.amountMin !== undefined) q = q.where('c.amount', '>=', filters.amountMin);
  if (filters.amountMax !== undefined) q = q.where('c.amount', '<=', filters.amountMax);
  const ranges: Array<
    [keyof ContractFilters, keyof ContractFilters, 'signed_on' | 'start_on' | 'end_on' | 'notice_on']
  > = [
    ['signedFrom', 'signedTo', 'signed_on'],
    ['startFrom', 'startTo', 'start_on'],
    ['endFrom', 'endTo', 'end_on'],
    ['noticeFrom', 'noticeTo', 'notice_on'],
  ];
  for (const [from, to, column] of ranges) {
    if (filters[from] !== undefined) q = q.where(`c.${column}`, '>=', filters[from] as string);
    if (filters[to] !== undefined) q = q.where(`c.${column}`, '<=', filters[to] as string);
  }
  if (filters.status !== undefined) q = q.where('c.status', '=', filters.status);
  if (filters.source !== undefined) q = q.where('c.source', '=', filters.source);
  if (filters.owner !== undefined) q = q.where('c.assignee_user_id', '=', filters.owner);
  if (filters.q !== undefined) q = q.where(fullTextCondition(dialect, filters.q));
  for (const tag of filters.tags) {
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('contract_tags as g')
          .select(sql`1`.as('one'))
          .whereRef('g.contract_id', '=', 'c.id')
          .where('g.tag', '=', tag),
      ),
    );
  }
  for (const [key, value] of Object.entries(filters.fields)) {
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('contract_field_values as f')
          .select(sql`1`.as('one'))
          .whereRef('f.contract_id', '=', 'c.id')
          .where('f.key', '=', key)
          .where('f.value', '=', value),
      ),
    );
  }
  for (const field of filters.empty) q = q.where((eb) => emptyCondition(eb, field));
  return q;
}

function emptyCondition(eb: Eb, field: string): Expression<SqlBool> {
  if (field === 'counterparties') return eb('c.counterparty_norm', 'is', null);
  if (field === 'memo') return eb('c.memo', '=', '');
  if (field === 'tags')
    return eb.not(
      eb.exists(
        eb
          .selectFrom('contract_tags as g')
          .select(sql`1`.as('one'))
          .whereRef('g.contract_id', '=', 'c.id'),
      ),
    );
  if (field.startsWith('field.')) {
    const key = field.slice(6);
    return eb.not(
      eb.exists(
        eb
          .selectFrom('contract_field_values as f')
          .select(sql`1`.as('one'))
          .whereRef('f.contract_id', '=', 'c.id')
          .where('f.key', '=', key),
      ),
    );
  }
  return eb(`c.${NULLABLE_COLUMN[field as keyof typeof NULLABLE_COLUMN]}`, 'is', null);
}

/**
 * The keyset page as at most two index-friendly queries: the rows with a value in the sort column,
 * ordered by (value, id) and continued with a row-value comparison `(value, id) > (v, id0)` (both
 * dialects walk their (scope, column, id) index from the cursor on, instead of skipping from the start);
 * then, when that part runs out, the rows without a value (empty last in both directions) by id.
 */
export function contractPageQueries<O>(
  query: Qb<O>,
  sort: ContractSort,
  cursor?: { value: string | number | null; id: string },
): { withValue?: Qb<O>; empty: Qb<O> } {
  const column = sql.ref(`c.${SORT_COLUMNS[sort.key] as SortColumn}`);
  const id = sql.ref('c.id');
  const after = sort.direction === 'asc' ? sql`>` : sql`<`;
  const direction = sort.direction === 'asc' ? sql`asc` : sql`desc`;
  let empty = query.where(sql<SqlBool>`${column} is null`);
  if (cursor?.value === null)
    return { empty: empty.where(sql<SqlBool>`${id} ${after} ${cursor.id}`).orderBy(sql`${id} ${direction}`) };
  empty = empty.orderBy(sql`${id} ${direction}`);
  let withValue = query.where(sql<SqlBool>`${column} is not null`);
  if (cursor) withValue = withValue.where(sql<SqlBool>`(${column}, ${id}) ${after} (${cursor.value}, ${cursor.id})`);
  return { withValue: withValue.orderBy(sql`${column} ${direction}`).orderBy(sql`${id} ${direction}`), empty };
}

/** The sort value of a row, as a cursor holds it. */
export function sortValueOf(
  row: Schema['contracts'] | Record<string, unknown>,
  sort: ContractSort,
): string | number | null {
  const value = (row as Record<string, unknown>)[SORT_COLUMNS[sort.key]];
  return value === null || value === undefined ? null : typeof value === 'number' ? value : String(value);
}
