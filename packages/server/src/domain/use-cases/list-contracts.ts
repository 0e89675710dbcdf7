import type { DomainContext } from '../domain-context.ts';
import { scopeKey, toContracts, type Contract, type ContractScope } from '../register/contract-model.ts';
import {
  applyContractFilters,
  contractPageQueries,
  encodeCursor,
  sortValueOf,
  type ContractQuery,
} from '../register/contract-search.ts';

/**
 * One page of a register's search (the 電帳法 criteria and the rest, combined with AND), in the
 * requested order; `nextCursor` continues after the last row (keyset: stable under inserts).
 */
export async function listContracts(
  ctx: Pick<DomainContext, 'db' | 'dialect'>,
  input: { scope: ContractScope; query: ContractQuery },
): Promise<{
  items: Contract[];
  nextCursor: string | null;
  nextKey: { value: string | number | null; id: string } | null;
}> {
  const { filters, sort, cursor, limit } = input.query;
  const filtered = applyContractFilters(
    ctx.db.selectFrom('contracts as c').selectAll('c'),
    scopeKey(input.scope),
    filters,
    ctx.dialect,
  );
  const parts = contractPageQueries(filtered, sort, cursor);
  const rows = parts.withValue ? await parts.withValue.limit(limit + 1).execute() : [];
  if (rows.length < limit + 1) rows.push(...(await parts.empty.limit(limit + 1 - rows.length).execute()));
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextKey = rows.length > limit && last ? { value: sortValueOf(last, sort), id: last.id } : null;
  return {
    items: await toContracts(ctx.db, page),
    nextCursor: nextKey ? encodeCursor(sort, nextKey.value, nextKey.id) : null,
    nextKey,
  };
}
