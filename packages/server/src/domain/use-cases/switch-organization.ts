import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { RequestOrigin } from '../types.ts';
import { loadSessionUser, type SessionUser } from './sign-in.ts';

/** Makes one of the account's organisations (or none: personal) the session's active organisation. */
export async function switchOrganization(
  ctx: DomainContext,
  input: { userId: string; sessionHash: string; organizationId: unknown; origin?: RequestOrigin },
): Promise<SessionUser> {
  const target = input.organizationId;
  if (target !== null && typeof target !== 'string')
    throw new AppError('VALIDATION_FAILED', 'organizationId must be an id or null', { field: 'organizationId' });
  const now = ctx.clock.now();
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    if (target !== null) {
      // Not a member (or no such organisation): the same NOT_FOUND, nothing told about others' organisations.
      const member = await tx
        .selectFrom('memberships')
        .select('role')
        .where('user_id', '=', input.userId)
        .where('organization_id', '=', target)
        .where('deactivated_at', 'is', null)
        .executeTakeFirst();
      if (!member) throw new AppError('NOT_FOUND', "no such organisation among the account's memberships");
    }
    await tx
      .updateTable('sessions')
      .set({ organization_id: target })
      .where('token_hash', '=', input.sessionHash)
      .where('user_id', '=', input.userId)
      .execute();
    await recordEvent(tx, {
      organizationId: target,
      actor: { type: 'user', id: input.userId },
      action: 'account.organization-switched',
      origin: input.origin,
      at: now,
      details: { organizationId: target },
    });
    return loadSessionUser(tx, input.userId, target);
  });
}
