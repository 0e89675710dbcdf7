import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { threadId } from 'node:worker_threads';
import { startOnDemandWorkerThread, startWorkerThread } from '../../src/jobs/worker-thread.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { createTestContext, DIALECTS, type TestContext } from '../helpers/test-database.ts';

const HANDLERS = new URL('../helpers/thread-job-handlers.ts', import.meta.url).href;

for (const dialect of DIALECTS) {
  describe(`the job worker thread on ${dialect}`, () => {
    let t: TestContext;
    before(async () => {
      t = await createTestContext(dialect);
    });
    after(async () => {
      await t?.cleanup();
    });

    test('runs jobs enqueued by the main thread in another thread with its own context, and stops cleanly', async () => {
      const env = {
        INKAN_ENV: 'test',
        INKAN_DATA_DIR: t.dataDir,
        ...(t.database.url ? { INKAN_DATABASE_URL: t.database.url } : {}),
      };
      let exitCode: number | undefined;
      const thread = await startWorkerThread({
        env,
        pollMs: 10,
        handlersModule: HANDLERS,
        onExit: (code) => (exitCode = code),
      });
      try {
        for (const id of ['e1', 'e2', 'e3'])
          await t.context.jobs.enqueue(t.context.db, 'mail.completion', { envelopeId: id });
        // Wait on the condition: all three jobs done (polled through the database, not a fixed sleep).
        await waitFor(
          async () =>
            (await t.context.db.selectFrom('jobs').select('id').where('status', '!=', 'done').execute()).length === 0,
          { what: 'the jobs to be done' },
        );
      } finally {
        await thread.stop();
      }
      assert.equal(exitCode, 0);
      const mails = await t.context.db
        .selectFrom('mails')
        .select(['subject', 'text_body'])
        .orderBy('text_body')
        .execute();
      assert.deepEqual(
        mails.map((m) => m.text_body),
        ['e1', 'e2', 'e3'],
      );
      for (const m of mails) {
        assert.match(m.subject, /^thread \d+$/);
        assert.notEqual(m.subject, `thread ${threadId}`, 'not run on the main thread');
      }
    });

    test('on demand: starts when a job comes due, stops when idle, starts again on a wake-up', async () => {
      const env = {
        INKAN_ENV: 'test',
        INKAN_DATA_DIR: t.dataDir,
        ...(t.database.url ? { INKAN_DATABASE_URL: t.database.url } : {}),
      };
      await t.context.db.deleteFrom('jobs').execute();
      await t.context.db.deleteFrom('mails').execute();
      const thread = startOnDemandWorkerThread({
        env,
        db: t.context.db,
        idleMs: 1000,
        pollMs: 10,
        duePollMs: 20,
        handlersModule: HANDLERS,
        log: () => undefined,
      });
      const done = async (n: number) =>
        (await t.context.db.selectFrom('jobs').select('id').where('status', '=', 'done').execute()).length === n;
      try {
        // Nothing due: a wake-up (a request that queued nothing) starts no thread.
        thread.wake();
        assert.equal(thread.running(), false);
        assert.deepEqual(await thread.metrics(), []);
        // A job queued without a wake-up (another process): the look at the jobs table finds it.
        await t.context.jobs.enqueue(t.context.db, 'mail.completion', { envelopeId: 'o1' });
        await waitFor(() => thread.running(), { what: 'the thread to start for the due job' });
        await waitFor(() => done(1), { what: 'the first job to be done' });
        // No more work: the thread stops by itself.
        await waitFor(() => !thread.running(), { what: 'the idle thread to stop' });
        // A job and the web side's wake-up: started again, and the job runs.
        await t.context.jobs.enqueue(t.context.db, 'mail.completion', { envelopeId: 'o2' });
        thread.wake();
        await waitFor(() => done(2), { what: 'the second job to be done' });
      } finally {
        await thread.stop();
      }
      assert.equal(thread.running(), false);
      const mails = await t.context.db.selectFrom('mails').select('text_body').orderBy('text_body').execute();
      assert.deepEqual(
        mails.map((m) => m.text_body),
        ['o1', 'o2'],
      );
    });

    test('a thread that cannot start (bad configuration) rejects with the reason', async () => {
      await assert.rejects(
        startWorkerThread({ env: { INKAN_DATA_DIR: t.dataDir, INKAN_DATABASE_URL: 'mysql://nope' } }),
        /INKAN_DATABASE_URL/,
      );
    });
  });
}
