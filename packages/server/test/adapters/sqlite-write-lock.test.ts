import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import type { Worker } from 'node:worker_threads';
import { sql } from 'kysely';
import {
  SqliteWriteLock,
  sqliteBackgroundWaiters,
  startSqliteLockBroker,
  sqliteWriteLockFor,
  sqliteWriteLockTakeovers,
  sqliteWriteLockWord,
} from '../../src/adapters/db/sqlite-write-lock.ts';
import {
  openDatabase,
  openSqlite,
  type OpenDatabase,
  type OpenSqliteOptions,
} from '../../src/adapters/db/open-database.ts';
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

test('the waiters of one thread get a held lock in the order they came', async () => {
  const buffer = new SharedArrayBuffer(4);
  const holder = new SqliteWriteLock(buffer, 60_000, 100);
  await holder.acquire();
  const order: number[] = [];
  const waiters = [101, 102, 103].map((owner) => new SqliteWriteLock(buffer, 60_000, owner));
  const done = waiters.map((waiter, i) =>
    waiter.acquire().then(() => {
      order.push(i);
      assert.equal(new Int32Array(buffer)[0], 101 + i);
      waiter.release();
    }),
  );
  holder.release();
  await Promise.all(done);
  assert.deepEqual(order, [0, 1, 2]);
  assert.equal(new Int32Array(buffer)[0], 0);
});

test('transactions of three threads on one SQLite file all land (the lock shared through openSqlite)', async () => {
  await withCounter(async (path, database) => {
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
    assert.equal(await counter(database), 450);
  });
});

/** A job-like child process on `path` whose writes go through this process's broker (as serve's do). */
async function forkLockChild(path: string, name = 'child'): Promise<ChildProcess> {
  return fork(fileURLToPath(CHILD), [path, name], {
    execArgv: ['--import', import.meta.resolve('tsx')],
    env: { ...process.env, ...(await startSqliteLockBroker()) },
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** The next IPC message of the given type from a child process. */
function nextFromChild(child: ChildProcess, type: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type?: string }) => {
      if (message?.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve();
    };
    const onExit = () => reject(new Error(`the child exited before it said ${type}`));
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Waits until the child is ready, asks it to take the write lock and hold it, and waits until it does. */
async function holdInChild(child: ChildProcess): Promise<void> {
  await nextFromChild(child, 'ready');
  const holding = nextFromChild(child, 'holding');
  child.send({ type: 'hold' });
  await holding;
}

const CHILD = new URL('./helpers/write-lock-child.ts', import.meta.url);

/** A SQLite file with a counter table, opened by this process; removed afterwards. */
async function withCounter(
  run: (path: string, database: OpenDatabase, dir: string) => Promise<void>,
  options: OpenSqliteOptions = {},
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'inkan-write-lock-'));
  const path = join(dir, 'inkan.db');
  const database = await openSqlite(path, options);
  try {
    await sql`create table counter (n integer not null)`.execute(database.db);
    await sql`insert into counter (n) values (0)`.execute(database.db);
    await run(path, database, dir);
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const counter = async (database: OpenDatabase) =>
  (await sql<{ n: number }>`select n from counter`.execute(database.db)).rows[0]!.n;

test('a write outside a transaction waits for the write lock too', async () => {
  await withCounter(async (path, database) => {
    const other = new SqliteWriteLock(sqliteWriteLockWord(resolve(path)), 60_000, 4242);
    await other.acquire();
    let written = false;
    const write = sql`update counter set n = n + 1`.execute(database.db).then(() => (written = true));
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    assert.equal(written, false, 'the write must wait while another holder has the lock');
    other.release();
    await write;
    assert.equal(await counter(database), 1);
  });
});

test("a job child process holds the parent's write lock: the parent's writer waits (asynchronously) until it commits", async () => {
  await withCounter(async (path, database) => {
    const child = await forkLockChild(path);
    try {
      await holdInChild(child);
      assert.ok(new Int32Array(sqliteWriteLockWord(resolve(path)))[0]! < 0, 'the broker holds the word for the child');
      // The parent's writer queues on the lock: without the broker it would sleep in SQLite's busy handler
      // (this thread's event loop stopped, so the child is never told to release) and fail with SQLITE_BUSY.
      let written = false;
      const write = inTransaction(database.db, 'sqlite', async (tx) => {
        await sql`update counter set n = n * 10`.execute(tx);
      }).then(() => (written = true));
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      assert.equal(written, false, "the parent's write must wait for the child's transaction");
      const committed = nextFromChild(child, 'committed');
      child.send({ type: 'release' });
      await committed;
      await write;
      // The child's +1 came first, then the parent's ×10.
      assert.equal(await counter(database), 10);
      await lockFreed(path);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

test("a job child process's write outside a transaction asks the parent's lock first", async () => {
  await withCounter(async (path, database) => {
    const child = await forkLockChild(path);
    try {
      await nextFromChild(child, 'ready');
      const mine = new SqliteWriteLock(sqliteWriteLockWord(resolve(path)), 60_000, 4343);
      await mine.acquire();
      // The child's request reaches the broker (or, wrongly, its write lands without asking).
      const inserted = nextFromChild(child, 'inserted');
      const landed = inserted.then(() => 'inserted');
      child.send({ type: 'insert' });
      assert.equal(await Promise.race([askedForLock(path, 1).then(() => 'asked'), landed]), 'asked');
      assert.equal(await counter(database), 0, 'nothing written while this process holds the lock');
      mine.release();
      await inserted;
      assert.equal(await counter(database), 100);
      const closed = once(child, 'exit');
      child.send({ type: 'close' });
      await closed;
    } finally {
      child.kill('SIGKILL');
    }
  });
});

test('a job child process killed while it holds the write lock frees it at once', async () => {
  await withCounter(async (path, database) => {
    const child = await forkLockChild(path);
    await holdInChild(child);
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    // A waiter that would wait ten minutes before taking the word over gets it now (the test would time out
    // if the broker kept the dead child's hold).
    const waiter = new SqliteWriteLock(sqliteWriteLockWord(resolve(path)), 10 * 60_000, 4444);
    await waiter.acquire();
    waiter.release();
    // SQLite's own lock went with the process: the parent writes, and the child's open transaction is gone.
    await inTransaction(database.db, 'sqlite', async (tx) => {
      await sql`update counter set n = n + 5`.execute(tx);
    });
    assert.equal(await counter(database), 5);
  });
});

test('PRAGMA optimize over every table runs at open only when asked (the long-lived server), not in children or CLI commands', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inkan-optimize-'));
  const path = join(dir, 'inkan.db');
  const statistics = () => {
    const reader = new SqliteDatabase(path, { readonly: true });
    try {
      return reader.prepare(`select count(*) as n from sqlite_master where name = 'sqlite_stat1'`).get() as {
        n: number;
      };
    } finally {
      reader.close();
    }
  };
  try {
    const setup = new SqliteDatabase(path);
    setup.exec('create table t (a integer, b text); create index t_a on t (a)');
    const insert = setup.prepare('insert into t values (?, ?)');
    for (let i = 0; i < 200; i++) insert.run(i % 7, `row ${i}`);
    setup.close();
    const child = await openDatabase(`sqlite:${path}`, dir);
    assert.equal(statistics().n, 0, 'a default open (job child, CLI command) analyzes nothing');
    await child.db.destroy();
    const server = await openSqlite(path, { optimizeAtOpen: true });
    assert.equal(statistics().n, 1, "the server's open gathers planner statistics");
    await server.db.destroy();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Resolves once `count` job-process requests queue at the broker for the lock of `path` (held meanwhile). */
async function askedForLock(path: string, count: number): Promise<void> {
  const word = sqliteWriteLockWord(resolve(path));
  const deadline = Date.now() + 20_000;
  while (sqliteBackgroundWaiters(word) < count) {
    if (Date.now() > deadline) throw new Error(`fewer than ${count} requests reached the broker`);
    await new Promise((resolveLater) => setTimeout(resolveLater, 2));
  }
}

/**
 * Resolves once the lock word of `path` is free (fails after a bound): a job process's release reaches the
 * broker on its own connection, not with the IPC message that follows it.
 */
async function lockFreed(path: string): Promise<void> {
  const word = new Int32Array(sqliteWriteLockWord(resolve(path)));
  const deadline = Date.now() + 20_000;
  while (Atomics.load(word, 0) !== 0) {
    if (Date.now() > deadline) throw new Error(`the lock is still held by ${Atomics.load(word, 0)}`);
    await new Promise((resolveLater) => setTimeout(resolveLater, 2));
  }
}

/** Closes a lock child (its database first) and waits for its exit. */
async function closeChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.send({ type: 'close' });
  await exited;
}

test('the brokered lock goes to job processes in the order they asked', async () => {
  await withCounter(async (path, _database, dir) => {
    const children = await Promise.all(['first', 'second', 'third'].map((name) => forkLockChild(path, name)));
    try {
      await Promise.all(children.map((child) => nextFromChild(child, 'ready')));
      const log = join(dir, 'order.log');
      writeFileSync(log, '');
      const release = await sqliteWriteLockFor(resolve(path)).acquire();
      const entered: Array<Promise<void>> = [];
      // One after the other: each child's request is queued by the broker before the next one asks.
      for (const [index, child] of children.entries()) {
        entered.push(nextFromChild(child, 'entered'));
        child.send({ type: 'enter', file: log });
        await askedForLock(path, index + 1);
      }
      assert.equal(readFileSync(log, 'utf8'), '', 'nobody enters while this process holds the lock');
      release();
      await Promise.all(entered);
      assert.equal(readFileSync(log, 'utf8'), 'first\nsecond\nthird\n');
      await lockFreed(path);
    } finally {
      await Promise.all(children.map(closeChild));
    }
  });
});

test('the write lock is never held by two at once: this process and two job processes in one critical section', async () => {
  await withCounter(async (path, _database, dir) => {
    const children = await Promise.all([forkLockChild(path, 'a'), forkLockChild(path, 'b')]);
    try {
      await Promise.all(children.map((child) => nextFromChild(child, 'ready')));
      const file = join(dir, 'critical');
      writeFileSync(file, '0');
      writeFileSync(`${file}.log`, '');
      const count = 40;
      const done = children.map((child) => {
        const finished = nextFromChild(child, 'critical-done');
        child.send({ type: 'critical', file, count });
        return finished;
      });
      // This process's own holders: several at once through one lock object, as concurrent requests are.
      const lock = sqliteWriteLockFor(resolve(path));
      const mine = Array.from({ length: count }, async () => {
        const release = await lock.acquire();
        try {
          await appendFile(`${file}.log`, 'enter parent\n');
          const n = Number(await readFile(file, 'utf8'));
          await writeFile(file, String(n + 1));
          await appendFile(`${file}.log`, 'exit parent\n');
        } finally {
          release();
        }
      });
      await Promise.all([...done, ...mine]);
      assert.equal(readFileSync(file, 'utf8'), String(3 * count), 'no increment lost');
      const lines = readFileSync(`${file}.log`, 'utf8').trim().split('\n');
      assert.equal(lines.length, 2 * 3 * count);
      for (let i = 0; i < lines.length; i += 2) {
        const who = lines[i]!.replace(/^enter /, '');
        assert.equal(lines[i], `enter ${who}`, `line ${i}`);
        assert.equal(lines[i + 1], `exit ${who}`, `line ${i + 1}: another holder entered before ${who} left`);
      }
      await lockFreed(path);
    } finally {
      await Promise.all(children.map(closeChild));
    }
  });
});

test('a job process killed while it holds the lock: the other job process and this one go on', async () => {
  await withCounter(async (path, database, dir) => {
    const holder = await forkLockChild(path, 'holder');
    const other = await forkLockChild(path, 'other');
    try {
      await Promise.all([nextFromChild(holder, 'ready'), nextFromChild(other, 'ready')]);
      const takeoversBefore = sqliteWriteLockTakeovers(sqliteWriteLockWord(resolve(path)));
      const holding = nextFromChild(holder, 'holding');
      holder.send({ type: 'hold' });
      await holding;
      const log = join(dir, 'after-kill.log');
      writeFileSync(log, '');
      const entered = nextFromChild(other, 'entered');
      other.send({ type: 'enter', file: log });
      await askedForLock(path, 1);
      const mine = inTransaction(database.db, 'sqlite', async (tx) => {
        await sql`update counter set n = n + 5`.execute(tx);
      });
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      assert.equal(readFileSync(log, 'utf8'), '', 'the other job process waits while the holder lives');
      const exited = once(holder, 'exit');
      holder.kill('SIGKILL');
      await exited;
      // Both waiters get the lock long before any wait bound (10 minutes would time the test out).
      await Promise.all([entered, mine]);
      assert.equal(readFileSync(log, 'utf8'), 'other\n');
      // The killed holder's uncommitted +1 is gone with it.
      assert.equal(await counter(database), 5);
      assert.equal(
        sqliteWriteLockTakeovers(sqliteWriteLockWord(resolve(path))),
        takeoversBefore,
        'nobody had to take the lock over',
      );
      await lockFreed(path);
    } finally {
      holder.kill('SIGKILL');
      await closeChild(other);
    }
  });
});

test('heavy concurrent writes of this process and two job processes all land, with no SQLITE_BUSY (busy_timeout 0)', async () => {
  await withCounter(
    async (path, database) => {
      const children = await Promise.all([forkLockChild(path, 'a'), forkLockChild(path, 'b')]);
      try {
        await Promise.all(children.map((child) => nextFromChild(child, 'ready')));
        const takeoversBefore = sqliteWriteLockTakeovers(sqliteWriteLockWord(resolve(path)));
        const count = 150;
        const bursts = children.map(
          (child) =>
            new Promise<void>((resolveBurst, rejectBurst) => {
              child.on('message', (message: { type?: string; error?: string }) => {
                if (message?.type === 'burst-done') resolveBurst();
                if (message?.type === 'burst-failed') rejectBurst(new Error(message.error));
              });
              child.send({ type: 'burst', count });
            }),
        );
        // This process: the same mix, plus reads that must never wait for the lock.
        const mine = Array.from({ length: count }, async () => {
          await inTransaction(database.db, 'sqlite', async (tx) => {
            const { n } = (await sql<{ n: number }>`select n from counter`.execute(tx)).rows[0]!;
            await new Promise((r) => setImmediate(r));
            await sql`update counter set n = ${n + 1}`.execute(tx);
          });
          await sql`update counter set n = n + 1`.execute(database.db);
          await counter(database);
        });
        await Promise.all([...bursts, ...mine]);
        // Every transaction's read-modify-write and every single write counted: 2 per writer per round.
        assert.equal(await counter(database), 3 * 2 * count);
        assert.equal(
          sqliteWriteLockTakeovers(sqliteWriteLockWord(resolve(path))),
          takeoversBefore,
          'no waiter overtook a live holder',
        );
        await lockFreed(path);
      } finally {
        await Promise.all(children.map(closeChild));
      }
    },
    { busyTimeoutMs: 0 },
  );
});

test("this process's reads go on while its writer waits for a job process's lock", async () => {
  await withCounter(async (path, database) => {
    const child = await forkLockChild(path);
    try {
      await holdInChild(child);
      let written = false;
      const write = inTransaction(database.db, 'sqlite', async (tx) => {
        await sql`update counter set n = n + 10`.execute(tx);
      }).then(() => (written = true));
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      // The waiting writer must not hold the database's one connection: this read completes while the child
      // still holds the lock (it would wait for the child's commit, which comes only after, otherwise).
      assert.equal(await counter(database), 0);
      assert.equal(written, false);
      const committed = nextFromChild(child, 'committed');
      child.send({ type: 'release' });
      await committed;
      await write;
      assert.equal(await counter(database), 11);
    } finally {
      await closeChild(child);
    }
  });
});

test("the broker listens in a private directory, removed at exit, and a killed server's directory is swept", async () => {
  // A process that has exited: its id names the stale directory (as a SIGKILLed server leaves it).
  const gone = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  const [code] = (await once(gone, 'exit')) as [number];
  assert.equal(code, 0);
  const stale = mkdtempSync(join(tmpdir(), `inkan-lock-${gone.pid}-`));
  writeFileSync(join(stale, 'broker.sock'), '');
  const script = `
    import { statSync } from 'node:fs';
    import { dirname } from 'node:path';
    import { startSqliteLockBroker } from ${JSON.stringify(new URL('../../src/adapters/db/sqlite-write-lock.ts', import.meta.url).href)};
    const env = await startSqliteLockBroker();
    const socket = env.INKAN_SQLITE_LOCK_BROKER;
    process.stdout.write(JSON.stringify({ socket, mode: statSync(dirname(socket)).mode & 0o777, socketType: statSync(socket).isSocket() }));
  `;
  // A module file, not `-e` (whose --input-type the broker's eval'd thread would inherit).
  const scriptFile = join(stale, '..', `${stale.split('/').pop()}-script.mts`);
  writeFileSync(scriptFile, script);
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), scriptFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const [exitCode] = (await once(child, 'exit')) as [number];
  rmSync(scriptFile, { force: true });
  assert.equal(exitCode, 0, 'the server exits although its broker thread listens');
  const { socket, mode, socketType } = JSON.parse(out) as { socket: string; mode: number; socketType: boolean };
  assert.equal(socketType, true);
  assert.equal(mode, 0o700, 'only the server user may reach the broker');
  assert.equal(existsSync(socket), false, 'removed at exit');
  assert.equal(existsSync(stale), false, 'the directory of a process that is gone is swept');
});

test('without a usable temp directory the broker refuses to start (a rejected promise, no crash)', async () => {
  const script = `
    import { startSqliteLockBroker } from ${JSON.stringify(new URL('../../src/adapters/db/sqlite-write-lock.ts', import.meta.url).href)};
    // A file, not a directory (set once tsx has its cache).
    process.env.TMPDIR = process.argv[2];
    await startSqliteLockBroker().then(
      () => process.stdout.write('started'),
      (error) => process.stdout.write('refused: ' + error.code),
    );
  `;
  const dir = mkdtempSync(join(tmpdir(), 'inkan-no-tmp-'));
  const scriptFile = join(dir, 'script.mts');
  writeFileSync(scriptFile, script);
  try {
    const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), scriptFile, scriptFile], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 0);
    assert.equal(out, 'refused: ENOTDIR');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
