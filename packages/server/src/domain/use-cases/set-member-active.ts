import { endSessionsInOrganization, isLastActiveAdmin } from '../administration/member-sessions.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';

/**
 * Deactivates (active: false) or reactivates a membership. A deactivated member keeps their account and
 * their envelopes stay in the organisation, but the membership grants nothing and their sessions in the
 * organisation end at once. Administrators cannot deactivate themselves, nor the last active
 * administrator (LAST_ADMIN). Records `member.deactivated` / `member.reactivated`.
 */
export async function setMemberActive(
  ctx: DomainContext,
  input: {
    organizationId: string;
    actor: Actor;
    origin?: RequestOrigin;
    userId: string;
    active: boolean;
  },
): Promise<{ status: 'active' | 'deactivated'; sessionsEnded: number }> {
  if (!input.active && input.actor.type === 'user' && input.actor.id === input.userId)
    throw new AppError('FORBIDDEN', 'administrators cannot deactivate themselves', { reason: 'self' });
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
    const isActive = member.deactivated_at === null;
    if (isActive === input.active) return { status: isActive ? 'active' : 'deactivated', sessionsEnded: 0 };
    if (!input.active && member.role === 'admin' && (await isLastActiveAdmin(tx, input.organizationId, input.userId)))
      throw new AppError('LAST_ADMIN', 'the organisation needs an administrator');
    await tx
      .updateTable('memberships')
      .set({ deactivated_at: input.active ? null : now.toISOString() })
      .where('organization_id', '=', input.organizationId)
      .where('user_id', '=', input.userId)
      .execute();
    const sessionsEnded = input.active ? 0 : await endSessionsInOrganization(tx, input.userId, input.organizationId);
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: input.active ? 'member.reactivated' : 'member.deactivated',
      origin: input.origin,
      at: now,
      details: { userId: input.userId, email: member.email, role: member.role, sessionsEnded },
    });
    return { status: input.active ? 'active' : 'deactivated', sessionsEnded };
  });
}
