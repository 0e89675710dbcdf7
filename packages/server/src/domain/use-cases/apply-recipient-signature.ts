import { createWitnessSigner, signPdfParts } from '@inkan/core';
import type { SigningServices } from '../../signing-services.ts';
import type { DomainContext } from '../domain-context.ts';
import { documentHashes, swapDocumentBlobs, withDocumentUpdates } from '../document-update.ts';
import { sha256Hex } from '../hashing.ts';
import { keyUseDetails } from '../key-use.ts';
import { fieldFills, loadFields, organizationSealBytes } from '../fields/envelope-fields.ts';
import { envelopeEvents } from '../mail-delivery.ts';
import { recordEvent } from '../record-event.ts';
import { toRecipient } from '../rows.ts';
import { contextOfRecipient } from '../signer-access.ts';
import { inTransaction } from '../transaction.ts';
import { organizationSigning, signerReason } from '../signing-certificates/organization-signing.ts';
import type { DbOrTx } from '../../ports/database.ts';
import type { JobCompletion } from '../../ports/job-queue.ts';
import { envelopeAllows, mayApplySignature, nextStep, type NextStep } from '../envelope-machine.ts';
import { authDescription } from './sign-as-recipient.ts';

/** A domain context that can sign (the job worker's). */
export interface SigningDomainContext extends DomainContext {
  signing: Pick<
    SigningServices,
    'pki' | 'platformSigner' | 'timestampAuthority' | 'sealOptions' | 'operatorSigning' | 'defaultSigningMode'
  >;
}

/** Recipient ids whose platform signature is in the documents (the `recipient.signature-applied` events). */
export async function appliedSignatures(ctx: DomainContext, envelopeId: string): Promise<Set<string>> {
  const events = await envelopeEvents(ctx.db, envelopeId, 'recipient.signature-applied');
  return new Set(events.map((d) => String(d.recipientId)));
}

/**
 * Job `envelope.sign`: applies the platform signature for a recipient who signed (witness signing, a
 * certificate naming them, or the organisation's trusted certificate with them named in /Name and
 * /Reason; with an RFC 3161 timestamp) to every document, then in ONE transaction makes
 * the signed files current, records `recipient.signature-applied` (document hashes before and after)
 * and queues the machine's next step: a parallel signer's signature, the next order group's requests, or
 * the seal.
 *
 * Idempotent: the event is the marker. A rerun after a crash finds it and does nothing; a rerun racing
 * another worker loses the compare-and-set on the documents and leaves no trace. The job is marked done
 * in that same transaction (`job.finishIn`).
 */
export async function applyRecipientSignature(
  ctx: SigningDomainContext,
  input: { recipientId: string },
  job: JobCompletion = {},
): Promise<void> {
  const row = await ctx.db.selectFrom('recipients').selectAll().where('id', '=', input.recipientId).executeTakeFirst();
  if (!row) return;
  const signer = await contextOfRecipient(ctx.db, toRecipient(row));
  const { envelope, recipient, documents, recipients } = signer;
  // Canceled (or declined) while the job waited: nothing may be signed any more.
  if (!envelopeAllows(envelope, 'complete', ctx.clock.now()) || recipient.status !== 'signed') return;
  const applied = await appliedSignatures(ctx, envelope.id);
  if (applied.has(recipient.id)) return;
  // One signature at a time per envelope, in the machine's order. A parallel signer who signed first
  // is applied first; this job then ends, and that signature's transaction queues this one again.
  if (!mayApplySignature(recipients, recipient, applied)) return;

  // The organisation's mode: a witness certificate naming the signer (`witness`, `both`: the organisation's
  // certificate follows at the seal), or the organisation's trusted certificate with the signer named in
  // /Name and /Reason (`organization`).
  const organization = await organizationSigning(ctx, envelope.organizationId, ctx.clock.now());
  const withOrganizationCertificate = organization.mode === 'organization';
  const signedWith = withOrganizationCertificate
    ? organization.signer!
    : await createWitnessSigner(
        ctx.signing.pki,
        { name: recipient.name, email: recipient.email },
        ctx.signing.platformSigner,
      );
  const signedAt = recipient.signedAt ?? ctx.clock.now();
  // The recipient's fields are drawn in the same revision as their signature, so it covers them.
  const myFields = (await loadFields(ctx.db, envelope.id)).filter((f) => f.recipientId === recipient.id);
  let sealImage: Promise<Uint8Array | undefined> | undefined;
  const organizationSeal = () => (sealImage ??= organizationSealBytes(ctx.db, ctx.blobs, envelope.organizationId));
  await withDocumentUpdates(ctx.blobs, async (results) => {
    for (const document of documents) {
      const current = await ctx.blobs.get(document.blobCurrent);
      const fields = await fieldFills(
        myFields.filter((f) => f.documentId === document.id),
        { useOrganizationSeal: recipient.auth === 'login', organizationSeal },
      );
      const update = await signPdfParts(current, {
        fields,
        signer: signedWith,
        timestampAuthority: ctx.signing.timestampAuthority,
        name: `${recipient.name} <${recipient.email}>`,
        reason: withOrganizationCertificate ? signerReason([recipient]) : authDescription(recipient.auth),
        location: `Inkan envelope ${envelope.id}`,
        signingTime: signedAt,
      });
      const parts = [update.original, update.tail];
      results.push({
        id: document.id,
        name: document.name,
        before: document.sha256Current,
        after: sha256Hex(parts),
        oldBlob: document.blobCurrent,
        newBlob: await ctx.blobs.put(parts),
      });
    }
    return inTransaction(ctx.db, ctx.dialect, async (tx) => {
      // The envelope's row lock orders this with a parallel signer's 署名 (PostgreSQL; SQLite has one
      // writer): either their signature is seen below and queued next, or their job runs after this commit.
      await tx
        .selectFrom('envelopes')
        .select('id')
        .where('id', '=', envelope.id)
        .$if(ctx.dialect === 'postgres', (qb) => qb.forUpdate())
        .executeTakeFirstOrThrow();
      const again = await envelopeEvents(tx, envelope.id, 'recipient.signature-applied');
      if (again.some((d) => d.recipientId === recipient.id)) return false;
      await swapDocumentBlobs(tx, results, 'signed');
      const base = {
        organizationId: envelope.organizationId,
        envelopeId: envelope.id,
        actor: { type: 'system' as const, id: null },
      };
      await recordEvent(tx, {
        ...base,
        action: 'recipient.signature-applied',
        at: ctx.clock.now(),
        details: {
          recipientId: recipient.id,
          name: recipient.name,
          email: recipient.email,
          auth: authDescription(recipient.auth),
          documents: documentHashes(results),
          ...(withOrganizationCertificate ? { signingCertificate: organization.certificate } : {}),
        },
      });
      // One `key.used` per signature made with the platform key (the key is named, never shown).
      for (const r of results) {
        const extra = { recipientId: recipient.id, documentId: r.id, documentSha256: r.after };
        await recordEvent(tx, {
          ...base,
          action: 'key.used',
          at: ctx.clock.now(),
          details: keyUseDetails({
            platformSigner: withOrganizationCertificate ? signedWith : ctx.signing.platformSigner,
            signedWith,
            purpose: 'recipient-signature',
            extra,
          }),
        });
      }
      const current = (
        await tx.selectFrom('recipients').selectAll().where('envelope_id', '=', envelope.id).execute()
      ).map(toRecipient);
      const appliedNow = new Set([...again.map((d) => String(d.recipientId)), recipient.id]);
      await queueNextStep(ctx, tx, envelope.id, nextStep(current, appliedNow), recipient.id);
      await job.finishIn?.(tx);
      return true;
    });
  });
}

/** Queues what the machine says comes after a signature: the next signature, the next group's requests, or the seal. */
async function queueNextStep(
  ctx: DomainContext,
  tx: DbOrTx,
  envelopeId: string,
  step: NextStep,
  afterRecipientId: string,
): Promise<void> {
  switch (step.kind) {
    case 'apply':
      // Its own dedupe key: the parallel signer's first job may still be running (and about to end unapplied).
      await ctx.jobs.enqueue(
        tx,
        'envelope.sign',
        { recipientId: step.recipientId },
        { dedupeKey: `sign:${step.recipientId}:after:${afterRecipientId}` },
      );
      return;
    case 'notify':
      for (const id of step.recipientIds)
        await ctx.jobs.enqueue(tx, 'mail.signing-request', { recipientId: id }, { dedupeKey: `signing-request:${id}` });
      return;
    case 'seal':
      await ctx.jobs.enqueue(tx, 'envelope.seal', { envelopeId }, { dedupeKey: `seal:${envelopeId}` });
      return;
    case 'wait':
      return;
  }
}
