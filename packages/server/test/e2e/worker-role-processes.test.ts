/**
 * `inkan serve --role=worker` with INKAN_WORKER_THREADS=2, as a real process: it runs its jobs in two child
 * processes (slots `worker` and `worker#2`, whose stable identities are INKAN_WORKER_ID and ID#2), which
 * do the jobs queued in the database; a job process killed with SIGKILL is started again in its slot (all
 * of them killed at once too, the server waiting for nothing else meanwhile);
 * SIGTERM to the server ends it and its job processes (it waits for them), and a bare SIGKILL of the server
 * alone (`kill -9 PID`, not of its process group) leaves no job process behind either: they drain and exit.
 * PostgreSQL is what several worker processes are for; SQLite runs the same (the job processes take the
 * server's write lock through its broker).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createTestContext, DIALECTS, type TestContext } from '../helpers/test-database.ts';
import { waitFor } from '../helpers/wait-for.ts';
import {
  expectJobProcesses,
  jobProcessesBySlot,
  processRuns,
  processStat,
  startInkanProcess,
  type InkanProcess,
} from './helpers/inkan-process.ts';

const WAIT = { timeoutMs: 60_000, intervalMs: 20 };

for (const dialect of DIALECTS) {
  describe(
    `serve --role=worker with two job processes on ${dialect}`,
    { skip: process.platform !== 'linux' && 'reads /proc' },
    () => {
      let t: TestContext;
      let env: Record<string, string>;
      let server: InkanProcess;
      const servers: InkanProcess[] = [];

      before(async () => {
        t = await createTestContext(dialect);
        env = {
          INKAN_ENV: 'test',
          INKAN_DATA_DIR: t.dataDir,
          INKAN_SIGNING_KEY_ALGORITHM: 'ECDSA-P256',
          ...(t.database.url ? { INKAN_DATABASE_URL: t.database.url } : {}),
          INKAN_BACKUP_SCHEDULE: 'off',
          INKAN_WORKER_THREADS: '2',
          INKAN_WORKER_ID: 'w',
        };
      });
      after(async () => {
        for (const started of servers) await started.stop();
        await t?.cleanup();
      });

      async function startWorker(): Promise<InkanProcess> {
        const started = await startInkanProcess(['serve', '--role=worker'], env);
        servers.push(started);
        return started;
      }

      /** Queues `n` completion mails of envelopes that do not exist (done at once) and waits until all are done. */
      async function jobsGetDone(n: number): Promise<string[]> {
        const ids = Array.from({ length: n }, () => randomUUID());
        await t.context.jobs.enqueueMany(
          t.context.db,
          'mail.completion',
          ids.map((envelopeId) => ({ payload: { envelopeId } })),
        );
        const doneBy = async () =>
          (
            await t.context.db
              .selectFrom('jobs')
              .select(['payload', 'status', 'worker_id'])
              .where('kind', '=', 'mail.completion')
              .execute()
          ).filter((job) => ids.some((id) => String(job.payload).includes(id)));
        await waitFor(async () => (await doneBy()).filter((job) => job.status === 'done').length === n, {
          ...WAIT,
          what: `${n} queued jobs to be done`,
        });
        return (await doneBy()).map((job) => job.worker_id ?? 'none');
      }

      test('runs two job processes, children of the server, which do the queued jobs', async () => {
        server = await startWorker();
        await expectJobProcesses(server, ['worker', 'worker#2']);
        const workerIds = await jobsGetDone(20);
        assert.ok(
          workerIds.every((id) => id === 'w' || id === 'w#2'),
          `done under the slots' identities: ${[...new Set(workerIds)].join(', ')}`,
        );
        if (dialect === 'sqlite')
          assert.ok(
            !server.output.some((line) => line.includes('no SQLite write-lock broker')),
            'the job processes take the server’s write lock through its broker',
          );
      });

      test('a job process killed with SIGKILL is started again in its slot', async () => {
        const before = new Map(jobProcessesBySlot(server));
        const killed = before.get('worker#2')!;
        process.kill(killed, 'SIGKILL');
        const restarted = await waitFor(
          () => {
            const pid = new Map(jobProcessesBySlot(server)).get('worker#2');
            return pid !== killed ? pid : undefined;
          },
          { ...WAIT, what: 'the job process of slot worker#2 to be started again' },
        );
        assert.ok(processRuns(restarted));
        assert.equal(processStat(restarted).parent, server.child.pid);
        assert.equal(new Map(jobProcessesBySlot(server)).get('worker'), before.get('worker'), 'its sibling ran on');
        assert.ok(server.output.some((line) => line.includes('"msg":"job worker process exited"')));
        await jobsGetDone(10);
      });

      test('job processes all killed at once are started again; the server runs on', async () => {
        const killed = jobProcessesBySlot(server);
        for (const [, pid] of killed) process.kill(pid, 'SIGKILL');
        // The server has nothing but the pending restarts to wait for: it must not end meanwhile.
        const restarted = await waitFor(
          () => {
            const now = jobProcessesBySlot(server);
            return now.every(([role, pid]) => pid !== killed.find(([r]) => r === role)?.[1]) ? now : undefined;
          },
          { ...WAIT, what: 'both job processes to be started again' },
        );
        assert.equal(server.child.exitCode, null, server.output.join('\n'));
        await expectJobProcesses(server, ['worker', 'worker#2']);
        assert.equal(restarted.length, 2);
        await jobsGetDone(10);
      });

      test('SIGTERM ends the server and its job processes', async () => {
        const pids = jobProcessesBySlot(server).map(([, pid]) => pid);
        assert.equal(pids.length, 2);
        const { code } = await server.stop();
        assert.equal(code, 0, server.output.join('\n'));
        // The server waited for them: they are gone when it is.
        for (const pid of pids) assert.equal(processRuns(pid), false, `job process ${pid} ended with the server`);
      });

      test('SIGKILL of the server process alone: its job processes drain and exit', async () => {
        const killed = await startWorker();
        const pids = (await expectJobProcesses(killed, ['worker', 'worker#2'])).map(([, pid]) => pid);
        assert.equal((await killed.kill9()).signal, 'SIGKILL');
        await waitFor(() => pids.every((pid) => !processRuns(pid)), {
          ...WAIT,
          what: 'the orphaned job processes to exit',
        });
        // Nothing was left half done: what they held they finished, and new jobs wait for a worker.
        assert.equal(
          (
            await t.context.db
              .selectFrom('jobs')
              .select('id')
              .where('status', '=', 'running')
              .where('worker_id', 'in', ['w', 'w#2'])
              .execute()
          ).length,
          0,
        );
      });
    },
  );
}
