import { sql, type Selectable, type SqlBool } from 'kysely';
import {
  rowKey,
  substringSearchHints,
  textsContaining,
  type SubstringSearchHints,
} from '../../adapters/db/substring-match.ts';
import type { Schema } from '../../ports/database.ts';
import type { DomainContext } from '../domain-context.ts';
import { scopeKey, toContracts, type Contract, type ContractScope } from '../register/contract-model.ts';
import {
  applyContractFilters,
  contractPageQueries,
  encodeCursor,
  sortValueOf,
  type ContractFilters,
  type ContractQuery,
  type ContractSort,
} from '../register/contract-search.ts';

type ContractRow = Selectable<Schema['contracts']>;
type Keyset = { value: string | number | null; id: string };
type Ctx = Pick<DomainContext, 'db' | 'dialect'>;

/**
 * Full text (`q`): rows read in the page's order and checked against their text before the substring
 * index is asked. A phrase found in most texts (a clause every contract has) fills a page from the first
 * rows of the walk, where the index would return nearly every entry and sort them all; a rare phrase
 * runs out of this budget and the index finds the rest.
 */
export interface FullTextWalk {
  /** Rows read in order before the index is asked. */
  budget: number;
  /** The first chunk reads max(chunkMin, 2 × the rows wanted) rows; each next one twice as many, up to chunkMax. */
  chunkMin: number;
  chunkMax: number;
}
export const FULL_TEXT_WALK: FullTextWalk = { budget: 500, chunkMin: 100, chunkMax: 400 };

/**
 * One page of a register's search (the 電帳法 criteria and the rest, combined with AND), in the
 * requested order; `nextCursor` continues after the last row (keyset: stable under inserts).
 */
export async function listContracts(
  ctx: Ctx,
  input: { scope: ContractScope; query: ContractQuery },
  walk: FullTextWalk = FULL_TEXT_WALK,
): Promise<{
  items: Contract[];
  nextCursor: string | null;
  nextKey: Keyset | null;
}> {
  const { filters, sort, cursor, limit } = input.query;
  const scope = scopeKey(input.scope);
  const hints = await substringSearchHints(ctx.db, ctx.dialect, filters.counterparty);
  const rows =
    filters.q === undefined
      ? await orderedRows(ctx, scope, filters, hints, sort, cursor, limit + 1)
      : await fullTextRows(ctx, scope, { ...filters, q: filters.q }, hints, sort, cursor, limit + 1, walk);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextKey = rows.length > limit && last ? { value: sortValueOf(last, sort), id: last.id } : null;
  return {
    items: await toContracts(ctx.db, page),
    nextCursor: nextKey ? encodeCursor(sort, nextKey.value, nextKey.id) : null,
    nextKey,
  };
}

/**
 * Up to `count` rows matching the filters, in the sort's order, after the keyset position. Each part is
 * asked for the page's row keys first (an index that holds the filtered and sorted columns answers that
 * without reading the table, however many entries match), then for those rows.
 */
async function orderedRows(
  ctx: Ctx,
  scope: string,
  filters: ContractFilters,
  hints: SubstringSearchHints,
  sort: ContractSort,
  cursor: Keyset | undefined,
  count: number,
): Promise<ContractRow[]> {
  const key = rowKey(ctx.dialect);
  const keys = contractPageQueries(
    applyContractFilters(ctx.db.selectFrom('contracts as c').select(key.as('k')), scope, filters, ctx.dialect, hints),
    sort,
    cursor,
  );
  const rows = contractPageQueries(ctx.db.selectFrom('contracts as c').selectAll('c'), sort);
  const page = async (part: 'withValue' | 'empty', limit: number): Promise<ContractRow[]> => {
    const inner = keys[part];
    const outer = rows[part];
    if (!inner || !outer) return [];
    return outer.where(sql<SqlBool>`${key} in (${inner.limit(limit)})`).execute();
  };
  const found = await page('withValue', count);
  if (found.length < count) found.push(...(await page('empty', count - found.length)));
  return found;
}

/**
 * The rows of a full-text search: walk the other filters' rows in the page's order, in chunks, keeping
 * those whose text contains `q`, until `count` are found or `walk.budget` rows were read; then
 * (a rare phrase) the rest from the substring index, after the last row walked. Both steps keep the
 * same order and the same predicate, so the result is the one query's, only cheaper.
 */
async function fullTextRows(
  ctx: Ctx,
  scope: string,
  filters: ContractFilters & { q: string },
  hints: SubstringSearchHints,
  sort: ContractSort,
  cursor: Keyset | undefined,
  count: number,
  walk: FullTextWalk,
): Promise<ContractRow[]> {
  const { q, ...withoutText } = filters;
  const found: ContractRow[] = [];
  let position = cursor;
  let walked = 0;
  let chunk = Math.min(walk.chunkMax, Math.max(walk.chunkMin, 2 * count));
  while (walked < walk.budget) {
    const asked = Math.min(chunk, walk.budget - walked);
    const rows = await orderedRows(ctx, scope, withoutText, hints, sort, position, asked);
    walked += rows.length;
    if (rows.length > 0) {
      const matching = await textsContaining(
        ctx.db,
        ctx.dialect,
        rows.map((r) => r.id),
        q,
      );
      for (const row of rows) if (matching.has(row.id)) found.push(row);
    }
    if (found.length >= count) return found.slice(0, count);
    const last = rows[rows.length - 1];
    if (rows.length < asked || !last) return found; // the end of the search: every row was checked
    position = { value: sortValueOf(last, sort), id: last.id };
    chunk = Math.min(walk.chunkMax, chunk * 2);
  }
  return [...found, ...(await orderedRows(ctx, scope, filters, hints, sort, position, count - found.length))];
}
