import * as z from 'zod';

/*
 * Request bodies of the account API. Shapes are checked here (types, outer bounds); the rules that give
 * the stable codes (INVALID_EMAIL, PASSWORD_TOO_SHORT, PASSWORD_TOO_COMMON, …) are the use cases'.
 */

const language = z.enum(['ja', 'en']).optional();
const text = (max: number) => z.string().max(max);

/** POST /api/account/signup. */
export const signupBody = z.object({ email: text(1000), next: text(1000).nullish(), language });
/** GET /api/account/signup/link?token=. */
export const tokenQuery = z.object({ token: text(200) });
/** POST /api/account/signup/complete. */
export const completeSignupBody = z.object({
  token: text(200),
  name: text(1000),
  companyName: text(1000).nullish(),
  password: text(1024),
});
/** POST /api/account/password/forgot. */
export const forgotPasswordBody = z.object({ email: text(1000), language });
/** POST /api/account/password/reset. */
export const resetPasswordBody = z.object({ token: text(200), password: text(1024) });
/** POST /api/account/email/confirm. */
export const confirmEmailBody = z.object({ token: text(200), language });
/** PATCH /api/account/profile. */
export const profileBody = z.object({
  name: text(1000),
  companyName: text(1000).nullish(),
  phone: text(100).nullish(),
});
/** POST /api/account/password. */
export const changePasswordBody = z.object({ currentPassword: text(1024), newPassword: text(1024) });
/** POST /api/account/email. */
export const changeEmailBody = z.object({ newEmail: text(1000), currentPassword: text(1024), language });
/** DELETE /api/account/sessions/{id}. */
export const sessionParams = z.object({ id: text(100) });
/** DELETE /api/account. */
export const deleteAccountBody = z.object({ password: text(1024) });
/** POST /api/session/organization. */
export const switchOrganizationBody = z.object({ organizationId: text(100).nullable() });
