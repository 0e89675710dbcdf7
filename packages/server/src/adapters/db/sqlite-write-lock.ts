import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getEnvironmentData, isMainThread, setEnvironmentData, threadId, type Worker } from 'node:worker_threads';
import { startModuleWorker } from '../../jobs/module-worker.ts';
import type { BrokerMessage, ClientFile, LockThreadData } from './sqlite-lock-thread.ts';

/**
 * What a write lock of a SQLite file offers: the in-process lock word, or the parent's broker (a job child
 * process). Several callers of one process may wait at once; each gets its own release.
 */
export interface WriteLock {
  /** Waits (without blocking the thread) until the caller holds the lock; resolves with its release (idempotent). */
  acquire(): Promise<() => void>;
}

/**
 * One write lock per SQLite file shared by every thread of this process (HTTP and the job worker threads),
 * taken before BEGIN IMMEDIATE and given back after COMMIT.
 *
 * SQLite itself serialises writers, but a connection that finds the file locked waits in its busy handler:
 * it *sleeps* (1, 2, 5, 10 … 100 ms) on the calling thread, and on the HTTP thread that stalls every
 * request. Waiting here instead is asynchronous (Atomics.waitAsync: the event loop goes on serving reads)
 * and ends the moment the holder releases. The lock is advisory: SQLite's own locking still guarantees
 * correctness, so a waiter that saw no release at all for `maxWaitMs` (a holder that died mid-transaction
 * or hangs) takes the word over and lets busy_timeout decide. The bound counts from the last release, not
 * from the waiter's arrival: a long queue that moves is never overtaken (overtaking a live holder sends the
 * overtaker to sleep in SQLite's busy handler, on the HTTP thread the very stall this lock exists to avoid,
 * and under load that fed on itself until envelopes stopped completing). The job child processes of `serve --role=all` take the same word
 * through their parent's broker thread (see startSqliteLockBroker) as *background* holders: while a thread
 * of this process waits for the word (an HTTP request's write), a background waiter stands back for up to
 * DEFER_MS, so that a signer's request is not queued behind the job processes' work. Other processes (the
 * CLI, a second `inkan serve`) are not covered and meet SQLite's busy handler as before.
 *
 * The word (sqliteWriteLockWord): [0] the holder (0: free), [1] how many waiters of this process's threads
 * queue, [2] how many background waiters queue (both for the waiters' order, [2] also for tests), [3] how
 * many times a waiter took the word over (sqliteWriteLockTakeovers).
 */
export class SqliteWriteLock implements WriteLock {
  readonly #word: Int32Array;
  readonly #maxWaitMs: number;
  /** Our value in the lock word: this thread's id + 1 (0 means free), or the broker's value for a child. */
  readonly #me: number;
  readonly #background: boolean;

  /**
   * `maxWaitMs`: how long a waiter waits without any release before it takes the word over (the
   * busy_timeout of openSqlite).
   * `owner`: the value this holder writes in the word (non-zero, distinct from every other holder's).
   * `background`: this holder's waiters let foreground waiters go first (for up to DEFER_MS each).
   */
  constructor(
    buffer: SharedArrayBuffer,
    maxWaitMs = 5000,
    owner = threadId + 1,
    options: { background?: boolean } = {},
  ) {
    if (owner === 0) throw new Error('the owner value 0 means free');
    this.#word = new Int32Array(buffer);
    this.#maxWaitMs = maxWaitMs;
    this.#me = owner;
    this.#background = options.background === true;
  }

  /**
   * Waits (without blocking the thread) until the caller holds the lock, or `maxWaitMs` passed. The waiters
   * of this thread queue in arrival order; a newcomer may take a free word ahead of them only while the
   * oldest has waited less than BARGE_MS (the HTTP thread's next transaction need not wait for a job
   * process's IPC round trip, and a job process is never starved for long).
   */
  async acquire(): Promise<() => void> {
    const queue = queueOf(this.#word);
    const now = performance.now();
    const oldest = queue[0];
    if (!(
      (oldest === undefined || now - oldest.since < BARGE_MS) &&
      !(this.#background && foregroundWaiting(this.#word)) &&
      Atomics.compareExchange(this.#word, 0, 0, this.#me) === 0
    ))
      await new Promise<void>((resolve) => {
        const background = this.#background;
        count(this.#word, background, 1);
        queue.push({ owner: this.#me, since: now, maxWaitMs: this.#maxWaitMs, background, resolve });
        if (queue.length === 1) void pump(this.#word, queue);
      });
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.release();
    };
  }

  /** Gives the lock back if the caller still holds it, and wakes the waiters. */
  release(): void {
    if (Atomics.compareExchange(this.#word, 0, this.#me, 0) === this.#me) Atomics.notify(this.#word, 0);
  }
}

/** How long the oldest waiter of a thread lets newcomers take a free lock word before it. */
const BARGE_MS = 20;

/** How long a background waiter lets foreground waiters go first (it then queues as an equal). */
const DEFER_MS = 100;

/** Indexes in the lock word (see SqliteWriteLock). */
const HOLDER = 0;
const FOREGROUND = 1;
const BACKGROUND = 2;
const TAKEOVERS = 3;
/** The lock word's length in bytes. */
const WORD_BYTES = 16;

/** Whether a foreground waiter queues for the word (an old 4-byte word has no counts). */
function foregroundWaiting(word: Int32Array): boolean {
  return word.length > FOREGROUND && Atomics.load(word, FOREGROUND) > 0;
}

/** Counts a waiter in (1) or out (-1) of the word's foreground or background waiters. */
function count(word: Int32Array, background: boolean, by: 1 | -1): void {
  const index = background ? BACKGROUND : FOREGROUND;
  if (word.length <= index) return;
  Atomics.add(word, index, by);
  // A background waiter standing back waits for the foreground count to change.
  if (!background && by < 0) Atomics.notify(word, FOREGROUND);
}

/** How many background waiters (job processes, through the broker) queue for a lock word now. */
export function sqliteBackgroundWaiters(buffer: SharedArrayBuffer): number {
  const word = new Int32Array(buffer);
  return word.length > BACKGROUND ? Atomics.load(word, BACKGROUND) : 0;
}

/** A waiter of this thread for a lock word. */
interface Waiter {
  owner: number;
  since: number;
  maxWaitMs: number;
  background: boolean;
  resolve: () => void;
}

/** The waiters of this thread, per lock word (one Int32Array per word and thread: see sqliteWriteLockWord). */
const queues = new WeakMap<SharedArrayBuffer, Waiter[]>();
function queueOf(word: Int32Array): Waiter[] {
  const buffer = word.buffer as SharedArrayBuffer;
  let queue = queues.get(buffer);
  if (queue === undefined) {
    queue = [];
    queues.set(buffer, queue);
  }
  return queue;
}

/**
 * Hands the word to this thread's waiters in turn while any wait: the oldest takes it when it is free, or
 * takes it over when no release at all happened for its wait bound (the holder is stuck or gone; SQLite's
 * own lock still serialises).
 */
async function pump(word: Int32Array, queue: Waiter[]): Promise<void> {
  // The last sign of progress: a release (a notify), another holder in the word, or a new head waiter.
  let progress = performance.now();
  let lastHolder = 0;
  let lastHead: Waiter | undefined;
  while (queue.length > 0) {
    const head = queue[0]!;
    if (head.background) {
      // Stand back while foreground waiters queue, for up to DEFER_MS from this waiter's arrival.
      const foreground = word.length > FOREGROUND ? Atomics.load(word, FOREGROUND) : 0;
      const deferFor = head.since + DEFER_MS - performance.now();
      if (foreground > 0 && deferFor > 0) {
        const deferral = waitAsync(word, FOREGROUND, foreground, deferFor);
        if (deferral.async) await deferral.value;
        continue;
      }
    }
    const holder = Atomics.compareExchange(word, HOLDER, 0, head.owner);
    const now = performance.now();
    if (head !== lastHead || holder !== lastHolder) progress = now;
    lastHead = head;
    lastHolder = holder;
    const left = progress + head.maxWaitMs - now;
    if (holder === 0 || left <= 0) {
      if (holder !== 0) {
        Atomics.store(word, HOLDER, head.owner);
        if (word.length > TAKEOVERS) Atomics.add(word, TAKEOVERS, 1);
      }
      queue.shift();
      count(word, head.background, -1);
      head.resolve();
      continue;
    }
    const wait = waitAsync(word, HOLDER, holder, left);
    if (!wait.async) continue;
    // A pending waitAsync does not keep the event loop alive; a timer does, until the wait ends. It
    // outlasts the wait's own timeout (which it must not race) and is cleared as soon as the wait ends.
    const keepAlive = setTimeout(() => undefined, left + 1000);
    try {
      // Woken by a release: the lock moves, however long the queue.
      if ((await wait.value) === 'ok') lastHolder = 0;
    } finally {
      clearTimeout(keepAlive);
    }
  }
}

/** How many times a waiter (of any thread) took the word over from a holder that released nothing for the wait bound. */
export function sqliteWriteLockTakeovers(buffer: SharedArrayBuffer): number {
  const word = new Int32Array(buffer);
  return word.length > TAKEOVERS ? Atomics.load(word, TAKEOVERS) : 0;
}

/** Atomics.waitAsync (Node 16+; not yet in the ES2022 library types this project compiles against). */
export const waitAsync = (
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
 * The lock word of a SQLite file in this process, shared with worker threads started afterwards (through
 * worker_threads environment data, which hands the same SharedArrayBuffer to every new thread).
 */
export function sqliteWriteLockWord(absolutePath: string): SharedArrayBuffer {
  const key = `inkan:sqlite-write-lock:${absolutePath}`;
  // The same object every time in this thread (its waiters queue per object).
  let buffer = words.get(key) ?? (getEnvironmentData(key) as SharedArrayBuffer | undefined);
  if (!(buffer instanceof SharedArrayBuffer)) {
    buffer = new SharedArrayBuffer(WORD_BYTES);
    setEnvironmentData(key, buffer);
  }
  words.set(key, buffer);
  return buffer;
}
const words = new Map<string, SharedArrayBuffer>();

/**
 * The write lock of a SQLite file for this thread: the process-wide lock word, or, in the main thread of
 * a job child process whose parent brokers the lock (useBrokeredSqliteWriteLocks), the parent's word.
 */
export function sqliteWriteLockFor(absolutePath: string): WriteLock {
  if (brokerClient !== undefined && isMainThread) return brokerClient.lockFor(absolutePath);
  return new SqliteWriteLock(sqliteWriteLockWord(absolutePath));
}

/** Broker holds are marked in the word with negative values (thread holders are threadId + 1 > 0). */
let lastBrokerOwner = 0;
export function nextBrokerOwner(): number {
  lastBrokerOwner = (lastBrokerOwner % 0x3fffffff) + 1;
  return -lastBrokerOwner;
}

/** The variable that tells a job child process where its parent's broker listens. */
export const SQLITE_LOCK_BROKER_VARIABLE = 'INKAN_SQLITE_LOCK_BROKER';

/** This process's broker thread, started by the first startSqliteLockBroker. */
let broker: Promise<Record<string, string>> | undefined;

/** The module both lock threads run (beside this one: a .ts source, or the compiled .js). */
const LOCK_THREAD = new URL(`./sqlite-lock-thread${extname(fileURLToPath(import.meta.url))}`, import.meta.url).href;

/**
 * The server's side: starts (once) the broker thread that lends this process's write lock words to job
 * child processes, and resolves with the environment a child needs to reach it (give it to the fork). The
 * thread takes a word for a child only when the child asks, as a background holder, gives it back when the
 * child says so or the child's connection closes (it exited or was killed: its hold ends at once), and a
 * child's hold with no release anywhere for the word's wait bound is overtaken, as a thread's would be.
 * It listens on a Unix socket in a private directory (mode 0700) of the system's temp directory, removed
 * when this process exits.
 */
export function startSqliteLockBroker(maxWaitMs = 5000): Promise<Record<string, string>> {
  broker ??= new Promise((resolve, reject) => {
    // (An unusable temp directory makes mkdtempSync throw here: the promise rejects.)
    removeStaleBrokerDirectories();
    const directory = mkdtempSync(join(tmpdir(), `inkan-lock-${process.pid}-`));
    process.once('exit', () => rmSync(directory, { recursive: true, force: true }));
    const socketPath = join(directory, 'broker.sock');
    const worker: Worker = startModuleWorker(LOCK_THREAD, {
      workerData: { inkanSqliteLockThread: 'broker', socketPath, maxWaitMs } satisfies LockThreadData,
    });
    worker.on('message', (message: BrokerMessage) => {
      if (message.type === 'listening') {
        // From now on the thread keeps nobody alive (the server may exit).
        worker.unref();
        resolve({ [SQLITE_LOCK_BROKER_VARIABLE]: socketPath });
      } else if (message.type === 'failed') reject(new Error(`SQLite lock broker: ${message.message}`));
      else if (message.type === 'word')
        worker.postMessage({
          type: 'word',
          path: message.path,
          word: isAbsolute(message.path) ? sqliteWriteLockWord(message.path) : undefined,
        } satisfies BrokerMessage);
    });
    worker.on('error', (error) => reject(error));
  });
  return broker;
}

/**
 * Removes the broker directories of processes that are gone (killed: their exit handler never ran), by the
 * process id in the name; a directory of another user's process, or one that cannot be read, is left.
 */
function removeStaleBrokerDirectories(): void {
  let names: string[];
  try {
    names = readdirSync(tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(/^inkan-lock-(\d+)-/.exec(name)?.[1]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') continue;
      try {
        rmSync(join(tmpdir(), name), { recursive: true, force: true });
      } catch {
        // Another user's, or already gone.
      }
    }
  }
}

/** Whether this process has a SQLite lock word (it opened a SQLite file), so its children need the broker. */
export function hasSqliteWriteLocks(): boolean {
  return words.size > 0;
}

/**
 * Indexes of a child's counters per SQLite file, shared by its main thread and its client thread: the main
 * thread counts REQUESTS and RELEASES and rings BELL, the client thread sends them to the broker in that
 * order and counts GRANTS; GONE says the broker is unreachable.
 */
export const REQUESTS = 0;
export const GRANTS = 1;
export const RELEASES = 2;
export const BELL = 3;
export const GONE = 4;
const COUNTER_BYTES = 5 * 4;

/** How long a job process's thread sleeps for one grant before it goes on without (SQLite's lock then decides). */
const GRANT_LIMIT_MS = 60_000;

/** The child's side of the broker (installed by useBrokeredSqliteWriteLocks). */
interface BrokerClient {
  lockFor(absolutePath: string): WriteLock;
}
let brokerClient: BrokerClient | undefined;

/**
 * In a job child process started with startSqliteLockBroker's environment: the SQLite write locks of this
 * process's main thread are the parent's, asked for through a client thread. A caller waits in turn behind
 * this process's other holders (asynchronously), then asks and *sleeps* until the grant (Atomics.wait):
 * the grant must not wait for this event loop to finish other work (a certificate render) while the parent's
 * writers wait for the word. The parent overtakes a stuck holder; without a parent (the connection closed)
 * or after GRANT_LIMIT_MS the writer goes on and SQLite's own locking decides. Returns whether the broker
 * is used (false without the environment). Call before any database is opened.
 */
export function useBrokeredSqliteWriteLocks(socketPath = process.env[SQLITE_LOCK_BROKER_VARIABLE]): boolean {
  if (socketPath === undefined || socketPath === '') return false;
  let client: Worker | undefined;
  const locks = new Map<string, { lock: WriteLock; counters: Int32Array }>();
  brokerClient = {
    lockFor: (path) => {
      const known = locks.get(path);
      if (known !== undefined) return known.lock;
      if (client === undefined) {
        client = startModuleWorker(LOCK_THREAD, {
          workerData: { inkanSqliteLockThread: 'client', socketPath } satisfies LockThreadData,
        });
        // A client thread that failed: nobody will count grants, every writer goes on (SQLite decides).
        client.on('error', () => {
          for (const { counters } of locks.values()) {
            Atomics.store(counters, GONE, 1);
            Atomics.notify(counters, GRANTS);
          }
        });
        client.unref();
      }
      const shared = new SharedArrayBuffer(COUNTER_BYTES);
      client.postMessage({ path, counters: shared } satisfies ClientFile);
      const counters = new Int32Array(shared);
      const lock = brokeredLock(counters);
      locks.set(path, { lock, counters });
      return lock;
    },
  };
  return true;
}

/** A write lock whose grants come from the broker, counted in `counters` (see REQUESTS…). */
function brokeredLock(counters: Int32Array): WriteLock {
  // This process's holders, one after the other: the broker is asked for one hold at a time, so a sleeping
  // request never waits for a hold of this very thread.
  let turn: Promise<void> = Promise.resolve();
  const ring = () => {
    Atomics.add(counters, BELL, 1);
    Atomics.notify(counters, BELL);
  };
  return {
    acquire: async () => {
      const previous = turn;
      let done!: () => void;
      turn = new Promise((resolve) => (done = resolve));
      await previous;
      const wanted = Atomics.add(counters, REQUESTS, 1) + 1;
      ring();
      const deadline = performance.now() + GRANT_LIMIT_MS;
      for (;;) {
        const grants = Atomics.load(counters, GRANTS);
        const left = deadline - performance.now();
        if (grants >= wanted || Atomics.load(counters, GONE) === 1 || left <= 0) break;
        Atomics.wait(counters, GRANTS, grants, left);
      }
      let held = true;
      return () => {
        if (!held) return;
        held = false;
        Atomics.add(counters, RELEASES, 1);
        ring();
        done();
      };
    },
  };
}
