/*
 * The durable job queue, kept in the `jobs` table of the same database as everything else, so that a
 * job is enqueued in the transaction of the change that causes it (committed together or not at all).
 *
 * Delivery is AT-LEAST-ONCE: a worker that dies after its handler finished but before the job was
 * marked done leaves the job to be run again once its lease runs out. HANDLERS MUST BE IDEMPOTENT:
 * check the state first ("already signed? done"), make their effects conditional on it in one
 * transaction, and give mail an idempotency key.
 *
 * Claiming: a runner takes the oldest due row (claim(limit) can take several in one statement).
 * PostgreSQL with FOR UPDATE SKIP LOCKED (workers never wait on each other); SQLite with BEGIN IMMEDIATE
 * (a deferred transaction upgrading to a write could fail with SQLITE_BUSY instead of waiting). A claimed job carries a lease
 * (`locked_until`), renewed while the handler runs; an expired lease means a dead worker. A worker
 * also has a stable identity (`worker_id`: INKAN_WORKER_ID, or host and role) that outlives its process:
 * when it starts again it takes back at once the jobs its previous process held (reclaimOwnJobs),
 * instead of leaving them to wait for their lease.
 *
 * Retry policy: a failed attempt is retried after a capped exponential backoff (10 s, 20 s … at most
 * `maxBackoffMs`, 1 h) for `retryForMs` (72 h) after the job's first attempt; then the job is failed and
 * `onFailed` runs in the transaction that marks it so (the worker tells the people concerned).
 */
import { sql } from 'kysely';
import type { Db, DbOrTx, Schema } from '../../ports/database.ts';
import {
  queuedJobRow,
  type FinishJobIn,
  type JobKind,
  type JobPayloads,
  type JobQueue,
} from '../../ports/job-queue.ts';
import { systemClock, type Clock } from '../../ports/clock.ts';
import { inTransaction } from '../../domain/transaction.ts';

/**
 * Attempts before a job is marked failed whatever the time: a guard against a job that kills its
 * worker on every attempt (its lease expires each time, without any backoff). Failing jobs are bounded
 * by time (retryForMs) long before: 72 h of backoff capped at 1 h is about 80 attempts.
 */
export const DEFAULT_MAX_ATTEMPTS = 500;
/** How long after its first attempt a failing job is retried (INKAN_JOB_RETRY_FOR). */
export const DEFAULT_RETRY_FOR_MS = 72 * 3_600_000;
/** The longest wait between two attempts (INKAN_JOB_MAX_BACKOFF). */
export const DEFAULT_MAX_BACKOFF_MS = 3_600_000;

/** What a handler learns about the job it runs. */
export interface JobInfo {
  id: string;
  kind: JobKind;
  /** 1 on the first run, 2 on the first retry … */
  attempt: number;
  maxAttempts: number;
  dedupeKey: string | null;
  createdAt: Date;
  /** Marks this job done in the handler's last transaction (see FinishJobIn); absent for a failed job's notice. */
  finishIn?: FinishJobIn;
}

/** A job that has just been failed for good (given to onFailed). */
export interface FailedJobInfo extends JobInfo {
  payload: unknown;
  lastError: string;
}

/** Runs one job; throwing makes the job retry later (or fail after the last attempt). Must be idempotent. */
export type JobHandler<K extends JobKind> = (payload: JobPayloads[K], job: JobInfo) => Promise<void>;

/** The handlers of a worker, by job kind; kinds without a handler stay queued for another worker. */
export type JobHandlers = { [K in JobKind]?: JobHandler<K> };

/** The JobQueue port on the `jobs` table. */
export class DbJobQueue implements JobQueue {
  readonly #clock: Clock;
  readonly #maxAttempts: number;

  constructor(options: { clock?: Clock; maxAttempts?: number } = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  }

  /**
   * Adds a job in the caller's transaction (or directly on the database). With a dedupe key that a
   * queued or running job already has, nothing is added.
   */
  async enqueue<K extends JobKind>(
    db: DbOrTx,
    kind: K,
    payload: JobPayloads[K],
    options: { dedupeKey?: string; runAt?: Date } = {},
  ): Promise<void> {
    const now = this.#clock.now();
    await db
      .insertInto('jobs')
      .values(queuedJobRow(kind, payload, now, { ...options, maxAttempts: this.#maxAttempts }))
      // The only unique index a new row (random id) can hit is the partial one on active dedupe keys.
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  async enqueueMany<K extends JobKind>(
    db: DbOrTx,
    kind: K,
    jobs: ReadonlyArray<{ payload: JobPayloads[K]; dedupeKey?: string; runAt?: Date }>,
  ): Promise<void> {
    const now = this.#clock.now();
    for (let start = 0; start < jobs.length; start += INSERT_CHUNK) {
      await db
        .insertInto('jobs')
        .values(
          jobs
            .slice(start, start + INSERT_CHUNK)
            .map(({ payload, ...options }) =>
              queuedJobRow(kind, payload, now, { ...options, maxAttempts: this.#maxAttempts }),
            ),
        )
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  }
}

/**
 * Rows per multi-row INSERT: 18 columns × 200 = 3,600 parameters, well inside SQLite's 32,766 and
 * PostgreSQL's 65,535 bind parameters per statement.
 */
const INSERT_CHUNK = 200;

/** Options of startJobRunner. */
export interface JobRunnerOptions {
  db: Db;
  dialect: 'sqlite' | 'postgres';
  handlers: JobHandlers;
  /** Names this process (or thread) in locked_by, unique while it lives (e.g. `${host}:${pid}:${thread}:${nonce}`). */
  workerId: string;
  /**
   * The stable identity of this worker across restarts (jobs.worker_id). With it, the runner first takes
   * back the running jobs of the same identity held by another process (see mayReclaim).
   */
  stableWorkerId?: string;
  /** Whether the process named by a job's locked_by may be taken for dead (default: yes). */
  mayReclaim?: (lockedBy: string) => boolean;
  /** How long after its first attempt a failing job is retried before it is failed (default 72 h). */
  retryForMs?: number;
  /** The longest wait between two attempts (default 1 h). */
  maxBackoffMs?: number;
  /**
   * Runs in the transaction that marks a job failed for good (after its retry window, or too many
   * crashed attempts): whatever it writes commits with the failure or not at all.
   */
  onFailed?: (tx: DbOrTx, job: FailedJobInfo) => Promise<void>;
  /** How often to look for due jobs when idle (default 250 ms). */
  pollMs?: number;
  clock?: Clock;
  /** How long a claim holds before another worker may take the job (default 60 s); renewed while running. */
  leaseMs?: number;
  /** Jobs run at the same time by this runner (default 4). */
  concurrency?: number;
  /** Delay before retry number `attempt` (default 10 s · 2^(attempt−1)); capped at maxBackoffMs. */
  backoffMs?: (attempt: number) => number;
  /** Told about every failed attempt (for logging); must not throw. */
  onError?: (job: JobInfo, error: unknown) => void;
  /** Do not poll: jobs run only through runOnce()/idle() (tests). */
  manual?: boolean;
}

/** A running job runner. */
export interface JobRunner {
  /** Stops polling and waits for the jobs in progress to finish. */
  stop(): Promise<void>;
  /** Claims and runs one due job; false when none was due. */
  runOnce(): Promise<boolean>;
  /** Resolves when no due job (of this runner's kinds) is left and none is running here. */
  idle(): Promise<void>;
  /** Looks for due jobs now instead of at the next poll (someone just queued one). */
  wake(): void;
  /** Resolves with the number of jobs taken back from this worker identity's previous process. */
  reclaimed: Promise<number>;
}

/** The default retry delay: 10 s, 20 s, 40 s … capped at one hour. */
export function defaultBackoffMs(attempt: number): number {
  return Math.min(10_000 * 2 ** Math.min(30, Math.max(0, attempt - 1)), DEFAULT_MAX_BACKOFF_MS);
}

type JobRow = Schema['jobs'];

/** Starts a worker loop over the `jobs` table (at-least-once; see the top of this file). */
export function startJobRunner(options: JobRunnerOptions): JobRunner {
  const { db, dialect, handlers, workerId } = options;
  const clock = options.clock ?? systemClock;
  const pollMs = options.pollMs ?? 250;
  const leaseMs = options.leaseMs ?? 60_000;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const maxBackoffMs = options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
  const retryForMs = options.retryForMs ?? DEFAULT_RETRY_FOR_MS;
  const backoff = options.backoffMs ?? defaultBackoffMs;
  const backoffMs = (attempt: number): number => Math.min(backoff(attempt), maxBackoffMs);
  const stableWorkerId = options.stableWorkerId ?? null;
  const kinds = Object.keys(handlers).filter((k) => typeof handlers[k as JobKind] === 'function');
  const inFlight = new Set<Promise<void>>();
  // Claims under way: the row may already be 'running' in the database before the task is in `inFlight`.
  let claiming = 0;
  const waiters = new Set<() => void>();
  let stopped = false;
  let loopRunning = false;

  const notify = (): void => {
    for (const wake of [...waiters]) wake();
  };
  const waitForChange = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        waiters.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      waiters.add(done);
    });

  /**
   * Claims up to `limit` due jobs in one statement (the free slots of this runner: one write instead of
   * one per job when work piles up), oldest first.
   */
  async function claim(limit: number): Promise<JobRow[]> {
    if (kinds.length === 0 || limit < 1) return [];
    const now = clock.now().toISOString();
    const lease = new Date(clock.now().getTime() + leaseMs).toISOString();
    const due = sql`kind in (${sql.join(kinds)}) and ((status = 'queued' and run_at <= ${now}) or (status = 'running' and locked_until < ${now}))`;
    // PostgreSQL: SKIP LOCKED, workers never wait on each other. SQLite: inTransaction takes the write lock
    // first (waiting asynchronously, not asleep in SQLite's busy handler), then BEGIN IMMEDIATE.
    const claimed =
      dialect === 'postgres'
        ? await sql<JobRow>`
            update jobs set status = 'running', locked_by = ${workerId}, locked_until = ${lease}, attempts = attempts + 1,
              worker_id = ${stableWorkerId}, first_attempt_at = coalesce(first_attempt_at, ${now})
            where id in (select id from jobs where ${due} order by run_at, created_at limit ${limit} for update skip locked)
            returning *`.execute(db)
        : await inTransaction(db, dialect, (tx) =>
            sql<JobRow>`
              update jobs set status = 'running', locked_by = ${workerId}, locked_until = ${lease}, attempts = attempts + 1,
                worker_id = ${stableWorkerId}, first_attempt_at = coalesce(first_attempt_at, ${now})
              where id in (select id from jobs where ${due} order by run_at, created_at limit ${limit})
              returning *`.execute(tx),
          );
    // RETURNING gives no order: run the oldest first.
    return claimed.rows.sort((a, b) =>
      a.run_at === b.run_at ? a.created_at.localeCompare(b.created_at) : a.run_at.localeCompare(b.run_at),
    );
  }

  /** One write outside a handler's transaction (a single statement on either database). */
  function write<T>(work: (db: DbOrTx) => Promise<T>): Promise<T> {
    return work(db);
  }

  /** Updates only our own claim: a worker whose lease ran out and was re-claimed must not touch the row. */
  async function finish(row: JobRow, update: Partial<JobRow>): Promise<void> {
    await write((tx) =>
      tx
        .updateTable('jobs')
        .set(update)
        .where('id', '=', row.id)
        .where('locked_by', '=', workerId)
        .where('attempts', '=', row.attempts)
        .where('status', '=', 'running')
        .execute(),
    );
  }

  /**
   * Marks our claim failed for good and runs onFailed in the same transaction (nothing when the claim
   * is no longer ours: another worker took the job over).
   */
  async function fail(row: JobRow, info: JobInfo, lastError: string): Promise<void> {
    await inTransaction(db, dialect, async (tx) => {
      const result = await tx
        .updateTable('jobs')
        .set({
          status: 'failed',
          finished_at: clock.now().toISOString(),
          locked_by: null,
          locked_until: null,
          last_error: lastError,
        })
        .where('id', '=', row.id)
        .where('locked_by', '=', workerId)
        .where('attempts', '=', row.attempts)
        .where('status', '=', 'running')
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) return;
      let payload: unknown = null;
      try {
        payload = JSON.parse(row.payload) as unknown;
      } catch {
        // A payload that is not JSON failed its job already; the notice names the job only.
      }
      await options.onFailed?.(tx, { ...info, finishIn: undefined, payload, lastError });
    });
  }

  /** Whether the job's retry window (from its first attempt) ends before `at`. */
  function pastRetryWindow(row: JobRow, at: number): boolean {
    const first = row.first_attempt_at === null ? clock.now().getTime() : new Date(row.first_attempt_at).getTime();
    return at > first + retryForMs;
  }

  /** The update that marks our claim done (nothing when the claim is no longer ours). */
  const doneUpdate = (): Partial<JobRow> => ({
    status: 'done',
    finished_at: clock.now().toISOString(),
    locked_by: null,
    locked_until: null,
    last_error: null,
  });

  async function run(row: JobRow): Promise<void> {
    // Set once the handler marked the job done in its own transaction (finishIn): nothing left to write.
    let doneByHandler = false;
    const info: JobInfo = {
      id: row.id,
      kind: row.kind as JobKind,
      attempt: row.attempts,
      maxAttempts: row.max_attempts,
      dedupeKey: row.dedupe_key,
      createdAt: new Date(row.created_at),
      finishIn: async (tx) => {
        const result = await tx
          .updateTable('jobs')
          .set(doneUpdate())
          .where('id', '=', row.id)
          .where('locked_by', '=', workerId)
          .where('attempts', '=', row.attempts)
          .where('status', '=', 'running')
          .executeTakeFirst();
        // Not ours any more (the lease ran out and another worker took it): that worker finishes it.
        doneByHandler = Number(result.numUpdatedRows) === 1;
      },
    };
    if (row.attempts > row.max_attempts) {
      // Only reachable through expired leases: the job keeps killing its workers.
      await fail(row, info, 'lease expired on every attempt (worker crashed or hung)');
      return;
    }
    const handler = handlers[info.kind] as ((payload: unknown, job: JobInfo) => Promise<void>) | undefined;
    // Renew the lease while the handler runs, so a slow seal is not taken for a dead worker's.
    const heartbeat = setInterval(
      () => {
        write((tx) =>
          tx
            .updateTable('jobs')
            .set({ locked_until: new Date(clock.now().getTime() + leaseMs).toISOString() })
            .where('id', '=', row.id)
            .where('locked_by', '=', workerId)
            .where('attempts', '=', row.attempts)
            .where('status', '=', 'running')
            .execute(),
        ).catch(() => undefined);
      },
      Math.max(10, Math.floor(leaseMs / 3)),
    );
    heartbeat.unref();
    try {
      if (!handler) throw new Error(`no handler for job kind ${row.kind}`);
      await handler(JSON.parse(row.payload) as unknown, info);
      clearInterval(heartbeat);
      // A rolled-back transaction that had called finishIn ends in a throw, not here; should a handler
      // swallow it, the row stays 'running' and is run again when its lease expires (at least once).
      if (!doneByHandler) await finish(row, doneUpdate());
    } catch (error) {
      clearInterval(heartbeat);
      try {
        options.onError?.(info, error);
      } catch {
        // A logger failure must not lose the retry bookkeeping.
      }
      const lastError = describeError(error);
      const retryAt = clock.now().getTime() + backoffMs(row.attempts);
      if (row.attempts >= row.max_attempts || pastRetryWindow(row, retryAt)) {
        await fail(row, info, lastError);
      } else {
        const runAt = new Date(retryAt).toISOString();
        await finish(row, {
          status: 'queued',
          run_at: runAt,
          locked_by: null,
          locked_until: null,
          last_error: lastError,
        });
      }
    }
  }

  async function runOnce(): Promise<boolean> {
    claiming++;
    let row: JobRow | undefined;
    try {
      [row] = await claim(1);
    } finally {
      claiming--;
    }
    if (!row) return false;
    const task = run(row).finally(() => {
      inFlight.delete(task);
      notify();
    });
    inFlight.add(task);
    await task;
    return true;
  }

  async function hasDueJob(): Promise<boolean> {
    if (kinds.length === 0) return false;
    const now = clock.now().toISOString();
    const row = await db
      .selectFrom('jobs')
      .select('id')
      .where('kind', 'in', kinds)
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'queued'), eb('run_at', '<=', now)]),
          eb.and([eb('status', '=', 'running'), eb('locked_until', '<', now)]),
        ]),
      )
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async function loop(): Promise<void> {
    loopRunning = true;
    try {
      while (!stopped) {
        if (inFlight.size >= concurrency) {
          await waitForChange(pollMs);
          continue;
        }
        let rows: JobRow[];
        claiming++;
        try {
          // One job per claim: claiming every free slot at once let one job thread take a burst of CPU-bound
          // jobs while the other idled (envelope bench: fewer envelopes/s); claims interleave between threads.
          rows = await claim(1);
        } catch {
          // The database is unreachable or busy: try again at the next poll.
          rows = [];
        } finally {
          claiming--;
        }
        if (rows.length === 0) {
          notify();
          await waitForChange(pollMs);
          continue;
        }
        for (const row of rows) {
          const task = run(row)
            .catch(() => undefined)
            .finally(() => {
              inFlight.delete(task);
              notify();
            });
          inFlight.add(task);
        }
      }
    } finally {
      loopRunning = false;
    }
  }

  /**
   * Makes the running jobs of this worker identity held by another (dead) process due now: the claim
   * query then takes them like any expired lease, without waiting for the lease to run out.
   */
  async function reclaimOwnJobs(): Promise<number> {
    if (stableWorkerId === null) return 0;
    const held = await db
      .selectFrom('jobs')
      .select(['id', 'locked_by', 'attempts'])
      .where('status', '=', 'running')
      .where('worker_id', '=', stableWorkerId)
      .where('locked_by', '<>', workerId)
      .execute();
    let count = 0;
    const expired = new Date(clock.now().getTime() - 1).toISOString();
    for (const job of held) {
      if (job.locked_by !== null && options.mayReclaim && !options.mayReclaim(job.locked_by)) continue;
      const result = await write((tx) =>
        tx
          .updateTable('jobs')
          .set({ locked_until: expired })
          .where('id', '=', job.id)
          .where('status', '=', 'running')
          .where('locked_by', '=', job.locked_by)
          .where('attempts', '=', job.attempts)
          .executeTakeFirst(),
      );
      count += Number(result.numUpdatedRows);
    }
    return count;
  }

  // Reclaim before the first claim, so that this process's first polls already see those jobs.
  const reclaimed = reclaimOwnJobs();
  reclaimed.catch(() => undefined);
  const loopDone = options.manual
    ? Promise.resolve()
    : reclaimed.then(
        () => loop(),
        () => loop(),
      );

  return {
    runOnce,
    wake: notify,
    reclaimed,
    async idle(): Promise<void> {
      for (;;) {
        // Idle: nothing running here, no claim under way (its row may already read 'running'), nothing due.
        if (inFlight.size === 0 && claiming === 0 && !(await hasDueJob()) && inFlight.size === 0 && claiming === 0)
          return;
        if (options.manual || !loopRunning) {
          if (!(await runOnce()) && inFlight.size > 0) await Promise.race(inFlight);
        } else {
          await waitForChange(pollMs);
        }
      }
    },
    async stop(): Promise<void> {
      stopped = true;
      notify();
      await loopDone;
      await Promise.allSettled([...inFlight]);
    },
  };
}

/** A short, secret-free description of a failure for jobs.last_error. */
function describeError(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown; name?: unknown };
  const code = typeof e?.code === 'string' ? `${e.code}: ` : '';
  const message = typeof e?.message === 'string' ? e.message : String(error);
  // URLs with credentials (an SMTP or database URL in a driver's message) lose the credentials.
  return `${code}${message}`.replace(/\/\/[^/\s:@]+:[^/\s@]+@/g, '//***@').slice(0, 1000);
}
