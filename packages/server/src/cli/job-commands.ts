import type { Config } from '../config/config.ts';
import { createContext } from '../context.ts';
import { AppError } from '../domain/app-error.ts';
import { retryFailedJob } from '../domain/use-cases/retry-failed-job.ts';
import { jobKindLabel } from '../mail/templates/job-failed.ts';

const USAGE = 'usage: inkan jobs failed | inkan jobs retry ID';

/**
 * `inkan jobs failed`: every failed job of the installation (organisations' and system jobs — backups,
 * audit anchors, account mails — which no organisation's administrators see), newest first, with the
 * last error. `inkan jobs retry ID`: queues one again (event `job.retried`, actor system).
 */
export async function jobsCommand(config: Config, args: string[]): Promise<number> {
  const [sub, id, ...extra] = args;
  if (!((sub === 'failed' && id === undefined) || (sub === 'retry' && id !== undefined && extra.length === 0))) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const context = await createContext(config);
  try {
    if (sub === 'failed') {
      const rows = await context.db
        .selectFrom('jobs')
        .leftJoin('organizations', 'organizations.id', 'jobs.organization_id')
        .select([
          'jobs.id',
          'jobs.kind',
          'jobs.attempts',
          'jobs.first_attempt_at',
          'jobs.finished_at',
          'jobs.last_error',
          'organizations.slug',
        ])
        .where('jobs.status', '=', 'failed')
        .orderBy('jobs.finished_at', 'desc')
        .limit(1000)
        .execute();
      if (rows.length === 0) process.stdout.write('no failed jobs\n');
      for (const row of rows)
        process.stdout.write(
          `${row.id}  ${row.kind} (${jobKindLabel(row.kind, 'ja')})  org ${row.slug ?? '-'}  failed ${row.finished_at ?? '-'}  ` +
            `${row.attempts} attempts since ${row.first_attempt_at ?? '-'}\n  ${row.last_error ?? ''}\n`,
        );
      return 0;
    }
    if (!/^[0-9a-f-]{36}$/i.test(id!)) {
      process.stderr.write(`inkan jobs retry: "${id}" is not a job id (a UUID from inkan jobs failed)\n`);
      return 2;
    }
    try {
      await retryFailedJob(context, { organizationId: null, jobId: id!, actor: { type: 'system', id: null } });
    } catch (error) {
      if (error instanceof AppError && (error.code === 'NOT_FOUND' || error.code === 'JOB_NOT_FAILED')) {
        process.stderr.write(`inkan jobs retry: ${error.code}: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
    process.stdout.write(`queued again: ${id}\n`);
    return 0;
  } finally {
    await context.close();
  }
}
