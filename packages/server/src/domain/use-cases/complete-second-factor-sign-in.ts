import type { DbOrTx, Schema } from '../../ports/database.ts';
import type { Selectable } from 'kysely';
import { hashToken } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { RequestOrigin } from '../types.ts';
import {
  assertSecondFactorAllowed,
  consumeSecondFactorCode,
  countSecondFactorFailure,
  SIGN_IN_CHALLENGE_MAX_ATTEMPTS,
  type SecondFactorInput,
} from '../second-factors/second-factors.ts';
import { createSession, loadMemberships, type UserSession } from './sign-in.ts';

/** The live sign-in challenge of a token (unused, not expired, attempts left), else SECOND_FACTOR_EXPIRED. */
export async function loadSignInChallenge(
  db: DbOrTx,
  token: string,
  now: Date,
): Promise<Selectable<Schema['second_factor_challenges']> & { user_id: string }> {
  const row = /^[A-Za-z0-9_-]{32,128}$/.test(token)
    ? await db
        .selectFrom('second_factor_challenges')
        .selectAll()
        .where('token_hash', '=', hashToken(token))
        .where('purpose', '=', 'sign-in')
        .executeTakeFirst()
    : undefined;
  if (
    !row ||
    row.user_id === null ||
    row.used_at !== null ||
    new Date(row.expires_at).getTime() <= now.getTime() ||
    row.attempts >= SIGN_IN_CHALLENGE_MAX_ATTEMPTS
  ) {
    throw new AppError('SECOND_FACTOR_EXPIRED', 'the sign-in challenge is unknown, used or expired; sign in again');
  }
  return { ...row, user_id: row.user_id };
}

/**
 * The second step of a sign-in: a TOTP code (not replayed) or an unused recovery code for the
 * challenge of the password step. Success spends the challenge and opens a session whose second factor
 * counts as given now; failure counts against the challenge (5 tries) and the account (rate limit),
 * recorded as `mfa.second-factor-failed`.
 */
export async function completeSecondFactorSignIn(
  ctx: DomainContext,
  input: { challengeToken: string; factor: SecondFactorInput; origin?: RequestOrigin },
): Promise<UserSession> {
  const now = ctx.clock.now();
  const challenge = await loadSignInChallenge(ctx.db, input.challengeToken, now);
  await assertSecondFactorAllowed(ctx, challenge.user_id);
  const session = await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const method = await consumeSecondFactorCode(ctx, tx, challenge.user_id, input.factor, now);
    if (!method) return undefined;
    const spent = await tx
      .updateTable('second_factor_challenges')
      .set({ used_at: now.toISOString() })
      .where('token_hash', '=', challenge.token_hash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (Number(spent.numUpdatedRows) !== 1)
      throw new AppError('SECOND_FACTOR_EXPIRED', 'the sign-in challenge was used already');
    const opened = await createSession(ctx, tx, challenge.user_id, now, input.origin, now);
    const organizationId = opened.user.organization?.id ?? null;
    await recordEvent(tx, {
      organizationId,
      actor: { type: 'user', id: challenge.user_id },
      action: 'mfa.second-factor-used',
      origin: input.origin,
      at: now,
      details: { method, purpose: 'sign-in' },
    });
    await recordEvent(tx, {
      organizationId,
      actor: { type: 'user', id: challenge.user_id },
      action: 'session.signed-in',
      origin: input.origin,
      at: now,
      details: { method: `password+${method}` },
    });
    return opened;
  });
  if (session) return session;
  await recordSecondFactorFailure(
    ctx,
    challenge.user_id,
    'code' in input.factor ? 'totp' : 'recovery-code',
    'sign-in',
    input.origin,
    challenge.token_hash,
  );
  throw new AppError('SECOND_FACTOR_WRONG', 'the code is wrong or was used already');
}

/**
 * Records a failed second factor (event in the account's first organisation), counts it against the
 * sign-in challenge when there is one, and against the account's rate limit (may throw RATE_LIMITED).
 */
export async function recordSecondFactorFailure(
  ctx: DomainContext,
  userId: string,
  method: string,
  purpose: 'sign-in' | 'step-up',
  origin: RequestOrigin | undefined,
  challengeHash?: string,
): Promise<void> {
  const now = ctx.clock.now();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    if (challengeHash) {
      await tx
        .updateTable('second_factor_challenges')
        .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
        .where('token_hash', '=', challengeHash)
        .execute();
    }
    const organizationId = (await loadMemberships(tx, userId))[0]?.id ?? null;
    await recordEvent(tx, {
      organizationId,
      actor: { type: 'user', id: userId },
      action: 'mfa.second-factor-failed',
      origin,
      at: now,
      details: { method, purpose },
    });
  });
  await countSecondFactorFailure(ctx, userId);
}
