import * as z from 'zod';
import { AppError } from '../../domain/app-error.ts';

/*
 * Shapes only: a field of the wrong type is VALIDATION_FAILED here. What a value means (an e-mail's
 * syntax, a code's digits, duplicate orders) is the use case's to judge, with its own stable code, so
 * those fields pass through as they came.
 */

/** The `envelope` part of POST /api/v1/envelopes. */
export const createEnvelopeSchema = z.object({
  name: z.string(),
  message: z.string().optional(),
  expiresAt: z.string().nullable().optional(),
  recipients: z.array(
    z.object({
      // Both may be left out with contactId (the contact's registered signer).
      name: z.string().optional(),
      email: z.string().optional(),
      accessCode: z.unknown().optional(),
      contactId: z.string().max(100).optional(),
      order: z.number().optional(),
      language: z.enum(['ja', 'en']).optional(),
      auth: z.enum(['access_code', 'login']).optional(),
      role: z.enum(['signer', 'cc']).optional(),
    }),
  ),
});
export type CreateEnvelopeBody = z.infer<typeof createEnvelopeSchema>;

/** POST /api/v1/envelopes/{id}/send: optionally the approval route (稟議) chosen on 送信内容の確認. */
export const sendEnvelopeBody = z.object({ approvalRouteId: z.uuid().nullable().optional() }).nullish();

/** Fields as placed on a preview: the same shape for a draft (per recipient) and a template (per role). */
const placedFields = <K extends 'recipientId' | 'roleId'>(owner: K) =>
  z.object({
    fields: z
      .array(
        z.object({
          documentId: z.string().max(100),
          ...({ [owner]: z.string().max(100) } as Record<K, z.ZodString>),
          page: z.number().int().min(1).max(100000),
          rect: z.tuple([z.number().finite(), z.number().finite(), z.number().finite(), z.number().finite()]),
          kind: z.enum(['seal', 'date', 'text', 'checkbox']),
          required: z.boolean().optional(),
          label: z.string().max(50).nullable().optional(),
        }),
      )
      .max(100),
  });

/** PUT /api/v1/envelopes/{id}/fields: the whole placement (at most 100 fields; rectangles in PDF points). */
export const envelopeFieldsBody = placedFields('recipientId');
/** PUT /api/v1/templates/{id}/fields: the template's fields as placed on its preview (per role). */
export const templateFieldsBody = placedFields('roleId');

/** GET /api/v1/envelopes query. */
export const listEnvelopesQuery = z.object({
  status: z.string().optional(),
  q: z.string().optional(),
  limit: z.coerce.number().int().optional(),
  cursor: z.string().optional(),
});

/** POST …/recipients/{id}/unlock body (optional). */
export const unlockBody = z.object({ accessCode: z.unknown().optional() }).nullish();

/** Path parameters. */
export const envelopeParams = z.object({ id: z.string() });
export const documentParams = z.object({ id: z.string(), documentId: z.string() });
export const recipientParams = z.object({ id: z.string(), recipientId: z.string() });

/** Parses with a schema; a mismatch is VALIDATION_FAILED naming the first wrong field. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
  throw new AppError('VALIDATION_FAILED', `${field || 'body'}: ${issue.message}`, field ? { field } : undefined);
}
