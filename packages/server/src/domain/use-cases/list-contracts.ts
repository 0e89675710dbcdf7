import type { DomainContext } from '../domain-context.ts';
import { scopeKey, toContracts, type Contract, type ContractScope } from '../register/contract-model.ts';
import { applyContractFilters, applyContractOrder, encodeCursor, sortValueOf, type ContractQuery } from '../register/contract-search.ts';

/**
 * One page of a register's search (the 電帳法 criteria and the rest, combined with AND), in the
 * requested order; `nextCursor` continues after the last row (keyset: stable under inserts).
 */
export async function listContracts(ctx: Pick<DomainContext, 'db' | 'dialect'>, input: { scope: ContractScope; query: ContractQuery }): Promise<{ items: Contract[]; nextCursor: string | null; nextKey: { value: string | number | null; id: string } | null }> {
  const { filters, sort, cursor, limit } = input.query;
  let query = ctx.db.selectFrom('contracts as c').selectAll('c');
  query = applyContractFilters(query, scopeKey(input.scope), filters, ctx.dialect);
  query = applyContractOrder(query, sort, cursor);
  const rows = await query.limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextKey = rows.length > limit && last ? { value: sortValueOf(last, sort), id: last.id } : null;
  return { items: await toContracts(ctx.db, page), nextCursor: nextKey ? encodeCursor(sort, nextKey.value, nextKey.id) : null, nextKey };
}
