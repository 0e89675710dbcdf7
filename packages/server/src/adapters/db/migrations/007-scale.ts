import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Several instances and the retry policy (issue 10 parts 3 and 4):
 * - jobs: `worker_id`, the stable identity of the worker holding a job (INKAN_WORKER_ID, or host and
 *   role), so that a restarted worker takes back its previous process's jobs at once instead of waiting
 *   for their lease; `first_attempt_at`, from which the retry window (INKAN_JOB_RETRY_FOR, 72 h) counts;
 *   `organization_id`, the organisation a failed job concerns (whose administrators see it);
 *   `failed_notice_at`, when the people concerned were told of the failure.
 * - scheduled_runs: one row per (task, period) claimed by the job that runs it, so that daily work
 *   (audit anchor, backup, reminders) and the expiry sweep run once per period across instances.
 */
export function scaleMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('jobs').addColumn('worker_id', 'text').execute();
      await db.schema.alterTable('jobs').addColumn('first_attempt_at', 'text').execute();
      await db.schema.alterTable('jobs').addColumn('organization_id', 'text').execute();
      await db.schema.alterTable('jobs').addColumn('failed_notice_at', 'text').execute();
      // The administrators' list of failed jobs; and a restarted worker's reclaim of its running jobs.
      await db.schema
        .createIndex('jobs_failed_organization')
        .on('jobs')
        .columns(['organization_id', 'finished_at'])
        .where(sql.ref('status'), '=', 'failed')
        .execute();
      await db.schema
        .createIndex('jobs_running_worker')
        .on('jobs')
        .column('worker_id')
        .where(sql.ref('status'), '=', 'running')
        .execute();
      await db.schema
        .createTable('scheduled_runs')
        .addColumn('task', 'text', (c) => c.notNull())
        .addColumn('period', 'text', (c) => c.notNull())
        // The job that claimed the period: its own retries may continue the run, nobody else's may.
        .addColumn('job_id', 'text', (c) => c.notNull())
        .addColumn('claimed_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .addPrimaryKeyConstraint('scheduled_runs_pk', ['task', 'period'])
        .execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('scheduled_runs').ifExists().execute();
      await db.schema.dropIndex('jobs_running_worker').ifExists().execute();
      await db.schema.dropIndex('jobs_failed_organization').ifExists().execute();
      for (const column of ['failed_notice_at', 'organization_id', 'first_attempt_at', 'worker_id'])
        await db.schema.alterTable('jobs').dropColumn(column).execute();
    },
  };
}
