import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import { hasSecondFactor } from '../second-factors/second-factors.ts';
import type { AccountActor } from './confirm-totp-enrolment.ts';
import { assertRecentSecondFactor } from './get-security-overview.ts';

/**
 * Removes the account's authenticator app (needs a second factor given in the last 10 minutes). With no
 * passkey left the recovery codes go too: they recover a second factor that no longer exists. Records
 * `mfa.totp-removed`.
 */
export async function removeTotp(
  ctx: DomainContext,
  input: AccountActor & { secondFactorAt: Date | null },
): Promise<void> {
  const now = ctx.clock.now();
  assertRecentSecondFactor(input.secondFactorAt, now);
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const removed = await tx.deleteFrom('totp_factors').where('user_id', '=', input.userId).executeTakeFirst();
    if (Number(removed.numDeletedRows) === 0) throw new AppError('NOT_FOUND', 'no authenticator app is enrolled');
    if (!(await hasSecondFactor(tx, input.userId)))
      await tx.deleteFrom('recovery_codes').where('user_id', '=', input.userId).execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: { type: 'user', id: input.userId },
      action: 'mfa.totp-removed',
      origin: input.origin,
      at: now,
    });
  });
}
