// `npm run bench -- reclaim`: how long the job of a worker killed with SIGKILL waits before it runs
// again, on SQLite and PostgreSQL, with the default lease (INKAN_JOB_LEASE, 60 s):
// - "restarted, same identity": the worker starts again under its INKAN_WORKER_ID and takes the job
//   back at once (jobs.worker_id; issue 10 part 3);
// - "another worker": a worker of another identity, which must wait for the dead worker's lease
//   (what every restart did before).
// The time is from the moment the new worker starts to the moment the handler runs (poll 50 ms).
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DbJobQueue, startJobRunner } from '../packages/server/src/adapters/jobs/db-job-queue.ts';
import { mayReclaimFrom } from '../packages/server/src/jobs/worker-thread.ts';
import { openMigratedTestDatabase, type Dialect } from '../packages/server/test/helpers/test-database.ts';
import { escapeCell, machineInfo, resultStamp, writeBetweenMarkers } from './lib/report-files.ts';

const RESULTS = fileURLToPath(new URL('./results', import.meta.url));
const CRASH_WORKER = fileURLToPath(new URL('../packages/server/test/helpers/job-crash-worker.ts', import.meta.url));

interface Row {
  dialect: Dialect;
  case: 'restarted, same identity' | 'another worker';
  waitS: number;
}

async function measure(dialect: Dialect, sameIdentity: boolean): Promise<Row> {
  const database = await openMigratedTestDatabase(dialect);
  try {
    await new DbJobQueue().enqueue(database.db, 'mail.completion', { envelopeId: 'bench' });
    await new Promise<void>((resolve, reject) => {
      const child = execFile(
        process.execPath,
        ['--import', 'tsx', CRASH_WORKER, database.url ?? '', database.dir, 'bench-worker'],
        { env: { ...process.env, NODE_TEST_CONTEXT: '' } },
      );
      child.on('exit', (_code, signal) =>
        signal === 'SIGKILL' ? resolve() : reject(new Error(`crash worker ended with ${signal}`)),
      );
    });
    let ran!: () => void;
    const done = new Promise<void>((resolve) => (ran = resolve));
    const started = performance.now();
    const runner = startJobRunner({
      db: database.db,
      dialect: database.dialect,
      workerId: `${hostname()}:${process.pid}:0:bench`,
      stableWorkerId: sameIdentity ? 'bench-worker' : 'another-worker',
      mayReclaim: mayReclaimFrom,
      pollMs: 50,
      handlers: { 'mail.completion': async () => ran() },
    });
    await done;
    const waitS = (performance.now() - started) / 1000;
    await runner.stop();
    return { dialect, case: sameIdentity ? 'restarted, same identity' : 'another worker', waitS };
  } finally {
    await database.close();
  }
}

const startedAt = new Date().toISOString();
const load = loadavg()[0];
const rows: Row[] = [];
for (const dialect of ['sqlite', 'postgres'] as const)
  for (const same of [true, false]) rows.push(await measure(dialect, same));
const machine = machineInfo(load);
const markdown = [
  `Wait before the job of a worker killed with SIGKILL runs again (lease 60 s, poll 50 ms; ${machine.cpus} × ${escapeCell(machine.cpuModel)}, load ${machine.loadAvg1m}, commit ${machine.commit}, ${startedAt}):`,
  '',
  '| database | who takes the job | wait (s) |',
  '|---|---|---:|',
  ...rows.map((r) => `| ${r.dialect} | ${r.case} | ${r.waitS.toFixed(2)} |`),
  '',
].join('\n');
mkdirSync(RESULTS, { recursive: true });
writeFileSync(
  join(RESULTS, `reclaim-${resultStamp(startedAt)}.json`),
  `${JSON.stringify({ startedAt, machine, rows }, null, 2)}\n`,
);
writeFileSync(join(RESULTS, 'reclaim-latest.md'), markdown);
writeBetweenMarkers(RESULTS, '<!-- reclaim-bench:start -->', '<!-- reclaim-bench:end -->', markdown);
process.stdout.write(markdown);
