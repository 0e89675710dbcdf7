import * as z from 'zod';
import { LIMITS } from '../../domain/validation.ts';
import { TEMPLATE_LIMITS } from '../../domain/templates/template-model.ts';
export { templateFieldsBody } from '../envelopes/schema.ts';

export const templateParams = z.object({ id: z.string().max(100) });
export const templateDocumentParams = z.object({ id: z.string().max(100), documentId: z.string().max(100) });

/** テンプレートとして保存: from a draft of the organisation. */
export const createTemplateBody = z.strictObject({
  envelopeId: z.string().max(100),
  name: z.string().max(TEMPLATE_LIMITS.name),
  roleNames: z.array(z.string().max(TEMPLATE_LIMITS.roleName)).max(LIMITS.recipients).optional(),
});

export const updateTemplateBody = z.strictObject({
  name: z.string().max(TEMPLATE_LIMITS.name).optional(),
  subject: z.string().max(LIMITS.envelopeName).optional(),
  message: z.string().max(LIMITS.message).optional(),
  roles: z
    .array(
      z.strictObject({
        id: z.string().max(100),
        name: z.string().max(TEMPLATE_LIMITS.roleName).optional(),
        accessCodePolicy: z.enum(['generated', 'required']).optional(),
        language: z.enum(['ja', 'en']).optional(),
      }),
    )
    .max(LIMITS.recipients)
    .optional(),
});

/** テンプレートから作成: who fills each role, and the placeholders' values. */
export const useTemplateBody = z.strictObject({
  people: z
    .array(
      z.strictObject({
        roleId: z.string().max(100),
        name: z.string().max(LIMITS.recipientName),
        email: z.string().max(LIMITS.email),
        accessCode: z.string().max(8).optional(),
      }),
    )
    .max(LIMITS.recipients),
  variables: z
    .record(z.string().max(TEMPLATE_LIMITS.variableName), z.string().max(TEMPLATE_LIMITS.variableValue))
    .optional(),
  expiresAt: z.string().max(40).nullable().optional(),
});

/** The query of a CSV upload: the file's name, shown on the results. */
export const csvQuery = z.object({ fileName: z.string().max(200).optional() });
