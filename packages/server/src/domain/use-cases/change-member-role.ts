import { endSessionsInOrganization, isLastActiveAdmin } from '../administration/member-sessions.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin, UserRole } from '../types.ts';
import { requireRole } from './invite-member.ts';

const RANK: Record<UserRole, number> = { viewer: 0, member: 1, admin: 2 };

/**
 * Changes a member's role. The last active administrator cannot lose the role (LAST_ADMIN). A member who
 * loses rights (admin → member/viewer, member → viewer) has their sessions in the organisation ended, so
 * no open page keeps rights it no longer has. Records `member.role-changed`.
 */
export async function changeMemberRole(
  ctx: DomainContext,
  input: { organizationId: string; actor: Actor; origin?: RequestOrigin; userId: string; role: unknown },
): Promise<{ from: UserRole; to: UserRole; sessionsEnded: number }> {
  const role = requireRole(input.role);
  const now = ctx.clock.now();
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const member = await tx
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select(['memberships.role', 'memberships.deactivated_at', 'users.email'])
      .where('memberships.organization_id', '=', input.organizationId)
      .where('memberships.user_id', '=', input.userId)
      .executeTakeFirst();
    if (!member) throw new AppError('NOT_FOUND', 'no such member');
    if (member.role === role) return { from: role, to: role, sessionsEnded: 0 };
    if (
      member.role === 'admin' &&
      member.deactivated_at === null &&
      (await isLastActiveAdmin(tx, input.organizationId, input.userId))
    )
      throw new AppError('LAST_ADMIN', 'the organisation needs an administrator');
    await tx
      .updateTable('memberships')
      .set({ role })
      .where('organization_id', '=', input.organizationId)
      .where('user_id', '=', input.userId)
      .execute();
    const sessionsEnded =
      RANK[role] < RANK[member.role] ? await endSessionsInOrganization(tx, input.userId, input.organizationId) : 0;
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'member.role-changed',
      origin: input.origin,
      at: now,
      details: { userId: input.userId, email: member.email, from: member.role, to: role, sessionsEnded },
    });
    return { from: member.role, to: role, sessionsEnded };
  });
}
