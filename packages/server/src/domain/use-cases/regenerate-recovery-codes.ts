import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import { hasSecondFactor, replaceRecoveryCodes } from '../second-factors/second-factors.ts';
import type { AccountActor } from './confirm-totp-enrolment.ts';
import { assertRecentSecondFactor } from './get-security-overview.ts';

/**
 * Replaces the account's recovery codes with a new set (the old ones stop working), shown once. Needs a
 * second factor (enrolled, and given in the last 10 minutes). Records `mfa.recovery-codes-generated`.
 */
export async function regenerateRecoveryCodes(
  ctx: DomainContext,
  input: AccountActor & { secondFactorAt: Date | null },
): Promise<{ recoveryCodes: string[] }> {
  const now = ctx.clock.now();
  assertRecentSecondFactor(input.secondFactorAt, now);
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    if (!(await hasSecondFactor(tx, input.userId)))
      throw new AppError('VALIDATION_FAILED', 'recovery codes need a second factor first', { field: 'recoveryCodes' });
    const recoveryCodes = await replaceRecoveryCodes(ctx, tx, input.userId, now);
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: { type: 'user', id: input.userId },
      action: 'mfa.recovery-codes-generated',
      origin: input.origin,
      at: now,
      details: { count: recoveryCodes.length },
    });
    return { recoveryCodes };
  });
}
