import * as z from 'zod';

/** POST /api/sign/{token}/access-code: the code's digits are the use case's to judge. */
export const accessCodeBody = z.object({ code: z.unknown() });

/** POST /api/sign/{token}/decline. */
export const declineBody = z.object({ reason: z.unknown() });

/** Path parameters. */
export const tokenParams = z.object({ token: z.string().max(200) });
export const tokenDocumentParams = z.object({ token: z.string().max(200), documentId: z.string().max(100) });
