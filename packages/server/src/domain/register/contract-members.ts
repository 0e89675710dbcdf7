import type { DbOrTx } from '../../ports/database.ts';
import type { ContractScope } from './contract-model.ts';

/**
 * Whether a user may be the 担当者 or a watcher of entries in a scope: a member of the organisation, or
 * the account itself for a personal register. (The one place that knows how membership is stored.)
 */
export async function canBeAssigned(db: DbOrTx, scope: ContractScope, userId: string): Promise<boolean> {
  if (scope.kind === 'personal') return userId === scope.userId;
  const row = await db
    .selectFrom('memberships')
    .select('user_id')
    .where('user_id', '=', userId)
    .where('organization_id', '=', scope.organizationId)
    .where('deactivated_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}
