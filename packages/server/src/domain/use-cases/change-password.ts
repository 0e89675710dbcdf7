import { hashPassword } from '../../security/tokens.ts';
import { verifyAccountPassword } from '../accounts/verify-account-password.ts';
import type { DomainContext } from '../domain-context.ts';
import { checkNewPassword } from '../password-policy.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { RequestOrigin } from '../types.ts';

/** Changes the password (the current one is required) and ends the account's other sessions. */
export async function changePassword(
  ctx: DomainContext,
  input: {
    userId: string;
    organizationId: string | null;
    sessionHash: string;
    currentPassword: unknown;
    newPassword: unknown;
    origin?: RequestOrigin;
  },
): Promise<void> {
  const password = checkNewPassword(input.newPassword);
  await verifyAccountPassword(ctx.db, input.userId, input.currentPassword);
  const passwordHash = await hashPassword(password);
  const now = ctx.clock.now();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    await tx.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', input.userId).execute();
    const ended = await tx
      .deleteFrom('sessions')
      .where('user_id', '=', input.userId)
      .where('token_hash', '!=', input.sessionHash)
      .executeTakeFirst();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: { type: 'user', id: input.userId },
      action: 'account.password-changed',
      origin: input.origin,
      at: now,
      details: { otherSessionsEnded: Number(ended.numDeletedRows) },
    });
  });
}
