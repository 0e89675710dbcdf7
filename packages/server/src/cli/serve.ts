import { setPriority } from 'node:os';
import { scheduleArchiveRenewal } from '../domain/use-cases/renew-archive-timestamps.ts';
import { readFile } from 'node:fs/promises';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { isLoopbackHost, type Config } from '../config/config.ts';
import { createContext, type AppContext } from '../context.ts';
import { keepPublishedCrlsCurrent } from '../signing-services.ts';
import { buildApp } from '../http/app.ts';
import { startHttpsRedirect } from '../http/https-redirect.ts';
import { startTlsReloader, type TlsReloader } from '../http/tls-reload.ts';
import {
  runJobWorker,
  startOnDemandWorkerThread,
  startWorkerThread,
  type WorkerThreadHandle,
} from '../jobs/worker-thread.ts';
import { scheduleAuditAnchor } from '../domain/use-cases/anchor-audit-chain.ts';
import { scheduleBackup } from '../backup/run-scheduled-backup.ts';
import { scheduleDeadlineReminders } from '../domain/use-cases/queue-deadline-reminders.ts';
import { startHeartbeat } from '../observability/readiness.ts';
import { deferSqliteCheckpoints } from '../adapters/db/sqlite-checkpoints.ts';
import { AggregatorRegistry } from 'prom-client';

/** A line of the server's own JSON log on stderr (beside the request log's). */
function log(line: Record<string, unknown>): void {
  process.stderr.write(`${JSON.stringify(line)}\n`);
}

/** Which parts run in this process: HTTP and the job worker (child process), HTTP only, or the worker only. */
export type ServeRole = 'all' | 'web' | 'worker';

/** Options of serve. */
export interface ServeOptions {
  role?: ServeRole;
  /** The environment the configuration came from (the worker thread reads it again). */
  env: Record<string, string | undefined>;
  /** Runs after the context is open and before the server listens (`inkan start` seeds the demo here). */
  beforeListen?: (context: AppContext) => Promise<void>;
}

/** Serves until SIGINT/SIGTERM; resolves with the exit code after a graceful close. */
export async function serve(config: Config, options: ServeOptions): Promise<number> {
  const role = options.role ?? 'all';
  // The server is the long-lived process (its job child processes and CLI commands are not).
  const context = await createContext(config, { longLived: true });
  const stopCrls = keepPublishedCrlsCurrent(context.signing.pki, (error) =>
    log({ level: 40, time: Date.now(), msg: 'could not publish the CRLs', error: error.message }),
  );
  const stops: Array<() => Promise<void>> = [stopCrls, () => context.close()];
  let ready = 'Inkan job worker is running';
  let tlsReloader: TlsReloader | undefined;
  try {
    await options.beforeListen?.(context);
    if (role === 'worker') {
      // Background work yields the CPU to the HTTP processes of the same host (as the job processes of
      // `--role=all` do): a signer's request is answered first. The nice value is per thread on Linux;
      // threads started later (libuv's pool) inherit it.
      if (process.platform === 'linux') setPriority(0, 10);
      if (config.workerThreads === 1) {
        const runner = runJobWorker(context, { role: 'worker' });
        stops.unshift(() => runner.stop());
      } else {
        // The processes open their own contexts after this one has migrated the database and made the PKI.
        const processes = await startWorkerProcesses(options.env, config.workerThreads);
        stops.unshift(() => processes.stop());
      }
    } else {
      // The thread opens its own context after this one has migrated the database and made the PKI.
      const thread = role === 'all' ? await startJobThread(context, options.env, stops) : undefined;
      const https = config.tls
        ? { cert: await readFile(config.tls.certFile), key: await readFile(config.tls.keyFile) }
        : undefined;
      const app = await buildApp({
        context,
        logger: true,
        https,
        extraMetrics: thread ? () => thread.metrics() : undefined,
      });
      // A request that changed something may have queued jobs: wake the worker instead of waiting for its poll.
      if (thread) {
        app.addHook('onResponse', (request, _reply, done) => {
          if (request.method !== 'GET' && request.method !== 'HEAD') thread.wake();
          done();
        });
      }
      stops.unshift(() => app.close());
      await app.listen({ port: config.port, host: config.host });
      ready = `Inkan is listening on ${describeBound(app.server.address() as AddressInfo, config)} (public URL ${config.publicUrl})`;
      if (config.tls) {
        // Renewed certificates are picked up without a restart: on file changes, and on SIGHUP.
        const reloader = startTlsReloader(app.server as unknown as HttpsServer, config.tls, app.log);
        tlsReloader = reloader;
        stops.unshift(async () => reloader.close());
      }
      if (config.tls && config.httpRedirectPort !== undefined) {
        const redirect = await startHttpsRedirect({
          publicUrl: config.publicUrl,
          port: config.httpRedirectPort,
          host: config.host,
        });
        stops.unshift(() => redirect.close());
        ready += `\nHTTP on ${describeBound(redirect.address, config, 'http')} redirects to ${config.publicUrl}`;
      }
    }
  } catch (error) {
    await stopAll(stops);
    throw error;
  }
  return new Promise((resolve) => {
    let stopping = false;
    // The listeners stay until the process ends: removing them while closing would restore the
    // default action, and a repeated signal would then kill the process mid-close.
    const stop = () => {
      if (stopping) return;
      stopping = true;
      void stopAll(stops).then(resolve, () => resolve(1));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    // With TLS, SIGHUP reloads the certificate and key (systemctl reload, certbot deploy hooks).
    if (tlsReloader) {
      const reloader = tlsReloader;
      process.on('SIGHUP', () => void reloader.reload('SIGHUP'));
    }
    // Said only now, so that whoever waits for this line may send SIGTERM at once.
    process.stdout.write(`${ready}\n`);
  });
}

/**
 * The job worker of `--role=all`: on demand, child processes (started when jobs are queued or come due,
 * exiting after INKAN_WORKER_IDLE without work, so that their memory goes back to the system) unless
 * INKAN_WORKER_IDLE=off, which keeps threads running in this process. On demand, this process queues the daily jobs (the worker thread would do it only once started) and writes the
 * worker heartbeat for /readyz: the worker is available while the server runs.
 */
async function startJobThread(
  context: AppContext,
  env: Record<string, string | undefined>,
  stops: Array<() => Promise<void>>,
): Promise<WorkerThreadHandle> {
  if (context.config.workerIdleMs === 0) {
    const threads = await startEvery(
      Array.from(
        { length: context.config.workerThreads },
        (_, i) => () => startWorkerThread({ env, role: `all#${i + 1}` }),
      ),
    );
    stops.unshift(async () => {
      await Promise.all(threads.map((t) => t.stop()));
    });
    return allThreads(threads);
  }
  const warn = (what: string) => (error: Error) =>
    log({ level: 40, time: Date.now(), msg: `could not schedule ${what}`, error: error.message });
  const now = context.clock.now();
  await scheduleAuditAnchor(context, now).catch(warn('the audit anchor'));
  await scheduleBackup(context, now).catch(warn('the backup'));
  await scheduleDeadlineReminders(context, now).catch(warn('the deadline reminders'));
  await scheduleArchiveRenewal(context, now).catch(warn('the archive renewal'));
  // The job processes checkpoint SQLite's WAL: this process's HTTP thread only when none has for long.
  if (context.dialect === 'sqlite') await deferSqliteCheckpoints(context.db);
  const stopHeartbeat = startHeartbeat(context.config.dataDir, (error) =>
    log({ level: 40, time: Date.now(), msg: 'could not write the worker heartbeat', error: error.message }),
  );
  const threads = Array.from({ length: context.config.workerThreads }, (_, i) =>
    startOnDemandWorkerThread({
      env,
      role: `all#${i + 1}`,
      db: context.db,
      idleMs: context.config.workerIdleMs,
      now: () => context.clock.now(),
      log,
      // A child process: when it stops, its memory goes back to the system (a stopped thread's does not).
      isolation: 'process',
    }),
  );
  stops.unshift(async () => {
    stopHeartbeat();
    await Promise.all(threads.map((t) => t.stop()));
  });
  return allThreads(threads);
}

/**
 * The job work of `--role=worker` with INKAN_WORKER_THREADS > 1: that many child processes, each running
 * the job runner on a core of its own (one thread signs at most ≈ 12 envelopes/s), started with the server
 * and running until it stops (a dedicated worker has no idle time to give memory back for). A process that
 * crashes is restarted; each drains on SIGTERM and exits when this process is gone. The first keeps the
 * role's plain identity (INKAN_WORKER_ID, or `host:worker`), so that it takes back the jobs of the
 * single-process worker it replaces; the others are slots `worker#2`, `worker#3`… Each queues the daily jobs
 * (once per period by their dedupe keys) and writes the worker heartbeat, as a single worker does.
 */
async function startWorkerProcesses(
  env: Record<string, string | undefined>,
  count: number,
): Promise<WorkerThreadHandle> {
  const slots = Array.from({ length: count }, (_, i) => (i === 0 ? 'worker' : `worker#${i + 1}`));
  return allThreads(
    await startEvery(
      slots.map(
        (role) => () =>
          startWorkerThread({
            env,
            role,
            isolation: 'process',
            log,
            // Also after each restart: the new process id.
            onStarted: (pid) => log({ level: 30, time: Date.now(), msg: 'job worker process started', role, pid }),
          }),
      ),
    ),
  );
}

/** Starts workers side by side; when one cannot start, stops those that did and throws its error. */
async function startEvery(starts: ReadonlyArray<() => Promise<WorkerThreadHandle>>): Promise<WorkerThreadHandle[]> {
  const results = await Promise.allSettled(starts.map((start) => start()));
  const started = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed === undefined) return started;
  await Promise.allSettled(started.map((worker) => worker.stop()));
  throw failed.reason;
}

/**
 * Several job worker threads as one: a wake-up goes to each (each claims its own jobs from the table;
 * signing is CPU work, and one thread would use one core), their metrics are added up.
 */
function allThreads(threads: readonly WorkerThreadHandle[]): WorkerThreadHandle {
  if (threads.length === 1) return threads[0];
  return {
    wake: () => {
      for (const t of threads) t.wake();
    },
    metrics: async () =>
      AggregatorRegistry.aggregate(await Promise.all(threads.map((t) => t.metrics()))).getMetricsAsJSON(),
    stop: async () => {
      await Promise.all(threads.map((t) => t.stop()));
    },
  };
}

/**
 * The address the server really bound, as a URL (what the operator must reach, whatever INKAN_HOST
 * said); a wildcard address is called out, and development mode refuses one that is not loopback.
 */
function describeBound(bound: AddressInfo, config: Config, scheme = config.tls ? 'https' : 'http'): string {
  const wildcard = bound.address === '0.0.0.0' || bound.address === '::';
  if (config.env === 'development' && !isLoopbackHost(bound.address) && !config.allowDevOnNetwork) {
    throw new Error(
      `development mode bound ${bound.address}, which is not loopback; set INKAN_ALLOW_DEV_ON_NETWORK=true to allow it`,
    );
  }
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return `${scheme}://${host}:${bound.port}${wildcard ? ' on every interface (reachable from the network)' : ''}`;
}

/** Runs every stop step in order; 0 when all succeeded, 1 otherwise. */
async function stopAll(steps: Array<() => Promise<void>>): Promise<number> {
  let code = 0;
  for (const step of steps) {
    try {
      await step();
    } catch {
      code = 1;
    }
  }
  return code;
}
