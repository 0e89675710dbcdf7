import type { DbOrTx } from './database.ts';

/** Kinds of jobs and their payloads. */
export interface JobPayloads {
  'mail.signing-request': { recipientId: string };
  'mail.completion': { envelopeId: string };
  'mail.recipient-locked': { recipientId: string };
  'mail.recipient-declined': { recipientId: string };
  'envelope.sign': { recipientId: string };
  'envelope.seal': { envelopeId: string };
  /** Issues the certificate of completion (契約締結証明書) of a completed envelope, then queues the completion mail. */
  'envelope.certificate': { envelopeId: string };
  /** Timestamps the operation log's chain head (once a day; `day` is the UTC date it is for). */
  'audit.anchor': { day: string };
  /** The scheduled backup of `slot` (an ISO instant), then pruning by the retention policy. */
  'backup.run': { slot: string };
}
export type JobKind = keyof JobPayloads;

/** A durable queue in the database. Enqueue inside the transaction of the change that causes the job. */
export interface JobQueue {
  enqueue<K extends JobKind>(db: DbOrTx, kind: K, payload: JobPayloads[K], options?: { dedupeKey?: string; runAt?: Date }): Promise<void>;
}
