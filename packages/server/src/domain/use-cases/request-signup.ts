import { newId } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import { parseNextPath } from '../accounts/next-path.ts';
import { limitAccountAttempt } from '../accounts/rate-limit.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Language, RequestOrigin } from '../types.ts';
import { isEmail, LIMITS } from '../validation.ts';

/** A well-formed address, trimmed and lower-cased, or INVALID_EMAIL. */
export function parseAccountEmail(value: unknown): string {
  const email = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (!isEmail(email) || email.length > LIMITS.email)
    throw new AppError('INVALID_EMAIL', 'not an e-mail address', { field: 'email' });
  return email;
}

/**
 * Step 1 of sign-up: queues the mail to the address and answers nothing about it. Whether the address
 * has an account is decided by the mail job (the sign-up link, or "you have an account already"), so
 * this request does the same work, and the caller gets the same answer, either way.
 */
export async function requestSignup(
  ctx: DomainContext,
  input: { email: unknown; next?: unknown; language: Language; origin?: RequestOrigin },
): Promise<void> {
  const email = parseAccountEmail(input.email);
  const nextPath = parseNextPath(input.next);
  await limitAccountAttempt(ctx, 'signup', input.origin?.ip, email);
  const now = ctx.clock.now();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const requestId = newId();
    await ctx.jobs.enqueue(tx, 'mail.account', {
      purpose: 'signup',
      email,
      language: input.language,
      userId: null,
      nextPath,
      requestId,
    });
    await recordEvent(tx, {
      organizationId: null,
      actor: { type: 'system', id: null },
      action: 'account.signup-requested',
      origin: input.origin,
      at: now,
      details: { email, requestId },
    });
  });
}
