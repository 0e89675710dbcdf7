import { declareFieldAreasParts, joinUpdate, stampCertificateIdParts } from '@inkan/core';
import { AppError } from '../app-error.ts';
import { CERTIFICATE_ID_CHARACTERS } from '../certificate-id.ts';
import type { DomainContext } from '../domain-context.ts';
import { currentSigners, envelopeStatusesAllowing, envelopeTransition } from '../envelope-machine.ts';
import { loadFields } from '../fields/envelope-fields.ts';
import { sha256Hex } from '../hashing.ts';
import { recordEvent } from '../record-event.ts';
import { loadEnvelopeDetails, type EnvelopeDetails } from '../rows.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';

/** What send-envelope needs. */
export interface SendEnvelopeInput {
  organizationId: string;
  envelopeId: string;
  actor: Actor;
  origin?: RequestOrigin;
}

/**
 * Sends a draft: stamps `締結証明書ID` on page 1 of every document and declares the rectangles of the
 * fields placed on it (before any signature, so every signature covers both), then in one transaction marks the envelope sent, makes the stamped files
 * current, records `envelope.sent` and queues the request mails of the first order group (signers with
 * the same order sign in parallel; CC recipients get no request).
 */
export async function sendEnvelope(ctx: DomainContext, input: SendEnvelopeInput): Promise<EnvelopeDetails> {
  const now = ctx.clock.now();
  const details = await loadEnvelopeDetails(ctx.db, input.organizationId, input.envelopeId);
  const { envelope } = details;
  const next = envelopeTransition(envelope, 'send', now);
  if (envelope.expiresAt !== null && envelope.expiresAt.getTime() <= now.getTime()) {
    throw new AppError('VALIDATION_FAILED', 'the expiry date has passed; create the envelope again with a later date', {
      field: 'expiresAt',
    });
  }
  // The first order group: every signer with the lowest order gets the request at once.
  const first = currentSigners(details.recipients);
  if (first.length === 0) throw new AppError('NO_RECIPIENTS', 'an envelope needs at least one signer');

  const stamped: Array<{ id: string; blob: string; sha256: string; previousBlob: string }> = [];
  const fields = await loadFields(ctx.db, envelope.id);
  const areaIndexes = new Map<string, number>();
  try {
    for (const document of details.documents) {
      const original = await ctx.blobs.get(document.blobOriginal);
      const update = stampCertificateIdParts(original, {
        certificateId: envelope.certificateId,
        idAlphabet: CERTIFICATE_ID_CHARACTERS,
      });
      let parts = [update.original, update.tail];
      const placed = fields.filter((f) => f.documentId === document.id);
      if (placed.length > 0) {
        const declared = declareFieldAreasParts(
          joinUpdate(update),
          placed.map((f) => ({ page: f.page - 1, rect: f.rect })),
        );
        parts = [declared.original, declared.tail];
        placed.forEach((f, i) => areaIndexes.set(f.id, declared.indexes[i]));
      }
      stamped.push({
        id: document.id,
        blob: await ctx.blobs.put(parts),
        sha256: sha256Hex(parts),
        previousBlob: document.blobCurrent,
      });
    }
    await inTransaction(ctx.db, ctx.dialect, async (tx) => {
      const sent = await tx
        .updateTable('envelopes')
        .set({ status: next, sent_at: now.toISOString() })
        .where('id', '=', envelope.id)
        .where('status', 'in', envelopeStatusesAllowing('send'))
        .executeTakeFirst();
      // Another request sent (or canceled) it meanwhile.
      if (Number(sent.numUpdatedRows) !== 1) throw new AppError('ENVELOPE_NOT_DRAFT', 'only a draft can be sent');
      for (const [id, areaIndex] of areaIndexes)
        await tx.updateTable('envelope_fields').set({ area_index: areaIndex }).where('id', '=', id).execute();
      for (const s of stamped) {
        await tx
          .updateTable('documents')
          .set({ blob_current: s.blob, sha256_current: s.sha256 })
          .where('id', '=', s.id)
          .execute();
      }
      await recordEvent(tx, {
        organizationId: envelope.organizationId,
        envelopeId: envelope.id,
        actor: input.actor,
        action: 'envelope.sent',
        origin: input.origin,
        at: now,
        details: {
          certificateId: envelope.certificateId,
          documents: details.documents.map((d, i) => ({
            id: d.id,
            name: d.name,
            sha256Original: d.sha256Original,
            sha256Stamped: stamped[i].sha256,
          })),
        },
      });
      for (const recipient of first)
        await ctx.jobs.enqueue(
          tx,
          'mail.signing-request',
          { recipientId: recipient.id },
          { dedupeKey: `signing-request:${recipient.id}` },
        );
    });
  } catch (error) {
    await Promise.all(stamped.map((s) => ctx.blobs.delete(s.blob).catch(() => undefined)));
    throw error;
  }
  return loadEnvelopeDetails(ctx.db, input.organizationId, input.envelopeId);
}
