import * as z from 'zod';

/** POST /api/session. Lengths are checked loosely here; a wrong value is simply INVALID_CREDENTIALS. */
export const signInBody = z.object({ email: z.string().max(1000), password: z.string().max(1024) });

/** POST /api/session/link. */
export const signInLinkBody = z.object({ token: z.string().max(200) });

/** POST /api/session/password. */
export const setPasswordBody = z.object({ password: z.unknown() });

/** POST /api/session/second-factor: the challenge of the password step and a TOTP or recovery code. */
export const secondFactorBody = z.union([
  z.object({ challengeToken: z.string().max(200), code: z.string().max(20) }).strict(),
  z.object({ challengeToken: z.string().max(200), recoveryCode: z.string().max(40) }).strict(),
]);

/** A TOTP or recovery code as the domain takes it. */
export function toFactor(
  body: { code: string } | { recoveryCode: string },
): { code: string } | { recoveryCode: string } {
  return 'code' in body ? { code: body.code } : { recoveryCode: body.recoveryCode };
}

/** POST /api/session/passkey/options. */
export const passkeyOptionsBody = z.object({ challengeToken: z.string().max(200).optional() }).strict();

/** A WebAuthn answer (the JSON @simplewebauthn/browser makes); checked by the verifier, bounded here. */
export const webauthnResponse = z
  .object({
    id: z.string().max(1024),
    rawId: z.string().max(1024),
    type: z.literal('public-key'),
    response: z.record(z.string(), z.unknown()),
  })
  .passthrough();

/** POST /api/session/passkey. */
export const passkeySignInBody = z
  .object({ challengeToken: z.string().max(200).optional(), response: webauthnResponse })
  .strict();
