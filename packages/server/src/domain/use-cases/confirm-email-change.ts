import { newId } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import { consumeAccountToken } from '../accounts/account-tokens.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Language, RequestOrigin } from '../types.ts';

/**
 * Completes an e-mail change through the link mailed to the new address (one use, 24 h). The old
 * address gets a notice. A new address taken meanwhile → EMAIL_TAKEN (only the new mailbox's owner sees it).
 */
export async function confirmEmailChange(
  ctx: DomainContext,
  input: { token: unknown; language: Language; origin?: RequestOrigin },
): Promise<{ email: string }> {
  const now = ctx.clock.now();
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const link = await consumeAccountToken(tx, 'email_change', input.token, now);
    const user = await tx
      .selectFrom('users')
      .select(['id', 'email'])
      .where('id', '=', link.user_id!)
      .executeTakeFirstOrThrow();
    if (await tx.selectFrom('users').select('id').where('email', '=', link.email).executeTakeFirst())
      throw new AppError('EMAIL_TAKEN', 'the address belongs to another account');
    await tx.updateTable('users').set({ email: link.email }).where('id', '=', user.id).execute();
    const requestId = newId();
    await ctx.jobs.enqueue(tx, 'mail.account', {
      purpose: 'email_changed',
      email: user.email,
      language: input.language,
      userId: user.id,
      nextPath: null,
      newEmail: link.email,
      requestId,
    });
    await recordEvent(tx, {
      organizationId: null,
      actor: { type: 'user', id: user.id },
      action: 'account.email-changed',
      origin: input.origin,
      at: now,
      details: { from: user.email, to: link.email },
    });
    return { email: link.email };
  });
}
