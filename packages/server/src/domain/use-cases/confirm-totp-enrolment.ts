import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { RequestOrigin } from '../types.ts';
import {
  assertSecondFactorAllowed,
  countSecondFactorFailure,
  liftEnrolmentRequirement,
  markSessionSecondFactor,
  openTotpSeed,
  replaceRecoveryCodes,
} from '../second-factors/second-factors.ts';
import { matchTotpStep } from '../second-factors/totp.ts';

/** The account whose session is acting (account API). */
export interface AccountActor {
  userId: string;
  organizationId: string | null;
  sessionHash: string;
  origin?: RequestOrigin;
}

/**
 * Confirms the authenticator app with its first code: the seed starts guarding sign-in, a new set of
 * recovery codes is made (returned once, stored as HMACs), the session counts as having given a second
 * factor, and the MFA policy stops holding the account's sessions. Records `mfa.totp-enrolled` and
 * `mfa.recovery-codes-generated`. A wrong code: SECOND_FACTOR_WRONG, counted against the account.
 */
export async function confirmTotpEnrolment(
  ctx: DomainContext,
  input: AccountActor & { code: string },
): Promise<{ recoveryCodes: string[] }> {
  await assertSecondFactorAllowed(ctx, input.userId);
  const now = ctx.clock.now();
  const result = await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const factor = await tx
      .selectFrom('totp_factors')
      .selectAll()
      .where('user_id', '=', input.userId)
      .executeTakeFirst();
    if (!factor || factor.confirmed_at !== null)
      throw new AppError('VALIDATION_FAILED', 'no authenticator app enrolment is in progress', { field: 'totp' });
    const step = await openTotpSeed(ctx, tx, input.userId, factor.secret_ciphertext, (seed) =>
      matchTotpStep(seed, input.code.trim(), now),
    );
    if (step === undefined) return undefined;
    await tx
      .updateTable('totp_factors')
      .set({ confirmed_at: now.toISOString(), last_used_step: step })
      .where('user_id', '=', input.userId)
      .execute();
    const recoveryCodes = await replaceRecoveryCodes(ctx, tx, input.userId, now);
    await markSessionSecondFactor(tx, input.sessionHash, now);
    await liftEnrolmentRequirement(tx, input.userId);
    const actor = { type: 'user', id: input.userId } as const;
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor,
      action: 'mfa.totp-enrolled',
      origin: input.origin,
      at: now,
    });
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor,
      action: 'mfa.recovery-codes-generated',
      origin: input.origin,
      at: now,
      details: { count: recoveryCodes.length },
    });
    return { recoveryCodes };
  });
  if (result) return result;
  await countSecondFactorFailure(ctx, input.userId);
  throw new AppError('SECOND_FACTOR_WRONG', 'the code does not match the authenticator app');
}
