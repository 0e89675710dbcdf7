import type { DomainContext } from '../domain-context.ts';
import { recipientTransition } from '../envelope-machine.ts';
import { recordSignerEvent } from '../signer-access.ts';
import { inTransaction } from '../transaction.ts';
import type { RequestOrigin } from '../types.ts';
import { requireSigner } from './get-signer-view.ts';

/** Records 閲覧済み the first time the signer sees the documents (later calls change nothing). */
export async function markViewed(
  ctx: DomainContext,
  input: { token: string; sessionToken: string | undefined; origin?: RequestOrigin },
): Promise<void> {
  const signer = await requireSigner(ctx, input.token, input.sessionToken);
  if (signer.recipient.viewedAt !== null) return;
  const now = ctx.clock.now();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const first = await tx
      .updateTable('recipients')
      .set({ viewed_at: now.toISOString() })
      .where('id', '=', signer.recipient.id)
      .where('viewed_at', 'is', null)
      .executeTakeFirst();
    if (Number(first.numUpdatedRows) !== 1) return;
    // The machine's view: pending/notified become viewed; signed, declined and locked keep their status.
    const next = recipientTransition(signer.recipient, 'view');
    await tx
      .updateTable('recipients')
      .set({ status: next })
      .where('id', '=', signer.recipient.id)
      .where('status', '=', signer.recipient.status)
      .execute();
    await recordSignerEvent(tx, signer, { action: 'recipient.viewed', origin: input.origin, at: now });
  });
}
