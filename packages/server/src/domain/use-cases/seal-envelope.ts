import {
  firstAnswering,
  HttpRevocationProvider,
  joinUpdate,
  sealPdf,
  signPdfParts,
  type SealOptions,
} from '@inkan/core';
import { organizationSigning, signerReason } from '../signing-certificates/organization-signing.ts';
import { documentHashes, swapDocumentBlobs, withDocumentUpdates } from '../document-update.ts';
import { sha256Hex } from '../hashing.ts';
import { recordEvent } from '../record-event.ts';
import { loadDetailsOf } from '../rows.ts';
import { inTransaction } from '../transaction.ts';
import type { JobCompletion } from '../../ports/job-queue.ts';
import {
  allSignersSigned,
  envelopeAllows,
  envelopeStatusesAllowing,
  envelopeTransition,
  signersOf,
} from '../envelope-machine.ts';
import { appliedSignatures, type SigningDomainContext } from './apply-recipient-signature.ts';

/**
 * Job `envelope.seal`: after the last signature, adds the validation data (DSS) and a document timestamp
 * to every document, then in ONE transaction completes the envelope, records `envelope.sealed` and
 * `envelope.completed`, and queues the certificate of completion (whose job queues the completion mail);
 * the job is marked done in that transaction (`job.finishIn`). Idempotent: a completed envelope is left alone.
 */
export async function sealEnvelope(
  ctx: SigningDomainContext,
  input: { envelopeId: string },
  job: JobCompletion = {},
): Promise<void> {
  const row = await ctx.db.selectFrom('envelopes').selectAll().where('id', '=', input.envelopeId).executeTakeFirst();
  if (!row) return;
  const { envelope, documents, recipients } = await loadDetailsOf(ctx.db, row);
  if (!envelopeAllows(envelope, 'complete', ctx.clock.now())) return;
  const applied = await appliedSignatures(ctx, envelope.id);
  // CC recipients never sign: every signer's signature is what completes the envelope.
  if (!allSignersSigned(recipients) || !signersOf(recipients).every((r) => applied.has(r.id)))
    throw new Error('not every signature is applied yet');

  const now = ctx.clock.now();
  const organization = await organizationSigning(ctx, envelope.organizationId, ctx.clock.now());
  const sealOptions = withOnlineRevocation(ctx);
  const signers = [...recipients].sort((a, b) => a.order - b.order);
  await withDocumentUpdates(ctx.blobs, async (results) => {
    for (const document of documents) {
      let pdf = await ctx.blobs.get(document.blobCurrent);
      // `both`: after every signer's witness signature, the organisation's certificate signs the whole.
      if (organization.mode === 'both')
        pdf = joinUpdate(
          await signPdfParts(pdf, {
            signer: organization.signer!,
            timestampAuthority: ctx.signing.timestampAuthority,
            name: organization.certificate!.subject,
            reason: signerReason(signers),
            location: `Inkan envelope ${envelope.id}`,
            signingTime: now,
          }),
        );
      const sealed = await sealPdf(pdf, sealOptions);
      results.push({
        id: document.id,
        name: document.name,
        before: document.sha256Current,
        after: sha256Hex(sealed),
        oldBlob: document.blobCurrent,
        newBlob: await ctx.blobs.put(sealed),
      });
    }
    const next = envelopeTransition(envelope, 'complete', now);
    return inTransaction(ctx.db, ctx.dialect, async (tx) => {
      const completed = await tx
        .updateTable('envelopes')
        .set({ status: next, completed_at: now.toISOString() })
        .where('id', '=', envelope.id)
        .where('status', 'in', envelopeStatusesAllowing('complete'))
        .executeTakeFirst();
      if (Number(completed.numUpdatedRows) !== 1) return false;
      await swapDocumentBlobs(tx, results, 'sealed');
      const base = {
        organizationId: envelope.organizationId,
        envelopeId: envelope.id,
        actor: { type: 'system' as const, id: null },
        at: now,
      };
      await recordEvent(tx, {
        ...base,
        action: 'envelope.sealed',
        details: {
          documents: documentHashes(results),
          ...(organization.mode === 'both' ? { signingCertificate: organization.certificate } : {}),
        },
      });
      await recordEvent(tx, {
        ...base,
        action: 'envelope.completed',
        details: { certificateId: envelope.certificateId },
      });
      // The certificate of completion comes next; its job queues the completion mail (which may attach it).
      await ctx.jobs.enqueue(
        tx,
        'envelope.certificate',
        { envelopeId: envelope.id },
        { dedupeKey: `certificate:${envelope.id}` },
      );
      await job.finishIn?.(tx);
      return true;
    });
  });
}

/**
 * The seal's options: the built-in CA answers for its own certificates; certificates of outside CAs (an
 * organisation's trusted certificate, an external TSA's chain) get their CRLs and OCSP answers from the
 * URLs in them. A new provider per seal: its overall deadline counts from its first request.
 */
function withOnlineRevocation(ctx: SigningDomainContext): SealOptions {
  const online = new HttpRevocationProvider({ timeoutMs: ctx.config.tsaTimeoutMs });
  return {
    ...ctx.signing.sealOptions,
    revocationProvider: firstAnswering([ctx.signing.sealOptions.revocationProvider, online]),
  };
}
