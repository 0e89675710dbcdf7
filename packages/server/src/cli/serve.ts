import type { Config } from '../config/config.ts';
import { createContext, type AppContext } from '../context.ts';
import { buildApp } from '../http/app.ts';
import { runJobWorker, startWorkerThread } from '../jobs/worker-thread.ts';

/** Which parts run in this process: HTTP and the job worker (thread), HTTP only, or the worker only. */
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
  const context = await createContext(config);
  const stops: Array<() => Promise<void>> = [() => context.close()];
  let ready = 'Inkan job worker is running';
  try {
    await options.beforeListen?.(context);
    if (role === 'worker') {
      const runner = runJobWorker(context);
      stops.unshift(() => runner.stop());
    } else {
      // The thread opens its own context after this one has migrated the database and made the PKI.
      const thread = role === 'all' ? await startWorkerThread({ env: options.env }) : undefined;
      if (thread) stops.unshift(() => thread.stop());
      const app = await buildApp({ context, logger: true });
      // A request that changed something may have queued jobs: wake the worker instead of waiting for its poll.
      if (thread) {
        app.addHook('onResponse', async (request) => {
          if (request.method !== 'GET' && request.method !== 'HEAD') thread.wake();
        });
      }
      stops.unshift(() => app.close());
      const address = await app.listen({ port: config.port, host: config.host });
      ready = `Inkan is listening on ${address} (public URL ${config.publicUrl})`;
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
      stopAll(stops).then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    // Said only now, so that whoever waits for this line may send SIGTERM at once.
    process.stdout.write(`${ready}\n`);
  });
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
