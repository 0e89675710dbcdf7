import { renderJobFailed } from '../../mail/templates/job-failed.ts';
import type { DomainContext } from '../domain-context.ts';
import { isMailSent, senderUsers } from '../mail-delivery.ts';
import { toEnvelope } from '../rows.ts';
import { subjectOfJob } from './record-job-failure.ts';

/** Mail jobs about an envelope: their failure is told to the envelope's sender. */
const SENDER_KINDS = new Set([
  'mail.signing-request',
  'mail.completion',
  'mail.recipient-locked',
  'mail.recipient-declined',
]);

/** The organisation's administrators (who may retry failed jobs). */
async function administrators(
  ctx: DomainContext,
  organizationId: string,
): Promise<Array<{ id: string; name: string; email: string }>> {
  return ctx.db
    .selectFrom('users')
    .innerJoin('memberships', 'memberships.user_id', 'users.id')
    .select(['users.id', 'users.name', 'users.email'])
    .where('memberships.organization_id', '=', organizationId)
    .where('memberships.role', '=', 'admin')
    .orderBy('users.email')
    .execute();
}

/**
 * Job `mail.job-failed`: tells the envelope's sender (a failed mail) or the organisation's administrators
 * (a failed signature, seal, certificate or reminder) that a job failed for good, with its last error.
 * Once per person and failure (idempotency key); nothing when the job was retried meanwhile.
 */
export async function sendJobFailedMail(ctx: DomainContext, input: { jobId: string }): Promise<void> {
  const job = await ctx.db.selectFrom('jobs').selectAll().where('id', '=', input.jobId).executeTakeFirst();
  if (!job || job.status !== 'failed' || job.organization_id === null) return;
  let payload: unknown = null;
  try {
    payload = JSON.parse(job.payload) as unknown;
  } catch {
    // Told without the envelope's name.
  }
  const subject = await subjectOfJob(ctx.db, job.kind, payload);
  const envelopeRow = subject.envelopeId
    ? await ctx.db.selectFrom('envelopes').selectAll().where('id', '=', subject.envelopeId).executeTakeFirst()
    : undefined;
  const envelope = envelopeRow ? toEnvelope(envelopeRow) : undefined;
  const toSender = SENDER_KINDS.has(job.kind) && envelope !== undefined;
  const people = toSender ? await senderUsers(ctx.db, envelope) : await administrators(ctx, job.organization_id);
  const admins = new Set((await administrators(ctx, job.organization_id)).map((a) => a.id));
  for (const person of people) {
    // One mail per person and failure: a job retried by an administrator that fails again is told again.
    const key = `job-failed:${job.id}:${job.finished_at ?? ''}:${person.id}`;
    if (await isMailSent(ctx.db, key)) continue;
    const canRetry = admins.has(person.id);
    const url = canRetry
      ? `${ctx.config.publicUrl}/admin/jobs`
      : envelope
        ? `${ctx.config.publicUrl}/envelopes/${envelope.id}`
        : `${ctx.config.publicUrl}/envelopes`;
    await ctx.mailer.send({
      to: person.email,
      ...renderJobFailed({
        kind: job.kind,
        envelopeName: envelope?.name ?? null,
        attempts: job.attempts,
        firstAttemptAt: job.first_attempt_at ? new Date(job.first_attempt_at) : null,
        failedAt: new Date(job.finished_at ?? ctx.clock.now().toISOString()),
        lastError: job.last_error ?? '',
        url,
        canRetry,
      }),
      idempotencyKey: key,
    });
  }
  await ctx.db
    .updateTable('jobs')
    .set({ failed_notice_at: ctx.clock.now().toISOString() })
    .where('id', '=', job.id)
    .where('status', '=', 'failed')
    .execute();
}
