/*
 * Readiness: can this installation do its work right now? Each dependency is checked for real — the
 * database answers a query, the blob directory is a writable directory, the platform key (file or HSM)
 * signs, the TSA returns a timestamp, a job worker wrote its heartbeat recently. Results are kept a few
 * seconds, so a probe storm costs at most one round per dependency.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { access, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AppContext } from '../context.ts';
import { pingDatabase } from './metrics.ts';

/** The dependencies /readyz checks, in the order reported. */
export const READINESS_CHECKS = ['database', 'blobs', 'signing', 'tsa', 'worker'] as const;
export type ReadinessCheck = (typeof READINESS_CHECKS)[number];

/** One probe's result: ok, or what failed and why. */
export interface Readiness {
  ready: boolean;
  checks: Record<ReadinessCheck, { ok: true } | { ok: false; error: string }>;
}

/** A heartbeat older than this means no job worker is running. */
export const HEARTBEAT_STALE_MS = 30_000;
/** How often a job worker writes its heartbeat. */
export const HEARTBEAT_INTERVAL_MS = 5_000;
const CHECK_TIMEOUT_MS = 5_000;
const CACHE_MS = 2_000;

/** The heartbeat file every job worker (thread or process) of the data directory touches. */
export function heartbeatFile(dataDir: string): string {
  return join(dataDir, 'worker.heartbeat');
}

/** Writes the heartbeat now and every HEARTBEAT_INTERVAL_MS; returns the function that stops it. */
export function startHeartbeat(dataDir: string, log: (error: Error) => void): () => void {
  const beat = () => writeFile(heartbeatFile(dataDir), `${new Date().toISOString()}\n`).catch(log);
  void beat();
  const timer = setInterval(() => void beat(), HEARTBEAT_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** Makes the probe of a context; `probe()` answers from a result at most CACHE_MS old. */
export function createReadinessProbe(context: AppContext): { probe(): Promise<Readiness> } {
  let last: { at: number; result: Promise<Readiness> } | undefined;
  const digest = createHash('sha256').update('inkan readiness probe').digest();
  const checks: Record<ReadinessCheck, () => Promise<void>> = {
    database: () => pingDatabase(context.db),
    blobs: async () => {
      // The store makes its folder on the first write; until then the data directory must take it.
      const blobs = join(context.config.dataDir, 'blobs');
      const target = await stat(blobs).then(
        () => blobs,
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') return context.config.dataDir;
          throw error;
        },
      );
      if (!(await stat(target)).isDirectory()) throw new Error(`${target} is not a directory`);
      await access(target, constants.W_OK | constants.X_OK);
    },
    signing: async () => {
      const signature = await context.signing.platformSigner.sign(digest);
      if (signature.length === 0) throw new Error('the platform key returned an empty signature');
    },
    tsa: async () => {
      await context.signing.timestampAuthority.timestamp(digest);
    },
    worker: async () => {
      const info = await stat(heartbeatFile(context.config.dataDir)).catch(() => undefined);
      if (info === undefined) throw new Error('no job worker has written a heartbeat');
      const age = Date.now() - info.mtimeMs;
      if (age > HEARTBEAT_STALE_MS) throw new Error(`the last job worker heartbeat is ${Math.round(age / 1000)} s old`);
    },
  };
  const run = async (): Promise<Readiness> => {
    const results = await Promise.all(
      READINESS_CHECKS.map((name) =>
        withTimeout(checks[name](), CHECK_TIMEOUT_MS).then(
          () => ({ ok: true as const }),
          (error: Error) => ({ ok: false as const, error: describe(error) }),
        ),
      ),
    );
    const entries = READINESS_CHECKS.map((name, i) => [name, results[i]] as const);
    return { ready: results.every((r) => r.ok), checks: Object.fromEntries(entries) as Readiness['checks'] };
  };
  return {
    probe: () => {
      const now = Date.now();
      if (last === undefined || now - last.at > CACHE_MS) last = { at: now, result: run() };
      return last.result;
    },
  };
}

/** A short reason without secrets: the error's code and message, first line only, bounded. */
function describe(error: Error): string {
  const code = (error as { code?: unknown }).code;
  const message = String(error?.message ?? error)
    .split('\n')[0]
    .slice(0, 200);
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
