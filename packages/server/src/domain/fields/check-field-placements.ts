import { pageBox, PdfDocument } from '@inkan/core';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { pdfAppError } from '../pdf-errors.ts';
import { FIELD_BOUNDS, FIELD_KINDS, type FieldKind } from './envelope-fields.ts';

/** A field as placed on a preview: its owner (a draft's recipient or a template's role), page and rectangle. */
export interface FieldPlacementInput {
  documentId: string;
  ownerId: string;
  page: number;
  rect: [number, number, number, number];
  kind: FieldKind;
  label?: string | null;
}

/**
 * Checks fields placed on a draft or a template before anything is written: each names a document and
 * an owner (recipient or role, never a CC) of the envelope or template, a page of the document, a kind,
 * a one-line label, and a rectangle inside the page box read from the original PDF (once per page);
 * bounded per document and in size. The first problem throws FIELD_INVALID (or RECIPIENT_IS_CC) naming
 * `fields[i].<name>` (`ownerKey` for the owner).
 */
export async function checkFieldPlacements(
  ctx: Pick<DomainContext, 'blobs'>,
  input: {
    fields: readonly FieldPlacementInput[];
    ownerKey: 'recipientId' | 'roleId';
    documents: ReadonlyArray<{ id: string; name: string; pages: number; blob: string }>;
    ownerOf: (id: string) => { cc: boolean } | undefined;
    noOwner: string;
    noDocument: string;
  },
): Promise<void> {
  if (input.fields.length > FIELD_BOUNDS.perEnvelope)
    throw new AppError('FIELD_INVALID', `at most ${FIELD_BOUNDS.perEnvelope} fields`, {
      field: 'fields',
      max: FIELD_BOUNDS.perEnvelope,
    });
  const boxes = new Map<string, Map<number, [number, number, number, number]>>();
  // Each document is read and parsed once (not once per page that has a field).
  const pdfs = new Map<string, PdfDocument>();
  const perDocument = new Map<string, number>();
  for (const [i, field] of input.fields.entries()) {
    const name = `fields[${i}]`;
    const document = input.documents.find((d) => d.id === field.documentId);
    if (!document)
      throw new AppError('FIELD_INVALID', `${name}.documentId ${input.noDocument}`, { field: `${name}.documentId` });
    const owner = input.ownerOf(field.ownerId);
    if (!owner)
      throw new AppError('FIELD_INVALID', `${name}.${input.ownerKey} ${input.noOwner}`, {
        field: `${name}.${input.ownerKey}`,
      });
    if (owner.cc)
      throw new AppError(
        'RECIPIENT_IS_CC',
        `${name}.${input.ownerKey} is a CC recipient, who never signs or fills fields`,
        {
          field: `${name}.${input.ownerKey}`,
        },
      );
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
          { field: `${name}.label` },
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
        let pdf = pdfs.get(document.id);
        if (!pdf) {
          pdf = PdfDocument.load(await ctx.blobs.get(document.blob));
          pdfs.set(document.id, pdf);
        }
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
        { field: `${name}.rect`, pageBox: box },
      );
  }
}

/** A stored rectangle: rounded to 1/100 pt. */
export function storedRect(rect: readonly number[]): string {
  return JSON.stringify(rect.map((n) => Math.round(n * 100) / 100));
}

/** How many fields of each kind (the `*.fields-set` / `template.updated` event details). */
export function fieldKindCounts(fields: ReadonlyArray<{ kind: FieldKind }>): Record<FieldKind, number> {
  return Object.fromEntries(FIELD_KINDS.map((k) => [k, fields.filter((f) => f.kind === k).length])) as Record<
    FieldKind,
    number
  >;
}
