// Runs Inkan for the envelope bench: the real CLI (`packages/server/bin/inkan.mjs`) as child processes,
// on a temp data directory, a free port, INKAN_ENV=test, and SQLite (default) or a PostgreSQL URL.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// INKAN_BENCH_SERVER_ROOT: run the server of another checkout (e.g. an older commit, to compare CPU per
// envelope under the same load) with this bench.
const ROOT = process.env.INKAN_BENCH_SERVER_ROOT ?? fileURLToPath(new URL('../..', import.meta.url));
/** The TypeScript sources through tsx (what tests run), or the compiled release (what an operator runs). */
export type ServerBuild = 'source' | 'release';
const INKAN_BINS: Record<ServerBuild, string> = {
  source: join(ROOT, 'packages', 'server', 'bin', 'inkan.mjs'),
  release: join(ROOT, 'bin', 'inkan.mjs'),
};

/**
 * The V8 flags the documented ways of running a server pass (npm start, the container, the systemd unit):
 * the release is measured as it runs there.
 */
export const SERVER_NODE_FLAGS = JSON.parse(readFileSync(join(ROOT, 'deploy', 'node-flags.json'), 'utf8')) as string[];

/**
 * The glibc malloc settings the same ways of running a server set in its environment (deploy/node-env.json);
 * variables of the bench's own environment with these names win (to compare settings).
 */
export const SERVER_NODE_ENV = JSON.parse(readFileSync(join(ROOT, 'deploy', 'node-env.json'), 'utf8')) as Record<
  string,
  string
>;

/** Builds the release (`node scripts/build.mjs`: only what is stale) before a bench runs it. */
export function buildRelease(): void {
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--quiet'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error(`npm run build failed (${result.status})`);
}

/** A running Inkan: one `inkan serve --role=all`, or several processes by role on one database. */
export interface InkanServer {
  /** The first HTTP process. */
  baseUrl: string;
  /** Every HTTP process (clients are spread over them, as by a load balancer). */
  baseUrls: string[];
  dataDir: string;
  apiKey: string;
  /** The organisation the API key belongs to. */
  orgSlug: string;
  /** The first process's id (its memory is read from /proc). */
  pid: number;
  pids: number[];
  /** CPU time (user + system, all threads) the server processes have used so far, in ms (from /proc/PID/stat). */
  cpuMs(): number;
  /**
   * The part of cpuMs() spent on job work: the processes of the `worker` role with their children, and the
   * job child processes of the `all` role (their HTTP process's own threads excluded).
   */
  jobCpuMs(): number;
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

/**
 * The parent's environment without INKAN_* (a developer's own settings must not leak in), plus the
 * settings named in INKAN_BENCH_SERVER_ENV (`NAME=value,NAME=value`) for an A/B run of one setting.
 */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('INKAN_') || key === 'NODE_TEST_CONTEXT' || value === undefined) continue;
    env[key] = value;
  }
  for (const pair of (process.env.INKAN_BENCH_SERVER_ENV ?? '').split(',').filter(Boolean)) {
    const at = pair.indexOf('=');
    if (at > 0) env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}

function runCli(bin: string, args: readonly string[], env: Record<string, string>, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [bin, ...args],
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
  /** The `inkan serve` processes, by role (default one `all`: HTTP + the job worker thread). */
  roles?: ReadonlyArray<'all' | 'web' | 'worker'>;
  /** Which server runs (default the sources through tsx); `release` must have been built (buildRelease). */
  build?: ServerBuild;
}): Promise<InkanServer> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const build = options.build ?? 'source';
  const env: Record<string, string> = {
    ...(build === 'release' ? SERVER_NODE_ENV : {}),
    ...cleanEnv(),
    INKAN_ENV: 'test',
    INKAN_DATA_DIR: options.dataDir,
    INKAN_PORT: String(port),
    INKAN_HOST: '127.0.0.1',
    INKAN_PUBLIC_URL: baseUrl,
    ...(options.databaseUrl ? { INKAN_DATABASE_URL: options.databaseUrl } : {}),
    ...options.env,
  };
  const bin = INKAN_BINS[build];
  const cli = (args: readonly string[], timeoutMs = 60_000) => runCli(bin, args, env, timeoutMs);
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

  const roles = options.roles ?? ['all'];
  const webCount = roles.filter((r) => r !== 'worker').length;
  if (webCount === 0) throw new Error('at least one process must serve HTTP (role all or web)');
  // Each HTTP process listens on a port of its own; the first one's URL is the public URL.
  const ports = [port, ...(await Promise.all(Array.from({ length: webCount - 1 }, () => freePort())))];
  const processes: ServerProcess[] = [];
  const stop = async () => {
    await Promise.all(processes.map((p) => p.stop()));
  };
  // The errors first (a busy server's tail is request lines), then the last lines.
  const logTail = (lines = 30) =>
    processes.map((p) => `[${p.name}]\n${p.logTail(lines, true)}\n${p.logTail(lines)}`).join('\n');
  try {
    let web = 0;
    for (const [i, role] of roles.entries()) {
      const processPort = role === 'worker' ? undefined : ports[web++];
      processes.push(
        spawnServer({
          name: `${role}-${i}`,
          role,
          env: processPort === undefined ? env : { ...env, INKAN_PORT: String(processPort) },
          nodeArgs: [...(build === 'release' ? SERVER_NODE_FLAGS : []), ...(options.nodeArgs ?? [])],
          bin,
          logPath: join(options.dataDir, `server-${i}-${role}.log`),
        }),
      );
    }
    const deadline = Date.now() + (options.startTimeoutMs ?? 180_000);
    await Promise.all(
      processes.map((p, i) =>
        p.ready(
          roles[i] === 'worker'
            ? undefined
            : `http://127.0.0.1:${ports[roles.slice(0, i).filter((r) => r !== 'worker').length]}`,
          deadline,
        ),
      ),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const baseUrls = ports.map((p) => `http://127.0.0.1:${p}`);
  const pids = processes.map((p) => p.pid);
  return {
    baseUrl,
    baseUrls,
    dataDir: options.dataDir,
    apiKey,
    orgSlug,
    pid: pids[0],
    pids,
    cpuMs: () => pids.reduce((sum, pid) => sum + processCpuMs(pid), 0),
    jobCpuMs: () =>
      pids.reduce(
        (sum, pid, i) => sum + (roles[i] === 'worker' ? processCpuMs(pid) : processCpuMs(pid) - ownCpuMs(pid)),
        0,
      ),
    cli,
    logTail,
    stop,
  };
}

/** One `inkan serve` process of the bench. */
interface ServerProcess {
  name: string;
  pid: number;
  /** Resolves once it serves: /healthz answers at `url` (HTTP roles), or its ready line was logged (worker). */
  ready(url: string | undefined, deadline: number): Promise<void>;
  logTail(lines?: number, errorsOnly?: boolean): string;
  stop(): Promise<void>;
}

function spawnServer(options: {
  name: string;
  role: 'all' | 'web' | 'worker';
  env: Record<string, string>;
  nodeArgs: readonly string[];
  bin: string;
  logPath: string;
}): ServerProcess {
  // The log goes to a file: the parent reading a busy server's log would compete for the CPU.
  const logFd = openSync(options.logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [...options.nodeArgs, options.bin, 'serve', `--role=${options.role}`], {
      cwd: ROOT,
      env: options.env,
      stdio: ['ignore', logFd, logFd],
    });
  } finally {
    closeSync(logFd);
  }
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => ((exitCode = code ?? (signal ? -1 : 0)), resolve())),
  );
  const logTail = (lines = 30, errorsOnly = false) => {
    try {
      const all = readFileSync(options.logPath, 'utf8').trimEnd().split('\n');
      return (errorsOnly ? all.filter((l) => /"level":(50|60)/.test(l)) : all).slice(-lines).join('\n');
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
  const ready = async (url: string | undefined, deadline: number) => {
    for (;;) {
      if (exitCode !== undefined)
        throw new Error(
          `inkan serve --role=${options.role} exited with ${exitCode} before it was ready:\n${logTail()}`,
        );
      if (Date.now() > deadline)
        throw new Error(`inkan serve --role=${options.role} was not ready in time:\n${logTail()}`);
      if (url === undefined) {
        if (logTail(200).includes('Inkan job worker is running')) return;
      } else {
        try {
          const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
          if (res.ok) return;
        } catch {
          // not listening yet
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { name: options.name, pid: child.pid!, ready, logTail, stop };
}

/** Clock ticks per second of /proc/PID/stat (USER_HZ: 100 on every Linux architecture Node runs on). */
const USER_HZ = 100;

/**
 * User + system CPU time of a process (all its threads) and of the processes it started (`inkan serve
 * --role=all` runs its job work in child processes), in ms: its own time, the time of children that ended
 * (cutime + cstime, counted once they are reaped) and the time of the descendants still running. The sum
 * only grows while children come and go, so differences over a phase are the CPU the phase cost.
 */
export function processCpuMs(pid: number): number {
  const fields = statFields(pid);
  // Ended meanwhile: its time is in its parent's cutime now.
  if (fields === undefined) return 0;
  // utime, stime, cutime and cstime are fields 14–17 of the whole line, i.e. 11–14 after the state field.
  let total = ((Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * 1000) / USER_HZ;
  for (const child of childrenOf(pid)) total += processCpuMs(child);
  return total;
}

/** User + system CPU time of the process itself (all its threads, not its children), in ms; 0 when it ended. */
export function ownCpuMs(pid: number): number {
  const fields = statFields(pid);
  return fields === undefined ? 0 : ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
}

/** The fields of /proc/PID/stat after the command name (field 3, the state, first); undefined when it ended. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The direct children of a process, from /proc (none when it ended). */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Every process under `pid` (its children, theirs …), from /proc. */
export function descendantsOf(pid: number): number[] {
  return childrenOf(pid).flatMap((child) => [child, ...descendantsOf(child)]);
}
