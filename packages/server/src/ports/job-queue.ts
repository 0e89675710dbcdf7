import { randomUUID } from 'node:crypto';
import type { Insertable } from 'kysely';
import type { DbOrTx, Schema } from './database.ts';

/** Kinds of jobs and their payloads. */
export interface JobPayloads {
  'mail.signing-request': { recipientId: string };
  /** A reminder (リマインド) with a new link (earlier ones kept); `reminder` numbers this recipient's reminders. */
  'mail.signing-reminder': { recipientId: string; reminder: number };
  'mail.completion': { envelopeId: string };
  'mail.recipient-locked': { recipientId: string };
  'mail.recipient-declined': { recipientId: string };
  /** 稟議: asks an approver to decide (the slot's user at queueing; a reassigned slot is mailed again). */
  'mail.approval-request': { approvalId: string; userId: string };
  'mail.approval-reminder': { approvalId: string; userId: string; reminder: number };
  /** 稟議: tells the sender that an approver sent the envelope back (差し戻し), with the reason. */
  'mail.approval-rejected': { approvalId: string };
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
  /** Shreds the documents whose retention period ended (once a Japan day; `day` YYYY-MM-DD). */
  'retention.sweep': { day: string };
  /** LTA renewal (once a UTC day): records new sealed files and renews archive timestamps that are due. */
  'archive.renewal': { day: string };
  /**
   * Tells an organisation's administrators that LTA renewal of its files was refused today because the
   * TSA's own certificate is too close to its end (`files`: how many; `tsaNotAfter`: that certificate's end).
   */
  'mail.renewal-refused': { organizationId: string; day: string; tsaNotAfter: string; files: number };
  /** Tells the sender (mails) or the administrators (signing, sealing …) that a job failed for good. */
  'mail.job-failed': { jobId: string };
  /** Makes a 届出 link's token and sends the registration request to the contact (once). */
  'mail.signer-registration': { linkId: string };
  /** Confirms a registration to the signer and the contact (never the code). */
  'mail.signer-registered': { contactId: string; registeredAt: string };
  /** Sends one webhook delivery (retried with the queue's backoff for INKAN_JOB_RETRY_FOR, then given up). */
  'webhook.deliver': { deliveryId: string };
  /** Makes and sends the envelope of one row of a bulk send (一括送信); a row done already is left alone. */
  'bulk.send-row': { rowId: string };
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

/**
 * Marks the running job done inside the caller's transaction, so that a job's effects and its completion
 * commit together (one write transaction fewer per job). A handler calls it in its LAST transaction only:
 * after that commit the job is done whatever the handler does next. Without the call the runner marks the
 * job done after the handler returns, as before.
 */
export type FinishJobIn = (tx: DbOrTx) => Promise<void>;

/** What a job's handler may be given to finish its job in its own transaction (see FinishJobIn). */
export interface JobCompletion {
  finishIn?: FinishJobIn;
}

/** A durable queue in the database. Enqueue inside the transaction of the change that causes the job. */
export interface JobQueue {
  enqueue<K extends JobKind>(
    db: DbOrTx,
    kind: K,
    payload: JobPayloads[K],
    options?: { dedupeKey?: string; runAt?: Date },
  ): Promise<void>;
  /** Several jobs of one kind at once (multi-row inserts: one round trip per chunk, not per job). */
  enqueueMany<K extends JobKind>(
    db: DbOrTx,
    kind: K,
    jobs: ReadonlyArray<{ payload: JobPayloads[K]; dedupeKey?: string; runAt?: Date }>,
  ): Promise<void>;
}

/**
 * The row of a newly queued job: what JobQueue.enqueue inserts, and what the webhook outbox inserts
 * itself (record-event.ts has only the transaction, not the queue). Insert it with
 * `onConflict(doNothing)`: the partial unique index on active dedupe keys makes a duplicate a no-op.
 */
export function queuedJobRow<K extends JobKind>(
  kind: K,
  payload: JobPayloads[K],
  now: Date,
  options: { dedupeKey?: string; runAt?: Date; maxAttempts: number },
): Insertable<Schema['jobs']> {
  return {
    id: randomUUID(),
    kind,
    payload: JSON.stringify(payload),
    dedupe_key: options.dedupeKey ?? null,
    status: 'queued',
    attempts: 0,
    max_attempts: options.maxAttempts,
    run_at: (options.runAt ?? now).toISOString(),
    locked_by: null,
    locked_until: null,
    last_error: null,
    created_at: now.toISOString(),
    finished_at: null,
    worker_id: null,
    first_attempt_at: null,
    organization_id: null,
    failed_notice_at: null,
  };
}
