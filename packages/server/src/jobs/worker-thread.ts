/*
 * The job worker in a `node:worker_threads` thread or in a child process: signing and sealing are CPU
 * work that must not stall the HTTP event loop. The worker builds its own context (its own database
 * connection, its own keys) from the same environment and runs the job runner with the domain's handlers.
 * A child process gives all of its memory back to the system when it exits; a thread that stops leaves
 * its malloc arenas in the server process (glibc keeps them), so `serve --role=all` runs its on-demand
 * job work in child processes.
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { hostname, setPriority } from 'node:os';
import { isMainThread, parentPort, threadId, workerData } from 'node:worker_threads';
import { loadConfig } from '../config/config.ts';
import { createContext, type AppContext } from '../context.ts';
import {
  startJobRunner,
  type JobHandlers,
  type JobRunner,
  type JobRunnerOptions,
  type JobInfo,
} from '../adapters/jobs/db-job-queue.ts';
import { scheduleAuditAnchor } from '../domain/use-cases/anchor-audit-chain.ts';
import { scheduleBackup } from '../backup/run-scheduled-backup.ts';
import { scheduleDeadlineReminders } from '../domain/use-cases/queue-deadline-reminders.ts';
import { scheduleExpirySweep } from '../domain/use-cases/expire-envelopes.ts';
import { scheduleRetentionSweep } from '../domain/use-cases/shred-expired-documents.ts';
import { scheduleArchiveRenewal } from '../domain/use-cases/renew-archive-timestamps.ts';
import { recordJobFailure } from '../domain/use-cases/record-job-failure.ts';
import { createJobHandlers } from './handlers.ts';
import { startModuleWorker } from './module-worker.ts';
import { startHeartbeat } from '../observability/readiness.ts';
import { hasDueJobs } from '../adapters/jobs/due-jobs.ts';
import type { Db } from '../ports/database.ts';
import { sqlitePathOf } from '../adapters/db/open-database.ts';
import { startSqliteCheckpoints, type SqliteCheckpointer } from '../adapters/db/sqlite-checkpoints.ts';
import {
  hasSqliteWriteLocks,
  startSqliteLockBroker,
  useBrokeredSqliteWriteLocks,
} from '../adapters/db/sqlite-write-lock.ts';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';

/** What the main thread hands the worker. */
interface WorkerInput {
  inkanJobWorker: true;
  env: Record<string, string | undefined>;
  pollMs?: number;
  /** A module exporting createJobHandlers to use instead of ./handlers.ts (tests). */
  handlersModule?: string;
  /** The serve role of the process (part of the default stable worker identity). */
  role?: string;
  /** Say `idle` to the main thread after this long without a job or a wake-up (0: never). */
  idleMs?: number;
}

/** Messages from the worker thread. */
type WorkerMessage =
  | { type: 'ready' }
  | { type: 'stopped' }
  | { type: 'failed'; message: string }
  | { type: 'idle' }
  | { type: 'metrics'; id: number; metrics: MetricObjectWithValues<MetricValue<string>>[] };

/** What the supervisor sends: a child process gets its WorkerInput as the first message. */
type SupervisorMessage =
  { type: 'start'; input: WorkerInput } | { type: 'wake' } | { type: 'stop' } | { type: 'metrics'; id: number };

/** The argument that makes this module, forked, run as a job worker process (see the end of the file). */
const WORKER_PROCESS_ARGUMENT = '--inkan-job-worker-process';

// Tells this process apart from an earlier one with the same pid (a container restarted as pid 1).
const PROCESS_NONCE = randomBytes(4).toString('hex');

/** A name for locked_by that says which process and thread holds a job: `host:pid:thread:nonce`. */
export function workerIdentity(): string {
  return `${hostname()}:${process.pid}:${threadId}:${PROCESS_NONCE}`;
}

/**
 * The stable identity of a job worker (jobs.worker_id): INKAN_WORKER_ID, or the host and the serve role.
 * A worker started again with the same identity takes back the jobs its previous process held. Several
 * worker processes on one host need distinct INKAN_WORKER_IDs (a live process of the same identity
 * on this host is never robbed: see mayReclaimFrom).
 */
export function stableWorkerIdentity(configured: string | undefined, role: string): string {
  // The job processes of one server are slots: `all#1`, `all#2`… of `serve --role=all`, and `worker`,
  // `worker#2`… of `serve --role=worker` (its first keeps the plain identity, that of a worker that ran its
  // jobs in one process). Each restarted process takes back only its own slot's jobs, never those of a
  // sibling that is still running; INKAN_WORKER_ID keeps the slot: `ID#2`.
  const slot = role.includes('#') ? role.slice(role.indexOf('#')) : '';
  return configured ? `${configured}${slot}` : `${hostname()}:${role}`;
}

/**
 * Whether the holder named by a job's locked_by (`host:pid:thread:nonce`) may be taken for dead by this
 * process: a holder on another host is (the identity says it is our predecessor); on this host, unless
 * its process is alive and is not this one (then two live workers share an identity: leave it to its lease).
 */
export function mayReclaimFrom(lockedBy: string): boolean {
  const [host, pidText] = lockedBy.split(':');
  if (host !== hostname()) return true;
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return true;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code !== 'EPERM';
  }
  // A zombie holds nothing: the job processes of a worker killed as a whole (its process group, its
  // container) wait, dead, until whoever inherited them reaps them, which may take seconds.
  return isZombie(pid);
}

/** Whether a process is dead but not yet reaped (Linux; elsewhere, and when unsure, false). */
function isZombie(pid: number): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // `pid (command) state …`: the command may hold spaces and parentheses, the state follows the last ')'.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X';
  } catch {
    return false;
  }
}

/**
 * The options every job runner of this installation runs with: the database, the clock, the lease, this
 * process's names (locked_by and the stable identity), the retry policy, and what happens when a job
 * fails for good (recordJobFailure: organisation, operation log, notice mail).
 */
export function jobRunnerPolicy(
  context: AppContext,
  role: string,
): Pick<
  JobRunnerOptions,
  | 'db'
  | 'dialect'
  | 'clock'
  | 'leaseMs'
  | 'workerId'
  | 'stableWorkerId'
  | 'mayReclaim'
  | 'retryForMs'
  | 'maxBackoffMs'
  | 'onFailed'
> {
  return {
    db: context.db,
    dialect: context.dialect,
    clock: context.clock,
    leaseMs: context.config.jobLeaseMs,
    workerId: workerIdentity(),
    stableWorkerId: stableWorkerIdentity(context.config.workerId, role),
    mayReclaim: mayReclaimFrom,
    retryForMs: context.config.jobRetryForMs,
    maxBackoffMs: context.config.jobMaxBackoffMs,
    onFailed: (tx, job) =>
      recordJobFailure(context, tx, {
        id: job.id,
        kind: job.kind,
        attempt: job.attempt,
        payload: job.payload,
        at: context.clock.now(),
      }),
  };
}

/** Starts the job runner in this process (the `worker` role, and the body of the worker thread). */
export function runJobWorker(
  context: AppContext,
  options: {
    pollMs?: number;
    handlers?: JobHandlers;
    log?: (line: Record<string, unknown>) => void;
    scheduleAuditAnchor?: boolean;
    /** The serve role (default stable worker identity `host:role`); `all` when the worker is a thread of it. */
    role?: string;
  } = {},
): JobRunner {
  const log = options.log ?? ((line) => process.stderr.write(`${JSON.stringify(line)}\n`));
  const handlers = options.handlers ?? createJobHandlers(context);
  // The daily anchor of the operation log: today's run is queued at start (once per day by its dedupe
  // key and its own check); each run queues the next day's.
  if (handlers['audit.anchor'] && options.scheduleAuditAnchor !== false) {
    scheduleAuditAnchor(context, context.clock.now()).catch((error: Error) =>
      log({ level: 40, time: Date.now(), msg: 'could not schedule the audit anchor', error: error.message }),
    );
  }
  // The daily backup (INKAN_BACKUP_SCHEDULE): the next slot is queued at start; each run queues the next.
  if (handlers['backup.run'] && options.scheduleAuditAnchor !== false) {
    scheduleBackup(context, context.clock.now()).catch((error: Error) =>
      log({ level: 40, time: Date.now(), msg: 'could not schedule the backup', error: error.message }),
    );
  }
  // The register's daily deadline reminders: the same pattern (today's run at start, each run queues the next).
  if (handlers['register.reminders'] && options.scheduleAuditAnchor !== false) {
    scheduleDeadlineReminders(context, context.clock.now()).catch((error: Error) =>
      log({ level: 40, time: Date.now(), msg: 'could not schedule the deadline reminders', error: error.message }),
    );
  }
  // The retention sweep (daily): today's run at start; each run queues the next day's.
  if (handlers['retention.sweep'] && options.scheduleAuditAnchor !== false) {
    scheduleRetentionSweep(context, context.clock.now()).catch((error: Error) =>
      log({ level: 40, time: Date.now(), msg: 'could not schedule the retention sweep', error: error.message }),
    );
  }
  // The expiry sweep (INKAN_EXPIRY_SWEEP): the current slot at start; each sweep queues the next.
  if (handlers['envelope.expiry-sweep'] && options.scheduleAuditAnchor !== false) {
    scheduleExpirySweep(context, context.clock.now()).catch((error: Error) =>
      log({ level: 40, time: Date.now(), msg: 'could not schedule the expiry sweep', error: error.message }),
    );
  }
  // LTA renewal: today's run at start; each run queues the next day's.
  if (handlers['archive.renewal'] && options.scheduleAuditAnchor !== false) {
    scheduleArchiveRenewal(context, context.clock.now()).catch((error: Error) =>
      log({ level: 40, time: Date.now(), msg: 'could not schedule the archive renewal', error: error.message }),
    );
  }
  const onError = (job: JobInfo, error: unknown): void =>
    log({
      level: 50,
      time: Date.now(),
      msg: 'job failed',
      jobId: job.id,
      kind: job.kind,
      attempt: job.attempt,
      maxAttempts: job.maxAttempts,
      error: (error as Error)?.message ?? String(error),
    });
  const policy = jobRunnerPolicy(context, options.role ?? 'worker');
  // Webhook deliveries run beside the other jobs with their own slots (INKAN_WEBHOOK_CONCURRENCY): a slow
  // or dead receiver of one organisation, waited on up to INKAN_WEBHOOK_TIMEOUT per attempt, must not hold
  // the slots that send signing requests and seal envelopes.
  const { 'webhook.deliver': webhookHandler, ...otherHandlers } = handlers;
  const mainRunner = startJobRunner({ ...policy, handlers: otherHandlers, pollMs: options.pollMs, onError });
  const webhookRunner = webhookHandler
    ? startJobRunner({
        ...policy,
        workerId: `${policy.workerId}:webhooks`,
        stableWorkerId: `${policy.stableWorkerId ?? 'worker'}/webhooks`,
        handlers: { 'webhook.deliver': webhookHandler },
        concurrency: context.config.webhooks.concurrency,
        pollMs: options.pollMs,
        onError,
      })
    : undefined;
  const runner: JobRunner = {
    stop: async () => {
      await Promise.all([mainRunner.stop(), webhookRunner?.stop()]);
    },
    runOnce: async () => (await mainRunner.runOnce()) || ((await webhookRunner?.runOnce()) ?? false),
    idle: async () => {
      // Main jobs record events whose deliveries are webhook jobs; webhook jobs queue no main jobs.
      await mainRunner.idle();
      await webhookRunner?.idle();
    },
    wake: () => {
      mainRunner.wake();
      webhookRunner?.wake();
    },
    reclaimed: Promise.all([mainRunner.reclaimed, webhookRunner?.reclaimed ?? 0]).then(([a, b]) => a + b),
  };
  // /readyz of any web process on this data directory sees that a worker runs.
  const stopHeartbeat = startHeartbeat(context.config.dataDir, (error) =>
    log({ level: 40, time: Date.now(), msg: 'could not write the worker heartbeat', error: error.message }),
  );
  runner.reclaimed.then(
    (count) => {
      if (count > 0)
        log({ level: 30, time: Date.now(), msg: "took back the jobs of this worker's previous process", count });
    },
    (error: Error) =>
      log({ level: 40, time: Date.now(), msg: 'could not take back earlier jobs', error: error.message }),
  );
  return {
    stop: async () => {
      stopHeartbeat();
      await runner.stop();
    },
    runOnce: () => runner.runOnce(),
    idle: () => runner.idle(),
    wake: () => runner.wake(),
    reclaimed: runner.reclaimed,
  };
}

/** The job worker running in a thread or a child process, as seen from the server. */
export interface WorkerThreadHandle {
  /** Asks the runner to finish the jobs in progress, closes the worker's context, and waits for the exit. */
  stop(): Promise<void>;
  /** Tells the runner that jobs were just queued, so it does not wait for its next poll. */
  wake(): void;
  /** The worker's metrics (TSA round trips …), or none when it does not answer in time (restarting). */
  metrics(): Promise<MetricObjectWithValues<MetricValue<string>>[]>;
}

/** Where a job worker runs: a thread of this process, or a child process of its own. */
export type WorkerIsolation = 'thread' | 'process';

/** One started worker, thread or child process, as its supervisor talks to it. */
interface WorkerChannel {
  /** The child's process id (a thread has none of its own). */
  pid: number | undefined;
  send(message: SupervisorMessage): void;
  onMessage(listener: (message: WorkerMessage) => void): void;
  /** An uncaught error of a thread, or a child process that could not be started (a crashing one exits). */
  onError(listener: (error: Error) => void): void;
  onExit(listener: (code: number) => void): void;
  exited(): boolean;
}

/** Runs this module in a new worker thread with `input`. */
function startThreadChannel(input: WorkerInput, env: Record<string, string | undefined>): WorkerChannel {
  const worker = startModuleWorker(import.meta.url, { workerData: input, env: env as NodeJS.ProcessEnv });
  let exited = false;
  worker.on('exit', () => (exited = true));
  return {
    pid: undefined,
    send: (message) => worker.postMessage(message),
    onMessage: (listener) => worker.on('message', listener),
    onError: (listener) => worker.on('error', listener),
    onExit: (listener) => worker.on('exit', listener),
    exited: () => exited,
  };
}

/**
 * The young generation of a job process (V8's semi-space, MiB): V8's default, whatever the server runs
 * with. deploy/node-flags.json gives the server 2 MiB (less resident memory in a long-lived, mostly idle
 * process); a job process lives only while there is work, and its work (PDFs, signatures) allocates
 * much: at 2 MiB it scavenges eight times as often and promotes short-lived buffers to the old generation
 * (measured with bench/job-cost.ts: 5–8 % more CPU per envelope than at 16 MiB; issue 10).
 */
const JOB_PROCESS_SEMI_SPACE_MIB = 16;

/**
 * Forks this module as a job worker process and hands it `input`. It runs with this process's Node
 * options (a preload such as the tests' clock control) minus the test runner's, with a young generation
 * of its own size (JOB_PROCESS_SEMI_SPACE_MIB), through tsx when this module is TypeScript, and writes
 * its logs to the same stdout and stderr.
 */
function startProcessChannel(
  input: WorkerInput,
  env: Record<string, string | undefined>,
  brokerEnv: Record<string, string>,
): WorkerChannel {
  const execArgv = process.execArgv.filter(
    (argument) => !argument.startsWith('--test') && !argument.startsWith('--max-semi-space-size'),
  );
  execArgv.push(`--max-semi-space-size=${JOB_PROCESS_SEMI_SPACE_MIB}`);
  if (import.meta.url.endsWith('.ts')) execArgv.push('--import', import.meta.resolve('tsx'));
  const child = fork(fileURLToPath(import.meta.url), [WORKER_PROCESS_ARGUMENT], {
    execArgv,
    // The configuration comes from input.env; the process keeps what the system gave this one (PATH …).
    // and, on SQLite, where this process's write-lock broker listens (see startSqliteLockBroker).
    env: { ...process.env, ...env, ...brokerEnv } as NodeJS.ProcessEnv,
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let exited = false;
  child.on('exit', () => (exited = true));
  // A process that could not be started says so only through 'error' (there is no exit then).
  const errors: Array<(error: Error) => void> = [];
  child.on('error', (error) => {
    if (child.pid === undefined) exited = true;
    for (const listener of errors) listener(error);
  });
  // A send to a child that just died fails (into its callback, not 'error'); its exit is handled anyway.
  const send = (message: SupervisorMessage) => {
    if (!exited && child.connected) child.send(message, () => undefined);
  };
  send({ type: 'start', input });
  return {
    pid: child.pid,
    send,
    onMessage: (listener) => child.on('message', listener),
    onError: (listener) => errors.push(listener),
    onExit: (listener) => child.on('exit', (code, signal) => listener(code ?? (signal ? 128 : 1))),
    exited: () => exited,
  };
}

/**
 * Starts the job worker in a worker thread (or, with `isolation: 'process'`, a child process) and
 * resolves once it runs (rejects when it cannot start, e.g. a bad configuration). A worker that dies
 * later is restarted after a pause.
 */
export async function startWorkerThread(options: {
  env: Record<string, string | undefined>;
  pollMs?: number;
  /** URL of a module exporting createJobHandlers(context), instead of ./handlers.ts (tests). */
  handlersModule?: string;
  onExit?: (code: number) => void;
  /** The serve role of the process (default stable worker identity); `all`. */
  role?: string;
  /** The worker reports through onIdle once it has run no job and had no wake-up for this long. */
  idleMs?: number;
  onIdle?: () => void;
  /** A thread (default) or a child process. */
  isolation?: WorkerIsolation;
  /** Called with each started worker's process id (child processes only). */
  onStarted?: (pid: number | undefined) => void;
  log?: (line: Record<string, unknown>) => void;
}): Promise<WorkerThreadHandle> {
  const log = options.log ?? ((line) => process.stderr.write(`${JSON.stringify(line)}\n`));
  const what = options.isolation === 'process' ? 'job worker process' : 'job worker thread';
  let stopping = false;
  let current: WorkerChannel;
  // A restart under way: stop() waits for it, so that the new worker is stopped too, not left running.
  let restarting: Promise<void> | undefined;
  const input: WorkerInput = {
    inkanJobWorker: true,
    env: options.env,
    pollMs: options.pollMs,
    handlersModule: options.handlersModule,
    role: options.role ?? 'all',
    idleMs: options.idleMs,
  };

  const spawn = async (): Promise<WorkerChannel> => {
    // A child's SQLite writes take this process's write lock through its broker thread.
    // Without a broker (no usable temp directory for its socket) the child's writes meet SQLite's busy
    // handler instead: slower under load, still correct.
    const brokerEnv =
      options.isolation === 'process' && hasSqliteWriteLocks()
        ? await startSqliteLockBroker().catch((error: Error) => {
            log({ level: 40, time: Date.now(), msg: 'no SQLite write-lock broker', error: error.message });
            return {};
          })
        : {};
    return new Promise((resolve, reject) => {
      const worker =
        options.isolation === 'process'
          ? startProcessChannel(input, options.env, brokerEnv)
          : startThreadChannel(input, options.env);
      let started = false;
      worker.onMessage((message: WorkerMessage) => {
        if (message.type === 'metrics') {
          pendingMetrics.get(message.id)?.(message.metrics);
          pendingMetrics.delete(message.id);
        } else if (message.type === 'idle') {
          if (!stopping) options.onIdle?.();
        } else if (message.type === 'ready') {
          started = true;
          options.onStarted?.(worker.pid);
          resolve(worker);
        } else if (message.type === 'failed' && !started) reject(new Error(message.message));
      });
      worker.onError((error) => {
        if (!started) reject(error);
        else log({ level: 50, time: Date.now(), msg: `${what} crashed`, error: error.message });
      });
      worker.onExit((code) => {
        if (!started) {
          reject(new Error(`${what} exited with code ${code} before it started`));
          return;
        }
        options.onExit?.(code);
        if (!stopping) {
          if (options.isolation === 'process')
            log({ level: 50, time: Date.now(), msg: `${what} exited`, pid: worker.pid, code });
          // A crashed worker loses nothing (leases expire, jobs run again); bring it back.
          restartAfter(RESTART_FIRST_MS);
        }
      });
    });
  };

  // The pending restart keeps this process alive: a `--role=worker` whose job processes all died at once has
  // nothing else to wait for. A restart that fails (the database is down) is tried again, less and less often.
  let restartTimer: NodeJS.Timeout | undefined;
  const restartAfter = (delayMs: number): void => {
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      if (stopping) return;
      restarting = spawn().then(
        (w) => {
          current = w;
        },
        (error: Error) => {
          const retryMs = Math.min(2 * delayMs, RESTART_LAST_MS);
          log({ level: 50, time: Date.now(), msg: `${what} restart failed`, error: error.message, retryMs });
          if (!stopping) restartAfter(retryMs);
        },
      );
    }, delayMs);
  };

  const pendingMetrics = new Map<number, (metrics: MetricObjectWithValues<MetricValue<string>>[]) => void>();
  let nextMetricsId = 0;
  let wakeQueued = false;
  let lastWakeAt = -WAKE_EVERY_MS;
  current = await spawn();
  return {
    metrics: () =>
      new Promise((resolve) => {
        const id = nextMetricsId++;
        const timer = setTimeout(() => {
          pendingMetrics.delete(id);
          resolve([]);
        }, 2000);
        pendingMetrics.set(id, (metrics) => {
          clearTimeout(timer);
          resolve(metrics);
        });
        if (!stopping) current.send({ type: 'metrics', id });
      }),
    stop: async () => {
      stopping = true;
      clearTimeout(restartTimer);
      await restarting;
      const worker = current;
      if (worker.exited()) return;
      const exited = new Promise<void>((resolve) => worker.onExit(() => resolve()));
      worker.send({ type: 'stop' });
      await exited;
    },
    wake: () => {
      // One message for all the wake-ups of a burst of requests (100 signers at once): each would otherwise
      // send an IPC message on the HTTP thread (one turn of the event loop holds only a few of them) and
      // send the worker to claim again. The first goes out at once, the next WAKE_EVERY_MS after it.
      if (stopping || wakeQueued) return;
      wakeQueued = true;
      const send = () => {
        wakeQueued = false;
        lastWakeAt = performance.now();
        if (!stopping) current.send({ type: 'wake' });
      };
      const wait = lastWakeAt + WAKE_EVERY_MS - performance.now();
      if (wait <= 0) setImmediate(send);
      else setTimeout(send, wait);
    },
  };
}

/** A crashed worker is started again after this pause; a failed restart after twice the last pause, up to the last. */
const RESTART_FIRST_MS = 1000;
const RESTART_LAST_MS = 60_000;

/** Wake-ups go to a worker at most this often; those in between ride on the next (a job starts ≤ 10 ms later). */
const WAKE_EVERY_MS = 10;

/** When the thread last had something to do: jobs running, the last one's end, the last wake-up. */
class Activity {
  #running = 0;
  #last = Date.now();
  #toldAt = 0;

  /** The same handlers, counted. */
  watch(handlers: JobHandlers): JobHandlers {
    const watched: Record<string, unknown> = {};
    for (const [kind, handler] of Object.entries(handlers) as Array<[string, (...args: unknown[]) => Promise<void>]>) {
      if (typeof handler !== 'function') continue;
      watched[kind] = async (...args: unknown[]) => {
        this.#running++;
        this.touch();
        try {
          await handler(...args);
        } finally {
          this.#running--;
          this.touch();
        }
      };
    }
    return watched as JobHandlers;
  }

  touch(): void {
    this.#last = Date.now();
  }

  /** True when nothing ran for `ms` (at most once per `ms`: the main thread may decide to keep it). */
  idleFor(ms: number): boolean {
    const now = Date.now();
    if (this.#running > 0 || now - this.#last < ms || now - this.#toldAt < ms) return false;
    this.#toldAt = now;
    return true;
  }
}

const activity = new Activity();

/**
 * The job worker thread of `inkan serve --role=all`, started when there is work and stopped after
 * `idleMs` without any, so that an idle server holds one V8 isolate instead of two (and drops what
 * the jobs loaded: fonts, pdf.js, the signing keys' parsed forms). Work is noticed through wake()
 * (the web side queued jobs) and through a look at the jobs table every `duePollMs` while the thread
 * is stopped (jobs queued by another process, retries and scheduled jobs coming due). Nothing is lost
 * by a stop: jobs stay in the table.
 */
export function startOnDemandWorkerThread(options: {
  env: Record<string, string | undefined>;
  db: Db;
  idleMs: number;
  pollMs?: number;
  duePollMs?: number;
  handlersModule?: string;
  /** The thread's slot as a serve role (`all#1`, `all#2`…: its stable worker identity). */
  role?: string;
  now?: () => Date;
  log?: (line: Record<string, unknown>) => void;
  /** Where the job work runs: a thread (default) or a child process, which gives its memory back on exit. */
  isolation?: WorkerIsolation;
}): WorkerThreadHandle & { running(): boolean; pid(): number | undefined } {
  const log = options.log ?? ((line) => process.stderr.write(`${JSON.stringify(line)}\n`));
  const now = options.now ?? (() => new Date());
  let thread: Promise<WorkerThreadHandle> | undefined;
  let stopping: Promise<void> | undefined;
  let closed = false;
  let checking = false;
  let lastMetrics: MetricObjectWithValues<MetricValue<string>>[] = [];
  let pid: number | undefined;

  const ensure = (): void => {
    if (closed || thread !== undefined) return;
    if (stopping !== undefined) {
      void stopping.then(ensure);
      return;
    }
    const started = startWorkerThread({
      env: options.env,
      pollMs: options.pollMs,
      handlersModule: options.handlersModule,
      role: options.role,
      idleMs: options.idleMs,
      onIdle: () => stopIdle(started),
      isolation: options.isolation,
      log,
      onStarted: (started) => {
        pid = started;
        if (started !== undefined)
          log({ level: 30, time: Date.now(), msg: 'job worker process started', role: options.role, pid: started });
      },
      onExit: () => (pid = undefined),
    });
    thread = started;
    started.catch((error: Error) => {
      if (thread === started) thread = undefined;
      log({ level: 50, time: Date.now(), msg: 'job worker thread could not start', error: error.message });
    });
  };

  const stopIdle = (which: Promise<WorkerThreadHandle>): void => {
    if (thread !== which || stopping !== undefined || checking) return;
    // Never stop with work due (the thread may not have claimed it yet): it says idle again later.
    checking = true;
    hasDueJobs(options.db, now())
      .catch(() => true)
      .then(
        (due) => {
          checking = false;
          if (!due) stopNow(which);
        },
        () => (checking = false),
      );
  };

  const stopNow = (which: Promise<WorkerThreadHandle>): void => {
    if (thread !== which || stopping !== undefined) return;
    thread = undefined;
    stopping = which
      .then(async (handle) => {
        // Its own metrics stay on /metrics while it is stopped (counters restart from 0 with the next
        // thread); the runtime's (heap, event loop) described a thread that is gone.
        lastMetrics = (await handle.metrics()).filter((metric) => metric.name.startsWith('inkan_'));
        await handle.stop();
      })
      .catch((error: Error) =>
        log({ level: 40, time: Date.now(), msg: 'job worker thread did not stop cleanly', error: error.message }),
      )
      .finally(() => {
        stopping = undefined;
      });
  };

  // Starts the thread when a job is due (a request that changed nothing, e.g. a sign-in, starts nothing).
  const check = (): void => {
    if (closed || thread !== undefined || checking) return;
    checking = true;
    hasDueJobs(options.db, now())
      .then((due) => {
        if (due) ensure();
      })
      .catch(() => undefined)
      .finally(() => {
        checking = false;
      });
  };
  const poll = setInterval(check, options.duePollMs ?? 1000);
  poll.unref();

  return {
    running: () => thread !== undefined,
    pid: () => pid,
    wake: () => {
      if (thread === undefined) check();
      else void thread.then((handle) => handle.wake()).catch(() => undefined);
    },
    metrics: async () => {
      const handle = thread === undefined ? undefined : await thread.catch(() => undefined);
      return handle === undefined ? lastMetrics : handle.metrics();
    },
    stop: async () => {
      closed = true;
      clearInterval(poll);
      await stopping;
      const handle = await thread?.catch(() => undefined);
      thread = undefined;
      await handle?.stop();
    },
  };
}

/** How the worker's body talks to its supervisor: the thread's parentPort or the child's IPC channel. */
interface SupervisorPort {
  post(message: WorkerMessage): void;
  onMessage(listener: (message: Partial<SupervisorMessage>) => void): void;
  /** Says `failed` and ends the worker. */
  fail(message: string): void;
  /** Lets the worker end once its work is closed. */
  close(): void;
}

/** The worker's body: build the context, run the jobs until told to stop. */
async function workerMain(
  input: WorkerInput,
  port: SupervisorPort,
  options: { sqliteCheckpoints?: boolean } = {},
): Promise<void> {
  let context: AppContext;
  let runner: JobRunner;
  let checkpoints: SqliteCheckpointer | undefined;
  // On Linux the nice value is per thread: background work (signing, sealing, mail) yields the CPU to the
  // HTTP event loop, so a signer's request is answered first (elsewhere it would lower the whole process).
  // In a child process, threads started later (libuv's pool) inherit it.
  if (process.platform === 'linux') setPriority(0, 10);
  try {
    context = await createContext(loadConfig(input.env));
    const handlers = input.handlersModule
      ? (
          (await import(input.handlersModule)) as { createJobHandlers(context: AppContext): JobHandlers }
        ).createJobHandlers(context)
      : createJobHandlers(context);
    runner = runJobWorker(context, {
      pollMs: input.pollMs,
      handlers: input.idleMs ? activity.watch(handlers) : handlers,
      role: input.role ?? 'all',
    });
  } catch (error) {
    port.fail((error as Error)?.message ?? String(error));
    return;
  }
  // The server's WAL checkpoints, off its HTTP thread (see sqlite-checkpoints.ts). Without them the HTTP
  // connection's own threshold still checkpoints: no reason to fail the worker.
  if (options.sqliteCheckpoints === true && context.dialect === 'sqlite')
    checkpoints = await startSqliteCheckpoints(
      context.db,
      sqlitePathOf(context.config.databaseUrl, context.config.dataDir),
    ).catch((error: Error) => {
      process.stderr.write(
        `${JSON.stringify({ level: 40, time: Date.now(), msg: 'SQLite checkpoints stay with the server', error: error.message })}\n`,
      );
      return undefined;
    });
  // Idle time counts from now, not from the module's load (a slow start is not idleness).
  activity.touch();
  const idleTimer = input.idleMs
    ? setInterval(
        () => {
          if (activity.idleFor(input.idleMs!)) port.post({ type: 'idle' });
        },
        Math.min(5000, Math.max(250, Math.floor(input.idleMs / 4))),
      )
    : undefined;
  idleTimer?.unref();
  let stopped = false;
  port.onMessage((message) => {
    if (message?.type === 'wake') {
      activity.touch();
      runner.wake();
      return;
    }
    if (message?.type === 'metrics') {
      void context.metrics.registry
        .getMetricsAsJSON()
        .then((metrics) => port.post({ type: 'metrics', id: message.id ?? -1, metrics }));
      return;
    }
    if (message?.type !== 'stop' || stopped) return;
    stopped = true;
    clearInterval(idleTimer);
    void (async () => {
      await runner.stop();
      checkpoints?.stop();
      await context.close();
      port.post({ type: 'stopped' });
      port.close();
    })();
  });
  port.post({ type: 'ready' });
}

/** The supervisor port of a worker thread. */
function threadPort(): SupervisorPort {
  const port = parentPort!;
  return {
    post: (message) => port.postMessage(message),
    onMessage: (listener) => port.on('message', listener),
    fail: (message) => {
      port.postMessage({ type: 'failed', message } satisfies WorkerMessage);
      process.exit(1);
    },
    close: () => port.close(),
  };
}

/**
 * The supervisor port of a job worker process. The process drains and exits when it is told to stop,
 * on SIGTERM or SIGINT (a terminal's Ctrl-C reaches the whole process group), and when its parent is
 * gone (the IPC channel closes when the parent dies, even by SIGKILL; its parent id changes too):
 * a worker is never left behind without its server.
 */
function processPort(): SupervisorPort {
  const listeners: Array<(message: Partial<SupervisorMessage>) => void> = [];
  // What arrives before the body listens (it is still building its context) waits, as on a MessagePort.
  const early: Array<Partial<SupervisorMessage>> = [];
  const deliver = (message: Partial<SupervisorMessage>) => {
    if (listeners.length === 0) early.push(message);
    for (const listener of listeners) listener(message);
  };
  const stop = () => deliver({ type: 'stop' });
  const parent = process.ppid;
  const orphanCheck = setInterval(() => {
    if (process.ppid !== parent) stop();
  }, 1000);
  orphanCheck.unref();
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('message', deliver);
  const send = (message: WorkerMessage, then?: () => void) => {
    if (process.connected) process.send!(message, undefined, {}, () => then?.());
    else then?.();
  };
  return {
    post: (message) => send(message),
    onMessage: (listener) => {
      listeners.push(listener);
      for (const message of early.splice(0)) listener(message);
    },
    fail: (message) => send({ type: 'failed', message }, () => process.exit(1)),
    close: () => {
      clearInterval(orphanCheck);
      if (process.connected) process.disconnect();
      // Nothing should be left to run; if something still holds the event loop, do not linger.
      setTimeout(() => process.exit(0), 5000).unref();
    },
  };
}

if (!isMainThread && (workerData as Partial<WorkerInput> | null)?.inkanJobWorker === true) {
  await workerMain(workerData as WorkerInput, threadPort());
} else if (isMainThread && process.argv[2] === WORKER_PROCESS_ARGUMENT && process.send !== undefined) {
  // Every SQLite write of this process waits for the parent's write lock (asked of its broker thread), so
  // that it never makes the parent's HTTP thread sleep in SQLite's busy handler.
  useBrokeredSqliteWriteLocks();
  process.once('message', (message: Partial<SupervisorMessage>) => {
    if (message?.type === 'start' && message.input)
      void workerMain(message.input, processPort(), { sqliteCheckpoints: true });
  });
}
