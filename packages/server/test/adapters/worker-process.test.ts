/**
 * The job worker as a child process (what `serve --role=all` runs on demand): it runs the jobs in a
 * process of its own, exits when idle (its memory goes back to the system), is restarted after a
 * SIGKILL and takes back the job it held, and never outlives a server killed with SIGKILL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInkan } from '../helpers/run-inkan.ts';
import { startTestWorkerProcess } from '../helpers/process-worker.ts';
import { FAIL_START_FILE } from '../helpers/process-job-handlers.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { createTestContext, DIALECTS, type TestContext } from '../helpers/test-database.ts';
import { startInkanProcess } from '../e2e/helpers/inkan-process.ts';

const WAIT = { timeoutMs: 60_000, intervalMs: 20 };

/** Whether a process of this id exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

for (const dialect of DIALECTS) {
  describe(`the job worker process on ${dialect}`, () => {
    let t: TestContext;
    let env: Record<string, string>;
    before(async () => {
      t = await createTestContext(dialect);
      env = {
        INKAN_ENV: 'test',
        INKAN_DATA_DIR: t.dataDir,
        ...(t.database.url ? { INKAN_DATABASE_URL: t.database.url } : {}),
      };
    });
    after(async () => {
      await t?.cleanup();
    });

    const mails = async () =>
      (await t.context.db.selectFrom('mails').select(['subject', 'text_body']).orderBy('text_body').execute()).map(
        (m) => [m.text_body, m.subject],
      );
    const done = async (n: number) =>
      (await t.context.db.selectFrom('jobs').select('id').where('status', '=', 'done').execute()).length === n;

    test('runs due jobs in a child process that exits when idle, and a new one on a wake-up', async () => {
      const worker = startTestWorkerProcess({ env, db: t.context.db, idleMs: 1000 });
      try {
        worker.wake();
        assert.equal(worker.running(), false, 'nothing due: no process');
        await t.context.jobs.enqueue(t.context.db, 'mail.completion', { envelopeId: 'p1' });
        const first = await waitFor(() => worker.pid(), { ...WAIT, what: 'the worker process to start' });
        assert.notEqual(first, process.pid);
        if (process.platform === 'linux') {
          // V8's own young generation (16 MiB semi-spaces), not the server's 2 MiB of deploy/node-flags.json.
          const flags = readFileSync(`/proc/${first}/cmdline`, 'utf8')
            .split('\0')
            .filter((argument) => argument.startsWith('--max-semi-space-size'));
          assert.deepEqual(flags, ['--max-semi-space-size=16']);
        }
        await waitFor(() => done(1), { ...WAIT, what: 'the first job' });
        // No more work: the process exits (not just its runner).
        await waitFor(() => !worker.running() && !alive(first), { ...WAIT, what: 'the idle process to exit' });
        await t.context.jobs.enqueue(t.context.db, 'mail.completion', { envelopeId: 'p2' });
        worker.wake();
        await waitFor(() => done(2), { ...WAIT, what: 'the second job' });
        const second = worker.pid();
        assert.ok(second !== undefined && second !== first, 'a new process');
        assert.deepEqual(await mails(), [
          ['p1', `pid ${first}`],
          ['p2', `pid ${second}`],
        ]);
      } finally {
        await worker.stop();
      }
      assert.equal(worker.running(), false);
    });

    test('a worker process killed mid-job is restarted and takes the job back', async () => {
      await t.context.db.deleteFrom('jobs').execute();
      await t.context.db.deleteFrom('mails').execute();
      const worker = startTestWorkerProcess({ env, db: t.context.db, idleMs: 60_000 });
      try {
        await t.context.jobs.enqueue(t.context.db, 'mail.completion', { envelopeId: 'hold' });
        const first = await waitFor(() => worker.pid(), { ...WAIT, what: 'the worker process to start' });
        await waitFor(
          async () =>
            (await t.context.db.selectFrom('jobs').select(['status', 'locked_by']).execute()).some(
              (j) => j.status === 'running' && j.locked_by?.split(':')[1] === String(first),
            ),
          { ...WAIT, what: 'the job to be held by the process' },
        );
        process.kill(first, 'SIGKILL');
        const second = await waitFor(() => (worker.pid() !== first ? worker.pid() : undefined), {
          ...WAIT,
          what: 'the restarted process',
        });
        // Its slot's identity is the same: it takes the job back at once (no lease to wait out).
        await waitFor(() => done(1), { ...WAIT, what: 'the job to be done by the new process' });
        assert.deepEqual(await mails(), [['hold', `pid ${second}`]]);
      } finally {
        await worker.stop();
      }
    });

    // The supervisor's backoff does not depend on the database: one dialect is enough.
    if (dialect === 'sqlite')
      test('a restart that fails is tried again after twice the pause, until a process starts', async () => {
        await t.context.db.deleteFrom('jobs').execute();
        await t.context.db.deleteFrom('mails').execute();
        const lines: Array<Record<string, unknown>> = [];
        const worker = startTestWorkerProcess({ env, db: t.context.db, idleMs: 60_000, log: (l) => lines.push(l) });
        const failStart = join(t.dataDir, FAIL_START_FILE);
        try {
          await t.context.jobs.enqueue(t.context.db, 'mail.completion', { envelopeId: 'before' });
          await waitFor(() => done(1), { ...WAIT, what: 'the first job' });
          const first = worker.pid()!;
          // From now on a new process fails to start (its database is down, say); the running one dies.
          writeFileSync(failStart, '');
          process.kill(first, 'SIGKILL');
          const failures = () => lines.filter((l) => l.msg === 'job worker process restart failed');
          await waitFor(() => failures().length >= 2, { ...WAIT, what: 'two failed restarts' });
          // The first restart came 1 s after the crash; each failure doubles the pause before the next try.
          assert.deepEqual(
            failures()
              .slice(0, 2)
              .map((l) => [l.error, l.retryMs]),
            [
              ['told not to start (test)', 2000],
              ['told not to start (test)', 4000],
            ],
          );
          assert.equal(worker.running(), true, 'the supervisor still counts on a process');
          rmSync(failStart);
          await t.context.jobs.enqueue(t.context.db, 'mail.completion', { envelopeId: 'after' });
          await waitFor(() => done(2), { ...WAIT, what: 'the job after the outage' });
          const second = worker.pid();
          assert.ok(second !== undefined && second !== first && alive(second), 'a new process runs');
          assert.deepEqual(await mails(), [
            ['after', `pid ${second}`],
            ['before', `pid ${first}`],
          ]);
          assert.equal(failures().length, 2, 'no failure after the cause was gone');
        } finally {
          rmSync(failStart, { force: true });
          await worker.stop();
        }
      });
  });
}

describe('serve --role=all and its job worker process', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'inkan-worker-process-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('the worker process exits when the server is killed with SIGKILL', async () => {
    const dataDir = join(dir, 'data');
    const env = { INKAN_DATA_DIR: dataDir, INKAN_ENV: 'test', INKAN_PORT: '0', INKAN_WORKER_THREADS: '1' };
    assert.equal((await runInkan(['init'], { dataDir, env })).code, 0);
    const server = await startInkanProcess(['serve', '--role=all'], env);
    try {
      // The daily jobs queued at start are due: the server starts its worker process and says so.
      const started = await waitFor(
        () =>
          server.output
            .map((line) => /"msg":"job worker process started".*"pid":(\d+)/.exec(line)?.[1])
            .find((pid) => pid !== undefined),
        { ...WAIT, what: `the worker process to start:\n${server.output.join('\n')}` },
      );
      const pid = Number(started);
      assert.ok(alive(pid));
      assert.notEqual(pid, server.child.pid);
      await server.kill9();
      await waitFor(() => !alive(pid), { ...WAIT, what: 'the orphaned worker process to exit' });
    } finally {
      await server.kill9();
    }
  });
});
