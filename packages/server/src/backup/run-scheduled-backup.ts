/*
 * The scheduled backup (job `backup.run`): daily at INKAN_BACKUP_SCHEDULE in INKAN_TIME_ZONE, then
 * pruning by the grandfather-father-son policy. Each run first queues the next day's, so the schedule
 * survives a failed run; the dedupe key (the slot's instant) makes one run per slot across workers.
 */
import type { Config } from '../config/config.ts';
import type { Clock } from '../ports/clock.ts';
import type { Db } from '../ports/database.ts';
import type { JobQueue } from '../ports/job-queue.ts';
import { createBackup, pruneBackups, type BackupManifest } from './backups.ts';
import { nextDailyTime } from './retention.ts';

/** What the scheduled backup needs from the context. */
export interface BackupScheduleContext {
  config: Config;
  db: Db;
  jobs: JobQueue;
  clock: Clock;
}

/** Queues the next scheduled backup after `after` (nothing when INKAN_BACKUP_SCHEDULE is off). */
export async function scheduleBackup(ctx: BackupScheduleContext, after: Date): Promise<Date | null> {
  const schedule = ctx.config.backup.schedule;
  if (schedule === null) return null;
  const slot = nextDailyTime(after, schedule, ctx.config.timeZone);
  await ctx.jobs.enqueue(
    ctx.db,
    'backup.run',
    { slot: slot.toISOString() },
    { dedupeKey: `backup:${slot.toISOString()}`, runAt: slot },
  );
  return slot;
}

/** Job `backup.run`: queues the next run, takes a backup to INKAN_BACKUP_TARGET, prunes old generations. */
export async function runScheduledBackup(
  ctx: BackupScheduleContext,
  slot: Date,
): Promise<{ manifest: BackupManifest; pruned: string[] }> {
  await scheduleBackup(ctx, slot.getTime() > ctx.clock.now().getTime() ? slot : ctx.clock.now());
  const manifest = await createBackup(ctx.config, ctx.clock);
  const pruned = await pruneBackups(ctx.config);
  return { manifest, pruned };
}
