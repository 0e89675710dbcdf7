// SQL statements and CPU per HTTP request of the envelope flow (issue 10): create, send, access-code,
// sign and the envelope GET, in one process (the test harness: app.inject, jobs run between steps so
// they are never counted), on SQLite and PostgreSQL. Statements are counted where the driver runs them
// (better-sqlite3's Statement, pg's Client.query), BEGIN/COMMIT included.
//   node --import tsx bench/request-cost.ts [--db=sqlite,postgres] [--count=30] [--sql] [--burst=100]
//     [--profile=DIR]
// `--sql` prints the statements of the last envelope's requests. `--burst=N`: N signers pass their
// access code, then their N sign requests are made at once; reported: CPU per sign request of the burst
// (and with `--profile=DIR` a CPU profile of the burst alone, summarised by bench/lib/profile-summary.ts).
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { profileMarkdown, summariseProfile } from './lib/profile-summary.ts';
import { recordStatementsInto } from './lib/statement-log.ts';
import { makePdf } from '../packages/core/test/helpers/make-pdf.ts';
import { linkIn, startHarness, type Harness } from '../packages/server/test/api/helpers/harness.ts';
import {
  accessCodeRequest,
  createFlowEnvelope,
  flowRecipients,
  readySigner,
  signRequest,
  type ReadySigner,
  costBenchOptions,
  expectStatus,
} from './lib/flow-requests.ts';

type Step = 'create' | 'send' | 'access-code' | 'sign' | 'get';
const STEPS: Step[] = ['create', 'send', 'access-code', 'sign', 'get'];

const { args, databases } = costBenchOptions(process.argv.slice(2));
const count = Number(args.get('count') ?? '30');
const printSql = args.has('sql');
const burst = Number(args.get('burst') ?? '0');
const profileDir = args.get('profile');

interface Sample {
  statements: number;
  cpuMs: number;
  wallMs: number;
  sql: string[];
}

async function measure<T>(work: () => Promise<T>): Promise<{ result: T; sample: Sample }> {
  const sql: string[] = [];
  recordStatementsInto(sql);
  const cpu = process.cpuUsage();
  const start = performance.now();
  try {
    const result = await work();
    const used = process.cpuUsage(cpu);
    return {
      result,
      sample: {
        statements: sql.length,
        cpuMs: (used.user + used.system) / 1000,
        wallMs: performance.now() - start,
        sql,
      },
    };
  } finally {
    recordStatementsInto(undefined);
  }
}

async function oneEnvelope(
  h: Harness,
  pdf: Uint8Array,
  i: number,
  samples: Record<Step, Sample[]>,
  stopBeforeSign = false,
): Promise<ReadySigner | undefined> {
  const { emails, codes } = flowRecipients(i, 'cost.example.jp');
  const created = await measure(() => createFlowEnvelope(h, pdf, i, 'cost.example.jp'));
  expectStatus(201, created.result, 'create');
  samples.create.push(created.sample);
  const id = (created.result.json() as { id: string }).id;
  const sent = await measure(() => h.api(h.org, 'POST', `/api/v1/envelopes/${id}/send`));
  expectStatus(200, sent.result, 'send');
  samples.send.push(sent.sample);
  for (let k = 0; k < 2; k++) {
    await h.runJobs();
    const [mail] = await h.mailsTo(emails[k]);
    const token = linkIn(mail.text_body, 's');
    // Its own address per envelope: the access-code rate limit counts per IP.
    const address = `10.1.${i % 250}.${k + 1}`;
    const code = await measure(() => accessCodeRequest(h, token, codes[k], address));
    expectStatus(200, code.result, 'access-code');
    samples['access-code'].push(code.sample);
    const ready = readySigner(token, address, code.result);
    if (stopBeforeSign) return ready;
    const signed = await measure(() => signRequest(h, ready));
    expectStatus(202, signed.result, 'sign');
    samples.sign.push(signed.sample);
  }
  await h.runJobs();
  const got = await measure(() => h.api(h.org, 'GET', `/api/v1/envelopes/${id}`));
  expectStatus(200, got.result, 'get');
  if ((got.result.json() as { status: string }).status !== 'completed') throw new Error('get: not completed');
  samples.get.push(got.sample);
  return undefined;
}

/** N sign requests at once (sessions ready): CPU per request, and a CPU profile of the burst alone. */
async function signBurst(h: Harness, pdf: Uint8Array, dialect: string): Promise<void> {
  const none = (): Record<Step, Sample[]> => ({ create: [], send: [], 'access-code': [], sign: [], get: [] });
  const ready: ReadySigner[] = [];
  for (let i = 0; i < burst; i++) ready.push((await oneEnvelope(h, pdf, 1000 + i, none(), true))!);
  const session = new Session();
  if (profileDir) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 250 });
    await session.post('Profiler.start');
  }
  const burstRun = await measure(() => Promise.all(ready.map((signer) => signRequest(h, signer))));
  for (const res of burstRun.result) expectStatus(202, res, 'sign (burst)');
  if (profileDir) {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    mkdirSync(profileDir, { recursive: true });
    const file = join(profileDir, `sign-burst-${dialect}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    console.log(profileMarkdown([summariseProfile(file, 25)], burst, 'ms per sign request'));
  }
  console.log(
    `${dialect.padEnd(8)} sign burst of ${burst}: cpu ${(burstRun.sample.cpuMs / burst).toFixed(2)} ms per request, ${(burstRun.sample.statements / burst).toFixed(1)} statements per request, wall ${burstRun.sample.wallMs.toFixed(0)} ms`,
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const pdf = await makePdf({ pages: 2, text: 'Request cost' });
console.log(
  `load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; ${count} envelopes (2 warm-up) per database`,
);
for (const dialect of databases) {
  const h = await startHarness(dialect);
  try {
    const samples: Record<Step, Sample[]> = { create: [], send: [], 'access-code': [], sign: [], get: [] };
    for (let i = 0; i < 2; i++)
      await oneEnvelope(h, pdf, i, { create: [], send: [], 'access-code': [], sign: [], get: [] });
    for (let i = 0; i < count; i++) await oneEnvelope(h, pdf, 100 + i, samples);
    let total = 0;
    for (const step of STEPS) {
      const s = samples[step];
      const statements = median(s.map((x) => x.statements));
      total += statements * (step === 'access-code' || step === 'sign' ? 2 : 1);
      console.log(
        `${dialect.padEnd(8)} ${step.padEnd(11)} statements ${String(statements).padStart(3)}  cpu median ${median(s.map((x) => x.cpuMs)).toFixed(2)} ms  wall median ${median(s.map((x) => x.wallMs)).toFixed(2)} ms`,
      );
      if (printSql) for (const line of s.at(-1)!.sql) console.log(`    ${line.replace(/\s+/g, ' ').slice(0, 220)}`);
    }
    console.log(
      `${dialect.padEnd(8)} statements per envelope on these requests (create+send+2×code+2×sign+get): ${total}`,
    );
    if (burst > 0) await signBurst(h, pdf, dialect);
  } finally {
    await h.close();
  }
}
