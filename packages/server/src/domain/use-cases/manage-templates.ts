import { formatMessage } from '@inkan/core/messages';
import { newId } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { loadFields } from '../fields/envelope-fields.ts';
import { recordEvent } from '../record-event.ts';
import {
  assertMayEditTemplate,
  loadTemplate,
  TEMPLATE_LIMITS,
  type TemplateDetails,
  type TemplateRow,
} from '../templates/template-model.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin, UserRole } from '../types.ts';
import { LIMITS, optionalText, requireLine } from '../validation.ts';
import { getEnvelope } from './get-envelope.ts';

/** Who calls: the organisation, the actor and its role (templates: members use, admins or the creator edit). */
export interface TemplateCaller {
  organizationId: string;
  actor: Extract<Actor, { type: 'user' } | { type: 'api_key' }>;
  role: UserRole;
  origin?: RequestOrigin;
}

const userIdOf = (caller: TemplateCaller) => (caller.actor.type === 'user' ? caller.actor.id : null);

/** A role name: one line, no ':' (the CSV's headers are `役割名:メールアドレス`). */
function checkRoleName(value: unknown, field: string): string {
  const name = requireLine(value, field, TEMPLATE_LIMITS.roleName);
  if (name.includes(':') || name.includes('：'))
    throw new AppError('VALIDATION_FAILED', `${field} must not contain ':'`, { field });
  return name;
}

/**
 * テンプレートとして保存: a template from a draft of the organisation — copies of its original PDFs, one
 * role per recipient (署名者1, 署名者2 …, CC1 … unless named), the fields placed for each, and its name
 * and message as the template's 件名 and message. The draft itself is unchanged.
 */
export async function createTemplateFromEnvelope(
  ctx: DomainContext,
  input: TemplateCaller & { envelopeId: string; name: string; roleNames?: string[] },
): Promise<TemplateDetails> {
  if (input.role === 'viewer') throw new AppError('FORBIDDEN', 'viewers cannot make templates');
  const name = requireLine(input.name, 'name', TEMPLATE_LIMITS.name);
  const source = await getEnvelope(ctx, input);
  if (source.envelope.status !== 'draft')
    throw new AppError('ENVELOPE_NOT_DRAFT', 'a template is made from a draft (its documents are not stamped yet)');
  const roleNames = input.roleNames ?? [];
  if (!Array.isArray(roleNames) || roleNames.length > source.recipients.length)
    throw new AppError('VALIDATION_FAILED', 'roleNames: one name per recipient at most', { field: 'roleNames' });
  let signers = 0;
  let ccs = 0;
  const names = source.recipients.map((r, i) =>
    roleNames[i] !== undefined
      ? checkRoleName(roleNames[i], `roleNames[${i}]`)
      : r.role === 'cc'
        ? `CC${++ccs}`
        : formatMessage('ja', 'templates.defaultRole', { n: ++signers }),
  );
  if (new Set(names).size !== names.length)
    throw new AppError('VALIDATION_FAILED', 'role names must differ', { field: 'roleNames' });
  const count = await ctx.db
    .selectFrom('envelope_templates')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organization_id', '=', input.organizationId)
    .executeTakeFirstOrThrow();
  if (Number(count.n) >= TEMPLATE_LIMITS.perOrganization)
    throw new AppError('VALIDATION_FAILED', `at most ${TEMPLATE_LIMITS.perOrganization} templates`, {
      field: 'templates',
      max: TEMPLATE_LIMITS.perOrganization,
    });
  const fields = await loadFields(ctx.db, source.envelope.id);
  const now = ctx.clock.now().toISOString();
  const templateId = newId();
  const documentIds = new Map(source.documents.map((d) => [d.id, newId()]));
  const roleIds = new Map(source.recipients.map((r) => [r.id, newId()]));
  const blobKeys: string[] = [];
  try {
    for (const d of source.documents) blobKeys.push(await ctx.blobs.put(await ctx.blobs.get(d.blobOriginal)));
    await inTransaction(ctx.db, ctx.dialect, async (tx) => {
      await tx
        .insertInto('envelope_templates')
        .values({
          id: templateId,
          organization_id: input.organizationId,
          created_by_user_id: userIdOf(input),
          name,
          subject: source.envelope.name,
          message: source.envelope.message,
          created_at: now,
          updated_at: now,
        })
        .execute();
      for (const [i, d] of source.documents.entries())
        await tx
          .insertInto('template_documents')
          .values({
            id: documentIds.get(d.id)!,
            template_id: templateId,
            position: i,
            name: d.name,
            pages: d.pages,
            size: d.size,
            sha256: d.sha256Original,
            blob: blobKeys[i],
          })
          .execute();
      for (const [i, r] of source.recipients.entries())
        await tx
          .insertInto('template_roles')
          .values({
            id: roleIds.get(r.id)!,
            template_id: templateId,
            position: i,
            role_name: names[i],
            kind: r.role === 'cc' ? 'cc' : 'signer',
            signing_order: r.role === 'cc' ? 0 : r.order,
            access_code_policy: 'generated',
            language: r.language,
          })
          .execute();
      for (const f of fields)
        await tx
          .insertInto('template_fields')
          .values({
            id: newId(),
            template_id: templateId,
            document_id: documentIds.get(f.documentId)!,
            role_id: roleIds.get(f.recipientId)!,
            position: f.position,
            page: f.page,
            rect: JSON.stringify(f.rect),
            kind: f.kind,
            required: f.required ? 1 : 0,
            label: f.label,
          })
          .execute();
      await recordEvent(tx, {
        organizationId: input.organizationId,
        actor: input.actor,
        origin: input.origin,
        action: 'template.created',
        at: new Date(now),
        details: { templateId, name, sourceEnvelopeId: source.envelope.id },
      });
    });
  } catch (error) {
    await Promise.all(blobKeys.map((key) => ctx.blobs.delete(key).catch(() => undefined)));
    throw error;
  }
  return loadTemplate(ctx.db, input.organizationId, templateId);
}

/** The organisation's templates, by name. */
export async function listTemplates(ctx: DomainContext, input: { organizationId: string }): Promise<TemplateRow[]> {
  return ctx.db
    .selectFrom('envelope_templates')
    .selectAll()
    .where('organization_id', '=', input.organizationId)
    .orderBy('name')
    .orderBy('id')
    .limit(TEMPLATE_LIMITS.perOrganization)
    .execute();
}

/** What a template edit may change; roles by id. */
export interface TemplateChanges {
  name?: string;
  subject?: string;
  message?: string;
  roles?: Array<{ id: string; name?: string; accessCodePolicy?: 'generated' | 'required'; language?: 'ja' | 'en' }>;
}

/** Changes a template's name, 件名, message and roles' names, access-code policy and language. */
export async function updateTemplate(
  ctx: DomainContext,
  input: TemplateCaller & { templateId: string; changes: TemplateChanges },
): Promise<TemplateDetails> {
  const current = await loadTemplate(ctx.db, input.organizationId, input.templateId);
  assertMayEditTemplate(current.template, { role: input.role, userId: userIdOf(input) });
  const { changes } = input;
  const name = changes.name === undefined ? undefined : requireLine(changes.name, 'name', TEMPLATE_LIMITS.name);
  const subject =
    changes.subject === undefined ? undefined : requireLine(changes.subject, 'subject', LIMITS.envelopeName);
  const message = changes.message === undefined ? undefined : optionalText(changes.message, 'message', LIMITS.message);
  const roleChanges = (changes.roles ?? []).map((r, i) => {
    const role = current.roles.find((x) => x.id === r.id);
    if (!role)
      throw new AppError('VALIDATION_FAILED', `roles[${i}].id is not a role of this template`, {
        field: `roles[${i}].id`,
      });
    return {
      id: role.id,
      role_name: r.name === undefined ? role.role_name : checkRoleName(r.name, `roles[${i}].name`),
      access_code_policy: r.accessCodePolicy ?? role.access_code_policy,
      language: r.language ?? role.language,
    };
  });
  const finalNames = current.roles.map((r) => roleChanges.find((c) => c.id === r.id)?.role_name ?? r.role_name);
  if (new Set(finalNames).size !== finalNames.length)
    throw new AppError('VALIDATION_FAILED', 'role names must differ', { field: 'roles' });
  const now = ctx.clock.now();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    await tx
      .updateTable('envelope_templates')
      .set({
        ...(name === undefined ? {} : { name }),
        ...(subject === undefined ? {} : { subject }),
        ...(message === undefined ? {} : { message }),
        updated_at: now.toISOString(),
      })
      .where('id', '=', current.template.id)
      .execute();
    for (const { id, ...set } of roleChanges)
      await tx.updateTable('template_roles').set(set).where('id', '=', id).execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      origin: input.origin,
      action: 'template.updated',
      at: now,
      details: { templateId: current.template.id, changed: Object.keys(changes).sort() },
    });
  });
  return loadTemplate(ctx.db, input.organizationId, input.templateId);
}

/** Deletes a template and its files (envelopes made from it keep their own copies). */
export async function deleteTemplate(
  ctx: DomainContext,
  input: TemplateCaller & { templateId: string },
): Promise<void> {
  const current = await loadTemplate(ctx.db, input.organizationId, input.templateId);
  assertMayEditTemplate(current.template, { role: input.role, userId: userIdOf(input) });
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    await tx.deleteFrom('template_fields').where('template_id', '=', current.template.id).execute();
    await tx.deleteFrom('template_roles').where('template_id', '=', current.template.id).execute();
    await tx.deleteFrom('template_documents').where('template_id', '=', current.template.id).execute();
    await tx.deleteFrom('envelope_templates').where('id', '=', current.template.id).execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      origin: input.origin,
      action: 'template.deleted',
      at: ctx.clock.now(),
      details: { templateId: current.template.id, name: current.template.name },
    });
  });
  // After the commit: a rolled-back delete must still find its files.
  await Promise.all(current.documents.map((d) => ctx.blobs.delete(d.blob).catch(() => undefined)));
}
