import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { isLoopbackHost, type Config } from '../config/config.ts';
import { createContext, type AppContext } from '../context.ts';
import { buildApp } from '../http/app.ts';
import { startHttpsRedirect } from '../http/https-redirect.ts';
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
      const runner = runJobWorker(context, { role: 'worker' });
      stops.unshift(() => runner.stop());
    } else {
      // The thread opens its own context after this one has migrated the database and made the PKI.
      const thread = role === 'all' ? await startWorkerThread({ env: options.env }) : undefined;
      if (thread) stops.unshift(() => thread.stop());
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
        app.addHook('onResponse', async (request) => {
          if (request.method !== 'GET' && request.method !== 'HEAD') thread.wake();
        });
      }
      stops.unshift(() => app.close());
      await app.listen({ port: config.port, host: config.host });
      ready = `Inkan is listening on ${describeBound(app.server.address() as AddressInfo, config)} (public URL ${config.publicUrl})`;
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
    // Said only now, so that whoever waits for this line may send SIGTERM at once.
    process.stdout.write(`${ready}\n`);
  });
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
