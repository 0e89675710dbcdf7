// Fields and seals of an envelope (issue 11 part 4): what a placed field is, how it is read from its
// row, how a signer's values are checked, and what is drawn into each field when its recipient signs.
import { formatCalendarDate } from '@inkan/core/messages';
import { FIELD_LIMITS, loadJapaneseFont, readSealImage, type FieldFill, type FieldRect } from '@inkan/core';
import { AppError } from '../app-error.ts';
import type { BlobStore } from '../../ports/blob-store.ts';
import type { DbOrTx, FieldsSchema } from '../../ports/database.ts';

export type FieldKind = FieldsSchema['envelope_fields']['kind'];
export const FIELD_KINDS: readonly FieldKind[] = ['seal', 'date', 'text', 'checkbox'];

/** Bounds of the fields of one envelope. */
export const FIELD_BOUNDS = {
  perEnvelope: 100,
  perDocument: Math.min(100, FIELD_LIMITS.areasPerDocument),
  labelChars: 50,
  textChars: 100,
  /** Largest side of a field, in points (an A0 page is 3370 pt: a field never needs more). */
  maxSide: 1000,
} as const;

/** A placed field as the domain sees it. */
export interface EnvelopeField {
  id: string;
  envelopeId: string;
  documentId: string;
  recipientId: string;
  position: number;
  /** 1-based. */
  page: number;
  rect: FieldRect;
  kind: FieldKind;
  required: boolean;
  label: string | null;
  /** Index among its page's declared areas; null until the envelope is sent. */
  areaIndex: number | null;
  value: string | null;
  filledAt: Date | null;
}

/** A row of envelope_fields as the domain type. */
export function toField(row: FieldsSchema['envelope_fields']): EnvelopeField {
  return {
    id: row.id,
    envelopeId: row.envelope_id,
    documentId: row.document_id,
    recipientId: row.recipient_id,
    position: row.position,
    page: row.page,
    rect: JSON.parse(row.rect) as FieldRect,
    kind: row.kind,
    required: row.required === 1,
    label: row.label,
    areaIndex: row.area_index,
    value: row.value,
    filledAt: row.filled_at === null ? null : new Date(row.filled_at),
  };
}

/** The fields of an envelope in placement order. */
export async function loadFields(db: DbOrTx, envelopeId: string): Promise<EnvelopeField[]> {
  const rows = await db
    .selectFrom('envelope_fields')
    .selectAll()
    .where('envelope_id', '=', envelopeId)
    .orderBy('position')
    .execute();
  return rows.map(toField);
}

/** The JSON of a field (sender and signer APIs). */
export function presentField(field: EnvelopeField) {
  return {
    id: field.id,
    documentId: field.documentId,
    recipientId: field.recipientId,
    page: field.page,
    rect: field.rect,
    kind: field.kind,
    required: field.required,
    label: field.label,
    value: field.value,
    filledAt: field.filledAt?.toISOString() ?? null,
  };
}

/** The date drawn into a 日付 field: the signing day in the service's time zone, 2026年12月6日 / 2026-12-06. */
export function formatFieldDate(date: Date, timeZone: string, language: 'ja' | 'en'): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' })
    .formatToParts(date)
    .reduce<Record<string, string>>((acc, p) => ({ ...acc, [p.type]: p.value }), {});
  return formatCalendarDate(language, parts.year!, parts.month!, parts.day!);
}

const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Checks what a signer sent for their fields and returns the value to store for each of their fields:
 * text (trimmed, one line, glyphs the embedded font has), checkbox 'true'/'false', the date, the seal's
 * name. A required text left empty or a required checkbox left unticked is FIELD_REQUIRED.
 */
export function checkFieldValues(
  fields: readonly EnvelopeField[],
  sent: Record<string, unknown> | undefined,
  context: { signerName: string; signedAt: Date; timeZone: string; language: 'ja' | 'en' },
): Map<string, string> {
  const values = new Map<string, string>();
  const known = new Set(fields.map((f) => f.id));
  for (const id of Object.keys(sent ?? {}))
    if (!known.has(id)) throw new AppError('FIELD_INVALID', `no field ${id} for this recipient`, { field: id });
  const font = loadJapaneseFont('regular');
  for (const field of fields) {
    const raw = sent?.[field.id];
    const label = field.label ?? '';
    switch (field.kind) {
      case 'seal':
        values.set(field.id, context.signerName);
        break;
      case 'date':
        values.set(field.id, formatFieldDate(context.signedAt, context.timeZone, context.language));
        break;
      case 'checkbox': {
        if (raw !== undefined && typeof raw !== 'boolean')
          throw new AppError('FIELD_INVALID', 'a checkbox value must be true or false', { field: field.id });
        if (field.required && raw !== true)
          throw new AppError('FIELD_REQUIRED', 'a required checkbox is not ticked', { field: field.id, label });
        values.set(field.id, raw === true ? 'true' : 'false');
        break;
      }
      case 'text': {
        if (raw !== undefined && typeof raw !== 'string')
          throw new AppError('FIELD_INVALID', 'a text value must be a string', { field: field.id });
        const text = (raw ?? '').trim();
        if (text.length > FIELD_BOUNDS.textChars || CONTROL.test(text))
          throw new AppError(
            'FIELD_INVALID',
            `a text value must be one line of at most ${FIELD_BOUNDS.textChars} characters`,
            {
              field: field.id,
              label,
            },
          );
        if (text !== '' && !font.hasGlyphsFor(text))
          throw new AppError('FIELD_INVALID', 'the text holds characters the PDF font cannot show', {
            field: field.id,
            label,
          });
        if (field.required && text === '')
          throw new AppError('FIELD_REQUIRED', 'a required text field is empty', { field: field.id, label });
        values.set(field.id, text);
        break;
      }
    }
  }
  return values;
}

/**
 * What to draw for each field of one document of one recipient (their values stored at signing). The
 * seal of an organisation's own signer (auth 'login') is the organisation's uploaded image when it has
 * one; everyone else's is generated from their name.
 */
export async function fieldFills(
  fields: readonly EnvelopeField[],
  options: { useOrganizationSeal: boolean; organizationSeal: () => Promise<Uint8Array | undefined> },
): Promise<FieldFill[]> {
  const fills: FieldFill[] = [];
  for (const field of fields) {
    if (field.areaIndex === null) throw new Error(`field ${field.id} was never declared in the document`);
    const at = { page: field.page - 1, area: field.areaIndex };
    const value = field.value ?? '';
    switch (field.kind) {
      case 'seal': {
        const image = options.useOrganizationSeal ? await options.organizationSeal() : undefined;
        fills.push({
          ...at,
          value: image ? { kind: 'image', image: readSealImage(image) } : { kind: 'seal', name: value },
        });
        break;
      }
      case 'date':
      case 'text':
        fills.push({ ...at, value: { kind: 'text', text: value } });
        break;
      case 'checkbox':
        fills.push({ ...at, value: { kind: 'checkbox', checked: value === 'true' } });
        break;
    }
  }
  return fills;
}

/** The organisation's seal image bytes, if it uploaded one. */
export async function organizationSealBytes(
  db: DbOrTx,
  blobs: Pick<BlobStore, 'get'>,
  organizationId: string,
): Promise<Uint8Array | undefined> {
  const row = await db
    .selectFrom('organization_seals')
    .select(['blob_key'])
    .where('organization_id', '=', organizationId)
    .executeTakeFirst();
  return row ? blobs.get(row.blob_key) : undefined;
}
