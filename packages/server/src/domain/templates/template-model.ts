// Envelope templates (issue 13 part 2): what a template is, how it is read and shown, and how its
// {{placeholders}} are filled.
import type { Selectable } from 'kysely';
import type { DbOrTx, Schema } from '../../ports/database.ts';
import { AppError } from '../app-error.ts';
import { isUuid } from '../rows.ts';
import type { UserRole } from '../types.ts';

/** Bounds of a template and of the text put into it. */
export const TEMPLATE_LIMITS = {
  name: 200,
  roleName: 50,
  perOrganization: 500,
  variableName: 50,
  variableValue: 200,
} as const;

export type TemplateRow = Selectable<Schema['envelope_templates']>;
export type TemplateRole = Selectable<Schema['template_roles']>;
export type TemplateDocument = Selectable<Schema['template_documents']>;
export type TemplateField = Selectable<Schema['template_fields']>;

/** A template with its parts, in order. */
export interface TemplateDetails {
  template: TemplateRow;
  documents: TemplateDocument[];
  roles: TemplateRole[];
  fields: TemplateField[];
}

/** One template of the organisation (another organisation's, or an unknown id → NOT_FOUND). */
export async function loadTemplate(db: DbOrTx, organizationId: string, templateId: string): Promise<TemplateDetails> {
  if (!isUuid(templateId)) throw new AppError('NOT_FOUND', 'no such template');
  const template = await db
    .selectFrom('envelope_templates')
    .selectAll()
    .where('id', '=', templateId)
    .where('organization_id', '=', organizationId)
    .executeTakeFirst();
  if (!template) throw new AppError('NOT_FOUND', 'no such template');
  const [documents, roles, fields] = await Promise.all([
    db.selectFrom('template_documents').selectAll().where('template_id', '=', templateId).orderBy('position').execute(),
    db.selectFrom('template_roles').selectAll().where('template_id', '=', templateId).orderBy('position').execute(),
    db.selectFrom('template_fields').selectAll().where('template_id', '=', templateId).orderBy('position').execute(),
  ]);
  return { template, documents, roles, fields };
}

/** Admins edit every template of the organisation; members only their own; viewers none. */
export function assertMayEditTemplate(template: TemplateRow, caller: { role: UserRole; userId: string | null }): void {
  if (caller.role === 'admin') return;
  if (caller.role === 'member' && caller.userId !== null && template.created_by_user_id === caller.userId) return;
  throw new AppError('FORBIDDEN', 'only an administrator or the template’s creator may change it');
}

const PLACEHOLDER = /\{\{\s*([^{}\s][^{}]*?)\s*\}\}/g;

/** The distinct placeholder names of texts, in order of first use ({{会社名}} → 会社名). */
export function placeholdersOf(...texts: string[]): string[] {
  const names = new Set<string>();
  for (const text of texts) for (const match of text.matchAll(PLACEHOLDER)) names.add(match[1]);
  return [...names];
}

/** The text with each {{name}} replaced by its value (every name must have one: checked before). */
export function fillPlaceholders(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole);
}

/** The columns a bulk file for this template needs (`アクセスコード` columns are optional). */
export function bulkColumns(details: TemplateDetails): string[] {
  const columns: string[] = [];
  for (const role of details.roles) {
    columns.push(`${role.role_name}:氏名`, `${role.role_name}:メールアドレス`);
    if (role.kind === 'signer') columns.push(`${role.role_name}:アクセスコード`);
  }
  return [...columns, ...placeholdersOf(details.template.subject, details.template.message)];
}

/** The JSON of a template for the API. */
export function presentTemplate(details: TemplateDetails, caller: { role: UserRole; userId: string | null }) {
  const { template } = details;
  let editable = true;
  try {
    assertMayEditTemplate(template, caller);
  } catch {
    editable = false;
  }
  return {
    id: template.id,
    name: template.name,
    subject: template.subject,
    message: template.message,
    placeholders: placeholdersOf(template.subject, template.message),
    bulkColumns: bulkColumns(details),
    editable,
    createdAt: template.created_at,
    updatedAt: template.updated_at,
    documents: details.documents.map((d) => ({ id: d.id, name: d.name, pages: d.pages, size: d.size })),
    roles: details.roles.map((r) => ({
      id: r.id,
      name: r.role_name,
      role: r.kind,
      order: r.signing_order,
      accessCodePolicy: r.access_code_policy,
      language: r.language,
      fields: details.fields.filter((f) => f.role_id === r.id).length,
    })),
    fields: details.fields.map((f) => ({
      id: f.id,
      documentId: f.document_id,
      roleId: f.role_id,
      page: f.page,
      rect: JSON.parse(f.rect) as unknown,
      kind: f.kind,
      required: f.required === 1,
      label: f.label,
    })),
  };
}
