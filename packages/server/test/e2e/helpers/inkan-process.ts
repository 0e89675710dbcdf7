/**
 * The real server as a child process for end-to-end tests: `node bin/inkan.mjs serve` (the compiled release;
 * the sources through tsx when the test moves its clock)
 * with its own data directory and port, started and stopped (or killed) by the test, and a read-only
 * view of its SQLite database for assertions.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { INKAN_BIN, REPO_ROOT, SOURCE_INKAN_BIN } from '../../helpers/run-inkan.ts';
import { waitFor } from '../../helpers/wait-for.ts';

/** The preload that lets a test move a child server's clock (see clock-control.mjs). */
const CLOCK_CONTROL = fileURLToPath(new URL('./clock-control.mjs', import.meta.url));

/** A port that was free a moment ago (the server needs it before it starts: INKAN_PUBLIC_URL names it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The parent's environment without INKAN_* and the test runner's variables. */
/** A temp folder, an SMTP port and a free HTTP port turned into the INKAN_* environment of an e2e server. */
export async function e2eEnvironment(
  dir: string,
  smtpPort: number,
  extra: Record<string, string> = {},
): Promise<{ dataDir: string; baseUrl: string; env: Record<string, string> }> {
  const dataDir = join(dir, 'data');
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = {
    INKAN_DATA_DIR: dataDir,
    INKAN_PORT: String(port),
    INKAN_PUBLIC_URL: baseUrl,
    INKAN_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    INKAN_ENV: 'test',
    ...extra,
  };
  return { dataDir, baseUrl, env };
}

export function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('INKAN_') || key === 'NODE_TEST_CONTEXT' || value === undefined) continue;
    env[key] = value;
  }
  return env;
}

/** A running `inkan serve` process. */
export interface InkanProcess {
  child: ChildProcess;
  /** stdout and stderr lines so far (for failure messages). */
  output: string[];
  /** Resolves when the process has exited (never rejects). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /**
   * SIGKILL (no cleanup of any kind in the child) and wait for the exit: of the server process alone, or,
   * started with `processGroup`, of its whole process group (its job processes too).
   */
  kill9(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `inkan serve ARGS…` and resolves once it said it is ready (the "listening" or "worker is
 * running" line); rejects with its output when it exits first.
 */
export async function startInkanProcess(
  args: readonly string[],
  env: Record<string, string>,
  options: {
    clockFile?: string;
    /**
     * Start it in a process group of its own, which kill9 kills whole: what a container runtime or systemd
     * (KillMode=control-group) does to a service, where a bare `kill -9 PID` reaches the server process only.
     */
    processGroup?: boolean;
  } = {},
): Promise<InkanProcess> {
  // With clockFile: the server's clock runs that many milliseconds ahead (helpers/clock-control.mjs), in
  // the main thread and the job worker thread alike (workers inherit the --import).
  // That preload moves the clock of the TypeScript sources (ports/clock.ts): such a server runs from them,
  // through tsx; the compiled release has no clock a test can move.
  const preload = options.clockFile ? ['--import', CLOCK_CONTROL] : [];
  const entry = options.clockFile ? SOURCE_INKAN_BIN : INKAN_BIN;
  const child = spawn(process.execPath, [...preload, entry, ...args], {
    cwd: REPO_ROOT,
    env: { ...cleanEnv(), ...env, ...(options.clockFile ? { E2E_CLOCK_FILE: options.clockFile } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.processGroup === true,
  });
  const output: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      if (/^Inkan is listening on |^Inkan job worker is running$/.test(line)) resolve();
    });
    void exited.then(({ code, signal }) =>
      reject(
        new Error(`inkan ${args.join(' ')} exited (${code ?? signal}) before it was ready:\n${output.join('\n')}`),
      ),
    );
  });
  await ready;
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  const killGroup = async () => {
    try {
      // The group outlives its leader while any member lives.
      process.kill(-child.pid!, 'SIGKILL');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
    return exited;
  };
  return {
    child,
    output,
    exited,
    stop: () => end('SIGTERM'),
    kill9: options.processGroup === true ? killGroup : () => end('SIGKILL'),
  };
}

/** The job processes a server said it started (`job worker process started`), oldest first, restarts included. */
export function startedJobProcesses(server: InkanProcess): Array<{ role: string; pid: number }> {
  return server.output.flatMap((line) => {
    if (!line.includes('"msg":"job worker process started"')) return [];
    const { role, pid } = JSON.parse(line) as { role: string; pid: number };
    return [{ role, pid }];
  });
}

/** A server's job processes now running, by slot: [role, pid] of the last started of each, in role order. */
export function jobProcessesBySlot(server: InkanProcess): Array<[string, number]> {
  return [...new Map(startedJobProcesses(server).map(({ role, pid }) => [role, pid])).entries()].sort(([a], [b]) =>
    a.localeCompare(b),
  );
}

/**
 * Waits until a server said it started its job processes, one per slot of `roles`, and checks that each
 * runs as the server's child (Linux); resolves with them ([role, pid]).
 */
export async function expectJobProcesses(
  server: InkanProcess,
  roles: readonly string[],
): Promise<Array<[string, number]>> {
  // Logged (stderr) before the server's ready line (stdout), but the two pipes are read apart.
  const slots = await waitFor(
    () => (jobProcessesBySlot(server).length >= roles.length ? jobProcessesBySlot(server) : undefined),
    { timeoutMs: 60_000, intervalMs: 20, what: `job processes ${roles.join(', ')}` },
  );
  assert.deepEqual(
    slots.map(([role]) => role),
    roles,
  );
  for (const [role, pid] of slots) {
    assert.ok(processRuns(pid), `${role} runs`);
    assert.equal(processStat(pid).parent, server.child.pid, `${role} is a child of the server`);
  }
  return slots;
}

/**
 * Whether a process runs: exists and is no zombie (a killed process whose parent died waits, dead, until
 * whoever inherited it reaps it). Linux (/proc).
 */
export function processRuns(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !['Z', 'X'].includes(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return false;
  }
}

/** A process's parent id and nice value, from /proc/PID/stat (fields 4 and 19; Linux). */
export function processStat(pid: number): { parent: number; nice: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // After the command in parentheses: state, ppid (4th field) … nice (19th).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { parent: Number(fields[1]), nice: Number(fields[16]) };
}

/** Waits until GET {baseUrl}/healthz answers 200. */
export async function waitForHealthy(baseUrl: string): Promise<void> {
  await waitFor(
    async () => {
      try {
        return (await fetch(`${baseUrl}/healthz`)).status === 200;
      } catch {
        return false;
      }
    },
    { what: `${baseUrl}/healthz`, intervalMs: 50 },
  );
}

/** The server's SQLite file opened read-only: what the test observes never changes the server's state. */
export function openDatabaseReadOnly(dataDir: string): Database.Database {
  const db = new Database(join(dataDir, 'inkan.db'), { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}

/** Row counts of every table of the database. */
export function rowCounts(db: Database.Database): Record<string, number> {
  const tables = db
    .prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`)
    .all() as Array<{ name: string }>;
  const counts: Record<string, number> = {};
  for (const { name } of tables)
    counts[name] = (db.prepare(`select count(*) as n from "${name}"`).get() as { n: number }).n;
  return counts;
}

/**
 * Jobs that are running or due now. Jobs scheduled for later (a daily job, a retry after its backoff)
 * do not count: "nothing left to do now" is what the tests wait for.
 */
export function unfinishedJobs(
  db: Database.Database,
): Array<{ kind: string; status: string; last_error: string | null }> {
  const now = new Date().toISOString();
  return db
    .prepare(
      `select kind, status, last_error from jobs where status = 'running' or (status = 'queued' and run_at <= ?) order by created_at`,
    )
    .all(now) as Array<{
    kind: string;
    status: string;
    last_error: string | null;
  }>;
}

/** Jobs that failed or are retrying after an error (a healthy flow has none). */
export function failedJobs(db: Database.Database): Array<{ kind: string; status: string; last_error: string | null }> {
  return db
    .prepare(`select kind, status, last_error from jobs where status = 'failed' or last_error is not null`)
    .all() as Array<{
    kind: string;
    status: string;
    last_error: string | null;
  }>;
}

/** Events with an action, oldest first, details parsed. */
export function eventsOf(
  db: Database.Database,
  action: string,
): Array<{ envelope_id: string | null; details: Record<string, unknown>; ip: string | null }> {
  const rows = db.prepare(`select * from events where action = ? order by seq`).all(action) as Array<
    Record<string, unknown>
  >;
  return rows.map((r) => ({
    envelope_id: (r.envelope_id as string | null) ?? null,
    details: JSON.parse(String(r.details)) as Record<string, unknown>,
    ip: (r.ip as string | null) ?? null,
  }));
}

/** What to print when a wait fails: the jobs and the last lines of each process's output. */
export function diagnostics(
  db: Database.Database | undefined,
  processes: ReadonlyArray<InkanProcess | undefined>,
): string {
  const jobs = db
    ? db.prepare('select kind, status, attempts, run_at, locked_by, last_error from jobs order by created_at').all()
    : [];
  const logs = processes
    .filter((p): p is InkanProcess => p !== undefined)
    .map((p, i) => `--- process ${i + 1} (last lines):\n${p.output.slice(-25).join('\n')}`);
  return [`jobs: ${JSON.stringify(jobs, null, 1)}`, ...logs].join('\n');
}

/** waitFor that, on timeout, adds the diagnostics to the error. */
export async function waitOrExplain<T>(
  condition: () => Promise<T> | T,
  options: { timeoutMs?: number; intervalMs?: number; what: string },
  explain: () => string,
): Promise<NonNullable<T>> {
  try {
    return await waitFor(condition, options);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${explain()}`, { cause: error });
  }
}
