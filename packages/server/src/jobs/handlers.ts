import type { AppContext } from '../context.ts';
import type { JobHandlers } from '../adapters/jobs/db-job-queue.ts';
import { anchorAuditChain } from '../domain/use-cases/anchor-audit-chain.ts';
import { applyRecipientSignature } from '../domain/use-cases/apply-recipient-signature.ts';
import { issueCompletionCertificate } from '../domain/use-cases/issue-completion-certificate.ts';
import { queueDeadlineReminders } from '../domain/use-cases/queue-deadline-reminders.ts';
import { sealEnvelope } from '../domain/use-cases/seal-envelope.ts';
import { sendContractReminderMail } from '../domain/use-cases/send-contract-reminder-mail.ts';
import { sendCompletionMail } from '../domain/use-cases/send-completion-mail.ts';
import {
  sendApprovalRejectedMail,
  sendApprovalReminderMail,
  sendApprovalRequestMail,
} from '../domain/use-cases/send-approval-mail.ts';
import { queueApprovalAutoReminders } from '../domain/use-cases/remind-approvers.ts';
import { sendRecipientDeclinedMail, sendRecipientLockedMail } from '../domain/use-cases/send-sender-notice-mail.ts';
import { sendAccountMail } from '../domain/use-cases/send-account-mail.ts';
import { sendSigningReminderMail, sendSigningRequestMail } from '../domain/use-cases/send-signing-request-mail.ts';
import { queueAutoReminders } from '../domain/use-cases/queue-auto-reminders.ts';
import { sendRecipientUnlockedMail } from '../domain/use-cases/send-recipient-unlocked-mail.ts';
import { sendInvitationMail } from '../domain/use-cases/send-invitation-mail.ts';
import { runScheduledBackup } from '../backup/run-scheduled-backup.ts';
import { expireEnvelopes, scheduleNextExpirySweep } from '../domain/use-cases/expire-envelopes.ts';
import { shredExpiredDocuments } from '../domain/use-cases/shred-expired-documents.ts';
import { sendRenewalRefusedMail } from '../domain/use-cases/send-renewal-refused-mail.ts';
import { sendJobFailedMail } from '../domain/use-cases/send-job-failed-mail.ts';
import { deliverWebhook } from '../domain/use-cases/deliver-webhook.ts';
import { purgeWebhookDeliveries } from '../domain/use-cases/purge-webhook-deliveries.ts';
import { runOncePerPeriod } from '../domain/scheduled-runs.ts';
import { renewArchiveTimestamps } from '../domain/use-cases/renew-archive-timestamps.ts';
import { purgeStaleRateLimits } from '../domain/accounts/rate-limit.ts';
import { sendSignerRegistrationMail } from '../domain/use-cases/send-signer-registration-mail.ts';
import { sendSignerRegisteredMail } from '../domain/use-cases/send-signer-registered-mail.ts';
import { purgeExpiredSessions } from '../domain/use-cases/purge-expired-sessions.ts';
import { sendBulkRow } from '../domain/use-cases/send-bulk-row.ts';
import * as z from 'zod';

// Job payloads come back from the database as JSON: checked like any other input before use.
const recipientPayload = z.object({ recipientId: z.uuid() });
const approvalRequestPayload = z.object({ approvalId: z.uuid(), userId: z.uuid() });
const approvalPayload = z.object({ approvalId: z.uuid() });
const approvalReminderPayload = approvalRequestPayload.extend({ reminder: z.number().int().min(1) });
const reminderMailPayload = z.object({ recipientId: z.uuid(), reminder: z.number().int().min(1).max(10_000) });
const envelopePayload = z.object({ envelopeId: z.uuid() });
const unlockedPayload = z.object({ recipientId: z.uuid(), unlockedAt: z.iso.datetime(), newCode: z.boolean() });
const accountMailPayload = z.object({
  purpose: z.enum(['signup', 'password_reset', 'email_change', 'email_changed']),
  email: z.string().max(254),
  language: z.enum(['ja', 'en']),
  userId: z.uuid().nullable(),
  nextPath: z.string().max(1000).nullable(),
  newEmail: z.string().max(254).optional(),
  requestId: z.uuid(),
});
const anchorPayload = z.object({ day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) });
const backupPayload = z.object({ slot: z.iso.datetime() });
const reminderPayload = z.object({ reminderId: z.uuid() });
const invitationPayload = z.object({ invitationId: z.uuid(), language: z.enum(['ja', 'en']) });
const sweepPayload = z.object({ slot: z.iso.datetime() });
const jobPayload = z.object({ jobId: z.uuid() });
const renewalRefusedPayload = z.object({
  organizationId: z.string().min(1),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  tsaNotAfter: z.iso.datetime(),
  files: z.number().int().positive(),
});
const registrationLinkPayload = z.object({ linkId: z.uuid() });
const registeredPayload = z.object({ contactId: z.uuid(), registeredAt: z.iso.datetime() });
const webhookPayload = z.object({ deliveryId: z.uuid() });
const bulkRowPayload = z.object({ rowId: z.uuid() });

/**
 * The handlers of every job kind. Each is idempotent (the queue delivers at least once): see the use
 * cases for how each one recognises work already done.
 */
export function createJobHandlers(context: AppContext): JobHandlers {
  return {
    'envelope.sign': (payload, job) => applyRecipientSignature(context, recipientPayload.parse(payload), job),
    'envelope.seal': (payload, job) => sealEnvelope(context, envelopePayload.parse(payload), job),
    'envelope.certificate': (payload, job) => issueCompletionCertificate(context, envelopePayload.parse(payload), job),
    'audit.anchor': async (payload, job) => {
      const { day } = anchorPayload.parse(payload);
      await runOncePerPeriod(context, { task: 'audit.anchor', period: day, jobId: job.id }, async () => {
        await anchorAuditChain(context);
      });
    },
    'backup.run': async (payload, job) => {
      const { slot } = backupPayload.parse(payload);
      await runOncePerPeriod(context, { task: 'backup.run', period: slot, jobId: job.id }, async () => {
        await runScheduledBackup(context, new Date(slot));
      });
    },
    'register.reminders': async (payload, job) => {
      const input = anchorPayload.parse(payload);
      await runOncePerPeriod(context, { task: 'register.reminders', period: input.day, jobId: job.id }, async () => {
        await queueDeadlineReminders(context, input);
      });
    },
    'retention.sweep': async (payload, job) => {
      const input = anchorPayload.parse(payload);
      await runOncePerPeriod(context, { task: 'retention.sweep', period: input.day, jobId: job.id }, async () => {
        await shredExpiredDocuments(context);
      });
    },
    'envelope.expiry-sweep': async (payload, job) => {
      const slot = new Date(sweepPayload.parse(payload).slot);
      // The next sweep first, so that the schedule survives a failure of this one.
      await scheduleNextExpirySweep(context, slot);
      await runOncePerPeriod(
        context,
        { task: 'envelope.expiry-sweep', period: slot.toISOString(), jobId: job.id },
        async () => {
          await expireEnvelopes(context);
          // 自動リマインド of the organisations that set it (after the sweep: expired envelopes get none).
          await queueAutoReminders(context);
          // …and of approvers whose turn it is (稟議), with the same setting.
          await queueApprovalAutoReminders(context);
          // Housekeeping of the shared rate-limit counters (one row per client and surface), of sessions
          // that timed out (requests only refuse them; a GET deletes nothing) and of the webhook delivery
          // log (90 days).
          await purgeStaleRateLimits(context);
          await purgeExpiredSessions(context);
          await purgeWebhookDeliveries(context);
        },
      );
    },
    'archive.renewal': async (payload, job) => {
      const input = anchorPayload.parse(payload);
      await runOncePerPeriod(context, { task: 'archive.renewal', period: input.day, jobId: job.id }, async () => {
        await renewArchiveTimestamps(context, input);
      });
    },
    'mail.job-failed': (payload) => sendJobFailedMail(context, jobPayload.parse(payload)),
    'mail.renewal-refused': (payload) => sendRenewalRefusedMail(context, renewalRefusedPayload.parse(payload)),
    'mail.contract-reminder': (payload) => sendContractReminderMail(context, reminderPayload.parse(payload)),
    'mail.signing-request': (payload, job) => sendSigningRequestMail(context, recipientPayload.parse(payload), job),
    'mail.signing-reminder': (payload) => sendSigningReminderMail(context, reminderMailPayload.parse(payload)),
    'mail.completion': (payload) => sendCompletionMail(context, envelopePayload.parse(payload)),
    'mail.recipient-locked': (payload) => sendRecipientLockedMail(context, recipientPayload.parse(payload)),
    'mail.recipient-declined': (payload) => sendRecipientDeclinedMail(context, recipientPayload.parse(payload)),
    'mail.approval-request': (payload) => sendApprovalRequestMail(context, approvalRequestPayload.parse(payload)),
    'mail.approval-rejected': (payload) => sendApprovalRejectedMail(context, approvalPayload.parse(payload)),
    'mail.approval-reminder': (payload) => sendApprovalReminderMail(context, approvalReminderPayload.parse(payload)),
    'mail.recipient-unlocked': (payload) => sendRecipientUnlockedMail(context, unlockedPayload.parse(payload)),
    'mail.account': (payload) => sendAccountMail(context, accountMailPayload.parse(payload)),
    'mail.invitation': (payload) => sendInvitationMail(context, invitationPayload.parse(payload)),
    'mail.signer-registration': (payload) =>
      sendSignerRegistrationMail(context, registrationLinkPayload.parse(payload)),
    'mail.signer-registered': (payload) => sendSignerRegisteredMail(context, registeredPayload.parse(payload)),
    'webhook.deliver': (payload) => deliverWebhook(context, webhookPayload.parse(payload)),
    'bulk.send-row': (payload) => sendBulkRow(context, bulkRowPayload.parse(payload)),
  };
}
