import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';
import { queueReplay } from './replay-webhook-delivery.ts';

/**
 * Queues a failed job of the organisation (or, for the operator's `inkan jobs retry`, organizationId
 * null: any failed job, system jobs included) again, due now, with a fresh retry window (attempts from 0),
 * and records `job.retried` in the same transaction. A job of another organisation is NOT_FOUND; one
 * that is not failed (retried already) — or whose work another active job with the same dedupe key is
 * doing — is JOB_NOT_FAILED, and nothing changes.
 *
 * A given-up webhook delivery (`webhook.deliver`) is replayed instead (a new delivery of the same event,
 * as the delivery log's 再送 does, recording `webhook.replayed`): its own delivery stays failed in the
 * log, and the failed job leaves the list because its delivery has a replay. Once replayed, JOB_NOT_FAILED.
 */
export async function retryFailedJob(
  ctx: DomainContext,
  input: { organizationId: string | null; jobId: string; actor: Actor; origin?: RequestOrigin },
): Promise<{ id: string; status: 'queued'; deliveryId?: string }> {
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    let query = tx
      .selectFrom('jobs')
      .select(['id', 'kind', 'status', 'dedupe_key', 'attempts', 'organization_id', 'payload'])
      .where('id', '=', input.jobId);
    if (input.organizationId !== null) query = query.where('organization_id', '=', input.organizationId);
    const job = await query.executeTakeFirst();
    if (!job) throw new AppError('NOT_FOUND', 'no such failed job in this organisation');
    if (job.status !== 'failed') throw new AppError('JOB_NOT_FAILED', 'only a failed job can be retried');
    const now = ctx.clock.now();
    if (job.kind === 'webhook.deliver') {
      const deliveryId = (JSON.parse(job.payload) as { deliveryId?: unknown }).deliveryId;
      const original =
        typeof deliveryId === 'string'
          ? await tx.selectFrom('webhook_deliveries').selectAll().where('id', '=', deliveryId).executeTakeFirst()
          : undefined;
      if (!original) throw new AppError('NOT_FOUND', 'the delivery of this job is gone');
      const replayed = await tx
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('replay_of', '=', original.id)
        .executeTakeFirst();
      if (replayed) throw new AppError('JOB_NOT_FAILED', 'this delivery was replayed already');
      const replay = await queueReplay(tx, original, {
        actor: input.actor,
        origin: input.origin,
        at: now,
        jobId: job.id,
      });
      return { id: job.id, status: 'queued' as const, deliveryId: replay.id };
    }
    if (job.dedupe_key !== null) {
      const active = await tx
        .selectFrom('jobs')
        .select('id')
        .where('dedupe_key', '=', job.dedupe_key)
        .where('status', 'in', ['queued', 'running'])
        .executeTakeFirst();
      if (active) throw new AppError('JOB_NOT_FAILED', 'the same work is queued or running already');
    }
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
