import * as z from 'zod';

/** GET /api/verify/certificates/{certificateId}: the ID as typed (normalised before lookup). */
export const certificateParams = z.object({ certificateId: z.string().max(100) });

/**
 * A certificate ID as people type it from paper: full-width characters (ＩＫ－７Ｆ３Ａ…), lower case,
 * spaces and any dash become `IK-7F3A-…`. Anything else is left for the lookup to reject.
 */
export function normalizeCertificateId(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\s]/g, '')
    .replace(/[‐‑‒–—―−ー－]/g, '-')
    .toUpperCase();
}
