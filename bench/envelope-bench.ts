// The envelope-flow benchmark (issue 3, "Speed"): Inkan as a real server process, driven only through
// its HTTP API, on SQLite (the default) and, when the local server answers, PostgreSQL.
//   1. throughput: N complete envelopes (create → send → two signatures → completed), C at a time;
//   2. signing latency: 100 signers who passed the access code press 署名手続きを完了する at once.
// Run with `npm run bench` (every bench) or `npm run bench -- envelopes [--count=200 --concurrency=32
// --signers=100 --warmup=200 --db=sqlite,postgres,postgres-multi --profile=DIR|off]`; a run with options
// other than --profile is written only as envelopes-<time>-partial.json.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { makePdf } from '../packages/core/test/helpers/make-pdf.ts';
import { machineInfo } from './lib/report-files.ts';
import { compactProfileMarkdown, profileClockUs, summariseDirectory } from './lib/profile-summary.ts';
import {
  backendCpuBetween,
  MailWatcher,
  postgresObserver,
  sqliteObserver,
  type DbObserver,
} from './lib/db-observer.ts';
import {
  writeEnvelopeResults,
  type DatabaseRun,
  type EnvelopeBenchResults,
  type Latencies,
} from './lib/envelope-report.ts';
import { cookieFrom, HttpClient, loopbackAddress, multipart, type HttpResponse } from './lib/http-client.ts';
import { buildRelease, startInkan, type InkanServer, type ServerBuild } from './lib/inkan-process.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS_DIR = join(ROOT, 'bench', 'results');
const POSTGRES_ADMIN_URL = process.env.INKAN_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const DEFAULTS = {
  /**
   * A directory for CPU profiles of the server processes (`--cpu-prof`: one .cpuprofile per thread);
   * by default a temp directory (summarised in the report, then removed); `--profile=off` runs without.
   */
  profile: undefined as string | undefined,
  profileOff: false,
  /**
   * Which server: the compiled release (`npm run build`, run by plain node: what an operator runs) or the
   * TypeScript sources through tsx (what the tests run; CPU profiles then name the source files).
   */
  server: 'release' as ServerBuild,
  // 32 envelopes in flight: one envelope takes about a second from create to completed (mails, two
  // signers, the seal), so 8 at a time capped the bench near 8/s whatever the server could do.
  count: 200,
  concurrency: 32,
  signers: 100,
  warmup: 200,
  databases: ['sqlite', 'postgres', 'postgres-multi'] as BenchDatabase[],
};
/** Bounds: every wait has one, and the whole bench has one. */
const LIMITS = { mailMs: 60_000, completionMs: 120_000, appliedMs: 180_000, pollMs: 200, totalMs: 14 * 60_000 };
const ACCESS_CODES = ['1234', '5678'] as const;
/** SQLite (`inkan serve --role=all`), PostgreSQL likewise, and PostgreSQL with 2 web processes + 1 worker process. */
const BENCH_DATABASES = ['sqlite', 'postgres', 'postgres-multi'] as const;
type BenchDatabase = (typeof BENCH_DATABASES)[number];
const SIGNER_COOKIE = 'inkan_signer';

type Step = 'create' | 'send' | 'access-code' | 'sign' | 'get';

/** A failed step of an envelope (an error of the bench: the run must have none). */
class StepError extends Error {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(`${step}: ${message}`);
  }
}

/** Everything a phase shares: the server, the mail watcher, the next free client address, timings. */
interface Run {
  server: InkanServer;
  watcher: MailWatcher;
  db: DbObserver;
  pdf: Uint8Array;
  tag: string;
  nextAddress: number;
  steps: Record<Step, number[]>;
  getRequests: number;
  /** Where the server's CPU profiles go (`--profile`), per database. */
  profileDir?: string;
}

function expectStatus(step: string, response: HttpResponse, status: number): void {
  if (response.status !== status)
    throw new StepError(
      step,
      `HTTP ${response.status} (expected ${status}): ${response.body.toString('utf8').slice(0, 300)}`,
    );
}

function json<T>(response: HttpResponse): T {
  return JSON.parse(response.body.toString('utf8')) as T;
}

function newClient(run: Run): HttpClient {
  // Several HTTP processes: each client goes to one of them in turn (a load balancer's round robin).
  const urls = run.server.baseUrls;
  const n = run.nextAddress++;
  return new HttpClient(urls[n % urls.length], loopbackAddress(n));
}

function recipientEmail(run: Run, i: number, order: number): string {
  return `r${order}-${run.tag}-${i}@bench.example.jp`;
}

/** Creates (multipart: one PDF, two recipients with access codes) and sends envelope `i`; returns its id. */
async function createAndSend(run: Run, sender: HttpClient, i: number, label: string): Promise<string> {
  const body = multipart([
    {
      name: 'envelope',
      contentType: 'application/json',
      value: JSON.stringify({
        name: `業務委託契約書 ${label}-${i}`,
        message: 'ご確認のうえ署名をお願いいたします。',
        recipients: [
          {
            name: '受注者 太郎',
            email: recipientEmail(run, i, 1),
            accessCode: ACCESS_CODES[0],
            order: 1,
            language: 'ja',
          },
          {
            name: '発注者 花子',
            email: recipientEmail(run, i, 2),
            accessCode: ACCESS_CODES[1],
            order: 2,
            language: 'ja',
          },
        ],
      }),
    },
    { name: 'documents', filename: `contract-${i}.pdf`, data: run.pdf },
  ]);
  const auth = { authorization: `Bearer ${run.server.apiKey}` };
  const created = await sender.request('POST', '/api/v1/envelopes', {
    headers: { ...auth, 'content-type': body.contentType },
    body: body.body,
  });
  run.steps.create.push(created.ms);
  expectStatus('create', created, 201);
  const envelope = json<{ id: string; status: string; documents: unknown[]; recipients: unknown[] }>(created);
  if (envelope.status !== 'draft' || envelope.documents.length !== 1 || envelope.recipients.length !== 2)
    throw new StepError('create', `unexpected envelope ${JSON.stringify(envelope).slice(0, 300)}`);
  const sent = await sender.request('POST', `/api/v1/envelopes/${envelope.id}/send`, { headers: auth });
  run.steps.send.push(sent.ms);
  expectStatus('send', sent, 200);
  if (json<{ status: string }>(sent).status !== 'sent')
    throw new StepError('send', `status ${json<{ status: string }>(sent).status}`);
  return envelope.id;
}

/** A signer whose access code passed: their own client (address), the link token, the session. */
interface ReadySigner {
  client: HttpClient;
  token: string;
  cookie: string;
  csrf: string;
}

/** Waits for the signing mail of recipient `order` and passes its access code. */
async function openSignerSession(run: Run, i: number, order: 1 | 2): Promise<ReadySigner> {
  const token = await run.watcher.signingToken(recipientEmail(run, i, order), LIMITS.mailMs).catch((error: Error) => {
    throw new StepError(`mail to recipient ${order}`, error.message);
  });
  const client = newClient(run);
  const response = await client.request('POST', `/api/sign/${token}/access-code`, {
    body: { code: ACCESS_CODES[order - 1] },
  });
  run.steps['access-code'].push(response.ms);
  expectStatus('access-code', response, 200);
  const cookie = cookieFrom(response, SIGNER_COOKIE);
  const csrf = json<{ csrfToken?: string }>(response).csrfToken;
  if (!cookie || !csrf) throw new StepError('access-code', 'no signer cookie or csrfToken in the answer');
  return { client, token, cookie, csrf };
}

/** POST /api/sign/{token}/sign (署名手続きを完了する). */
function sign(signer: ReadySigner): Promise<HttpResponse> {
  return signer.client.request('POST', `/api/sign/${signer.token}/sign`, {
    headers: { cookie: `${SIGNER_COOKIE}=${signer.cookie}`, 'x-csrf-token': signer.csrf },
  });
}

async function signAs(run: Run, i: number, order: 1 | 2): Promise<void> {
  const signer = await openSignerSession(run, i, order);
  try {
    const response = await sign(signer);
    run.steps.sign.push(response.ms);
    expectStatus('sign', response, 202);
  } finally {
    signer.client.close();
  }
}

/** Polls GET /api/v1/envelopes/{id} until it says completed (any other end state is an error). */
async function waitCompleted(run: Run, sender: HttpClient, id: string): Promise<void> {
  const deadline = performance.now() + LIMITS.completionMs;
  for (;;) {
    const response = await sender.request('GET', `/api/v1/envelopes/${id}`, {
      headers: { authorization: `Bearer ${run.server.apiKey}` },
    });
    run.getRequests++;
    run.steps.get.push(response.ms);
    expectStatus('get', response, 200);
    const status = json<{ status: string }>(response).status;
    if (status === 'completed') return;
    if (status !== 'sent') throw new StepError('completion', `envelope became ${status}`);
    if (performance.now() > deadline)
      throw new StepError('completion', `not completed within ${LIMITS.completionMs} ms`);
    await new Promise((r) => setTimeout(r, LIMITS.pollMs));
  }
}

/** One envelope from create to completed; returns the time it took. */
async function completeEnvelope(run: Run, i: number, label: string): Promise<{ id: string; ms: number }> {
  const started = performance.now();
  const sender = newClient(run);
  try {
    const id = await createAndSend(run, sender, i, label);
    await signAs(run, i, 1);
    await signAs(run, i, 2);
    await waitCompleted(run, sender, id);
    return { id, ms: performance.now() - started };
  } finally {
    sender.close();
  }
}

/** Runs `work(i)` for i in [0, count) with at most `concurrency` at a time; collects results and errors. */
async function pool<T>(
  count: number,
  concurrency: number,
  work: (i: number) => Promise<T>,
): Promise<{ results: T[]; errors: string[] }> {
  const results: T[] = [];
  const errors: string[] = [];
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      try {
        results.push(await work(i));
      } catch (error) {
        errors.push(`#${i} ${(error as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return { results, errors };
}

/** Nearest-rank percentile of a sample (ms). */
function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function latencies(values: readonly number[]): Latencies {
  return {
    n: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: values.length ? Math.max(...values) : Number.NaN,
  };
}

/** Phase 1: `count` complete envelopes, `concurrency` at a time (after `warmup` not counted). */
async function throughputPhase(run: Run, options: typeof DEFAULTS): Promise<NonNullable<DatabaseRun['throughput']>> {
  // The warm-up runs like the phase (same concurrency): a fresh server spends its first few hundred
  // envelopes partly in V8's optimising compiler, so the phase measures a server that has been running.
  // The warm-up's own rate and CPU are kept: what a server does right after its start.
  const warmCpuBefore = run.server.cpuMs();
  const warmStarted = performance.now();
  const warm = await pool(options.warmup, Math.max(1, Math.min(options.concurrency, options.warmup)), (i) =>
    completeEnvelope(run, 10_000 + i, 'warmup'),
  );
  if (warm.errors.length) throw new Error(`warm-up failed: ${warm.errors[0]}`);
  const warmS = (performance.now() - warmStarted) / 1000;
  const warmup =
    options.warmup > 0
      ? {
          envelopes: warm.results.length,
          envelopesPerS: warm.results.length / warmS,
          serverMsPerEnvelopeInPhase: (run.server.cpuMs() - warmCpuBefore) / options.warmup,
        }
      : undefined;
  for (const list of Object.values(run.steps)) list.length = 0;
  run.getRequests = 0;
  // CPU per envelope (load-independent): the server process (HTTP + worker thread) and this bench process.
  const serverCpuBefore = run.server.cpuMs();
  const jobCpuBefore = run.server.jobCpuMs();
  const databaseCpuBefore = await run.db.backendCpuMs?.();
  const benchCpuBefore = process.cpuUsage();
  const profileFrom = profileClockUs();
  const started = performance.now();
  const { results, errors } = await pool(options.count, options.concurrency, (i) => completeEnvelope(run, i, 'tp'));
  const wallS = (performance.now() - started) / 1000;
  const serverCpuAtEnd = run.server.cpuMs();
  const benchCpu = process.cpuUsage(benchCpuBefore);
  // The certificates of completion and the completion mails follow `completed`: wait for them (bounded)
  // so that the server's CPU per envelope covers all of its work.
  const drainDeadline = performance.now() + LIMITS.completionMs;
  while ((await run.db.pendingJobs()) > 0 && performance.now() < drainDeadline)
    await new Promise((r) => setTimeout(r, 50));
  const serverCpuDrained = run.server.cpuMs();
  const jobCpuDrained = run.server.jobCpuMs();
  const databaseCpuDrained = await run.db.backendCpuMs?.();
  if (run.profileDir) {
    // The profiles cover the server's whole life; their summary keeps this phase only (with its drain).
    mkdirSync(run.profileDir, { recursive: true });
    writeFileSync(
      join(run.profileDir, 'window.json'),
      `${JSON.stringify({ fromUs: profileFrom, toUs: profileClockUs(), envelopes: options.count })}\n`,
    );
  }
  const times = results.map((r) => r.ms);
  return {
    cpu: {
      serverMsPerEnvelopeInPhase: (serverCpuAtEnd - serverCpuBefore) / options.count,
      serverMsPerEnvelope: (serverCpuDrained - serverCpuBefore) / options.count,
      jobMsPerEnvelope: (jobCpuDrained - jobCpuBefore) / options.count,
      databaseMsPerEnvelope:
        databaseCpuBefore && databaseCpuDrained
          ? backendCpuBetween(databaseCpuBefore, databaseCpuDrained) / options.count
          : undefined,
      benchMsPerEnvelope: (benchCpu.user + benchCpu.system) / 1000 / options.count,
    },
    envelopes: options.count,
    concurrency: options.concurrency,
    warmup: options.warmup,
    warmupRun: warmup,
    completed: results.length,
    wallS,
    envelopesPerS: results.length / wallS,
    completionMs: latencies(times),
    steps: Object.fromEntries(Object.entries(run.steps).map(([k, v]) => [k, latencies(v)])) as Record<Step, Latencies>,
    getRequests: run.getRequests,
    errors: errors.length,
    errorSamples: errors.slice(0, 5),
    firstCompletedId: results[0]?.id,
  };
}

/** Phase 2: `signers` sessions ready, then every sign request at once; then until all are applied. */
async function latencyPhase(run: Run, options: typeof DEFAULTS): Promise<NonNullable<DatabaseRun['latency']>> {
  const prepStarted = performance.now();
  const envelopeIds: string[] = [];
  const prepared = await pool(options.signers, options.concurrency, async (i) => {
    const sender = newClient(run);
    try {
      envelopeIds.push(await createAndSend(run, sender, i, 'lat'));
    } finally {
      sender.close();
    }
    return openSignerSession(run, i, 1);
  });
  const prepS = (performance.now() - prepStarted) / 1000;
  if (prepared.errors.length > 0) {
    for (const s of prepared.results) s.client.close();
    return {
      signers: options.signers,
      ready: prepared.results.length,
      prepS,
      sign: latencies([]),
      errors: prepared.errors.length,
      errorSamples: prepared.errors.slice(0, 5),
      appliedS: null,
      signaturesPerS: null,
    };
  }
  const ready = prepared.results;
  const errors: string[] = [];
  const times: number[] = [];
  const burstStarted = performance.now();
  const burstProfileFrom = profileClockUs();
  await Promise.all(
    ready.map(async (signer, i) => {
      try {
        const response = await sign(signer);
        times.push(response.ms);
        if (response.status !== 202)
          errors.push(`#${i} sign: HTTP ${response.status}: ${response.body.toString('utf8').slice(0, 200)}`);
        else if (json<{ recipient?: { status?: string } }>(response).recipient?.status !== 'signed')
          errors.push(`#${i} sign: recipient not signed in the answer`);
      } catch (error) {
        errors.push(`#${i} sign: ${(error as Error).message}`);
      } finally {
        signer.client.close();
      }
    }),
  );
  if (run.profileDir)
    // The burst alone (request issued → last answer), for `profile-summary.ts DIR --window=burst-window.json`.
    writeFileSync(
      join(run.profileDir, 'burst-window.json'),
      `${JSON.stringify({ fromUs: burstProfileFrom, toUs: profileClockUs(), requests: ready.length })}\n`,
    );
  // The worker applies the platform signatures (with timestamps) after the 202s; wait for all of them.
  let appliedS: number | null = null;
  const deadline = performance.now() + LIMITS.appliedMs;
  while (performance.now() < deadline) {
    if ((await run.db.appliedSignatures(envelopeIds)) >= ready.length - errors.length) {
      appliedS = (performance.now() - burstStarted) / 1000;
      break;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  if (appliedS === null) errors.push(`signatures not all applied within ${LIMITS.appliedMs} ms`);
  return {
    signers: options.signers,
    ready: ready.length,
    prepS,
    sign: latencies(times),
    errors: errors.length,
    errorSamples: errors.slice(0, 5),
    appliedS,
    signaturesPerS: appliedS === null ? null : (ready.length - errors.length) / appliedS,
  };
}

/** `inkan verify --json` on the first completed envelope's document: the flow must produce valid PDFs. */
async function checkOutput(run: Run, envelopeId: string | undefined): Promise<string> {
  if (envelopeId === undefined) return 'FAILED: no envelope completed';
  const client = newClient(run);
  try {
    const auth = { authorization: `Bearer ${run.server.apiKey}` };
    const envelope = json<{ documents: Array<{ id: string }> }>(
      await client.request('GET', `/api/v1/envelopes/${envelopeId}`, { headers: auth }),
    );
    const pdf = await client.request('GET', `/api/v1/envelopes/${envelopeId}/documents/${envelope.documents[0].id}`, {
      headers: auth,
    });
    expectStatus('download', pdf, 200);
    const file = join(run.server.dataDir, 'check.pdf');
    writeFileSync(file, pdf.body);
    let out: string;
    try {
      out = await run.server.cli(['verify', file, '--json']);
    } catch (error) {
      return `FAILED: inkan verify: ${(error as Error).message.split('\n')[0]}`;
    }
    const report = JSON.parse(out) as {
      exitCode: number;
      signatures: Array<{ type: string; level: string | null; status: string }>;
    };
    const signatures = report.signatures.filter((s) => s.type === 'signature').length;
    const summary = report.signatures.map((s) => s.level ?? s.type).join(', ');
    // Completed = both recipients' signatures and the seal's document timestamp, all valid.
    const ok =
      report.exitCode === 0 && signatures === 2 && report.signatures.some((s) => s.type === 'document-timestamp');
    return `${ok ? '' : 'FAILED: '}inkan verify exit ${report.exitCode}: ${summary}`;
  } finally {
    client.close();
  }
}

async function postgresAvailable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

const liveServers = new Set<InkanServer>();
const liveDatabases = new Set<string>();

/** One database: fresh data dir (and PostgreSQL database), server up, both phases, everything removed. */
async function runOnDatabase(database: BenchDatabase, options: typeof DEFAULTS): Promise<DatabaseRun> {
  const dataDir = mkdtempSync(join(tmpdir(), 'inkan-envbench-'));
  const pgName = `inkan_bench_${randomBytes(6).toString('hex')}`;
  let databaseUrl: string | undefined;
  let server: InkanServer | undefined;
  let db: DbObserver | undefined;
  const started = performance.now();
  try {
    if (database !== 'sqlite') {
      await adminQuery(`create database ${pgName}`);
      liveDatabases.add(pgName);
      const url = new URL(POSTGRES_ADMIN_URL);
      url.pathname = `/${pgName}`;
      databaseUrl = url.toString();
    }
    server = await startInkan({
      dataDir,
      databaseUrl,
      roles: database === 'postgres-multi' ? ['web', 'web', 'worker'] : ['all'],
      build: options.server,
      nodeArgs: options.profile
        ? [
            '--cpu-prof',
            `--cpu-prof-dir=${join(options.profile, database)}`,
            // Every 2 ms by default; the 100-signer burst lasts ~0.15 s, so its profile wants a finer one.
            `--cpu-prof-interval=${process.env.INKAN_BENCH_PROFILE_INTERVAL_US ?? '2000'}`,
          ]
        : (process.env.INKAN_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
    });
    liveServers.add(server);
    db = databaseUrl ? await postgresObserver(databaseUrl) : sqliteObserver(join(dataDir, 'inkan.db'));
    const run: Run = {
      server,
      db,
      watcher: new MailWatcher(db),
      pdf: await makePdf({ pages: 2, text: 'This agreement is made between the parties named below.' }),
      tag: randomBytes(3).toString('hex'),
      nextAddress: { sqlite: 0, postgres: 100_000, 'postgres-multi': 200_000 }[database],
      steps: { create: [], send: [], 'access-code': [], sign: [], get: [] },
      getRequests: 0,
      profileDir: options.profile ? join(options.profile, database) : undefined,
    };
    console.log(
      `bench[${database}]: server at ${server.baseUrl}; throughput phase (${options.count} envelopes, ${options.concurrency} at a time)…`,
    );
    const throughput = await throughputPhase(run, options);
    console.log(
      `bench[${database}]: ${throughput.envelopesPerS.toFixed(2)} envelopes/s; signing-latency phase (${options.signers} signers)…`,
    );
    const check = await checkOutput(run, throughput.firstCompletedId);
    const latency = await latencyPhase(run, options);
    const jobs = await db.jobTrouble();
    console.log(
      `bench[${database}]: sign p99 ${latency.sign.p99.toFixed(0)} ms; ${check}; jobs failed ${jobs.failed}, retried ${jobs.retried}`,
    );
    if (throughput.errors + latency.errors + jobs.failed > 0)
      console.error(`bench[${database}]: server log tail:\n${server.logTail(20)}`);
    return {
      database,
      status: 'measured',
      pdfBytes: run.pdf.length,
      throughput,
      latency,
      check,
      jobs,
      durationS: (performance.now() - started) / 1000,
    };
  } catch (error) {
    const tail = server ? `\n${server.logTail(20)}` : '';
    console.error(`bench[${database}]: ${(error as Error).message}${tail}`);
    return {
      database,
      status: 'error',
      reason: (error as Error).message.split('\n')[0],
      durationS: (performance.now() - started) / 1000,
    };
  } finally {
    await db?.close().catch(() => undefined);
    if (server) {
      await server.stop();
      liveServers.delete(server);
    }
    if (databaseUrl) {
      await adminQuery(`drop database if exists ${pgName} with (force)`).catch((error: Error) =>
        console.error(`bench: could not drop ${pgName}: ${error.message}`),
      );
      liveDatabases.delete(pgName);
    }
    // INKAN_BENCH_KEEP_DATA=1 keeps the data directory (to inspect the database a run left).
    if (process.env.INKAN_BENCH_KEEP_DATA === '1') console.error(`bench: kept ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
}

function parseOptions(argv: readonly string[]): { options: typeof DEFAULTS; partial: boolean } {
  const options = { ...DEFAULTS, databases: [...DEFAULTS.databases] };
  for (const arg of argv) {
    const m = /^--(count|concurrency|signers|warmup|db|profile|server)=(.+)$/.exec(arg);
    if (!m)
      throw new Error(
        `unknown option ${arg} (known: --count=N --concurrency=N --signers=N --warmup=N --db=sqlite,postgres --profile=DIR|off --server=release|source)`,
      );
    if (m[1] === 'server') {
      if (m[2] !== 'release' && m[2] !== 'source') throw new Error(`--server: release or source, not ${m[2]}`);
      options.server = m[2];
    } else if (m[1] === 'profile') {
      if (m[2] === 'off') options.profileOff = true;
      else options.profile = resolve(m[2]);
    } else if (m[1] === 'db') {
      const dbs = m[2].split(',');
      for (const d of dbs)
        if (!(BENCH_DATABASES as readonly string[]).includes(d)) throw new Error(`--db: unknown database ${d}`);
      options.databases = dbs as BenchDatabase[];
    } else {
      const n = Number(m[2]);
      if (!Number.isInteger(n) || n < (m[1] === 'warmup' ? 0 : 1) || n > 1000)
        throw new Error(`--${m[1]}: not a count: ${m[2]}`);
      options[m[1] as 'count' | 'concurrency' | 'signers' | 'warmup'] = n;
    }
  }
  // Only the profile option does not make a run partial.
  return { options, partial: argv.some((a) => !a.startsWith('--profile=')) };
}

/** The server that was measured, for the method text. */
function serverDescription(server: ServerBuild): string {
  return server === 'release'
    ? 'the compiled release (`npm run build`, then `bin/inkan.mjs` run by plain node, as an operator runs it)'
    : 'the TypeScript sources through tsx (`packages/server/bin/inkan.mjs`, as the tests run them)';
}

async function main(): Promise<number> {
  const { options, partial } = parseOptions(process.argv.slice(2));
  // The release's code is bundled, so its profiles could not name the source files: profiles are taken
  // of the sources (`--server=source`), by default; of the release only when a directory is given.
  const temporaryProfiles = options.profile === undefined && !options.profileOff && options.server === 'source';
  if (options.server === 'release') buildRelease();
  if (temporaryProfiles) options.profile = mkdtempSync(join(tmpdir(), 'inkan-envbench-profiles-'));
  const startedAt = new Date();
  const loadBefore = loadavg()[0];
  const runs: DatabaseRun[] = [];
  for (const database of options.databases) {
    if (database !== 'sqlite') {
      const unavailable = await postgresAvailable();
      if (unavailable !== null) {
        console.log(`bench[postgres]: not measured (${POSTGRES_ADMIN_URL}: ${unavailable})`);
        runs.push({
          database,
          status: 'not measured',
          reason: `PostgreSQL not reachable: ${unavailable}`,
          durationS: 0,
        });
        continue;
      }
    }
    const run = await runOnDatabase(database, options);
    // The server has stopped: its profiles are written. Summarise the throughput phase's samples.
    if (options.profile !== undefined && run.status === 'measured') {
      try {
        const threads = summariseDirectory(join(options.profile, database));
        run.profileSummary = compactProfileMarkdown(threads, options.count, {
          cpuMsPerEnvelope: run.throughput?.cpu?.serverMsPerEnvelope,
        });
      } catch (error) {
        run.profileSummary = `(no profile summary: ${(error as Error).message})`;
      }
    }
    runs.push(run);
  }
  if (temporaryProfiles) rmSync(options.profile!, { recursive: true, force: true });
  const finishedAt = new Date();
  const results: EnvelopeBenchResults = {
    schema: 1,
    partial,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationS: (finishedAt.getTime() - startedAt.getTime()) / 1000,
    machine: machineInfo(loadBefore),
    options: {
      count: options.count,
      concurrency: options.concurrency,
      signers: options.signers,
      warmup: options.warmup,
    },
    method: [
      `Inkan runs as child processes — ${serverDescription(options.server)} — (\`inkan init\`, \`inkan org create\`, \`inkan apikey create\`, then \`inkan serve\`) on a fresh temp data directory, free ports, INKAN_ENV=test and otherwise the defaults (RSA-2048 platform key, built-in CA/TSA, documents on the local disk, mail to the outbox table, job worker threads on demand): \`inkan serve --role=all\` (HTTP + job worker threads) on SQLite, the same on a fresh PostgreSQL database on 127.0.0.1:5432, and on PostgreSQL 2 × \`inkan serve --role=web\` + 1 × \`inkan serve --role=worker\` (the clients spread over the two web processes in turn, as by a load balancer; the worker process runs its jobs in INKAN_WORKER_THREADS child processes, two by default on two cores, which find jobs by polling the table). Each PostgreSQL database is dropped afterwards.`,
      'CPU per envelope: user + system time of the server processes (/proc/PID/stat, all threads) over the throughput phase and until its queue is empty, divided by the envelopes (in parentheses the part of the job processes: the children of `--role=all`, the `--role=worker` process and its children; not counted in it, PostgreSQL’s own backends of the database, from pg_stat_activity and /proc, shown beside); the bench client’s own CPU likewise. With `--server=source` (or `--profile=DIR`) every server thread runs under `node --cpu-prof` (a sample every 2 ms, which costs the server some CPU of its own); the summary keeps the samples of the throughput phase and splits the server’s CPU time by the shares of the profile.',
      'The bench drives it only through HTTP from the same machine (its own CPU use counts against the server’s two cores). The signing links are read from the outbox (the `mails` table, read-only) the moment they are written.',
      'Every simulated person is an HTTP client of their own, with keep-alive, from its own loopback address (127.x.y.z): each envelope’s API client and each signer. The server’s per-address rate limits (300 requests/min, 10 access-code attempts/min) therefore act as in the field and are not what is measured.',
      'Throughput: after a warm-up of complete envelopes that are not counted (run like the phase, at its concurrency; its own rate and server CPU are reported as the server right after its start), each envelope is created (multipart: the `envelope` JSON and one 2-page PDF, two recipients with access codes), sent, recipient 1 waits for the signing mail, passes the access code and signs, recipient 2 likewise once their mail arrives, and the API client polls GET /api/v1/envelopes/{id} every 200 ms until `completed`. Envelopes per second = completed envelopes ÷ wall time of the phase; time to completion from the create request to the GET that says completed.',
      'Signing latency: the given number of envelopes are created and sent and each first recipient passes the access code (ready signer sessions on open keep-alive connections); then every `POST /api/sign/{token}/sign` is fired at once. Latency = request issued → last byte of the 202 answer (nearest-rank percentiles). Then the database is watched until every `recipient.signature-applied` event exists: the platform signatures (RSA-2048, RFC 3161 timestamp) applied by the job worker.',
      'Errors: any answer other than the expected status, a mail that does not arrive, an envelope not completed within its bound; the run must have none. The first completed envelope’s PDF is checked with `inkan verify`.',
    ],
    runs,
  };
  const { json: jsonPath, markdown } = writeEnvelopeResults(RESULTS_DIR, results, { partial });
  console.log('');
  console.log(markdown);
  console.log(
    `bench: wrote ${jsonPath}${partial ? ' (partial run: envelopes-latest.md and the READMEs untouched)' : ', envelopes-latest.md, README.md, bench/README.md'}`,
  );
  const failed = runs.filter(
    (r) =>
      r.status === 'error' ||
      (r.status === 'measured' &&
        (r.throughput!.errors > 0 || r.latency!.errors > 0 || r.jobs!.failed > 0 || r.check!.startsWith('FAILED'))),
  );
  if (failed.length > 0) {
    console.error(`bench: envelope bench failed on ${failed.map((r) => r.database).join(', ')}`);
    return 1;
  }
  return 0;
}

// The whole bench is bounded: past the limit the servers are stopped and the bench fails.
const watchdog = setTimeout(() => {
  console.error(`bench: the envelope bench did not finish within ${LIMITS.totalMs / 1000} s; stopping`);
  void Promise.all([...liveServers].map((s) => s.stop()))
    .then(() =>
      Promise.all([...liveDatabases].map((name) => adminQuery(`drop database if exists ${name} with (force)`))),
    )
    .catch(() => undefined)
    .finally(() => process.exit(1));
}, LIMITS.totalMs);
watchdog.unref();
process.exitCode = await main();
