import type { DomainContext } from '../domain-context.ts';
import type { ContractAssignee } from '../register/contract-api-types.ts';
import type { ContractScope } from '../register/contract-model.ts';

/** At most this many people in one answer (an organisation larger than this picks by typing an id in the API). */
export const ASSIGNEES_MAX = 1000;

/**
 * Who may be the 担当者 (or a watcher) of entries in a register, by name: the organisation's members, or
 * the account itself for a personal register (the same rule as canBeAssigned).
 */
export async function listContractAssignees(
  ctx: Pick<DomainContext, 'db'>,
  input: { scope: ContractScope },
): Promise<ContractAssignee[]> {
  const query = ctx.db.selectFrom('users as u').select(['u.id', 'u.name', 'u.email']);
  const rows =
    input.scope.kind === 'personal'
      ? await query.where('u.id', '=', input.scope.userId).execute()
      : await query
          .innerJoin('memberships as m', 'm.user_id', 'u.id')
          .where('m.organization_id', '=', input.scope.organizationId)
          .orderBy('u.name')
          .orderBy('u.id')
          .limit(ASSIGNEES_MAX)
          .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, email: r.email }));
}
