import * as z from 'zod';

// Bounded loosely here (lengths, types); the use cases check values and answer with stable codes.
const text = (max: number) => z.string().max(max);

/** PATCH /api/v1/admin/organization. */
export const profileBody = z
  .object({
    name: text(1000).optional(),
    senderContact: text(2000).nullable().optional(),
    supportContact: text(2000).nullable().optional(),
    mailFromName: text(1000).nullable().optional(),
    mailReplyTo: text(1000).nullable().optional(),
  })
  .strict();

/** PATCH /api/v1/organization/settings. */
export const settingsBody = z
  .object({
    attachCertificate: z.boolean().optional(),
    mfaRequired: z.boolean().optional(),
    sessionIdleMinutes: z.number().nullable().optional(),
    sessionAbsoluteHours: z.number().nullable().optional(),
    autoRemindDays: z.number().optional(),
  })
  .strict();

/** POST /api/v1/admin/invitations. */
export const invitationBody = z.object({ email: text(1000), role: text(20) }).strict();

/** PATCH /api/v1/admin/members/{userId}. */
export const memberBody = z.object({ role: text(20).optional(), active: z.boolean().optional() }).strict();

/** POST /api/v1/admin/members/{userId}/transfer-envelopes. */
export const transferBody = z.object({ toUserId: text(100) }).strict();

/** POST /api/v1/admin/api-keys. */
export const apiKeyBody = z.object({ name: text(1000), scopes: z.array(text(20)).max(10) }).strict();

/** POST /api/v1/admin/mail/test. */
export const testMailBody = z.object({ to: text(1000).optional() }).strict();

/** Path parameters: ids are UUIDs (another shape is simply not found). */
export const idParams = z.object({ id: z.uuid() });
export const userParams = z.object({ userId: z.uuid() });
export const userSessionParams = z.object({ userId: z.uuid(), id: z.string().regex(/^[0-9a-f]{64}$/) });

/** GET /api/v1/admin/sessions. */
export const sessionsQuery = z.object({ userId: z.uuid().optional() }).strict();

/** POST /api/invitations/preview and /accept. */
export const invitationTokenBody = z.object({ token: text(200) }).strict();
export const acceptInvitationBody = z
  .object({ token: text(200), name: text(1000).optional(), password: text(1024).optional() })
  .strict();
