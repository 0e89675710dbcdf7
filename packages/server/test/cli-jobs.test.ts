/**
 * `inkan jobs failed` and `inkan jobs retry ID` (the real CLI in a child process): the operator sees
 * failed system jobs that no organisation's administrators see (here a backup whose target cannot be
 * a directory), with the last error, and queues one again; a second retry, an unknown id and a malformed
 * id are refused with their exit codes and change nothing.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DbJobQueue, startJobRunner } from '../src/adapters/jobs/db-job-queue.ts';
import { createJobHandlers } from '../src/jobs/handlers.ts';
import { jobRunnerPolicy } from '../src/jobs/worker-thread.ts';
import { runInkan } from './helpers/run-inkan.ts';
import { createTestContext, type TestContext } from './helpers/test-database.ts';

describe('inkan jobs', () => {
  let t: TestContext;
  let env: Record<string, string>;
  let jobId: string;

  before(async () => {
    t = await createTestContext('sqlite');
    // A target that is a file, not a directory: the backup fails.
    const target = join(t.dataDir, 'not-a-directory');
    writeFileSync(target, 'x');
    const config = { ...t.context.config, backup: { ...t.context.config.backup, target } };
    const context = { ...t.context, config };
    await new DbJobQueue({ clock: t.context.clock }).enqueue(t.context.db, 'backup.run', {
      slot: new Date('2030-01-01T18:00:00.000Z').toISOString(),
    });
    const runner = startJobRunner({
      ...jobRunnerPolicy(context, 'test'),
      retryForMs: 1,
      manual: true,
      handlers: { 'backup.run': createJobHandlers(context)['backup.run'] },
    });
    assert.equal(await runner.runOnce(), true);
    await runner.stop();
    const job = await t.context.db
      .selectFrom('jobs')
      .select(['id', 'status'])
      .where('kind', '=', 'backup.run')
      .executeTakeFirstOrThrow();
    assert.equal(job.status, 'failed');
    jobId = job.id;
    env = { INKAN_DATABASE_URL: t.database.url!, INKAN_SIGNING_KEY_ALGORITHM: 'ECDSA-P256', INKAN_ENV: 'test' };
  });
  after(async () => t?.cleanup());

  it('lists the failed system job with its error, retries it once, refuses the rest', async () => {
    const list = await runInkan(['jobs', 'failed'], { dataDir: t.dataDir, env });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`${jobId}  backup\\.run \\(バックアップ\\)  org -`));
    assert.match(list.stdout, /ENOTDIR|EEXIST|not a directory/i);

    const retry = await runInkan(['jobs', 'retry', jobId], { dataDir: t.dataDir, env });
    assert.equal(retry.code, 0, retry.stderr);
    assert.match(retry.stdout, new RegExp(`queued again: ${jobId}`));
    const job = await t.context.db
      .selectFrom('jobs')
      .select(['status', 'attempts'])
      .where('id', '=', jobId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(job, { status: 'queued', attempts: 0 });
    const events = await t.context.db
      .selectFrom('events')
      .select(['actor_type', 'details'])
      .where('action', '=', 'job.retried')
      .execute();
    assert.equal(events.length, 1);
    assert.equal(JSON.parse(events[0]!.details).jobId, jobId);

    const again = await runInkan(['jobs', 'retry', jobId], { dataDir: t.dataDir, env });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /JOB_NOT_FAILED/);
    const unknown = await runInkan(['jobs', 'retry', '00000000-0000-4000-8000-000000000000'], {
      dataDir: t.dataDir,
      env,
    });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /NOT_FOUND/);
    const malformed = await runInkan(['jobs', 'retry', "x'; drop table jobs"], { dataDir: t.dataDir, env });
    assert.equal(malformed.code, 2);
    const usage = await runInkan(['jobs'], { dataDir: t.dataDir, env });
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /usage: inkan jobs failed/);
  });
});
