import { hashPassword, newId } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import { consumeAccountToken, findLiveAccountToken } from '../accounts/account-tokens.ts';
import type { DomainContext } from '../domain-context.ts';
import { checkNewPassword } from '../password-policy.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { RequestOrigin } from '../types.ts';
import { optionalText, requireLine } from '../validation.ts';
import { createSession, type UserSession } from './sign-in.ts';

/** Longest 氏名 and 会社名・団体名. */
export const ACCOUNT_NAME_MAX = 100;
export const COMPANY_NAME_MAX = 200;

/** 会社名・団体名: optional, one line; empty → null. */
export function parseCompanyName(value: unknown): string | null {
  const text = optionalText(value, 'companyName', COMPANY_NAME_MAX);
  if (/[\r\n]/.test(text))
    throw new AppError('VALIDATION_FAILED', 'companyName must be one line', {
      field: 'companyName',
      max: COMPANY_NAME_MAX,
    });
  return text === '' ? null : text;
}

/**
 * Step 2 of sign-up (the form behind アカウント登録手続きへ): checks everything before writing, then in one
 * transaction uses the link, creates the account and signs it in. Returns the session and the `next`
 * path the sign-up started with.
 */
export async function completeSignup(
  ctx: DomainContext,
  input: { token: unknown; name: unknown; companyName?: unknown; password: unknown; origin?: RequestOrigin },
): Promise<{ session: UserSession; next: string | null }> {
  const now = ctx.clock.now();
  // Link first (a dead link is the first thing to say), then the fields; nothing is written until all pass.
  await findLiveAccountToken(ctx.db, 'signup', input.token, now);
  const name = requireLine(input.name, 'name', ACCOUNT_NAME_MAX);
  const companyName = parseCompanyName(input.companyName);
  const password = checkNewPassword(input.password);
  const passwordHash = await hashPassword(password);
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const link = await consumeAccountToken(tx, 'signup', input.token, now);
    // Registered in between through another link: the holder of this mailbox may be told.
    if (await tx.selectFrom('users').select('id').where('email', '=', link.email).executeTakeFirst())
      throw new AppError('EMAIL_TAKEN', 'the address has an account already');
    const userId = newId();
    await tx
      .insertInto('users')
      .values({
        id: userId,
        email: link.email,
        name,
        company_name: companyName,
        password_hash: passwordHash,
        created_at: now.toISOString(),
      })
      .execute();
    await recordEvent(tx, {
      organizationId: null,
      actor: { type: 'user', id: userId },
      action: 'account.created',
      origin: input.origin,
      at: now,
      details: { email: link.email },
    });
    const session = await createSession(ctx, tx, userId, now, input.origin);
    await recordEvent(tx, {
      organizationId: null,
      actor: { type: 'user', id: userId },
      action: 'session.signed-in',
      origin: input.origin,
      at: now,
      details: { method: 'signup' },
    });
    return { session, next: link.next_path };
  });
}
