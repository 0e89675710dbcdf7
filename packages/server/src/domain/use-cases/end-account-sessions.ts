import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { RequestOrigin } from '../types.ts';

/**
 * Ends sessions of the account: one by its id (another account's session or an unknown id → NOT_FOUND),
 * or every session but the current one (`which: 'others'`).
 */
export async function endAccountSessions(
  ctx: DomainContext,
  input: {
    userId: string;
    organizationId: string | null;
    sessionHash: string;
    which: { id: unknown } | 'others';
    origin?: RequestOrigin;
  },
): Promise<{ ended: number }> {
  const now = ctx.clock.now();
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    let query = tx.deleteFrom('sessions').where('user_id', '=', input.userId);
    if (input.which === 'others') {
      query = query.where('token_hash', '!=', input.sessionHash);
    } else {
      const id = input.which.id;
      if (typeof id !== 'string' || !/^[0-9a-f]{64}$/.test(id)) throw new AppError('NOT_FOUND', 'no such session');
      query = query.where('token_hash', '=', id);
    }
    const ended = Number((await query.executeTakeFirst()).numDeletedRows);
    if (input.which !== 'others' && ended === 0) throw new AppError('NOT_FOUND', 'no such session');
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: { type: 'user', id: input.userId },
      action: 'account.session-ended',
      origin: input.origin,
      at: now,
      details: {
        scope: input.which === 'others' ? 'others' : 'one',
        ended,
        includesCurrent: input.which !== 'others' && input.which.id === input.sessionHash,
      },
    });
    return { ended };
  });
}
