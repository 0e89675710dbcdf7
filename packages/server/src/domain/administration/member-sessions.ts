import type { DbOrTx } from '../../ports/database.ts';

/**
 * Ends an account's sessions that act for an organisation (deactivation, role loss, an admin's request),
 * inside the caller's transaction; returns how many ended. Sessions of the account in other
 * organisations or personal ones stay.
 */
export async function endSessionsInOrganization(tx: DbOrTx, userId: string, organizationId: string): Promise<number> {
  const result = await tx
    .deleteFrom('sessions')
    .where('user_id', '=', userId)
    .where('organization_id', '=', organizationId)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Whether removing an admin (role change or deactivation) would leave the organisation without one. */
export async function isLastActiveAdmin(tx: DbOrTx, organizationId: string, userId: string): Promise<boolean> {
  const others = await tx
    .selectFrom('memberships')
    .select('user_id')
    .where('organization_id', '=', organizationId)
    .where('role', '=', 'admin')
    .where('deactivated_at', 'is', null)
    .where('user_id', '!=', userId)
    .executeTakeFirst();
  return others === undefined;
}
