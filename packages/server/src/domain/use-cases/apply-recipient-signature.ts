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
import { authDescription } from './sign-as-recipient.ts';

/** A domain context that can sign (the job worker's). */
export interface SigningDomainContext extends DomainContext {
  signing: Pick<
    SigningServices,
    'pki' | 'platformSigner' | 'timestampAuthority' | 'sealOptions' | 'operatorSigning' | 'defaultSigningMode'
  >;
  keys: DomainContext['keys'] & { signingKey: Uint8Array };
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
 * and invites the next recipient or queues the seal.
 *
 * Idempotent: the event is the marker. A rerun after a crash finds it and does nothing; a rerun racing
 * another worker loses the compare-and-set on the documents and leaves no trace.
 */
export async function applyRecipientSignature(
  ctx: SigningDomainContext,
  input: { recipientId: string },
): Promise<void> {
  const row = await ctx.db.selectFrom('recipients').selectAll().where('id', '=', input.recipientId).executeTakeFirst();
  if (!row) return;
  const signer = await contextOfRecipient(ctx.db, toRecipient(row));
  const { envelope, recipient, documents, recipients } = signer;
  // Canceled (or declined) while the job waited: nothing may be signed any more.
  if (envelope.status !== 'sent' || recipient.status !== 'signed') return;
  const applied = await appliedSignatures(ctx, envelope.id);
  if (applied.has(recipient.id)) return;
  const waiting = recipients.filter((r) => r.order < recipient.order && !applied.has(r.id));
  // Signatures go on in signing order; an earlier one still pending makes this job retry later.
  if (waiting.length > 0)
    throw new Error(
      `the signature of an earlier recipient is not applied yet (${waiting.map((r) => r.id).join(', ')})`,
    );

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
      const next = recipients.filter((r) => r.order > recipient.order).sort((a, b) => a.order - b.order)[0];
      if (next)
        await ctx.jobs.enqueue(
          tx,
          'mail.signing-request',
          { recipientId: next.id },
          { dedupeKey: `signing-request:${next.id}` },
        );
      else
        await ctx.jobs.enqueue(tx, 'envelope.seal', { envelopeId: envelope.id }, { dedupeKey: `seal:${envelope.id}` });
      return true;
    });
  });
}
