import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import {
  assertSecondFactorAllowed,
  consumeSecondFactorCode,
  markSessionSecondFactor,
  type SecondFactorInput,
} from '../second-factors/second-factors.ts';
import type { AccountActor } from './confirm-totp-enrolment.ts';
import { recordSecondFactorFailure } from './complete-second-factor-sign-in.ts';

/**
 * Step-up: the signed-in account gives its second factor again (TOTP code, not replayed, or a recovery
 * code) and the session counts as having given it now — admin actions need that within 10 minutes.
 * Records `mfa.second-factor-used` (purpose step-up), or a failure counted against the account.
 */
export async function stepUpSession(
  ctx: DomainContext,
  input: AccountActor & { factor: SecondFactorInput },
): Promise<{ secondFactorAt: string }> {
  await assertSecondFactorAllowed(ctx, input.userId);
  const now = ctx.clock.now();
  const done = await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const method = await consumeSecondFactorCode(ctx, tx, input.userId, input.factor, now);
    if (!method) return false;
    await markSessionSecondFactor(tx, input.sessionHash, now);
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: { type: 'user', id: input.userId },
      action: 'mfa.second-factor-used',
      origin: input.origin,
      at: now,
      details: { method, purpose: 'step-up' },
    });
    return true;
  });
  if (done) return { secondFactorAt: now.toISOString() };
  await recordSecondFactorFailure(
    ctx,
    input.userId,
    'code' in input.factor ? 'totp' : 'recovery-code',
    'step-up',
    input.origin,
  );
  throw new AppError('SECOND_FACTOR_WRONG', 'the code is wrong or was used already');
}
