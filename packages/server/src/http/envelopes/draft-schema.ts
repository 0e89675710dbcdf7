import * as z from 'zod';

/*
 * Shapes of the senders' tools (issue 11 part 5). As in schema.ts, what a value means (an e-mail's
 * syntax, a code's digits, duplicate orders) is the use case's to judge with its own stable code.
 */

/** PATCH /api/v1/envelopes/{id}: a draft's changes; absent properties stay as they are. */
export const updateDraftBody = z
  .object({
    name: z.string().optional(),
    message: z.string().optional(),
    expiresAt: z.string().nullable().optional(),
    recipients: z
      .array(
        z.object({
          id: z.string().max(100).optional(),
          name: z.string(),
          email: z.string(),
          accessCode: z.unknown().optional(),
          order: z.number().optional(),
          language: z.enum(['ja', 'en']).optional(),
          auth: z.enum(['access_code', 'login']).optional(),
          role: z.enum(['signer', 'cc']).optional(),
        }),
      )
      .max(100)
      .optional(),
  })
  .strict();

/** POST /api/v1/envelopes/{id}/duplicate (body optional). */
export const duplicateBody = z.object({ resubmit: z.boolean().optional() }).strict().nullish();
