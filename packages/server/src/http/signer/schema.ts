import * as z from 'zod';

/** POST /api/sign/{token}/access-code: the code's digits are the use case's to judge. */
export const accessCodeBody = z.object({ code: z.unknown() });

/** POST /api/sign/{token}/decline. */
export const declineBody = z.object({ reason: z.unknown() });

/** POST /api/sign/{token}/sign: optional values of the signer's fields by field id (text or checkbox). */
export const signBody = z
  .object({
    fields: z
      .record(z.string().max(100), z.union([z.string().max(1000), z.boolean()]))
      .refine((v) => Object.keys(v).length <= 100, { message: 'too many fields' })
      .optional(),
  })
  .nullish();

/** Path parameters. */
export const tokenParams = z.object({ token: z.string().max(200) });
export const tokenDocumentParams = z.object({ token: z.string().max(200), documentId: z.string().max(100) });
