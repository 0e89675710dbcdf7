import type { ChildProcess } from 'node:child_process';
import { isAbsolute } from 'node:path';
import { getEnvironmentData, isMainThread, setEnvironmentData, threadId } from 'node:worker_threads';

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
 * through their parent (see brokerSqliteWriteLocks); other processes (the CLI, a second `inkan serve`)
 * are not covered and meet SQLite's busy handler as before.
 */
export class SqliteWriteLock implements WriteLock {
  readonly #word: Int32Array;
  readonly #maxWaitMs: number;
  /** Our value in the lock word: this thread's id + 1 (0 means free), or the broker's value for a child. */
  readonly #me: number;

  /**
   * `maxWaitMs`: how long a waiter waits without any release before it takes the word over (the
   * busy_timeout of openSqlite).
   * `owner`: the value this holder writes in the word (non-zero, distinct from every other holder's).
   */
  constructor(buffer: SharedArrayBuffer, maxWaitMs = 5000, owner = threadId + 1) {
    if (owner === 0) throw new Error('the owner value 0 means free');
    this.#word = new Int32Array(buffer);
    this.#maxWaitMs = maxWaitMs;
    this.#me = owner;
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
      Atomics.compareExchange(this.#word, 0, 0, this.#me) === 0
    ))
      await new Promise<void>((resolve) => {
        queue.push({ owner: this.#me, since: now, maxWaitMs: this.#maxWaitMs, resolve });
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

/** A waiter of this thread for a lock word. */
interface Waiter {
  owner: number;
  since: number;
  maxWaitMs: number;
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
    const holder = Atomics.compareExchange(word, 0, 0, head.owner);
    const now = performance.now();
    if (head !== lastHead || holder !== lastHolder) progress = now;
    lastHead = head;
    lastHolder = holder;
    const left = progress + head.maxWaitMs - now;
    if (holder === 0 || left <= 0) {
      if (holder !== 0) {
        Atomics.store(word, 0, head.owner);
        takeovers++;
      }
      queue.shift();
      head.resolve();
      continue;
    }
    const wait = waitAsync(word, 0, holder, left);
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

let takeovers = 0;
/** How many times a waiter of this thread took the word over from a holder that released nothing for the wait bound. */
export function sqliteWriteLockTakeovers(): number {
  return takeovers;
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
 * The lock word of a SQLite file in this process, shared with worker threads started afterwards (through
 * worker_threads environment data, which hands the same SharedArrayBuffer to every new thread).
 */
export function sqliteWriteLockWord(absolutePath: string): SharedArrayBuffer {
  const key = `inkan:sqlite-write-lock:${absolutePath}`;
  // The same object every time in this thread (its waiters queue per object).
  let buffer = words.get(key) ?? (getEnvironmentData(key) as SharedArrayBuffer | undefined);
  if (!(buffer instanceof SharedArrayBuffer)) {
    buffer = new SharedArrayBuffer(4);
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

/** The messages of the lock broker: a child asks (`acquire`) and gives back (`release`), the parent grants. */
export type SqliteLockRequest = { type: 'sqlite-lock'; op: 'acquire' | 'release'; id: number; path: string };
export type SqliteLockGrant = { type: 'sqlite-lock-granted'; id: number };

/** Whether an IPC message belongs to the lock broker (the supervisor's own listeners skip these). */
export function isSqliteLockMessage(message: unknown): message is SqliteLockRequest | SqliteLockGrant {
  const type = (message as { type?: unknown } | null)?.type;
  return type === 'sqlite-lock' || type === 'sqlite-lock-granted';
}

/** Broker holds are marked in the word with negative values (thread holders are threadId + 1 > 0). */
let nextBrokerOwner = 0;
function brokerOwner(): number {
  nextBrokerOwner = (nextBrokerOwner % 0x3fffffff) + 1;
  return -nextBrokerOwner;
}

/**
 * The parent's side: takes the process's lock word on behalf of a job child process when it asks, tells it
 * when it holds it, and gives it back when the child says so — or when the child exits (a child that dies
 * holding the lock frees it at once). The parent's threads and its children thus wait in one queue, and
 * a child's write never makes the parent's event loop sleep in SQLite's busy handler. A child that holds
 * the lock with no release anywhere for the word's wait bound is overtaken, as a thread would be.
 */
export function brokerSqliteWriteLocks(child: ChildProcess, maxWaitMs = 5000): void {
  const held = new Map<number, () => void>();
  const waiting = new Set<number>();
  let gone = false;
  child.on('message', (message) => {
    if ((message as Partial<SqliteLockRequest>)?.type !== 'sqlite-lock') return;
    const { op, id, path } = message as SqliteLockRequest;
    if (op === 'release') {
      waiting.delete(id);
      held.get(id)?.();
      held.delete(id);
      return;
    }
    if (typeof path !== 'string' || !isAbsolute(path) || waiting.has(id) || held.has(id)) return;
    const lock = new SqliteWriteLock(sqliteWriteLockWord(path), maxWaitMs, brokerOwner());
    waiting.add(id);
    void lock.acquire().then((release) => {
      // Given back by the child meanwhile, or the child is gone: hand the word on.
      if (gone || !waiting.delete(id)) {
        release();
        return;
      }
      held.set(id, release);
      // A send to a child that is exiting fails into the callback; its exit releases what it held.
      if (child.connected) child.send({ type: 'sqlite-lock-granted', id } satisfies SqliteLockGrant, () => undefined);
    });
  });
  child.on('exit', () => {
    gone = true;
    waiting.clear();
    for (const release of held.values()) release();
    held.clear();
  });
}

/** The child's side of the broker (installed by useBrokeredSqliteWriteLocks). */
interface BrokerClient {
  lockFor(absolutePath: string): WriteLock;
}
let brokerClient: BrokerClient | undefined;

/**
 * In a job child process (forked with an IPC channel by a parent that runs brokerSqliteWriteLocks): the
 * SQLite write locks of this process's main thread are the parent's, asked for over IPC. A wait has no
 * bound of its own (the parent overtakes a stuck holder; a timeout here would send this process into
 * SQLite's busy handler while the parent still queues it, and the parent's next holder into it after
 * this one); without a parent (the channel closed) the writer goes on and SQLite's own locking decides.
 * Call before any database is opened.
 */
export function useBrokeredSqliteWriteLocks(): void {
  if (process.send === undefined) throw new Error('no IPC channel to a parent');
  const grants = new Map<number, () => void>();
  process.on('message', (message: unknown) => {
    if ((message as Partial<SqliteLockGrant>)?.type !== 'sqlite-lock-granted') return;
    const { id } = message as SqliteLockGrant;
    const granted = grants.get(id);
    grants.delete(id);
    if (granted !== undefined) granted();
    // A grant nobody waits for (cannot happen with this client): give it straight back.
    else send({ type: 'sqlite-lock', op: 'release', id, path: '' });
  });
  // The parent is gone: nobody will grant; every waiter goes on (SQLite's own lock still serialises).
  process.on('disconnect', () => {
    for (const granted of grants.values()) granted();
    grants.clear();
  });
  // Whether the message went out (a full IPC backlog still sends it; a closed channel fails into the callback).
  const send = (message: SqliteLockRequest): boolean => {
    if (!process.connected) return false;
    process.send!(message, undefined, {}, () => undefined);
    return true;
  };
  let nextId = 0;
  brokerClient = {
    lockFor: (path) => ({
      acquire: () => {
        const id = ++nextId;
        let held = true;
        const release = () => {
          if (!held) return;
          held = false;
          send({ type: 'sqlite-lock', op: 'release', id, path });
        };
        if (!send({ type: 'sqlite-lock', op: 'acquire', id, path })) return Promise.resolve(release);
        return new Promise<() => void>((resolve) => grants.set(id, () => resolve(release)));
      },
    }),
  };
}
