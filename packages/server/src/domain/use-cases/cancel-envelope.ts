import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { envelopeStatusesAllowing, envelopeTransition } from '../envelope-machine.ts';
import { recordEvent } from '../record-event.ts';
import { loadEnvelopeDetails, type EnvelopeDetails } from '../rows.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';
import { getEnvelope } from './get-envelope.ts';

/**
 * Cancels a draft or sent envelope: links stop working and queued jobs find it canceled and do nothing.
 * A completed, declined or already canceled envelope → ENVELOPE_NOT_ACTIVE.
 */
export async function cancelEnvelope(
  ctx: DomainContext,
  input: { organizationId: string; envelopeId: string; actor: Actor; origin?: RequestOrigin },
): Promise<EnvelopeDetails> {
  const { envelope } = await getEnvelope(ctx, input);
  const now = ctx.clock.now();
  const next = envelopeTransition(envelope, 'cancel', now);
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const result = await tx
      .updateTable('envelopes')
      .set({ status: next, canceled_at: now.toISOString() })
      .where('id', '=', envelope.id)
      .where('status', 'in', envelopeStatusesAllowing('cancel'))
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1)
      throw new AppError('ENVELOPE_NOT_ACTIVE', 'only a draft or sent envelope can be canceled', {
        status: envelope.status,
      });
    await tx
      .deleteFrom('recipient_sessions')
      .where('recipient_id', 'in', (eb) =>
        eb.selectFrom('recipients').select('id').where('envelope_id', '=', envelope.id),
      )
      .execute();
    await recordEvent(tx, {
      organizationId: envelope.organizationId,
      envelopeId: envelope.id,
      actor: input.actor,
      action: 'envelope.canceled',
      origin: input.origin,
      at: now,
      details: { previousStatus: envelope.status },
    });
  });
  return loadEnvelopeDetails(ctx.db, input.organizationId, input.envelopeId);
}
