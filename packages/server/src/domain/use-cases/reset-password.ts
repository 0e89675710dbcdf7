import { hashPassword } from '../../security/tokens.ts';
import { consumeAccountToken, findLiveAccountToken } from '../accounts/account-tokens.ts';
import type { DomainContext } from '../domain-context.ts';
import { checkNewPassword } from '../password-policy.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { RequestOrigin } from '../types.ts';

/** Sets a new password through a reset link (one use, 1 h) and ends every session of the account. */
export async function resetPassword(
  ctx: DomainContext,
  input: { token: unknown; password: unknown; origin?: RequestOrigin },
): Promise<void> {
  const now = ctx.clock.now();
  await findLiveAccountToken(ctx.db, 'password_reset', input.token, now);
  const passwordHash = await hashPassword(checkNewPassword(input.password));
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const link = await consumeAccountToken(tx, 'password_reset', input.token, now);
    const userId = link.user_id!;
    await tx.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
    const ended = await tx.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
    // Other reset links of the account die with this one.
    await tx
      .updateTable('account_tokens')
      .set({ used_at: now.toISOString() })
      .where('user_id', '=', userId)
      .where('purpose', '=', 'password_reset')
      .where('used_at', 'is', null)
      .execute();
    await recordEvent(tx, {
      organizationId: null,
      actor: { type: 'user', id: userId },
      action: 'account.password-reset',
      origin: input.origin,
      at: now,
      details: { sessionsEnded: Number(ended.numDeletedRows) },
    });
  });
}
