import { newId } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import { ACCOUNT_RATE_LIMITS, hitRateLimit, limitAccountAttempt } from '../accounts/rate-limit.ts';
import { verifyAccountPassword } from '../accounts/verify-account-password.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Language, RequestOrigin } from '../types.ts';
import { parseAccountEmail } from './request-signup.ts';

/**
 * Asks to change the account's e-mail address (the current password is required): a one-use link goes
 * to the new address. Whether the new address is taken is not said here (it would tell who has an
 * account); the confirm step, reached only by the mailbox's owner, says EMAIL_TAKEN.
 */
export async function requestEmailChange(
  ctx: DomainContext,
  input: {
    userId: string;
    organizationId: string | null;
    newEmail: unknown;
    currentPassword: unknown;
    language: Language;
    origin?: RequestOrigin;
  },
): Promise<void> {
  const newEmail = parseAccountEmail(input.newEmail);
  // Per IP, per target address (no mail-bombing a stranger) and per account.
  await limitAccountAttempt(ctx, 'emailChange', input.origin?.ip, newEmail);
  await hitRateLimit(ctx, `emailChange:user:${input.userId}`, ACCOUNT_RATE_LIMITS.emailChange.email);
  await verifyAccountPassword(ctx.db, input.userId, input.currentPassword);
  const now = ctx.clock.now();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const user = await tx.selectFrom('users').select('email').where('id', '=', input.userId).executeTakeFirstOrThrow();
    if (user.email === newEmail)
      throw new AppError('VALIDATION_FAILED', 'the new address is the current one', { field: 'newEmail' });
    const requestId = newId();
    await ctx.jobs.enqueue(tx, 'mail.account', {
      purpose: 'email_change',
      email: newEmail,
      language: input.language,
      userId: input.userId,
      nextPath: null,
      requestId,
    });
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: { type: 'user', id: input.userId },
      action: 'account.email-change-requested',
      origin: input.origin,
      at: now,
      details: { from: user.email, to: newEmail, requestId },
    });
  });
}
