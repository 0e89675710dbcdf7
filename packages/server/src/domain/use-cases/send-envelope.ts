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
import type { DbOrTx } from '../../ports/database.ts';
import type { Actor, RequestOrigin } from '../types.ts';
import { approvalRouteFor, submitForApproval } from './submit-for-approval.ts';

/** What send-envelope needs. */
export interface SendEnvelopeInput {
  organizationId: string;
  envelopeId: string;
  actor: Actor;
  origin?: RequestOrigin;
  /** 稟議: the approval route chosen on 送信内容の確認 (overrides the draft's; the organisation's required route wins). */
  approvalRouteId?: string | null;
}

/**
 * Sends a draft, or — when an approval route applies (the organisation's required route, the one chosen
 * now or on the draft) — submits it for approval instead (稟議: the recipients get nothing until the
 * last approval, which sends it through {@link releaseEnvelope}).
 */
export async function sendEnvelope(ctx: DomainContext, input: SendEnvelopeInput): Promise<EnvelopeDetails> {
  const details = await loadEnvelopeDetails(ctx.db, input.organizationId, input.envelopeId);
  const routeId = await approvalRouteFor(ctx.db, details.envelope, input.approvalRouteId);
  if (routeId !== null) return submitForApproval(ctx, { ...input, details, routeId });
  await releaseEnvelope(ctx, details, { event: 'send', actor: input.actor, origin: input.origin });
  return loadEnvelopeDetails(ctx.db, input.organizationId, input.envelopeId);
}

/**
 * Sends an envelope out (event `send` from a draft, `release` at the last approval): stamps
 * `締結証明書ID` on page 1 of every document and declares the rectangles of the fields placed on it
 * (before any signature, so every signature covers both), then in one transaction marks the envelope
 * sent, makes the stamped files current, records `envelope.sent` and queues the request mails of the
 * first order group (signers with the same order sign in parallel; CC recipients get no request).
 * `within` runs first in that transaction (the approval that releases it); it may throw to abandon.
 */
export async function releaseEnvelope(
  ctx: DomainContext,
  details: EnvelopeDetails,
  options: {
    event: 'send' | 'release';
    actor: Actor;
    origin?: RequestOrigin;
    within?: (tx: DbOrTx, now: Date) => Promise<void>;
  },
): Promise<void> {
  const now = ctx.clock.now();
  const { envelope } = details;
  const next = envelopeTransition(envelope, options.event, now);
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
      if (options.within) await options.within(tx, now);
      const sent = await tx
        .updateTable('envelopes')
        .set({ status: next, sent_at: now.toISOString() })
        .where('id', '=', envelope.id)
        .where('status', 'in', envelopeStatusesAllowing(options.event))
        .executeTakeFirst();
      // Another request sent (or canceled) it meanwhile.
      if (Number(sent.numUpdatedRows) !== 1)
        throw options.event === 'send'
          ? new AppError('ENVELOPE_NOT_DRAFT', 'only a draft can be sent')
          : new AppError('APPROVAL_NOT_PENDING', 'the envelope is not waiting for approval');
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
        actor: options.actor,
        action: 'envelope.sent',
        origin: options.origin,
        at: now,
        details: {
          certificateId: envelope.certificateId,
          documents: details.documents.map((d, i) => ({
            id: d.id,
            name: d.name,
            sha256Original: d.sha256Original,
            sha256Stamped: stamped[i].sha256,
          })),
          ...(options.event === 'release' ? { afterApproval: true } : {}),
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
}
