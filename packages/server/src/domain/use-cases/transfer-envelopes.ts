import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';

/**
 * Moves every envelope a member created in the organisation to another member (a leaver's work to a
 * colleague): the new owner receives the sender's notices from then on. Both must be members of the
 * organisation; the new owner active and not a viewer. Records `member.envelopes-transferred` with the count.
 */
export async function transferEnvelopes(
  ctx: DomainContext,
  input: { organizationId: string; actor: Actor; origin?: RequestOrigin; fromUserId: string; toUserId: unknown },
): Promise<{ transferred: number }> {
  if (typeof input.toUserId !== 'string' || !/^[0-9a-f-]{36}$/.test(input.toUserId))
    throw new AppError('VALIDATION_FAILED', 'toUserId must be a member id', { field: 'toUserId' });
  const toUserId = input.toUserId;
  if (toUserId === input.fromUserId)
    throw new AppError('VALIDATION_FAILED', 'toUserId must be another member', { field: 'toUserId' });
  const now = ctx.clock.now();
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const members = await tx
      .selectFrom('memberships')
      .select(['user_id', 'role', 'deactivated_at'])
      .where('organization_id', '=', input.organizationId)
      .where('user_id', 'in', [input.fromUserId, toUserId])
      .execute();
    const from = members.find((m) => m.user_id === input.fromUserId);
    const to = members.find((m) => m.user_id === toUserId);
    if (!from) throw new AppError('NOT_FOUND', 'no such member');
    if (!to || to.deactivated_at !== null || to.role === 'viewer')
      throw new AppError('VALIDATION_FAILED', 'toUserId must be an active member or administrator', {
        field: 'toUserId',
      });
    const result = await tx
      .updateTable('envelopes')
      .set({ created_by_user_id: toUserId })
      .where('organization_id', '=', input.organizationId)
      .where('created_by_user_id', '=', input.fromUserId)
      .executeTakeFirst();
    const transferred = Number(result.numUpdatedRows);
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'member.envelopes-transferred',
      origin: input.origin,
      at: now,
      details: { fromUserId: input.fromUserId, toUserId, transferred },
    });
    return { transferred };
  });
}
