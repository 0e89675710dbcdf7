import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { envelopeStatusesAllowing, envelopeTransition } from '../envelope-machine.ts';
import { recordEvent } from '../record-event.ts';
import { loadEnvelopeDetails, type EnvelopeDetails } from '../rows.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';
import { getEnvelope } from './get-envelope.ts';
import { isEnvelopeSender } from './reveal-access-code.ts';

/**
 * 稟議: the sender takes an envelope back from approval (取り下げ): it becomes a draft again and the
 * approvers' open slots are withdrawn. Only the envelope's sender (FORBIDDEN otherwise).
 */
export async function withdrawApproval(
  ctx: DomainContext,
  input: { organizationId: string; envelopeId: string; actor: Actor; origin?: RequestOrigin },
): Promise<EnvelopeDetails> {
  const { envelope } = await getEnvelope(ctx, input);
  const now = ctx.clock.now();
  const next = envelopeTransition(envelope, 'withdraw', now);
  if (!isEnvelopeSender(envelope, input.actor))
    throw new AppError('FORBIDDEN', 'only the sender of the envelope can withdraw it from approval');
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const updated = await tx
      .updateTable('envelopes')
      .set({ status: next })
      .where('id', '=', envelope.id)
      .where('status', 'in', envelopeStatusesAllowing('withdraw'))
      .where('approval_round', '=', envelope.approvalRound)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1)
      throw new AppError('APPROVAL_NOT_PENDING', 'the envelope is not waiting for approval');
    await tx
      .updateTable('envelope_approvals')
      .set({ status: 'withdrawn' })
      .where('envelope_id', '=', envelope.id)
      .where('round', '=', envelope.approvalRound)
      .where('status', '=', 'open')
      .execute();
    await recordEvent(tx, {
      organizationId: envelope.organizationId,
      envelopeId: envelope.id,
      actor: input.actor,
      action: 'approval.withdrawn',
      origin: input.origin,
      at: now,
      details: { round: envelope.approvalRound },
    });
  });
  return loadEnvelopeDetails(ctx.db, input.organizationId, input.envelopeId);
}
