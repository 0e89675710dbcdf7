import { sealPdf } from '@inkan/core';
import { sha256Hex } from '../hashing.ts';
import { recordEvent } from '../record-event.ts';
import { loadDetailsOf } from '../rows.ts';
import { inTransaction } from '../transaction.ts';
import { appliedSignatures, type SigningDomainContext } from './apply-recipient-signature.ts';

/**
 * Job `envelope.seal`: after the last signature, adds the validation data (DSS) and a document timestamp
 * to every document, then in ONE transaction completes the envelope, records `envelope.sealed` and
 * `envelope.completed`, and queues the certificate of completion (whose job queues the completion mail). Idempotent: a completed envelope is left alone.
 */
export async function sealEnvelope(ctx: SigningDomainContext, input: { envelopeId: string }): Promise<void> {
  const row = await ctx.db.selectFrom('envelopes').selectAll().where('id', '=', input.envelopeId).executeTakeFirst();
  if (!row || row.status !== 'sent') return;
  const { envelope, documents, recipients } = await loadDetailsOf(ctx.db, row);
  const applied = await appliedSignatures(ctx, envelope.id);
  if (!recipients.every((r) => r.status === 'signed' && applied.has(r.id))) throw new Error('not every signature is applied yet');

  const results: Array<{ id: string; name: string; before: string; after: string; oldBlob: string; newBlob: string }> = [];
  try {
    for (const document of documents) {
      const sealed = await sealPdf(await ctx.blobs.get(document.blobCurrent), ctx.signing.sealOptions);
      results.push({ id: document.id, name: document.name, before: document.sha256Current, after: sha256Hex(sealed), oldBlob: document.blobCurrent, newBlob: await ctx.blobs.put(sealed) });
    }
    const now = ctx.clock.now();
    const committed = await inTransaction(ctx.db, ctx.dialect, async (tx) => {
      const completed = await tx
        .updateTable('envelopes')
        .set({ status: 'completed', completed_at: now.toISOString() })
        .where('id', '=', envelope.id)
        .where('status', '=', 'sent')
        .executeTakeFirst();
      if (Number(completed.numUpdatedRows) !== 1) return false;
      for (const r of results) {
        const changed = await tx
          .updateTable('documents')
          .set({ blob_current: r.newBlob, sha256_current: r.after })
          .where('id', '=', r.id)
          .where('blob_current', '=', r.oldBlob)
          .executeTakeFirst();
        if (Number(changed.numUpdatedRows) !== 1) throw new Error(`document ${r.id} changed while it was being sealed`);
      }
      const base = { organizationId: envelope.organizationId, envelopeId: envelope.id, actor: { type: 'system' as const, id: null }, at: now };
      await recordEvent(tx, { ...base, action: 'envelope.sealed', details: { documents: results.map((r) => ({ id: r.id, name: r.name, sha256Before: r.before, sha256After: r.after })) } });
      await recordEvent(tx, { ...base, action: 'envelope.completed', details: { certificateId: envelope.certificateId } });
      // The certificate of completion comes next; its job queues the completion mail (which may attach it).
      await ctx.jobs.enqueue(tx, 'envelope.certificate', { envelopeId: envelope.id }, { dedupeKey: `certificate:${envelope.id}` });
      return true;
    });
    if (!committed) await Promise.all(results.map((r) => ctx.blobs.delete(r.newBlob).catch(() => undefined)));
  } catch (error) {
    await Promise.all(results.map((r) => ctx.blobs.delete(r.newBlob).catch(() => undefined)));
    throw error;
  }
}
