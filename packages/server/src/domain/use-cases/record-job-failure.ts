import type { DbOrTx } from '../../ports/database.ts';
import type { JobQueue } from '../../ports/job-queue.ts';
import { recordEvent } from '../record-event.ts';
import { giveUpWebhookDelivery } from './deliver-webhook.ts';

/** Job kinds whose payload names a recipient, an envelope, or a deadline reminder. */
const RECIPIENT_KINDS = new Set([
  'mail.signing-request',
  'mail.recipient-locked',
  'mail.recipient-declined',
  'envelope.sign',
]);
const ENVELOPE_KINDS = new Set(['mail.completion', 'envelope.seal', 'envelope.certificate']);

/** The organisation and envelope a job concerns, from its payload (null for system and account jobs). */
export async function subjectOfJob(
  db: DbOrTx,
  kind: string,
  payload: unknown,
): Promise<{ organizationId: string | null; envelopeId: string | null }> {
  const p = (payload ?? {}) as Record<string, unknown>;
  const none = { organizationId: null, envelopeId: null };
  if (RECIPIENT_KINDS.has(kind) && typeof p.recipientId === 'string') {
    const row = await db
      .selectFrom('recipients')
      .innerJoin('envelopes', 'envelopes.id', 'recipients.envelope_id')
      .select(['envelopes.id', 'envelopes.organization_id'])
      .where('recipients.id', '=', p.recipientId)
      .executeTakeFirst();
    return row ? { organizationId: row.organization_id, envelopeId: row.id } : none;
  }
  if (ENVELOPE_KINDS.has(kind) && typeof p.envelopeId === 'string') {
    const row = await db
      .selectFrom('envelopes')
      .select(['id', 'organization_id'])
      .where('id', '=', p.envelopeId)
      .executeTakeFirst();
    return row ? { organizationId: row.organization_id, envelopeId: row.id } : none;
  }
  if (kind === 'mail.contract-reminder' && typeof p.reminderId === 'string') {
    const row = await db
      .selectFrom('contract_reminders')
      .innerJoin('contracts', 'contracts.id', 'contract_reminders.contract_id')
      .select(['contracts.organization_id'])
      .where('contract_reminders.id', '=', p.reminderId)
      .executeTakeFirst();
    return { organizationId: row?.organization_id ?? null, envelopeId: null };
  }
  if (kind === 'bulk.send-row' && typeof p.rowId === 'string') {
    const row = await db
      .selectFrom('bulk_send_rows')
      .innerJoin('bulk_sends', 'bulk_sends.id', 'bulk_send_rows.bulk_send_id')
      .select(['bulk_sends.organization_id', 'bulk_send_rows.envelope_id'])
      .where('bulk_send_rows.id', '=', p.rowId)
      .executeTakeFirst();
    return { organizationId: row?.organization_id ?? null, envelopeId: row?.envelope_id ?? null };
  }
  // A webhook delivery given up after its retry window (its organisation replays it from 失敗した処理).
  if (kind === 'webhook.deliver' && typeof p.deliveryId === 'string') {
    const row = await db
      .selectFrom('webhook_deliveries')
      .select('organization_id')
      .where('id', '=', p.deliveryId)
      .executeTakeFirst();
    return { organizationId: row?.organization_id ?? null, envelopeId: null };
  }
  // The address book's 届出 mails (issue 11 part 6).
  if (kind === 'mail.signer-registration' && typeof p.linkId === 'string') {
    const row = await db
      .selectFrom('address_book_registration_links')
      .select('organization_id')
      .where('id', '=', p.linkId)
      .executeTakeFirst();
    return { organizationId: row?.organization_id ?? null, envelopeId: null };
  }
  if (kind === 'mail.signer-registered' && typeof p.contactId === 'string') {
    const row = await db
      .selectFrom('address_book_contacts')
      .select('organization_id')
      .where('id', '=', p.contactId)
      .executeTakeFirst();
    return { organizationId: row?.organization_id ?? null, envelopeId: null };
  }
  return none;
}

/**
 * The queue's onFailed: in the transaction that marks a job failed for good, records which organisation
 * it concerns (whose administrators see it in the failed jobs list), writes `job.failed` to the
 * operation log, and queues the notice mail to the people concerned (not for a failed notice itself,
 * which would only fail again, nor for system jobs, which the operator sees in the logs and the CLI).
 */
export async function recordJobFailure(
  ctx: { jobs: JobQueue; dialect: 'sqlite' | 'postgres' },
  tx: DbOrTx,
  job: { id: string; kind: string; attempt: number; payload: unknown; at: Date },
): Promise<void> {
  const subject = await subjectOfJob(tx, job.kind, job.payload);
  await tx.updateTable('jobs').set({ organization_id: subject.organizationId }).where('id', '=', job.id).execute();
  // A webhook given up after its retry window: the delivery log and 失敗した処理 show it (no notice mail
  // per delivery, no event: the delivery row keeps the last status and error).
  if (job.kind === 'webhook.deliver') {
    await giveUpWebhookDelivery(tx, ctx.dialect, job.payload, job.at);
    return;
  }
  // A bulk send row given up: its result says so (its bulk send would otherwise never finish).
  if (job.kind === 'bulk.send-row') {
    const { rowId } = (job.payload ?? {}) as { rowId?: unknown };
    if (typeof rowId === 'string')
      await tx
        .updateTable('bulk_send_rows')
        .set({ status: 'failed', error_code: 'JOB_FAILED', finished_at: job.at.toISOString() })
        .where('id', '=', rowId)
        .where('status', '=', 'pending')
        .execute();
  }
  await recordEvent(tx, {
    organizationId: subject.organizationId,
    envelopeId: subject.envelopeId,
    actor: { type: 'system', id: null },
    action: 'job.failed',
    at: job.at,
    details: { jobId: job.id, kind: job.kind, attempts: job.attempt },
  });
  if (job.kind === 'mail.job-failed' || subject.organizationId === null) return;
  await ctx.jobs.enqueue(
    tx,
    'mail.job-failed',
    { jobId: job.id },
    { dedupeKey: `job-failed:${job.id}:${job.attempt}` },
  );
}
