import { newId } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { checkFieldPlacements, fieldKindCounts, storedRect } from '../fields/check-field-placements.ts';
import type { FieldKind } from '../fields/envelope-fields.ts';
import { recordEvent } from '../record-event.ts';
import { assertMayEditTemplate, loadTemplate, type TemplateDetails } from '../templates/template-model.ts';
import { inTransaction } from '../transaction.ts';
import type { TemplateCaller } from './manage-templates.ts';

/** A field as placed on a template's preview: a role, a document's 1-based page, a rectangle in PDF points. */
export interface NewTemplateField {
  documentId: string;
  roleId: string;
  page: number;
  rect: [number, number, number, number];
  kind: FieldKind;
  required?: boolean;
  label?: string | null;
}

/**
 * テンプレートの入力項目: replaces a template's fields (placed, moved or removed on the template page), checked
 * as a draft's are — against the template's documents and page boxes, its roles (never a CC role) and the
 * bounds — before anything changes; then `template.updated` (`changed: ['fields']`) in the same transaction.
 * Admins or the template's creator only (FORBIDDEN).
 */
export async function setTemplateFields(
  ctx: DomainContext,
  input: TemplateCaller & { templateId: string; fields: NewTemplateField[] },
): Promise<TemplateDetails> {
  const current = await loadTemplate(ctx.db, input.organizationId, input.templateId);
  assertMayEditTemplate(current.template, {
    role: input.role,
    userId: input.actor.type === 'user' ? input.actor.id : null,
  });
  await checkFieldPlacements(ctx, {
    fields: input.fields.map((f) => ({ ...f, ownerId: f.roleId })),
    ownerKey: 'roleId',
    documents: current.documents.map((d) => ({ id: d.id, name: d.name, pages: d.pages, blob: d.blob })),
    ownerOf: (id) => {
      const role = current.roles.find((r) => r.id === id);
      return role === undefined ? undefined : { cc: role.kind === 'cc' };
    },
    noOwner: 'is not a role of the template',
    noDocument: 'is not a document of the template',
  });
  const now = ctx.clock.now();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    await tx.deleteFrom('template_fields').where('template_id', '=', current.template.id).execute();
    for (const [position, field] of input.fields.entries())
      await tx
        .insertInto('template_fields')
        .values({
          id: newId(),
          template_id: current.template.id,
          document_id: field.documentId,
          role_id: field.roleId,
          position,
          page: field.page,
          rect: storedRect(field.rect),
          kind: field.kind,
          required: field.kind === 'seal' || field.kind === 'date' ? 1 : field.required ? 1 : 0,
          label: field.label?.trim() || null,
        })
        .execute();
    await tx
      .updateTable('envelope_templates')
      .set({ updated_at: now.toISOString() })
      .where('id', '=', current.template.id)
      .execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      origin: input.origin,
      action: 'template.updated',
      at: now,
      details: {
        templateId: current.template.id,
        changed: ['fields'],
        count: input.fields.length,
        kinds: fieldKindCounts(input.fields),
      },
    });
  });
  return loadTemplate(ctx.db, input.organizationId, input.templateId);
}

/** The bytes of one of a template's documents (the page preview of the template page). No event: a read. */
export async function getTemplateDocument(
  ctx: DomainContext,
  input: { organizationId: string; templateId: string; documentId: string },
): Promise<{ name: string; bytes: Uint8Array }> {
  const details = await loadTemplate(ctx.db, input.organizationId, input.templateId);
  const document = details.documents.find((d) => d.id === input.documentId);
  if (!document) throw new AppError('NOT_FOUND', 'no such document');
  return { name: document.name, bytes: await ctx.blobs.get(document.blob) };
}
