import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import type { EnvelopeDetails } from '../rows.ts';
import {
  fillPlaceholders,
  loadTemplate,
  placeholdersOf,
  TEMPLATE_LIMITS,
  type TemplateDetails,
} from '../templates/template-model.ts';
import { newId } from '../../security/tokens.ts';
import type { DbOrTx } from '../../ports/database.ts';
import type { Actor, RequestOrigin } from '../types.ts';
import { createEnvelope, type NewRecipient } from './create-envelope.ts';

/** Who fills a role of the template. */
export interface RolePerson {
  roleId: string;
  name: string;
  email: string;
  /** Empty or absent: generated (a role whose policy is `required` must have one). */
  accessCode?: string;
}

/** What create-envelope-from-template needs. */
export interface CreateFromTemplateInput {
  organizationId: string;
  actor: Extract<Actor, { type: 'user' } | { type: 'api_key' }>;
  origin?: RequestOrigin;
  templateId: string;
  people: RolePerson[];
  /** Values of the template's {{placeholders}}. */
  variables?: Record<string, string>;
  expiresAt?: string | null;
  /** Added to envelope.created (a bulk send row). */
  eventDetails?: Record<string, string>;
  /** More writes in the envelope's transaction (a bulk row marks itself done). */
  within?: (tx: DbOrTx, envelopeId: string) => Promise<void>;
}

/**
 * The recipients of an envelope from a template's roles, in role order: each role exactly once; a
 * role's policy `required` needs an access code. Errors name the field as `people[i].…`.
 */
export function recipientsOfTemplate(details: TemplateDetails, people: readonly RolePerson[]): NewRecipient[] {
  if (!Array.isArray(people)) throw new AppError('VALIDATION_FAILED', 'people must be a list', { field: 'people' });
  return details.roles.map((role) => {
    const index = people.findIndex((p) => p?.roleId === role.id);
    if (index < 0 || people.findIndex((p, i) => i > index && p?.roleId === role.id) >= 0)
      throw new AppError('VALIDATION_FAILED', `people: give role "${role.role_name}" exactly once`, {
        field: 'people',
        role: role.role_name,
      });
    const person = people[index];
    const code = typeof person.accessCode === 'string' ? person.accessCode.trim() : '';
    if (role.kind === 'signer' && role.access_code_policy === 'required' && code === '')
      throw new AppError('INVALID_ACCESS_CODE_FORMAT', `people[${index}].accessCode is required for this role`, {
        field: `people[${index}].accessCode`,
      });
    const base = { name: person.name, email: person.email, language: role.language };
    return role.kind === 'cc'
      ? { ...base, role: 'cc' as const }
      : { ...base, role: 'signer' as const, order: role.signing_order, ...(code === '' ? {} : { accessCode: code }) };
  });
}

/** The template's 件名 and message with every placeholder filled (each needs a value of one line). */
export function fillTemplateTexts(
  details: TemplateDetails,
  variables: Readonly<Record<string, string>> = {},
): { name: string; message: string } {
  for (const key of placeholdersOf(details.template.subject, details.template.message)) {
    const value = variables[key];
    if (
      typeof value !== 'string' ||
      value.trim() === '' ||
      value.length > TEMPLATE_LIMITS.variableValue ||
      /[\r\n]/.test(value)
    )
      throw new AppError('VALIDATION_FAILED', `variables.${key} needs a value of one line`, {
        field: `variables.${key}`,
        max: TEMPLATE_LIMITS.variableValue,
      });
  }
  return {
    name: fillPlaceholders(details.template.subject, variables),
    message: fillPlaceholders(details.template.message, variables),
  };
}

/**
 * テンプレートから作成: a draft with copies of the template's documents, a recipient per role, the
 * template's fields placed for those recipients, and the 件名/message with the placeholders filled.
 * The draft then goes through 送信内容の確認 (or the send API) like any other.
 */
export async function createEnvelopeFromTemplate(
  ctx: DomainContext,
  input: CreateFromTemplateInput,
  loaded?: TemplateDetails,
): Promise<EnvelopeDetails> {
  const details = loaded ?? (await loadTemplate(ctx.db, input.organizationId, input.templateId));
  const texts = fillTemplateTexts(details, input.variables);
  const recipients = recipientsOfTemplate(details, input.people);
  const documents = await Promise.all(
    details.documents.map(async (d) => ({ name: d.name, bytes: await ctx.blobs.get(d.blob) })),
  );
  return createEnvelope(ctx, {
    organizationId: input.organizationId,
    actor: input.actor,
    origin: input.origin,
    name: texts.name,
    message: texts.message,
    expiresAt: input.expiresAt,
    recipients,
    documents,
    eventDetails: { templateId: details.template.id, ...input.eventDetails },
    within: async (tx, created) => {
      const documentIds = new Map(details.documents.map((d, i) => [d.id, created.documentIds[i]]));
      const recipientIds = new Map(details.roles.map((r, i) => [r.id, created.recipientIds[i]]));
      for (const f of details.fields)
        await tx
          .insertInto('envelope_fields')
          .values({
            id: newId(),
            envelope_id: created.envelopeId,
            document_id: documentIds.get(f.document_id)!,
            recipient_id: recipientIds.get(f.role_id)!,
            position: f.position,
            page: f.page,
            rect: f.rect,
            kind: f.kind,
            required: f.required,
            label: f.label,
            area_index: null,
            value: null,
            filled_at: null,
          })
          .execute();
      await input.within?.(tx, created.envelopeId);
    },
  });
}
