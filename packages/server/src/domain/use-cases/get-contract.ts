import type { DomainContext } from '../domain-context.ts';
import type { ContractChange } from '../register/contract-api-types.ts';
import {
  contractDocuments,
  findContractRow,
  toContracts,
  type Contract,
  type ContractDocument,
  type ContractScope,
} from '../register/contract-model.ts';

export type { ContractChange } from '../register/contract-api-types.ts';

/** An entry of the caller's register with its documents and full history (oldest first). */
export async function getContract(
  ctx: Pick<DomainContext, 'db'>,
  input: { scope: ContractScope; contractId: string },
): Promise<{ contract: Contract; documents: ContractDocument[]; history: ContractChange[] }> {
  const row = await findContractRow(ctx.db, input.scope, input.contractId);
  const [[contract], documents, history] = await Promise.all([
    toContracts(ctx.db, [row]),
    contractDocuments(ctx.db, row.id),
    ctx.db
      .selectFrom('contract_history as h')
      .leftJoin('users as u', 'u.id', 'h.actor_id')
      .select([
        'h.id',
        'h.field',
        'h.old_value',
        'h.new_value',
        'h.actor_type',
        'h.actor_id',
        'h.created_at',
        'u.name as user_name',
      ])
      .where('h.contract_id', '=', row.id)
      .orderBy('h.created_at')
      .orderBy('h.id')
      .execute(),
  ]);
  return {
    contract: contract!,
    documents,
    history: history.map((h) => ({
      id: h.id,
      field: h.field,
      oldValue: JSON.parse(h.old_value) as unknown,
      newValue: JSON.parse(h.new_value) as unknown,
      actor: { type: h.actor_type, id: h.actor_id, name: h.actor_type === 'user' ? h.user_name : null },
      at: h.created_at,
    })),
  };
}
