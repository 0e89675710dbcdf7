/*
 * Scheduled work (the daily audit anchor, backups, deadline reminders, the expiry sweep) runs once per
 * period across any number of workers: the job of a period first claims the row (task, period) of
 * scheduled_runs. The insert of the claim is atomic on both dialects (primary key, ON CONFLICT DO
 * NOTHING), so of two jobs for the same period — two workers that each queued it after their start, a
 * job queued again after the first one finished — exactly one runs. The claiming job's own retries
 * may continue a run it did not finish; any other job skips.
 */
import type { DbOrTx } from '../ports/database.ts';

/** Scheduled tasks, by the name their claims carry. */
export type ScheduledTask =
  | 'audit.anchor'
  | 'backup.run'
  | 'register.reminders'
  | 'envelope.expiry-sweep'
  | 'retention.sweep'
  | 'archive.renewal';

/**
 * Claims (task, period) for `jobId`. True when this job may run the period's work: it claimed it now,
 * or it claimed it on an earlier attempt that did not finish. False when another job has it.
 */
export async function claimScheduledRun(
  db: DbOrTx,
  claim: { task: ScheduledTask; period: string; jobId: string; now: Date },
): Promise<boolean> {
  await db
    .insertInto('scheduled_runs')
    .values({
      task: claim.task,
      period: claim.period,
      job_id: claim.jobId,
      claimed_at: claim.now.toISOString(),
      finished_at: null,
    })
    .onConflict((oc) => oc.columns(['task', 'period']).doNothing())
    .execute();
  const row = await db
    .selectFrom('scheduled_runs')
    .select(['job_id', 'finished_at'])
    .where('task', '=', claim.task)
    .where('period', '=', claim.period)
    .executeTakeFirstOrThrow();
  return row.job_id === claim.jobId && row.finished_at === null;
}

/** Marks the period's work done (a later retry of the same job then does not run it again). */
export async function finishScheduledRun(
  db: DbOrTx,
  claim: { task: ScheduledTask; period: string; jobId: string; now: Date },
): Promise<void> {
  await db
    .updateTable('scheduled_runs')
    .set({ finished_at: claim.now.toISOString() })
    .where('task', '=', claim.task)
    .where('period', '=', claim.period)
    .where('job_id', '=', claim.jobId)
    .execute();
}

/**
 * Runs `work` once for (task, period) across instances: nothing when another job claimed the period.
 * Resolves true when the work ran here.
 */
export async function runOncePerPeriod(
  ctx: { db: DbOrTx; clock: { now(): Date } },
  claim: { task: ScheduledTask; period: string; jobId: string },
  work: () => Promise<void>,
): Promise<boolean> {
  if (!(await claimScheduledRun(ctx.db, { ...claim, now: ctx.clock.now() }))) return false;
  await work();
  await finishScheduledRun(ctx.db, { ...claim, now: ctx.clock.now() });
  return true;
}
