import { newId } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { loadEnvelopeDetails, type EnvelopeDetails } from '../rows.ts';
import { inTransaction } from '../transaction.ts';
import { getEnvelope } from './get-envelope.ts';
import type { Actor, RequestOrigin } from '../types.ts';
import { LIMITS } from '../validation.ts';
import { checkDocument } from './create-envelope.ts';
import { requireDraft } from './update-draft-envelope.ts';

/**
 * Adds PDFs to a draft, after the ones it has: each is checked as on creation (nothing is stored for a
 * bad file), stored, then written with an `envelope.updated` event in one transaction.
 */
export async function addDraftDocuments(
  ctx: DomainContext,
  input: {
    organizationId: string;
    envelopeId: string;
    actor: Actor;
    origin?: RequestOrigin;
    documents: Array<{ name?: string; bytes: Uint8Array }>;
  },
): Promise<EnvelopeDetails> {
  const details = await getEnvelope(ctx, input);
  requireDraft(details);
  if (input.documents.length === 0) throw new AppError('NO_DOCUMENTS', 'send at least one PDF in `documents`');
  if (details.documents.length + input.documents.length > LIMITS.documents)
    throw new AppError('VALIDATION_FAILED', `at most ${LIMITS.documents} documents`, {
      field: 'documents',
      max: LIMITS.documents,
    });
  const { envelope } = details;
  const checked = input.documents.map((d, i) =>
    checkDocument(d, details.documents.length + i, ctx.config.maxUploadBytes, envelope.certificateId),
  );
  const blobKeys: string[] = [];
  try {
    for (const d of checked) blobKeys.push(await ctx.blobs.put(d.bytes));
    await inTransaction(ctx.db, ctx.dialect, async (tx) => {
      const still = await tx
        .selectFrom('envelopes')
        .select('status')
        .where('id', '=', envelope.id)
        .executeTakeFirstOrThrow();
      if (still.status !== 'draft') throw new AppError('ENVELOPE_NOT_DRAFT', 'only a draft can be changed');
      const last = await tx
        .selectFrom('documents')
        .select((eb) => eb.fn.max('position').as('position'))
        .where('envelope_id', '=', envelope.id)
        .executeTakeFirst();
      const start = Number(last?.position ?? -1) + 1;
      for (const [i, d] of checked.entries()) {
        await tx
          .insertInto('documents')
          .values({
            id: newId(),
            envelope_id: envelope.id,
            position: start + i,
            name: d.name,
            pages: d.pages,
            size: d.bytes.length,
            sha256_original: d.sha256,
            sha256_current: d.sha256,
            blob_original: blobKeys[i],
            blob_current: blobKeys[i],
          })
          .execute();
      }
      await recordEvent(tx, {
        organizationId: envelope.organizationId,
        envelopeId: envelope.id,
        actor: input.actor,
        action: 'envelope.updated',
        origin: input.origin,
        at: ctx.clock.now(),
        details: {
          changes: ['documents'],
          addedDocuments: checked.map((d) => ({ name: d.name, pages: d.pages, sha256: d.sha256 })),
        },
      });
    });
  } catch (error) {
    await Promise.all(blobKeys.map((key) => ctx.blobs.delete(key).catch(() => undefined)));
    throw error;
  }
  return loadEnvelopeDetails(ctx.db, input.organizationId, input.envelopeId);
}
