import type { DomainContext } from '../domain-context.ts';
import type { Contract, ContractScope } from '../register/contract-model.ts';
import type { ContractQuery } from '../register/contract-search.ts';
import { listContracts } from './list-contracts.ts';

/** Rows read per batch of an export (one keyset query and one query for the side tables each). */
export const EXPORT_BATCH = 1000;

/**
 * Every entry of a search (no page limit), in its order, read batch by batch with the keyset cursor
 * so that memory stays flat however many rows match. The filters are checked by the caller's parse.
 */
export function exportContracts(
  ctx: Pick<DomainContext, 'db' | 'dialect'>,
  input: { scope: ContractScope; query: ContractQuery },
): AsyncIterable<Contract> {
  return {
    async *[Symbol.asyncIterator]() {
      let query: ContractQuery = { ...input.query, limit: EXPORT_BATCH };
      for (;;) {
        const page = await listContracts(ctx, { scope: input.scope, query });
        yield* page.items;
        if (!page.nextKey) return;
        query = { ...query, cursor: page.nextKey };
      }
    },
  };
}
