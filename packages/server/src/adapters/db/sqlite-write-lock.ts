import { getEnvironmentData, setEnvironmentData, threadId } from 'node:worker_threads';

/**
 * One write lock per SQLite file shared by every thread of this process (HTTP and the job worker threads),
 * taken before BEGIN IMMEDIATE and given back after COMMIT.
 *
 * SQLite itself serialises writers, but a connection that finds the file locked waits in its busy handler:
 * it *sleeps* (1, 2, 5, 10 … 100 ms) on the calling thread, and on the HTTP thread that stalls every
 * request. Waiting here instead is asynchronous (Atomics.waitAsync: the event loop goes on serving reads)
 * and ends the moment the holder releases. The lock is advisory: SQLite's own locking still guarantees
 * correctness, so a waiter that gives up after `maxWaitMs` (a holder that died mid-transaction) simply
 * goes on and lets busy_timeout decide. Other processes (the CLI, a second `inkan serve`) are not
 * covered and meet SQLite's busy handler as before.
 */
export class SqliteWriteLock {
  readonly #word: Int32Array;
  readonly #maxWaitMs: number;
  /** Our value in the lock word: this thread's id + 1 (0 means free). */
  readonly #me = threadId + 1;

  /** `maxWaitMs`: how long a waiter waits before it takes the word over (the busy_timeout of openSqlite). */
  constructor(buffer: SharedArrayBuffer, maxWaitMs = 5000) {
    this.#word = new Int32Array(buffer);
    this.#maxWaitMs = maxWaitMs;
  }

  /** Waits (without blocking the thread) until this thread holds the lock, or `maxWaitMs` passed. */
  async acquire(): Promise<void> {
    const deadline = performance.now() + this.#maxWaitMs;
    for (;;) {
      const holder = Atomics.compareExchange(this.#word, 0, 0, this.#me);
      if (holder === 0) return;
      const left = deadline - performance.now();
      if (left <= 0) {
        // The holder is stuck or gone: take the word over; SQLite's own lock still serialises.
        Atomics.store(this.#word, 0, this.#me);
        return;
      }
      const wait = waitAsync(this.#word, 0, holder, left);
      if (!wait.async) continue;
      // A pending waitAsync does not keep the event loop alive; a timer does, until the wait ends. It
      // outlasts the wait's own timeout (which it must not race) and is cleared as soon as the wait ends.
      const keepAlive = setTimeout(() => undefined, left + 1000);
      try {
        await wait.value;
      } finally {
        clearTimeout(keepAlive);
      }
    }
  }

  /** Gives the lock back if this thread still holds it, and wakes one waiter. */
  release(): void {
    if (Atomics.compareExchange(this.#word, 0, this.#me, 0) === this.#me) Atomics.notify(this.#word, 0, 1);
  }
}

/** Atomics.waitAsync (Node 16+; not yet in the ES2022 library types this project compiles against). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(
      array: Int32Array,
      index: number,
      value: number,
      timeoutMs: number,
    ): { async: false; value: string } | { async: true; value: Promise<string> };
  }
).waitAsync.bind(Atomics);

/**
 * The process-wide write lock of a SQLite file, shared with worker threads started afterwards (through
 * worker_threads environment data, which hands the same SharedArrayBuffer to every new thread).
 */
export function sqliteWriteLockFor(absolutePath: string): SqliteWriteLock {
  const key = `inkan:sqlite-write-lock:${absolutePath}`;
  let buffer = getEnvironmentData(key) as SharedArrayBuffer | undefined;
  if (!(buffer instanceof SharedArrayBuffer)) {
    buffer = new SharedArrayBuffer(4);
    setEnvironmentData(key, buffer);
  }
  return new SqliteWriteLock(buffer);
}
