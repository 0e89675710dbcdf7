import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import {
  envelopeStatusesAllowing,
  envelopeTransition,
  recipientStatusesAllowing,
  recipientTransition,
} from '../envelope-machine.ts';
import { recordEvent } from '../record-event.ts';
import { toEnvelope, toRecipient } from '../rows.ts';
import { authenticateSigner, contextOfRecipient, signerView, type SignerView } from '../signer-access.ts';
import { inTransaction } from '../transaction.ts';
import type { RequestOrigin } from '../types.ts';
import { LIMITS } from '../validation.ts';
import { assertSignerUsable } from './get-signer-view.ts';

/**
 * 拒否する: the recipient declines with a reason; the envelope is declined (nobody else can sign) and the
 * sender is mailed. Declining twice returns the same view.
 */
export async function declineEnvelope(
  ctx: DomainContext,
  input: { token: string; sessionToken: string | undefined; reason: unknown; origin?: RequestOrigin },
): Promise<SignerView> {
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  if (reason.length < 1 || reason.length > LIMITS.declineReason) {
    throw new AppError('VALIDATION_FAILED', `the reason must be 1–${LIMITS.declineReason} characters`, {
      field: 'reason',
      max: LIMITS.declineReason,
    });
  }
  const signer = await authenticateSigner(ctx, ctx.db, input.token, input.sessionToken);
  // Declining twice (a retry, a second tab) returns the same view rather than "envelope declined".
  if (signer.recipient.status !== 'declined') assertSignerUsable(ctx, signer);
  const recipientId = signer.recipient.id;
  const now = ctx.clock.now();
  if (signer.recipient.status !== 'declined') {
    await inTransaction(ctx.db, ctx.dialect, async (tx) => {
      const envelope = await tx
        .selectFrom('envelopes')
        .selectAll()
        .where('id', '=', signer.envelope.id)
        .$if(ctx.dialect === 'postgres', (qb) => qb.forUpdate())
        .executeTakeFirstOrThrow();
      const me = toRecipient(
        await tx.selectFrom('recipients').selectAll().where('id', '=', recipientId).executeTakeFirstOrThrow(),
      );
      if (me.status === 'declined') return;
      const recipientNext = recipientTransition(me, 'decline');
      const envelopeNext = envelopeTransition(toEnvelope(envelope), 'decline', now);
      await tx
        .updateTable('recipients')
        .set({ status: recipientNext, declined_at: now.toISOString(), decline_reason: reason })
        .where('id', '=', recipientId)
        .where('status', 'in', recipientStatusesAllowing('decline'))
        .execute();
      await tx
        .updateTable('envelopes')
        .set({ status: envelopeNext })
        .where('id', '=', envelope.id)
        .where('status', 'in', envelopeStatusesAllowing('decline'))
        .execute();
      const base = {
        organizationId: envelope.organization_id,
        envelopeId: envelope.id,
        actor: { type: 'recipient' as const, id: recipientId },
        origin: input.origin,
        at: now,
      };
      await recordEvent(tx, {
        ...base,
        action: 'recipient.declined',
        details: { name: me.name, email: me.email, reason },
      });
      await recordEvent(tx, { ...base, action: 'envelope.declined', details: { byRecipient: recipientId } });
      await ctx.jobs.enqueue(
        tx,
        'mail.recipient-declined',
        { recipientId },
        { dedupeKey: `recipient-declined:${recipientId}` },
      );
    });
  }
  const row = await ctx.db.selectFrom('recipients').selectAll().where('id', '=', recipientId).executeTakeFirstOrThrow();
  return signerView(await contextOfRecipient(ctx.db, toRecipient(row)), now);
}
