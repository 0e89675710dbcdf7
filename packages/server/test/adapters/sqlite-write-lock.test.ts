import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import { SqliteWriteLock } from '../../src/adapters/db/sqlite-write-lock.ts';
import { openSqlite } from '../../src/adapters/db/open-database.ts';
import { inTransaction } from '../../src/domain/transaction.ts';
import { startModuleWorker } from '../../src/jobs/module-worker.ts';

const WORKER = new URL('./helpers/write-lock-worker.ts', import.meta.url).href;

function startWorker(buffer: SharedArrayBuffer, dbPath = ''): Worker {
  return startModuleWorker(WORKER, { workerData: { buffer, dbPath } });
}

/** The next message of the given type from a worker. */
async function next(worker: Worker, type: string): Promise<void> {
  for (;;) {
    const [message] = (await once(worker, 'message')) as [{ type: string }];
    if (message.type === type) return;
  }
}

test('the write lock is exclusive across threads and hands over on release', async () => {
  const buffer = new SharedArrayBuffer(4);
  const lock = new SqliteWriteLock(buffer);
  const worker = startWorker(buffer);
  try {
    await next(worker, 'ready');
    await lock.acquire();
    let acquired = false;
    const acquiredPromise = next(worker, 'acquired').then(() => (acquired = true));
    worker.postMessage({ type: 'acquire' });
    await next(worker, 'waiting');
    // The worker is now waiting on the word this thread holds; let its event loop run a while.
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    assert.equal(acquired, false, 'the worker must not get the lock while this thread holds it');
    assert.equal(new Int32Array(buffer)[0], 1 + (await import('node:worker_threads')).threadId);
    lock.release();
    await acquiredPromise;
    assert.equal(acquired, true);
    // Now the worker holds it: this thread waits until it gives it back.
    let mine = false;
    const mineNow = lock.acquire().then(() => (mine = true));
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    assert.equal(mine, false);
    worker.postMessage({ type: 'release' });
    await mineNow;
    lock.release();
    assert.equal(new Int32Array(buffer)[0], 0);
  } finally {
    await worker.terminate();
  }
});

test('a thread that died holding the lock stops nobody for longer than the wait bound', async () => {
  const buffer = new SharedArrayBuffer(4);
  const worker = startWorker(buffer);
  await next(worker, 'ready');
  worker.postMessage({ type: 'exit-holding' });
  await once(worker, 'exit');
  assert.notEqual(new Int32Array(buffer)[0], 0, 'the dead thread left the word set');
  const lock = new SqliteWriteLock(buffer, 50);
  await lock.acquire();
  lock.release();
  assert.equal(new Int32Array(buffer)[0], 0);
});

test('transactions of three threads on one SQLite file all land (the lock shared through openSqlite)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inkan-write-lock-'));
  const path = join(dir, 'inkan.db');
  const database = await openSqlite(path);
  try {
    await sql`create table counter (n integer not null)`.execute(database.db);
    await sql`insert into counter (n) values (0)`.execute(database.db);
    // Workers started after openSqlite get the same lock word (worker_threads environment data).
    const workers = [startWorker(new SharedArrayBuffer(4), path), startWorker(new SharedArrayBuffer(4), path)];
    await Promise.all(workers.map((w) => next(w, 'ready')));
    const done = workers.map((w) => next(w, 'incremented'));
    for (const w of workers) w.postMessage({ type: 'increment', count: 150 });
    for (let i = 0; i < 150; i++)
      await inTransaction(database.db, 'sqlite', async (tx) => {
        await sql`update counter set n = n + 1`.execute(tx);
      });
    await Promise.all(done);
    await Promise.all(workers.map((w) => w.terminate()));
    const row = await sql<{ n: number }>`select n from counter`.execute(database.db);
    assert.equal(row.rows[0]!.n, 450);
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
