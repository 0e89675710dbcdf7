import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { assertLinkUsable, findByLinkToken, recordSignerEvent } from '../signer-access.ts';
import { inTransaction } from '../transaction.ts';
import type { RequestOrigin } from '../types.ts';
import { openSession, type SignerSession } from './verify-access-code.ts';

/**
 * Opens a signer session for a recipient with auth 'login' (the organisation's own signer): the signed-in
 * user must be the recipient's user. Anyone else gets FORBIDDEN.
 */
export async function openSignerSessionByLogin(
  ctx: DomainContext,
  input: { token: string; userId: string; origin?: RequestOrigin },
): Promise<SignerSession> {
  const now = ctx.clock.now();
  const signer = await findByLinkToken(ctx.db, input.token);
  assertLinkUsable(ctx, signer, now);
  if (signer.recipient.auth !== 'login' || signer.recipient.userId !== input.userId) {
    throw new AppError('FORBIDDEN', 'this signing link belongs to someone else');
  }
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    await recordSignerEvent(tx, signer, {
      action: 'recipient.login-passed',
      origin: input.origin,
      at: now,
      details: { auth: 'login', userId: input.userId },
    });
    return openSession(ctx, tx, signer.recipient.id, now);
  });
}
