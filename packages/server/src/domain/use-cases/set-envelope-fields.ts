import { envelopeTransition } from '../envelope-machine.ts';
import { newId } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { checkFieldPlacements, fieldKindCounts, storedRect } from '../fields/check-field-placements.ts';
import { loadFields, type EnvelopeField, type FieldKind } from '../fields/envelope-fields.ts';
import { recordEvent } from '../record-event.ts';
import { isUuid, loadEnvelopeDetails } from '../rows.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';

/** A field as the sender places it: a recipient, a document's 1-based page, a rectangle in PDF points. */
export interface NewField {
  documentId: string;
  recipientId: string;
  page: number;
  rect: [number, number, number, number];
  kind: FieldKind;
  required?: boolean;
  label?: string | null;
}

/**
 * Replaces the fields of a draft (the sender's placement on the preview): every field is checked
 * against its document's page box, its recipient and the bounds first (nothing changes for bad input),
 * then the old fields are replaced and `envelope.fields-set` recorded in one transaction.
 */
export async function setEnvelopeFields(
  ctx: DomainContext,
  input: {
    organizationId: string;
    envelopeId: string;
    actor: Actor;
    origin?: RequestOrigin;
    fields: NewField[];
  },
): Promise<EnvelopeField[]> {
  if (!isUuid(input.envelopeId)) throw new AppError('NOT_FOUND', 'no such envelope');
  const details = await loadEnvelopeDetails(ctx.db, input.organizationId, input.envelopeId);
  envelopeTransition(details.envelope, 'edit', ctx.clock.now());
  await checkFieldPlacements(ctx, {
    fields: input.fields.map((f) => ({ ...f, ownerId: f.recipientId })),
    ownerKey: 'recipientId',
    documents: details.documents.map((d) => ({ id: d.id, name: d.name, pages: d.pages, blob: d.blobOriginal })),
    ownerOf: (id) => {
      const recipient = details.recipients.find((r) => r.id === id);
      return recipient === undefined ? undefined : { cc: recipient.role === 'cc' };
    },
    noOwner: 'is not a recipient of the envelope',
    noDocument: 'is not a document of the envelope',
  });

  const now = ctx.clock.now();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    // Re-checked under the write lock: a draft sent meanwhile keeps the fields it was sent with.
    const envelope = await tx
      .selectFrom('envelopes')
      .select(['status'])
      .where('id', '=', input.envelopeId)
      .$if(ctx.dialect === 'postgres', (qb) => qb.forUpdate())
      .executeTakeFirstOrThrow();
    envelopeTransition({ status: envelope.status, expiresAt: null }, 'edit', ctx.clock.now());
    await tx.deleteFrom('envelope_fields').where('envelope_id', '=', input.envelopeId).execute();
    for (const [position, field] of input.fields.entries()) {
      await tx
        .insertInto('envelope_fields')
        .values({
          id: newId(),
          envelope_id: input.envelopeId,
          document_id: field.documentId,
          recipient_id: field.recipientId,
          position,
          page: field.page,
          rect: storedRect(field.rect),
          kind: field.kind,
          required: field.kind === 'seal' || field.kind === 'date' ? 1 : field.required ? 1 : 0,
          label: field.label?.trim() || null,
          area_index: null,
          value: null,
          filled_at: null,
        })
        .execute();
    }
    await recordEvent(tx, {
      organizationId: input.organizationId,
      envelopeId: input.envelopeId,
      actor: input.actor,
      action: 'envelope.fields-set',
      origin: input.origin,
      at: now,
      details: {
        count: input.fields.length,
        kinds: fieldKindCounts(input.fields),
      },
    });
  });
  return loadFields(ctx.db, input.envelopeId);
}

/** The fields of one of the organisation's envelopes (sender view). */
export async function listEnvelopeFields(
  ctx: DomainContext,
  input: { organizationId: string; envelopeId: string },
): Promise<EnvelopeField[]> {
  if (!isUuid(input.envelopeId)) throw new AppError('NOT_FOUND', 'no such envelope');
  await loadEnvelopeDetails(ctx.db, input.organizationId, input.envelopeId);
  return loadFields(ctx.db, input.envelopeId);
}
