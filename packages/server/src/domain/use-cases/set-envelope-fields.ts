import { envelopeTransition } from '../envelope-machine.ts';
import { pageBox, PdfDocument } from '@inkan/core';
import { newId } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import {
  FIELD_BOUNDS,
  FIELD_KINDS,
  loadFields,
  type EnvelopeField,
  type FieldKind,
} from '../fields/envelope-fields.ts';
import { pdfAppError } from '../pdf-errors.ts';
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
  if (input.fields.length > FIELD_BOUNDS.perEnvelope)
    throw new AppError('FIELD_INVALID', `at most ${FIELD_BOUNDS.perEnvelope} fields per envelope`, {
      field: 'fields',
      max: FIELD_BOUNDS.perEnvelope,
    });

  // Page boxes of the pages that carry fields, read once per document from the original file.
  const boxes = new Map<string, Map<number, [number, number, number, number]>>();
  const perDocument = new Map<string, number>();
  for (const [i, field] of input.fields.entries()) {
    const name = `fields[${i}]`;
    const document = details.documents.find((d) => d.id === field.documentId);
    if (!document)
      throw new AppError('FIELD_INVALID', `${name}.documentId is not a document of the envelope`, {
        field: `${name}.documentId`,
      });
    const recipient = details.recipients.find((r) => r.id === field.recipientId);
    if (!recipient)
      throw new AppError('FIELD_INVALID', `${name}.recipientId is not a recipient of the envelope`, {
        field: `${name}.recipientId`,
      });
    if (recipient.role === 'cc')
      throw new AppError('RECIPIENT_IS_CC', `${name}.recipientId is a CC recipient, who never signs or fills fields`, {
        field: `${name}.recipientId`,
      });
    if (!FIELD_KINDS.includes(field.kind))
      throw new AppError('FIELD_INVALID', `${name}.kind must be one of ${FIELD_KINDS.join(', ')}`, {
        field: `${name}.kind`,
      });
    if (!Number.isInteger(field.page) || field.page < 1 || field.page > document.pages)
      throw new AppError('FIELD_INVALID', `${name}.page must be 1–${document.pages}`, { field: `${name}.page` });
    const count = (perDocument.get(document.id) ?? 0) + 1;
    perDocument.set(document.id, count);
    if (count > FIELD_BOUNDS.perDocument)
      throw new AppError('FIELD_INVALID', `at most ${FIELD_BOUNDS.perDocument} fields per document`, { field: name });
    if (field.label !== undefined && field.label !== null) {
      if (
        typeof field.label !== 'string' ||
        field.label.length > FIELD_BOUNDS.labelChars ||
        /[\u0000-\u001f\u007f]/.test(field.label)
      )
        throw new AppError(
          'FIELD_INVALID',
          `${name}.label must be one line of at most ${FIELD_BOUNDS.labelChars} characters`,
          {
            field: `${name}.label`,
          },
        );
    }
    let pages = boxes.get(document.id);
    if (!pages) {
      pages = new Map();
      boxes.set(document.id, pages);
    }
    let box = pages.get(field.page);
    if (!box) {
      try {
        const pdf = PdfDocument.load(await ctx.blobs.get(document.blobOriginal));
        box = pageBox(pdf, pdf.page(field.page - 1).dict);
      } catch (error) {
        throw pdfAppError(error, document.name, { document: document.name });
      }
      pages.set(field.page, box);
    }
    const [x0, y0, x1, y1] = field.rect;
    const w = x1 - x0;
    const h = y1 - y0;
    const inside = x0 >= box[0] - 0.01 && y0 >= box[1] - 0.01 && x1 <= box[2] + 0.01 && y1 <= box[3] + 0.01;
    if (!inside || w < 6 || h < 6 || w > FIELD_BOUNDS.maxSide || h > FIELD_BOUNDS.maxSide)
      throw new AppError(
        'FIELD_INVALID',
        `${name}.rect must lie inside page ${field.page} and be 6–${FIELD_BOUNDS.maxSide} pt on each side`,
        {
          field: `${name}.rect`,
          pageBox: box,
        },
      );
  }

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
          rect: JSON.stringify(field.rect.map((n) => Math.round(n * 100) / 100)),
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
        kinds: Object.fromEntries(FIELD_KINDS.map((k) => [k, input.fields.filter((f) => f.kind === k).length])),
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
