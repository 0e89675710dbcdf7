import type { DbOrTx } from './database.ts';

/** Kinds of jobs and their payloads. */
export interface JobPayloads {
  'mail.signing-request': { recipientId: string };
  /** A reminder (リマインド) with the same link; `reminder` numbers this recipient's reminders. */
  'mail.signing-reminder': { recipientId: string; reminder: number };
  'mail.completion': { envelopeId: string };
  'mail.recipient-locked': { recipientId: string };
  'mail.recipient-declined': { recipientId: string };
  /** Tells a signer the sender unlocked their link (never the code); one per unlock. */
  'mail.recipient-unlocked': { recipientId: string; unlockedAt: string; newCode: boolean };
  'envelope.sign': { recipientId: string };
  'envelope.seal': { envelopeId: string };
  /** Issues the certificate of completion (契約締結証明書) of a completed envelope, then queues the completion mail. */
  'envelope.certificate': { envelopeId: string };
  /** A mail about an account (sign-up, password reset, e-mail change): the worker issues the link token. */
  'mail.account': AccountMailPayload;
  /** Timestamps the operation log's chain head (once a day; `day` is the UTC date it is for). */
  'audit.anchor': { day: string };
  /** The scheduled backup of `slot` (an ISO instant), then pruning by the retention policy. */
  'backup.run': { slot: string };
  /** Queues the register's deadline reminders due on a day (Japan date, YYYY-MM-DD); once a day. */
  'register.reminders': { day: string };
  /** Sends one queued deadline reminder to the 担当者 and watchers. */
  'mail.contract-reminder': { reminderId: string };
  /** Makes an invitation's link token and sends the invitation mail (once). */
  'mail.invitation': { invitationId: string; language: 'ja' | 'en' };
  /** Sweeps sent envelopes past their expiry date to `expired` (every INKAN_EXPIRY_SWEEP; `slot` an ISO instant). */
  'envelope.expiry-sweep': { slot: string };
  /** Tells the sender (mails) or the administrators (signing, sealing …) that a job failed for good. */
  'mail.job-failed': { jobId: string };
}
export type JobKind = keyof JobPayloads;

/** What an account mail job needs; `requestId` makes the mail go out once. */
export interface AccountMailPayload {
  purpose: 'signup' | 'password_reset' | 'email_change' | 'email_changed';
  email: string;
  language: 'ja' | 'en';
  userId: string | null;
  nextPath: string | null;
  /** email_changed: the new address, named in the notice to the old one. */
  newEmail?: string;
  requestId: string;
}

/** A durable queue in the database. Enqueue inside the transaction of the change that causes the job. */
export interface JobQueue {
  enqueue<K extends JobKind>(
    db: DbOrTx,
    kind: K,
    payload: JobPayloads[K],
    options?: { dedupeKey?: string; runAt?: Date },
  ): Promise<void>;
}
