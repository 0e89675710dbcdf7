import { newId } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import { newCertificateId } from '../certificate-id.ts';
import type { DomainContext } from '../domain-context.ts';
import { effectiveStatus } from '../envelope-state.ts';
import { loadFields } from '../fields/envelope-fields.ts';
import { recordEvent } from '../record-event.ts';
import { loadEnvelopeDetails, type EnvelopeDetails } from '../rows.ts';
import { inTransaction } from '../transaction.ts';
import { getEnvelope } from './get-envelope.ts';
import { UNINVITED_RECIPIENT } from './update-draft-envelope.ts';
import type { Actor, RequestOrigin } from '../types.ts';

/** What duplicate-envelope needs. */
export interface DuplicateEnvelopeInput {
  organizationId: string;
  envelopeId: string;
  actor: Extract<Actor, { type: 'user' } | { type: 'api_key' }>;
  origin?: RequestOrigin;
  /** 修正して再送: only after a decline, a cancel or the expiry; the new draft is its follow-up. */
  resubmit: boolean;
}

/** Statuses after which 修正して再送 makes sense: the envelope ended without a contract. */
const RESUBMITTABLE = new Set(['declined', 'canceled', 'expired']);

/**
 * 複製 / 修正して再送: a new draft of the same organisation with the ORIGINAL (unstamped, unsigned)
 * bytes of each document, the same recipients (with the same access codes: the hash is copied and the
 * sealed code re-sealed for the new recipient), the same placed fields (empty), name, message and —
 * when still in the future — expiry. A new certificate ID. The new envelope remembers its source; the
 * source's timeline gets `envelope.duplicated` or `envelope.resubmitted` naming the new one, and the
 * new one's `envelope.created` names the source.
 */
export async function duplicateEnvelope(ctx: DomainContext, input: DuplicateEnvelopeInput): Promise<EnvelopeDetails> {
  const now = ctx.clock.now();
  const source = await getEnvelope(ctx, input);
  const status = effectiveStatus(source.envelope, now);
  if (input.resubmit && !RESUBMITTABLE.has(status))
    throw new AppError('ENVELOPE_STILL_ACTIVE', 'only a declined, canceled or expired envelope can be sent again', {
      status,
    });
  const fields = await loadFields(ctx.db, source.envelope.id);
  const envelopeId = newId();
  const certificateId = newCertificateId();
  const documentIds = new Map(source.documents.map((d) => [d.id, newId()]));
  const recipientIds = new Map(source.recipients.map((r) => [r.id, newId()]));
  const blobKeys: string[] = [];
  try {
    // Copies, not shared keys: removing a document from the new draft deletes its file.
    for (const d of source.documents) blobKeys.push(await ctx.blobs.put(await ctx.blobs.get(d.blobOriginal)));
    await inTransaction(ctx.db, ctx.dialect, async (tx) => {
      const expiresAt = source.envelope.expiresAt && source.envelope.expiresAt > now ? source.envelope.expiresAt : null;
      await tx
        .insertInto('envelopes')
        .values({
          id: envelopeId,
          organization_id: input.organizationId,
          created_by_user_id: input.actor.type === 'user' ? input.actor.id : null,
          created_by_api_key_id: input.actor.type === 'api_key' ? input.actor.id : null,
          name: source.envelope.name,
          message: source.envelope.message,
          status: 'draft',
          certificate_id: certificateId,
          expires_at: expiresAt?.toISOString() ?? null,
          created_at: now.toISOString(),
          sent_at: null,
          completed_at: null,
          canceled_at: null,
          source_envelope_id: source.envelope.id,
        })
        .execute();
      for (const [i, d] of source.documents.entries()) {
        await tx
          .insertInto('documents')
          .values({
            id: documentIds.get(d.id)!,
            envelope_id: envelopeId,
            position: d.position,
            name: d.name,
            pages: d.pages,
            size: d.size,
            sha256_original: d.sha256Original,
            sha256_current: d.sha256Original,
            blob_original: blobKeys[i],
            blob_current: blobKeys[i],
          })
          .execute();
      }
      let recipientPosition = 0;
      for (const r of source.recipients) {
        const id = recipientIds.get(r.id)!;
        const code =
          r.accessCodeSealed === null
            ? null
            : await ctx.secrets.openSecret('access-code', r.accessCodeSealed, r.id, tx);
        await tx
          .insertInto('recipients')
          .values({
            id,
            envelope_id: envelopeId,
            signing_order: r.order,
            name: r.name,
            email: r.email,
            language: r.language,
            auth: r.auth,
            user_id: r.userId,
            role: r.role,
            position: recipientPosition++,
            address_book_contact_id: r.addressBookContactId ?? null,
            access_code_hash: r.accessCodeHash,
            access_code_sealed: code === null ? null : await ctx.secrets.sealSecret('access-code', code, id, tx),
            ...UNINVITED_RECIPIENT,
          })
          .execute();
      }
      for (const f of fields) {
        await tx
          .insertInto('envelope_fields')
          .values({
            id: newId(),
            envelope_id: envelopeId,
            document_id: documentIds.get(f.documentId)!,
            recipient_id: recipientIds.get(f.recipientId)!,
            position: f.position,
            page: f.page,
            rect: JSON.stringify(f.rect),
            kind: f.kind,
            required: f.required ? 1 : 0,
            label: f.label,
            area_index: null,
            value: null,
            filled_at: null,
          })
          .execute();
      }
      const base = { organizationId: input.organizationId, actor: input.actor, origin: input.origin, at: now };
      await recordEvent(tx, {
        ...base,
        envelopeId: source.envelope.id,
        action: input.resubmit ? 'envelope.resubmitted' : 'envelope.duplicated',
        details: { newEnvelopeId: envelopeId, sourceStatus: status },
      });
      await recordEvent(tx, {
        ...base,
        envelopeId,
        action: 'envelope.created',
        details: {
          name: source.envelope.name,
          certificateId,
          sourceEnvelopeId: source.envelope.id,
          resubmit: input.resubmit,
          documents: source.documents.map((d) => ({ name: d.name, pages: d.pages, sha256: d.sha256Original })),
          recipients: source.recipients.map((r) => ({ name: r.name, email: r.email, order: r.order, auth: r.auth })),
        },
      });
    });
  } catch (error) {
    await Promise.all(blobKeys.map((key) => ctx.blobs.delete(key).catch(() => undefined)));
    throw error;
  }
  return loadEnvelopeDetails(ctx.db, input.organizationId, envelopeId);
}
