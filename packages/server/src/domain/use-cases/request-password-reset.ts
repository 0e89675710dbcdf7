import { newId } from '../../security/tokens.ts';
import { limitAccountAttempt } from '../accounts/rate-limit.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Language, RequestOrigin } from '../types.ts';
import { parseAccountEmail } from './request-signup.ts';

/**
 * Asks for a password-reset mail. The same answer whether or not the address has an account: the mail
 * job sends the link (1 h) to an account's address and nothing to an unknown one.
 */
export async function requestPasswordReset(
  ctx: DomainContext,
  input: { email: unknown; language: Language; origin?: RequestOrigin },
): Promise<void> {
  const email = parseAccountEmail(input.email);
  await limitAccountAttempt(ctx, 'passwordReset', input.origin?.ip, email);
  const now = ctx.clock.now();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const requestId = newId();
    await ctx.jobs.enqueue(tx, 'mail.account', {
      purpose: 'password_reset',
      email,
      language: input.language,
      userId: null,
      nextPath: null,
      requestId,
    });
    await recordEvent(tx, {
      organizationId: null,
      actor: { type: 'system', id: null },
      action: 'account.password-reset-requested',
      origin: input.origin,
      at: now,
      details: { email, requestId },
    });
  });
}
