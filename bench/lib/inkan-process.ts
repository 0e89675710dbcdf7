// Runs Inkan for the envelope bench: the real CLI (`packages/server/bin/inkan.mjs`) as child processes,
// on a temp data directory, a free port, INKAN_ENV=test, and SQLite (default) or a PostgreSQL URL.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const INKAN_BIN = join(ROOT, 'packages', 'server', 'bin', 'inkan.mjs');

/** A running `inkan serve --role=all`. */
export interface InkanServer {
  baseUrl: string;
  dataDir: string;
  apiKey: string;
  /** The organisation the API key belongs to. */
  orgSlug: string;
  /** The server's process id (its memory is read from /proc). */
  pid: number;
  /** CPU time (user + system, all threads) the server process has used so far, in ms (from /proc/PID/stat). */
  cpuMs(): number;
  /** Runs another CLI command against the same data directory and database. */
  cli(args: readonly string[], timeoutMs?: number): Promise<string>;
  /** The last lines of the server's log (stdout + stderr), for error reports. */
  logTail(lines?: number): string;
  /** SIGTERM, then SIGKILL if it has not exited within 15 s. */
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (asked from the kernel, then released for the server). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** The parent's environment without INKAN_* (a developer's own settings must not leak in). */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('INKAN_') || key === 'NODE_TEST_CONTEXT' || value === undefined) continue;
    env[key] = value;
  }
  return env;
}

function runCli(args: readonly string[], env: Record<string, string>, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [INKAN_BIN, ...args],
      { cwd: ROOT, env, timeout: timeoutMs, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`inkan ${args.join(' ')} failed: ${error.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

/**
 * Initialises a data directory, creates an organisation and an API key through the CLI, starts the
 * server (HTTP + job worker thread) and waits until /healthz answers.
 */
export async function startInkan(options: {
  dataDir: string;
  databaseUrl?: string;
  startTimeoutMs?: number;
  env?: Record<string, string>;
  /** Extra node options for the server process (e.g. `--cpu-prof --cpu-prof-dir=DIR`: one profile per thread). */
  nodeArgs?: readonly string[];
}): Promise<InkanServer> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    ...cleanEnv(),
    INKAN_ENV: 'test',
    INKAN_DATA_DIR: options.dataDir,
    INKAN_PORT: String(port),
    INKAN_HOST: '127.0.0.1',
    INKAN_PUBLIC_URL: baseUrl,
    ...(options.databaseUrl ? { INKAN_DATABASE_URL: options.databaseUrl } : {}),
    ...options.env,
  };
  const cli = (args: readonly string[], timeoutMs = 60_000) => runCli(args, env, timeoutMs);
  await cli(['init']);
  const orgSlug = 'bench';
  await cli([
    'org',
    'create',
    '--name',
    'ベンチ市役所 契約課',
    '--slug',
    orgSlug,
    '--admin-email',
    'admin@bench.example.jp',
  ]);
  const apiKey = (await cli(['apikey', 'create', '--org', orgSlug])).trim().split('\n').at(-1)!.trim();
  if (!apiKey.startsWith('inkan_')) throw new Error(`inkan apikey create printed no key on its last line: "${apiKey}"`);

  // The log goes to a file: the parent reading a busy server's log would compete for the CPU.
  const logPath = join(options.dataDir, 'server.log');
  const logFd = openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [...(options.nodeArgs ?? []), INKAN_BIN, 'serve', '--role=all'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', logFd, logFd],
    });
  } finally {
    closeSync(logFd);
  }
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => ((exitCode = code ?? (signal ? -1 : 0)), resolve())),
  );
  const logTail = (lines = 30) => {
    try {
      return readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  };
  const stop = async () => {
    if (exitCode !== undefined) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (exitCode !== undefined)
      throw new Error(`inkan serve exited with ${exitCode} before it answered:\n${logTail()}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `inkan serve did not answer /healthz within ${options.startTimeoutMs ?? 60_000} ms:\n${logTail()}`,
      );
    }
    try {
      const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
      // serve() starts the job worker thread before it listens: an answer means both run.
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid!;
  return { baseUrl, dataDir: options.dataDir, apiKey, orgSlug, pid, cpuMs: () => processCpuMs(pid), cli, logTail, stop };
}

/** Clock ticks per second of /proc/PID/stat (USER_HZ: 100 on every Linux architecture Node runs on). */
const USER_HZ = 100;

/** User + system CPU time of a process (all its threads), in ms. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, i.e. 11 and 12 after the state field.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
}
