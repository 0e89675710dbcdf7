// CPU and SQL statements per job of the envelope flow (issue 10), in one process: the test harness
// (app.inject) creates, sends and signs envelopes as request-cost.ts does, and every job they queue
// runs through a job runner whose handlers are timed one by one. Reported per job kind: count, median
// CPU, statements; and the runner's own share (claim, lease, finish) as the runs' CPU minus the handlers'.
//   node --import tsx bench/job-cost.ts [--db=sqlite,postgres] [--count=30] [--sql=KIND] [--profile=PREFIX]
// `--sql=KIND` prints the statements of the last job of that kind; `--profile=PREFIX` writes a CPU profile
// of the measured envelopes (not the warm-up) to PREFIX-<database>.cpuprofile. At most ~90 envelopes per
// run: the harness's API client is one address, under the per-address rate limit.
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { recordStatementsInto } from './lib/statement-log.ts';
import { makePdf } from '../packages/core/test/helpers/make-pdf.ts';
import { linkIn, startHarness, type Harness } from '../packages/server/test/api/helpers/harness.ts';
import {
  accessCodeRequest,
  createFlowEnvelope,
  flowRecipients,
  readySigner,
  signRequest,
  costBenchOptions,
  expectStatus,
} from './lib/flow-requests.ts';
import { startJobRunner, type JobHandlers, type JobRunner } from '../packages/server/src/adapters/jobs/db-job-queue.ts';
import { createJobHandlers } from '../packages/server/src/jobs/handlers.ts';

const { args, databases } = costBenchOptions(process.argv.slice(2));
const count = Number(args.get('count') ?? '30');
const sqlOf = args.get('sql');
const profileFile = args.get('profile');

interface Sample {
  cpuMs: number;
  statements: number;
  sql: string[];
}
const perKind = new Map<string, Sample[]>();

let handlerCpuMs = 0;
let counting = false;

/** The handlers, each run timed (they run one at a time: the runner's concurrency is 1 here). */
function timed(handlers: JobHandlers): JobHandlers {
  const out: Record<string, unknown> = {};
  for (const [kind, handler] of Object.entries(handlers) as Array<[string, (...a: unknown[]) => Promise<void>]>) {
    out[kind] = async (...a: unknown[]) => {
      const sql: string[] = [];
      const outer = recordStatementsInto(sql);
      const cpu = process.cpuUsage();
      try {
        await handler(...a);
      } finally {
        const used = process.cpuUsage(cpu);
        recordStatementsInto(outer);
        outer?.push(...sql);
        if (counting) {
          const ms = (used.user + used.system) / 1000;
          handlerCpuMs += ms;
          const list = perKind.get(kind) ?? [];
          list.push({ cpuMs: ms, statements: sql.length, sql });
          perKind.set(kind, list);
        }
      }
    };
  }
  return out as JobHandlers;
}

let runsCpuMs = 0;
let runsStatements = 0;
async function runJobs(runner: JobRunner): Promise<void> {
  const sql: string[] = [];
  recordStatementsInto(sql);
  const cpu = process.cpuUsage();
  await runner.idle();
  const used = process.cpuUsage(cpu);
  recordStatementsInto(undefined);
  if (counting) {
    runsCpuMs += (used.user + used.system) / 1000;
    runsStatements += sql.length;
  }
}

async function oneEnvelope(h: Harness, runner: JobRunner, pdf: Uint8Array, i: number): Promise<void> {
  const { emails, codes } = flowRecipients(i, 'jobs.example.jp');
  const created = await createFlowEnvelope(h, pdf, i, 'jobs.example.jp');
  expectStatus(201, created, 'create');
  const id = (created.json() as { id: string }).id;
  expectStatus(200, await h.api(h.org, 'POST', `/api/v1/envelopes/${id}/send`), 'send');
  for (let k = 0; k < 2; k++) {
    await runJobs(runner);
    const [mail] = await h.mailsTo(emails[k]);
    const token = linkIn(mail.text_body, 's');
    const address = `10.2.${i % 250}.${k + 1}`;
    const code = await accessCodeRequest(h, token, codes[k], address);
    expectStatus(200, code, 'access-code');
    const signed = await signRequest(h, readySigner(token, address, code));
    expectStatus(202, signed, 'sign');
  }
  await runJobs(runner);
  const got = await h.api(h.org, 'GET', `/api/v1/envelopes/${id}`);
  if ((got.json() as { status: string }).status !== 'completed') throw new Error('not completed');
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const pdf = await makePdf({ pages: 2, text: 'Job cost' });
console.log(
  `load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; ${count} envelopes (5 warm-up) per database`,
);
for (const dialect of databases) {
  const h = await startHarness(dialect);
  // The harness's own runner stays idle (manual, never asked); this one runs every job.
  const runner = startJobRunner({
    db: h.context.db,
    dialect: h.context.dialect,
    handlers: timed(createJobHandlers(h.context)),
    workerId: 'job-cost',
    clock: h.clock,
    manual: true,
    concurrency: 1,
  });
  perKind.clear();
  handlerCpuMs = runsCpuMs = runsStatements = 0;
  try {
    for (let i = 0; i < 5; i++) await oneEnvelope(h, runner, pdf, i);
    counting = true;
    const session = new Session();
    if (profileFile) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 500 });
      await session.post('Profiler.start');
    }
    const start = performance.now();
    for (let i = 0; i < count; i++) await oneEnvelope(h, runner, pdf, 100 + i);
    const wall = performance.now() - start;
    counting = false;
    if (profileFile) {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      writeFileSync(`${profileFile}-${dialect}.cpuprofile`, JSON.stringify(profile));
    }
    let total = 0;
    let statements = 0;
    for (const [kind, samples] of [...perKind].sort()) {
      const perEnvelope = samples.reduce((s, x) => s + x.cpuMs, 0) / count;
      const stmts = samples.reduce((s, x) => s + x.statements, 0) / count;
      total += perEnvelope;
      statements += stmts;
      console.log(
        `${dialect.padEnd(8)} ${kind.padEnd(22)} ×${(samples.length / count).toFixed(1)}  cpu median ${median(samples.map((x) => x.cpuMs)).toFixed(2)} ms  per envelope ${perEnvelope.toFixed(2)} ms  statements ${stmts.toFixed(1)}`,
      );
      if (sqlOf === kind)
        for (const line of samples.at(-1)!.sql) console.log(`    ${line.replace(/\s+/g, ' ').slice(0, 200)}`);
    }
    console.log(
      `${dialect.padEnd(8)} handlers ${total.toFixed(1)} ms and ${statements.toFixed(1)} statements per envelope; the runner's own (claim, lease, finish): ${((runsCpuMs - handlerCpuMs) / count).toFixed(1)} ms and ${(runsStatements / count - statements).toFixed(1)} statements; wall ${(wall / count).toFixed(0)} ms per envelope (requests included)`,
    );
  } finally {
    await runner.stop();
    await h.close();
  }
}
