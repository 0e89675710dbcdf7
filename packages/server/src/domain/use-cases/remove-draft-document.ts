import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { loadEnvelopeDetails, type EnvelopeDetails } from '../rows.ts';
import { inTransaction } from '../transaction.ts';
import { getEnvelope } from './get-envelope.ts';
import type { Actor, RequestOrigin } from '../types.ts';
import { requireDraft } from './update-draft-envelope.ts';

/**
 * Removes one PDF from a draft with the fields placed on it (the last one cannot go: NO_DOCUMENTS),
 * records `envelope.updated`, and deletes the stored file once the transaction has committed.
 */
export async function removeDraftDocument(
  ctx: DomainContext,
  input: { organizationId: string; envelopeId: string; documentId: string; actor: Actor; origin?: RequestOrigin },
): Promise<EnvelopeDetails> {
  const details = await getEnvelope(ctx, input);
  const document = details.documents.find((d) => d.id === input.documentId);
  if (!document) throw new AppError('NOT_FOUND', 'no such document');
  requireDraft(details);
  if (details.documents.length === 1)
    throw new AppError('NO_DOCUMENTS', 'an envelope needs at least one PDF document', { field: 'documents' });
  const { envelope } = details;
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const still = await tx
      .selectFrom('envelopes')
      .select('status')
      .where('id', '=', envelope.id)
      .executeTakeFirstOrThrow();
    if (still.status !== 'draft') throw new AppError('ENVELOPE_NOT_DRAFT', 'only a draft can be changed');
    await tx.deleteFrom('envelope_fields').where('document_id', '=', document.id).execute();
    await tx.deleteFrom('documents').where('id', '=', document.id).execute();
    await recordEvent(tx, {
      organizationId: envelope.organizationId,
      envelopeId: envelope.id,
      actor: input.actor,
      action: 'envelope.updated',
      origin: input.origin,
      at: ctx.clock.now(),
      details: { changes: ['documents'], removedDocument: { name: document.name, sha256: document.sha256Original } },
    });
  });
  // A draft's current file is its original (stamping happens on sending).
  await ctx.blobs.delete(document.blobOriginal).catch(() => undefined);
  return loadEnvelopeDetails(ctx.db, input.organizationId, input.envelopeId);
}
