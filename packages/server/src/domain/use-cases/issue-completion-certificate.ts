import { formatMessage } from '@inkan/core/messages';
import { renderCompletionCertificate, sealPdf, signPdf } from '@inkan/core';
import { buildCertificateData } from '../certificate-data.ts';
import { sha256Hex } from '../hashing.ts';
import { keyUseDetails } from '../key-use.ts';
import { recordEvent } from '../record-event.ts';
import { loadDetailsOf } from '../rows.ts';
import { inTransaction } from '../transaction.ts';
import type { JobCompletion } from '../../ports/job-queue.ts';
import type { SigningDomainContext } from './apply-recipient-signature.ts';
import { prepareEnvelopeRegistration, registerEnvelopeContract } from './register-envelope-contract.ts';

/** The `Reason` of the certificate's signature. */
export function certificateSignatureReason(certificateId: string): string {
  return `${formatMessage('ja', 'certificate.pdf.title')} ${certificateId}`;
}

/**
 * Job `envelope.certificate`: renders the certificate of completion (契約締結証明書) of a completed
 * envelope from the database, signs it with the platform key (PAdES, signature timestamp), seals it
 * (validation data and a document timestamp: B-LTA), stores it, and in ONE transaction records it on the
 * envelope with `envelope.certificate-issued` and `key.used`, puts the contract into the organisation's
 * register (自動登録, `contract.registered`), and queues the completion mail.
 *
 * Idempotent: an envelope that has its certificate is left alone; a rerun racing another worker loses
 * the compare-and-set and deletes its own blob. When the last attempt fails, the completion mail is
 * queued anyway (without the certificate): the parties must get their signed PDFs regardless.
 */
export async function issueCompletionCertificate(
  ctx: SigningDomainContext,
  input: { envelopeId: string },
  job?: { attempt: number; maxAttempts: number } & JobCompletion,
): Promise<void> {
  const row = await ctx.db.selectFrom('envelopes').selectAll().where('id', '=', input.envelopeId).executeTakeFirst();
  if (!row || row.status !== 'completed' || row.certificate_blob !== null) return;
  let blob: string | undefined;
  try {
    const details = await loadDetailsOf(ctx.db, row);
    const issuedAt = ctx.clock.now();
    const data = await buildCertificateData(ctx.db, details, { publicUrl: ctx.config.publicUrl, issuedAt });
    const signer = ctx.signing.platformSigner;
    const signed = await signPdf(renderCompletionCertificate(data), {
      signer,
      timestampAuthority: ctx.signing.timestampAuthority,
      name: 'Inkan',
      reason: certificateSignatureReason(row.certificate_id),
      location: ctx.config.publicUrl,
      signingTime: issuedAt,
    });
    const sealed = await sealPdf(signed, ctx.signing.sealOptions);
    const registration = await prepareEnvelopeRegistration(ctx.db, ctx.blobs, row);
    const sha256 = sha256Hex(sealed);
    blob = await ctx.blobs.put(sealed);
    const storedBlob = blob;
    const committed = await inTransaction(ctx.db, ctx.dialect, async (tx) => {
      const updated = await tx
        .updateTable('envelopes')
        .set({
          certificate_blob: storedBlob,
          certificate_sha256: sha256,
          certificate_issued_at: issuedAt.toISOString(),
        })
        .where('id', '=', row.id)
        .where('certificate_blob', 'is', null)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) return false;
      const base = {
        organizationId: row.organization_id,
        envelopeId: row.id,
        actor: { type: 'system' as const, id: null },
        at: ctx.clock.now(),
      };
      await recordEvent(tx, {
        ...base,
        action: 'envelope.certificate-issued',
        details: { certificateId: row.certificate_id, sha256, size: sealed.length },
      });
      await recordEvent(tx, {
        ...base,
        action: 'key.used',
        details: keyUseDetails({
          platformSigner: signer,
          signedWith: signer,
          purpose: 'certificate-of-completion',
          extra: { certificateId: row.certificate_id },
        }),
      });
      await registerEnvelopeContract(
        tx,
        registration,
        { blob: storedBlob, sha256, size: sealed.length },
        ctx.clock.now(),
      );
      await ctx.jobs.enqueue(tx, 'mail.completion', { envelopeId: row.id }, { dedupeKey: `completion:${row.id}` });
      await job?.finishIn?.(tx);
      return true;
    });
    if (!committed) await ctx.blobs.delete(storedBlob).catch(() => undefined);
  } catch (error) {
    if (blob !== undefined) await ctx.blobs.delete(blob).catch(() => undefined);
    if (job && job.attempt >= job.maxAttempts) {
      // The contract is registered (without its certificate) and the parties get their PDFs regardless.
      const registration = await prepareEnvelopeRegistration(ctx.db, ctx.blobs, row);
      await inTransaction(ctx.db, ctx.dialect, async (tx) => {
        await registerEnvelopeContract(tx, registration, null, ctx.clock.now());
        await ctx.jobs.enqueue(tx, 'mail.completion', { envelopeId: row.id }, { dedupeKey: `completion:${row.id}` });
      });
    }
    throw error;
  }
}
