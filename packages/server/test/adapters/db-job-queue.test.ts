import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_MAX_ATTEMPTS,
  DbJobQueue,
  startJobRunner,
  type JobHandlers,
} from '../../src/adapters/jobs/db-job-queue.ts';
import type { Db } from '../../src/ports/database.ts';
import { inTransaction } from '../../src/domain/transaction.ts';
import { DIALECTS, openMigratedTestDatabase, TestClock, type MigratedTestDatabase } from '../helpers/test-database.ts';

const WORKER_PROCESS = fileURLToPath(new URL('../helpers/job-worker-process.ts', import.meta.url));
const CRASH_WORKER = fileURLToPath(new URL('../helpers/job-crash-worker.ts', import.meta.url));

async function jobs(db: Db) {
  return db.selectFrom('jobs').selectAll().orderBy('created_at').execute();
}

for (const dialect of DIALECTS) {
  describe(`DbJobQueue on ${dialect}`, () => {
    let database: MigratedTestDatabase;
    before(async () => {
      database = await openMigratedTestDatabase(dialect);
    });
    after(async () => {
      await database?.close();
    });
    const reset = async () => {
      await database.db.deleteFrom('jobs').execute();
    };

    test('a job enqueued in a transaction that rolls back is not there; one that commits is', async () => {
      await reset();
      const queue = new DbJobQueue();
      await assert.rejects(
        database.db.transaction().execute(async (tx) => {
          await queue.enqueue(tx, 'envelope.sign', { recipientId: 'r1' });
          assert.equal(
            (await tx.selectFrom('jobs').select('id').execute()).length,
            1,
            'visible inside the transaction',
          );
          throw new Error('roll back');
        }),
        /roll back/,
      );
      assert.equal((await jobs(database.db)).length, 0);
      await database.db.transaction().execute((tx) => queue.enqueue(tx, 'envelope.sign', { recipientId: 'r2' }));
      const rows = await jobs(database.db);
      assert.equal(rows.length, 1);
      assert.deepEqual(JSON.parse(rows[0].payload), { recipientId: 'r2' });
      assert.equal(rows[0].status, 'queued');
      assert.equal(rows[0].max_attempts, DEFAULT_MAX_ATTEMPTS);
    });

    test('a dedupe key that is queued or running is not queued again; after the job is done it may be', async () => {
      await reset();
      const clock = new TestClock();
      const queue = new DbJobQueue({ clock });
      await queue.enqueue(database.db, 'mail.completion', { envelopeId: 'e1' }, { dedupeKey: 'completion:e1' });
      await queue.enqueue(database.db, 'mail.completion', { envelopeId: 'e1' }, { dedupeKey: 'completion:e1' });
      await queue.enqueue(database.db, 'mail.completion', { envelopeId: 'e2' }, { dedupeKey: 'completion:e2' });
      // No key: never deduplicated.
      await queue.enqueue(database.db, 'mail.completion', { envelopeId: 'e3' });
      await queue.enqueue(database.db, 'mail.completion', { envelopeId: 'e3' });
      assert.equal((await jobs(database.db)).length, 4);

      let release!: () => void;
      const blocked = new Promise<void>((resolve) => (release = resolve));
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      const seen: string[] = [];
      const runner = startJobRunner({
        db: database.db,
        dialect,
        clock,
        manual: true,
        workerId: 'w1',
        handlers: {
          'mail.completion': async ({ envelopeId }) => {
            seen.push(envelopeId);
            if (envelopeId === 'e1') {
              started();
              await blocked;
            }
          },
        },
      });
      // Make e1 the oldest due job so runOnce claims it first.
      await database.db
        .updateTable('jobs')
        .set({ run_at: new Date(clock.now().getTime() - 1000).toISOString() })
        .where('dedupe_key', '=', 'completion:e1')
        .execute();
      const first = runner.runOnce();
      await running;
      await queue.enqueue(database.db, 'mail.completion', { envelopeId: 'e1' }, { dedupeKey: 'completion:e1' });
      assert.equal(
        (await jobs(database.db)).filter((j) => j.dedupe_key === 'completion:e1').length,
        1,
        'running: not queued again',
      );
      release();
      assert.equal(await first, true);
      await queue.enqueue(database.db, 'mail.completion', { envelopeId: 'e1' }, { dedupeKey: 'completion:e1' });
      const e1 = (await jobs(database.db)).filter((j) => j.dedupe_key === 'completion:e1');
      assert.deepEqual(e1.map((j) => j.status).sort(), ['done', 'queued']);
      await runner.idle();
      assert.deepEqual(seen.sort(), ['e1', 'e1', 'e2', 'e3', 'e3']);
      await runner.stop();
    });

    test('two workers (this process and another) run each of 50 jobs exactly once', async () => {
      await reset();
      const queue = new DbJobQueue();
      for (let i = 0; i < 50; i++) await queue.enqueue(database.db, 'envelope.sign', { recipientId: `r${i}` });
      const runs = new Map<string, string[]>();
      const record = (recipientId: string, worker: string) =>
        runs.set(recipientId, [...(runs.get(recipientId) ?? []), worker]);
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', WORKER_PROCESS, database.url ?? '', database.dir, 'other'],
        {
          env: { ...process.env, NODE_TEST_CONTEXT: '' },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      let started!: () => void;
      const childStarted = new Promise<void>((resolve) => (started = resolve));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line === 'started') started();
        const m = /^ran (\S+)$/.exec(line);
        if (m) record(m[1], 'other');
      });
      await Promise.race([childStarted, exited]);
      const runner = startJobRunner({
        db: database.db,
        dialect,
        workerId: 'this',
        pollMs: 5,
        concurrency: 4,
        handlers: {
          'envelope.sign': async ({ recipientId }) => {
            record(recipientId, 'this');
            await new Promise((resolve) => setTimeout(resolve, 10));
          },
        },
      });
      await runner.idle();
      await runner.stop();
      assert.equal(await exited, 0);
      assert.equal(runs.size, 50);
      for (const [recipientId, workers] of runs)
        assert.equal(workers.length, 1, `${recipientId} ran ${workers.length} times`);
      const rows = await jobs(database.db);
      assert.ok(rows.every((j) => j.status === 'done' && j.attempts === 1 && j.locked_by === null));
      const counts = { this: 0, other: 0 };
      for (const [w] of runs.values()) counts[w as 'this' | 'other']++;
      assert.ok(counts.this > 0 && counts.other > 0, `both workers took jobs (${JSON.stringify(counts)})`);
    });

    test('a job whose worker was killed mid-run is run again once its lease has expired', async () => {
      await reset();
      await new DbJobQueue().enqueue(database.db, 'mail.completion', { envelopeId: 'crash' });
      const result = await new Promise<{ code: number | null; signal: string | null }>((resolve) => {
        const child = execFile(process.execPath, ['--import', 'tsx', CRASH_WORKER, database.url ?? '', database.dir], {
          env: { ...process.env, NODE_TEST_CONTEXT: '' },
        });
        child.on('exit', (code, signal) => resolve({ code, signal }));
      });
      assert.equal(result.signal, 'SIGKILL', 'the worker died in its handler');
      const [claimed] = await jobs(database.db);
      assert.equal(claimed.status, 'running');
      assert.equal(claimed.locked_by, 'doomed-worker');
      assert.equal(claimed.attempts, 1);

      const ran: string[] = [];
      const handlers: JobHandlers = { 'mail.completion': async ({ envelopeId }) => void ran.push(envelopeId) };
      // While the lease holds, nobody else takes the job.
      const early = startJobRunner({ db: database.db, dialect, handlers, workerId: 'early', manual: true });
      assert.equal(await early.runOnce(), false);
      await early.stop();
      const later = new TestClock(new Date(new Date(claimed.locked_until!).getTime() + 1));
      const rescuer = startJobRunner({
        db: database.db,
        dialect,
        handlers,
        workerId: 'rescuer',
        manual: true,
        clock: later,
      });
      assert.equal(await rescuer.runOnce(), true);
      await rescuer.stop();
      assert.deepEqual(ran, ['crash']);
      const [done] = await jobs(database.db);
      assert.equal(done.status, 'done');
      assert.equal(done.attempts, 2);
    });

    test('failures retry with exponential backoff, then fail with the last error (credentials removed)', async () => {
      await reset();
      const clock = new TestClock();
      const queue = new DbJobQueue({ clock, maxAttempts: 3 });
      await queue.enqueue(database.db, 'mail.signing-request', { recipientId: 'flaky' });
      await queue.enqueue(database.db, 'mail.signing-request', { recipientId: 'broken' });
      let flakyCalls = 0;
      const runner = startJobRunner({
        db: database.db,
        dialect,
        clock,
        manual: true,
        workerId: 'w',
        backoffMs: (attempt) => 1000 * 2 ** (attempt - 1),
        handlers: {
          'mail.signing-request': async ({ recipientId }, job) => {
            if (recipientId === 'flaky') {
              flakyCalls++;
              assert.equal(job.attempt, flakyCalls);
              if (flakyCalls < 3) throw new Error('SMTP busy');
              return;
            }
            throw new Error('cannot connect to smtp://mailer:hunter2@smtp.example.jp:587');
          },
        },
      });
      const byRecipient = async (id: string) =>
        (await jobs(database.db)).find((j) => JSON.parse(j.payload).recipientId === id)!;

      assert.equal(await runner.runOnce(), true);
      assert.equal(await runner.runOnce(), true);
      assert.equal(await runner.runOnce(), false, 'nothing due until the backoff has passed');
      let flaky = await byRecipient('flaky');
      assert.equal(flaky.status, 'queued');
      assert.equal(flaky.attempts, 1);
      assert.equal(flaky.last_error, 'SMTP busy');
      assert.equal(new Date(flaky.run_at).getTime() - clock.now().getTime(), 1000);

      clock.advance(999);
      assert.equal(await runner.runOnce(), false);
      clock.advance(1);
      await runner.idle();
      flaky = await byRecipient('flaky');
      assert.equal(flaky.attempts, 2);
      assert.equal(new Date(flaky.run_at).getTime() - clock.now().getTime(), 2000, 'the second delay doubles');

      clock.advance(2000);
      await runner.idle();
      flaky = await byRecipient('flaky');
      const broken = await byRecipient('broken');
      assert.equal(flaky.status, 'done');
      assert.equal(flaky.attempts, 3);
      assert.equal(broken.status, 'failed');
      assert.equal(broken.attempts, 3);
      assert.ok(broken.finished_at);
      assert.match(broken.last_error!, /cannot connect to smtp:\/\/\*\*\*@smtp\.example\.jp/);
      assert.ok(!broken.last_error!.includes('hunter2'));
      clock.advance(3_600_000);
      assert.equal(await runner.runOnce(), false, 'a failed job is not run again');
      await runner.stop();
    });

    test("finishIn marks the job done in the handler's transaction: committed with its effects, or not at all", async () => {
      await reset();
      const clock = new TestClock();
      const queue = new DbJobQueue({ clock });
      await queue.enqueue(database.db, 'envelope.seal', { envelopeId: 'e1' });
      let failNext = true;
      const runner = startJobRunner({
        db: database.db,
        dialect,
        clock,
        workerId: 'w',
        manual: true,
        handlers: {
          'envelope.seal': async (_payload, job) => {
            assert.ok(job.finishIn, 'the runner offers finishIn');
            await inTransaction(database.db, dialect, async (tx) => {
              await queue.enqueue(tx, 'mail.completion', { envelopeId: 'e1' }, { dedupeKey: 'next:e1' });
              await job.finishIn!(tx);
              const [self] = await tx.selectFrom('jobs').select('status').where('kind', '=', 'envelope.seal').execute();
              assert.equal(self.status, 'done', 'done inside the transaction');
              if (failNext) {
                failNext = false;
                throw new Error('disk full after the job was marked done');
              }
            });
          },
        },
      });
      assert.equal(await runner.runOnce(), true);
      let rows = await jobs(database.db);
      assert.deepEqual(
        rows.map((r) => [r.kind, r.status]),
        [['envelope.seal', 'queued']],
        'rolled back: neither the next job nor the done mark, and the job is queued for a retry',
      );
      assert.match(rows[0].last_error ?? '', /disk full/);
      clock.advance(new Date(rows[0].run_at).getTime() - clock.now().getTime());
      assert.equal(await runner.runOnce(), true);
      rows = await jobs(database.db);
      assert.deepEqual(
        rows.map((r) => [r.kind, r.status]),
        [
          ['envelope.seal', 'done'],
          ['mail.completion', 'queued'],
        ],
      );
      assert.equal(rows[0].attempts, 2);
      assert.equal(rows[0].locked_by, null);
      assert.equal(rows[0].last_error, null);
      assert.ok(rows[0].finished_at);
      await runner.stop();
    });

    test('a runner fills its free slots with the oldest due jobs and leaves the rest queued', async () => {
      await reset();
      const clock = new TestClock();
      const queue = new DbJobQueue({ clock });
      for (let i = 0; i < 6; i++) {
        await queue.enqueue(database.db, 'mail.completion', { envelopeId: `e${i}` });
        clock.advance(1000);
      }
      const started: string[] = [];
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const runner = startJobRunner({
        db: database.db,
        dialect,
        clock,
        workerId: 'w',
        concurrency: 4,
        pollMs: 20,
        handlers: {
          'mail.completion': async (payload) => {
            started.push(payload.envelopeId);
            await gate;
          },
        },
      });
      try {
        // Four slots: the four oldest jobs run at once, the other two wait for a free slot.
        for (let i = 0; i < 500 && started.length < 4; i++) await new Promise((r) => setTimeout(r, 10));
        assert.deepEqual([...started].sort(), ['e0', 'e1', 'e2', 'e3']);
        const running = (await jobs(database.db)).filter((r) => r.status === 'running');
        assert.equal(running.length, 4);
        release();
        await runner.idle();
        assert.deepEqual([...started].sort(), ['e0', 'e1', 'e2', 'e3', 'e4', 'e5']);
        assert.ok((await jobs(database.db)).every((r) => r.status === 'done' && r.attempts === 1));
      } finally {
        release();
        await runner.stop();
      }
    });

    test('jobs of kinds this runner has no handler for stay queued', async () => {
      await reset();
      await new DbJobQueue().enqueue(database.db, 'envelope.seal', { envelopeId: 'e' });
      const runner = startJobRunner({
        db: database.db,
        dialect,
        handlers: { 'mail.completion': async () => undefined },
        workerId: 'w',
        manual: true,
      });
      assert.equal(await runner.runOnce(), false);
      await runner.idle();
      await runner.stop();
      const [row] = await jobs(database.db);
      assert.equal(row.status, 'queued');
      assert.equal(row.attempts, 0);
    });

    test('stop waits for the job in progress; a polling runner picks up jobs enqueued later', async (t) => {
      await reset();
      const queue = new DbJobQueue();
      const done: string[] = [];
      const runner = startJobRunner({
        db: database.db,
        dialect,
        workerId: 'poller',
        pollMs: 5,
        handlers: { 'envelope.seal': async ({ envelopeId }) => void done.push(envelopeId) },
      });
      // A failed assertion must not leave a polling runner behind (the test process would never exit).
      t.after(() => runner.stop());
      await queue.enqueue(database.db, 'envelope.seal', { envelopeId: 'later' });
      await runner.idle();
      assert.deepEqual(done, ['later']);
      let finish!: () => void;
      let started!: () => void;
      const startedP = new Promise<void>((resolve) => (started = resolve));
      const slow = startJobRunner({
        db: database.db,
        dialect,
        workerId: 'slow',
        pollMs: 5,
        handlers: {
          'mail.completion': async () => {
            started();
            await new Promise<void>((resolve) => (finish = resolve));
            done.push('slow');
          },
        },
      });
      await queue.enqueue(database.db, 'mail.completion', { envelopeId: 'x' });
      await startedP;
      const stopping = slow.stop();
      finish();
      await stopping;
      assert.deepEqual(done, ['later', 'slow']);
      assert.equal((await jobs(database.db)).find((j) => j.kind === 'mail.completion')!.status, 'done');
      await runner.stop();
    });
  });
}
