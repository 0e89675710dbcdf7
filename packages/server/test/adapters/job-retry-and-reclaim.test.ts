/**
 * The retry policy and the reclaim of a restarted worker's jobs (issue 10 part 3 and 4), on both
 * dialects: capped exponential backoff (never more than 1 h between tries) for 72 h after the first
 * attempt, then failed with onFailed in the failing transaction; a worker process killed with SIGKILL
 * and started again under the same stable identity runs its job at once, without waiting for the lease.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  DbJobQueue,
  startJobRunner,
  type FailedJobInfo,
  type JobHandlers,
} from '../../src/adapters/jobs/db-job-queue.ts';
import { mayReclaimFrom, stableWorkerIdentity } from '../../src/jobs/worker-thread.ts';
import type { Db } from '../../src/ports/database.ts';
import { DIALECTS, openMigratedTestDatabase, TestClock, type MigratedTestDatabase } from '../helpers/test-database.ts';
import { waitFor } from '../helpers/wait-for.ts';

const CRASH_WORKER = fileURLToPath(new URL('../helpers/job-crash-worker.ts', import.meta.url));
const HOUR = 3_600_000;

async function onlyJob(db: Db) {
  const rows = await db.selectFrom('jobs').selectAll().execute();
  assert.equal(rows.length, 1);
  return rows[0]!;
}

for (const dialect of DIALECTS) {
  describe(`job retry policy and reclaim on ${dialect}`, () => {
    let database: MigratedTestDatabase;
    before(async () => {
      database = await openMigratedTestDatabase(dialect);
    });
    after(async () => {
      await database?.close();
    });
    const reset = async () => {
      await database.db.deleteFrom('jobs').execute();
      await database.db.deleteFrom('rate_limits').execute();
    };

    test('an outage of 30 hours (far beyond the old 8 attempts ≈ 21 minutes) ends with the job done', async () => {
      await reset();
      const clock = new TestClock();
      await new DbJobQueue({ clock }).enqueue(database.db, 'mail.completion', { envelopeId: 'e1' });
      const outageEnds = clock.now().getTime() + 30 * HOUR;
      let calls = 0;
      const runner = startJobRunner({
        db: database.db,
        dialect,
        clock,
        manual: true,
        workerId: 'w',
        handlers: {
          'mail.completion': async () => {
            calls++;
            if (clock.now().getTime() < outageEnds) throw new Error('connect ECONNREFUSED 127.0.0.1:25');
          },
        },
      });
      for (let i = 0; i < 1000; i++) {
        const job = await onlyJob(database.db);
        if (job.status !== 'queued') break;
        clock.advance(Math.max(0, new Date(job.run_at).getTime() - clock.now().getTime()));
        assert.equal(await runner.runOnce(), true);
      }
      await runner.stop();
      const job = await onlyJob(database.db);
      assert.equal(job.status, 'done');
      assert.equal(job.attempts, calls);
      assert.ok(calls > 8, `attempts: ${calls}`);
      // The last try came at most an hour after the outage ended (the cap).
      assert.ok(clock.now().getTime() - outageEnds <= HOUR);
    });

    test('backoff doubles from 10 s, is capped at 1 h, lasts 72 h from the first attempt, then the job fails and onFailed commits with it', async () => {
      await reset();
      const clock = new TestClock();
      await new DbJobQueue({ clock }).enqueue(database.db, 'envelope.sign', { recipientId: 'r1' });
      const failures: FailedJobInfo[] = [];
      const runner = startJobRunner({
        db: database.db,
        dialect,
        clock,
        manual: true,
        workerId: 'w',
        handlers: {
          'envelope.sign': async () => {
            throw new Error('TSA unreachable: connect ECONNREFUSED 127.0.0.1:3180');
          },
        },
        onFailed: async (tx, job) => {
          failures.push(job);
          // Written in the failing transaction: it must be there exactly once afterwards.
          await tx
            .insertInto('rate_limits')
            .values({ bucket: `failed:${job.id}`, window_start: 'x', hits: 1 })
            .execute();
        },
      });
      const gaps: number[] = [];
      let firstAttemptAt = 0;
      let lastAttemptAt = 0;
      for (let i = 0; i < 1000; i++) {
        const before = await onlyJob(database.db);
        if (before.status !== 'queued') break;
        clock.advance(Math.max(0, new Date(before.run_at).getTime() - clock.now().getTime()));
        lastAttemptAt = clock.now().getTime();
        if (firstAttemptAt === 0) firstAttemptAt = lastAttemptAt;
        assert.equal(await runner.runOnce(), true);
        const afterRun = await onlyJob(database.db);
        if (afterRun.status === 'queued') gaps.push(new Date(afterRun.run_at).getTime() - clock.now().getTime());
      }
      await runner.stop();
      const job = await onlyJob(database.db);
      assert.equal(job.status, 'failed');
      assert.match(job.last_error ?? '', /TSA unreachable/);
      assert.equal(new Date(job.first_attempt_at!).getTime(), firstAttemptAt);
      assert.deepEqual(gaps.slice(0, 5), [10_000, 20_000, 40_000, 80_000, 160_000], 'exponential from 10 s');
      assert.ok(
        gaps.every((gap) => gap <= HOUR),
        'never more than an hour between tries',
      );
      assert.equal(gaps.at(-1), HOUR, 'capped at one hour');
      // Tried up to the end of the 72 h window, and not beyond it.
      assert.ok(lastAttemptAt - firstAttemptAt <= 72 * HOUR);
      assert.ok(lastAttemptAt + HOUR > firstAttemptAt + 72 * HOUR, 'the next try would have been past 72 h');
      assert.equal(failures.length, 1);
      assert.equal(failures[0]!.id, job.id);
      assert.deepEqual(failures[0]!.payload, { recipientId: 'r1' });
      assert.equal(failures[0]!.attempt, job.attempts);
      const marker = await database.db
        .selectFrom('rate_limits')
        .selectAll()
        .where('bucket', '=', `failed:${job.id}`)
        .execute();
      assert.equal(marker.length, 1);
    });

    test('INKAN_JOB_RETRY_FOR and the backoff cap are the runner options retryForMs / maxBackoffMs', async () => {
      await reset();
      const clock = new TestClock();
      await new DbJobQueue({ clock }).enqueue(database.db, 'mail.completion', { envelopeId: 'e2' });
      const runner = startJobRunner({
        db: database.db,
        dialect,
        clock,
        manual: true,
        workerId: 'w',
        retryForMs: 2 * HOUR,
        maxBackoffMs: 60_000,
        handlers: {
          'mail.completion': async () => {
            throw new Error('down');
          },
        },
      });
      let maxGap = 0;
      for (let i = 0; i < 1000; i++) {
        const job = await onlyJob(database.db);
        if (job.status !== 'queued') break;
        const gap = new Date(job.run_at).getTime() - clock.now().getTime();
        maxGap = Math.max(maxGap, gap);
        clock.advance(Math.max(0, gap));
        await runner.runOnce();
      }
      await runner.stop();
      const job = await onlyJob(database.db);
      assert.equal(job.status, 'failed');
      assert.equal(maxGap, 60_000);
      const span = new Date(job.finished_at!).getTime() - new Date(job.first_attempt_at!).getTime();
      assert.ok(span <= 2 * HOUR && span > 2 * HOUR - 60_000, `failed after ${span} ms`);
    });

    test('a worker killed with SIGKILL and started again under the same identity takes its job back at once', async () => {
      await reset();
      await new DbJobQueue().enqueue(database.db, 'mail.completion', { envelopeId: 'reclaim' });
      const result = await new Promise<{ signal: string | null }>((resolve) => {
        const child = execFile(
          process.execPath,
          ['--import', 'tsx', CRASH_WORKER, database.url ?? '', database.dir, 'worker-a'],
          { env: { ...process.env, NODE_TEST_CONTEXT: '' } },
        );
        child.on('exit', (_code, signal) => resolve({ signal }));
      });
      assert.equal(result.signal, 'SIGKILL');
      const held = await onlyJob(database.db);
      assert.equal(held.status, 'running');
      assert.equal(held.worker_id, 'worker-a');
      assert.ok(new Date(held.locked_until!).getTime() > Date.now() + 30_000, 'the lease (60 s) still holds');

      const ran: string[] = [];
      const handlers: JobHandlers = { 'mail.completion': async ({ envelopeId }) => void ran.push(envelopeId) };
      // Another worker identity leaves the job to its lease.
      const other = startJobRunner({
        db: database.db,
        dialect,
        handlers,
        manual: true,
        workerId: `${hostname()}:${process.pid}:0:other`,
        stableWorkerId: 'worker-b',
        mayReclaim: mayReclaimFrom,
      });
      assert.equal(await other.reclaimed, 0);
      assert.equal(await other.runOnce(), false);
      await other.stop();
      // The same identity, in a new process (here: this one), takes it back without waiting.
      const restarted = startJobRunner({
        db: database.db,
        dialect,
        handlers,
        manual: true,
        workerId: `${hostname()}:${process.pid}:0:restarted`,
        stableWorkerId: 'worker-a',
        mayReclaim: mayReclaimFrom,
      });
      assert.equal(await restarted.reclaimed, 1);
      assert.equal(await restarted.runOnce(), true);
      await restarted.stop();
      assert.deepEqual(ran, ['reclaim']);
      const done = await onlyJob(database.db);
      assert.equal(done.status, 'done');
      assert.equal(done.attempts, 2);
    });
  });
}

describe('mayReclaimFrom', () => {
  test('a holder on another host, a dead process or this process may be reclaimed; a live other process may not', async () => {
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      assert.ok(sleeper.pid);
      assert.equal(mayReclaimFrom(`${hostname()}:${sleeper.pid}:0:abcd`), false, 'alive on this host');
      assert.equal(mayReclaimFrom(`another-host.example:${sleeper.pid}:0:abcd`), true);
      assert.equal(mayReclaimFrom(`${hostname()}:${process.pid}:3:abcd`), true, 'an earlier thread of this process');
    } finally {
      const exited = new Promise((resolve) => sleeper.once('exit', resolve));
      sleeper.kill('SIGKILL');
      await exited;
    }
    assert.equal(mayReclaimFrom(`${hostname()}:${sleeper.pid}:0:abcd`), true, 'dead');
  });

  test(
    'a zombie (killed, not yet reaped: the job processes of a worker killed with its process group) may be reclaimed',
    { skip: process.platform !== 'linux' && 'reads /proc' },
    async () => {
      // `sleep 61` never reaps its child `sleep 60`: killed, that one stays a zombie until its parent ends.
      const parent = spawn('sh', ['-c', 'sleep 60 & echo $!; exec sleep 61'], { stdio: ['ignore', 'pipe', 'ignore'] });
      try {
        const zombie = Number(
          await new Promise<string>((resolve) => parent.stdout.once('data', (data: Buffer) => resolve(String(data)))),
        );
        assert.ok(Number.isInteger(zombie) && zombie > 0);
        // Wait for the exec: only then is `sleep 61` its parent for good (before it, the shell may still
        // reap the child it started; its own command line holds "61" too, so argv[0] tells them apart).
        await waitFor(() => readFileSync(`/proc/${parent.pid}/cmdline`, 'utf8').split('\0')[0] === 'sleep', {
          what: 'the exec of sleep 61',
        });
        assert.equal(mayReclaimFrom(`${hostname()}:${zombie}:0:abcd`), false, 'alive');
        process.kill(zombie, 'SIGKILL');
        await waitFor(() => /\) Z /.test(readFileSync(`/proc/${zombie}/stat`, 'utf8')), { what: 'a zombie' });
        assert.equal(mayReclaimFrom(`${hostname()}:${zombie}:0:abcd`), true, 'a zombie holds nothing');
      } finally {
        const exited = new Promise((resolve) => parent.once('exit', resolve));
        parent.kill('SIGKILL');
        await exited;
      }
    },
  );
});

describe('stableWorkerIdentity', () => {
  test('the job processes of one server are slots; the first of --role=worker keeps the plain identity', () => {
    assert.equal(stableWorkerIdentity(undefined, 'worker'), `${hostname()}:worker`);
    assert.equal(stableWorkerIdentity(undefined, 'worker#2'), `${hostname()}:worker#2`);
    assert.equal(stableWorkerIdentity('worker-a', 'worker'), 'worker-a');
    assert.equal(stableWorkerIdentity('worker-a', 'worker#2'), 'worker-a#2');
    assert.equal(stableWorkerIdentity('worker-a', 'all#1'), 'worker-a#1');
    assert.equal(stableWorkerIdentity(undefined, 'all#2'), `${hostname()}:all#2`);
  });
});
