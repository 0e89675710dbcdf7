import type { DomainContext } from '../domain-context.ts';
import { findContractRow, type ContractScope } from '../register/contract-model.ts';
import { type FieldSuggestion, suggestContractFields } from '../register/suggest-fields.ts';

/**
 * Field suggestions (契約金額, 契約期間, 自動更新, 解約通知期限, 甲/乙) for an entry of the caller's register,
 * read from its documents' text layer. No side effect: a suggestion is saved only when a person
 * accepts it (a PATCH of that field). Another register's entry is NOT_FOUND.
 */
export async function getContractSuggestions(
  ctx: Pick<DomainContext, 'db'>,
  input: { scope: ContractScope; contractId: string },
): Promise<FieldSuggestion[]> {
  const row = await findContractRow(ctx.db, input.scope, input.contractId);
  const text = await ctx.db
    .selectFrom('contract_texts')
    .select('extracted')
    .where('contract_id', '=', row.id)
    .executeTakeFirst();
  return suggestContractFields(text?.extracted ?? '');
}
