import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import { hasSecondFactor } from '../second-factors/second-factors.ts';
import type { AccountActor } from './confirm-totp-enrolment.ts';
import { assertRecentSecondFactor } from './get-security-overview.ts';

/**
 * Removes one of the account's passkeys (another account's: NOT_FOUND). Needs a second factor given in
 * the last 10 minutes. With no second factor left the recovery codes go too. Records `mfa.passkey-removed`.
 */
export async function removePasskey(
  ctx: DomainContext,
  input: AccountActor & { passkeyId: string; secondFactorAt: Date | null },
): Promise<void> {
  const now = ctx.clock.now();
  assertRecentSecondFactor(input.secondFactorAt, now);
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const passkey = await tx
      .selectFrom('passkeys')
      .select(['id', 'name'])
      .where('id', '=', input.passkeyId)
      .where('user_id', '=', input.userId)
      .executeTakeFirst();
    if (!passkey) throw new AppError('NOT_FOUND', 'no such passkey');
    await tx.deleteFrom('passkeys').where('id', '=', passkey.id).execute();
    if (!(await hasSecondFactor(tx, input.userId)))
      await tx.deleteFrom('recovery_codes').where('user_id', '=', input.userId).execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: { type: 'user', id: input.userId },
      action: 'mfa.passkey-removed',
      origin: input.origin,
      at: now,
      details: { passkeyName: passkey.name },
    });
  });
}
