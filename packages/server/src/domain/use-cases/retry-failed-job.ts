import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';

/**
 * Queues a failed job of the organisation (or, for the operator's `inkan jobs retry`, organizationId
 * null: any failed job, system jobs included) again, due now, with a fresh retry window (attempts from 0),
 * and records `job.retried` in the same transaction. A job of another organisation is NOT_FOUND; one
 * that is not failed (retried already) — or whose work another active job with the same dedupe key is
 * doing — is JOB_NOT_FAILED, and nothing changes.
 */
export async function retryFailedJob(
  ctx: DomainContext,
  input: { organizationId: string | null; jobId: string; actor: Actor; origin?: RequestOrigin },
): Promise<{ id: string; status: 'queued' }> {
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    let query = tx
      .selectFrom('jobs')
      .select(['id', 'kind', 'status', 'dedupe_key', 'attempts', 'organization_id'])
      .where('id', '=', input.jobId);
    if (input.organizationId !== null) query = query.where('organization_id', '=', input.organizationId);
    const job = await query.executeTakeFirst();
    if (!job) throw new AppError('NOT_FOUND', 'no such failed job in this organisation');
    if (job.status !== 'failed') throw new AppError('JOB_NOT_FAILED', 'only a failed job can be retried');
    if (job.dedupe_key !== null) {
      const active = await tx
        .selectFrom('jobs')
        .select('id')
        .where('dedupe_key', '=', job.dedupe_key)
        .where('status', 'in', ['queued', 'running'])
        .executeTakeFirst();
      if (active) throw new AppError('JOB_NOT_FAILED', 'the same work is queued or running already');
    }
    const now = ctx.clock.now();
    await tx
      .updateTable('jobs')
      .set({
        status: 'queued',
        attempts: 0,
        run_at: now.toISOString(),
        first_attempt_at: null,
        finished_at: null,
        locked_by: null,
        locked_until: null,
        failed_notice_at: null,
      })
      .where('id', '=', job.id)
      .where('status', '=', 'failed')
      .execute();
    await recordEvent(tx, {
      organizationId: job.organization_id,
      actor: input.actor,
      action: 'job.retried',
      origin: input.origin,
      at: now,
      details: { jobId: job.id, kind: job.kind, previousAttempts: job.attempts },
    });
    return { id: job.id, status: 'queued' as const };
  });
}
