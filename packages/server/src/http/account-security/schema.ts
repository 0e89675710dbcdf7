import * as z from 'zod';
import { webauthnResponse } from '../session/schema.ts';

/** POST /api/account/security/totp/confirm. */
export const totpConfirmBody = z.object({ code: z.string().max(20) }).strict();

/** POST /api/account/security/step-up: a TOTP code or a recovery code. */
export const stepUpBody = z.union([
  z.object({ code: z.string().max(20) }).strict(),
  z.object({ recoveryCode: z.string().max(40) }).strict(),
]);

/** POST /api/account/security/passkeys. */
export const passkeyRegisterBody = z
  .object({ name: z.string().max(100).default(''), response: webauthnResponse })
  .strict();

/** POST /api/account/security/step-up/passkey. */
export const passkeyStepUpBody = z.object({ response: webauthnResponse }).strict();

/** DELETE /api/account/security/passkeys/:id. */
export const passkeyParams = z.object({ id: z.string().min(1).max(1024) });
