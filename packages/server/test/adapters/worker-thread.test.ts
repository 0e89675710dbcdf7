import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { threadId } from 'node:worker_threads';
import { startWorkerThread } from '../../src/jobs/worker-thread.ts';
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

    test('a thread that cannot start (bad configuration) rejects with the reason', async () => {
      await assert.rejects(
        startWorkerThread({ env: { INKAN_DATA_DIR: t.dataDir, INKAN_DATABASE_URL: 'mysql://nope' } }),
        /INKAN_DATABASE_URL/,
      );
    });
  });
}
