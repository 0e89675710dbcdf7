// The verification-server benchmark (issue 8, part 6): a real `inkan serve` process, driven through
// POST /api/verify only.
//   1. peak RSS of one verification: the server's VmHWM before and after verifying one signed 10 MB PDF,
//      and one deflate bomb (1.5 MB inflating to 1.5 GiB), each on a fresh server (goal ≤ file size + 256 MiB);
//   2. throughput: rounds of 4 concurrent uploads of the signed 10 MB PDF;
//   3. GET / latency while 4 bombs are verified at once (goal p99 ≤ 50 ms).
// Each client has its own loopback address (the per-IP rate limit counts people, not the bench).
// `npm run bench -- verify-server [--rounds=5 --bomb-rounds=10 --workers=0]`; with options the result is written as
// verify-server-<time>-partial.json only.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createWitnessSigner } from '../packages/core/src/pki/index.ts';
import { signPdf } from '../packages/core/src/pades/sign-pdf.ts';
import { makePdf } from '../packages/core/test/helpers/make-pdf.ts';
import { objectStreamBomb } from '../packages/core/test/helpers/pdf-bombs.ts';
import { createPkiFixture } from '../packages/core/test/helpers/pki-fixture.ts';
import { HttpClient, loopbackAddress, multipart, type HttpResponse } from './lib/http-client.ts';
import { startInkan, type InkanServer } from './lib/inkan-process.ts';
import { escapeCell, machineInfo, resultStamp, writeBetweenMarkers } from './lib/report-files.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS_DIR = join(ROOT, 'bench', 'results');
const MiB = 1024 * 1024;
const FILE_BYTES = 10 * 1000 * 1000;
const CONCURRENCY = 4;

const argv = process.argv.slice(2);
const option = (name: string, fallback: number) =>
  Number(argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const ROUNDS = option('rounds', 5);
const BOMB_ROUNDS = option('bomb-rounds', 10);
/** INKAN_VERIFY_WORKERS of the server (0: one per core, the default). */
const WORKERS = option('workers', 0);

let nextAddress = 1;
const client = (base: string) => new HttpClient(base, loopbackAddress(nextAddress++), { timeoutMs: 120_000 });

function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) * 1024;
}

async function upload(server: InkanServer, pdf: Uint8Array): Promise<HttpResponse> {
  const http = client(server.baseUrl);
  const { body, contentType } = multipart([{ name: 'file', filename: 'contract.pdf', data: pdf }]);
  try {
    return await http.request('POST', '/api/verify', {
      body,
      headers: { 'content-type': contentType, 'accept-language': 'en' },
    });
  } finally {
    http.close();
  }
}

function expect(res: HttpResponse, status: number, what: string): void {
  if (res.status !== status)
    throw new Error(`${what}: HTTP ${res.status} (expected ${status}): ${res.body.toString('utf8').slice(0, 300)}`);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function withServer<T>(body: (server: InkanServer) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'inkan-verify-bench-'));
  const server = await startInkan({ dataDir: join(dir, 'data'), env: { INKAN_VERIFY_WORKERS: String(WORKERS) } });
  try {
    // Warm: the UI, and a first verification that starts the workers.
    const http = client(server.baseUrl);
    expect(await http.request('GET', '/'), 200, 'GET /');
    http.close();
    expect(await upload(server, await makePdf()), 200, 'warm-up verification');
    return await body(server);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${server.logTail()}`, { cause: error });
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Peak RSS growth of a fresh, warm server over one verification of `pdf`. */
function peakOfOne(pdf: Uint8Array, status: number): Promise<{ before: number; after: number }> {
  return withServer(async (server) => {
    const before = peakRss(server.pid);
    expect(await upload(server, pdf), status, 'single verification');
    return { before, after: peakRss(server.pid) };
  });
}

const started = new Date().toISOString();
const load = loadavg()[0];
const fixture = await createPkiFixture();
let signed: Uint8Array;
try {
  const signer = await createWitnessSigner(fixture.pki, { name: 'Bench Signer', email: 'bench@example.jp' });
  signed = await signPdf(await makePdf({ pages: 3, padToBytes: FILE_BYTES }), {
    signer,
    timestampAuthority: fixture.tsa,
    name: 'Bench Signer',
  });
} finally {
  fixture.cleanup();
}
const bomb = objectStreamBomb(1536);
console.log(`signed PDF ${signed.length} bytes; bomb ${bomb.length} bytes (inflates to 1.5 GiB)`);

const signedPeak = await peakOfOne(signed, 200);
const bombPeak = await peakOfOne(bomb, 422);
console.log(
  `peak RSS growth: signed 10 MB ${((signedPeak.after - signedPeak.before) / MiB).toFixed(0)} MiB, bomb ${((bombPeak.after - bombPeak.before) / MiB).toFixed(0)} MiB`,
);

const { throughput, latencies, rssDuring } = await withServer(async (server) => {
  const before = peakRss(server.pid);
  const t0 = performance.now();
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const answers = await Promise.all(Array.from({ length: CONCURRENCY }, () => upload(server, signed)));
    for (const res of answers) {
      expect(res, 200, 'throughput upload');
      times.push(res.ms);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const requests = ROUNDS * CONCURRENCY;
  const throughput = {
    requests,
    seconds,
    perSecond: requests / seconds,
    mbPerSecond: (requests * signed.length) / 1e6 / seconds,
    p50Ms: percentile(
      [...times].sort((a, b) => a - b),
      50,
    ),
  };
  console.log(
    `throughput: ${requests} uploads of ${(signed.length / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s = ${throughput.perSecond.toFixed(2)}/s`,
  );

  const page = client(server.baseUrl);
  // The same number of GET / with nothing being verified: what the machine gives anyway.
  const idle: number[] = [];
  for (let i = 0; i < 60; i++) {
    const res = await page.request('GET', '/');
    expect(res, 200, 'GET / idle');
    idle.push(res.ms);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  idle.sort((a, b) => a - b);
  const samples: number[] = [];
  for (let round = 0; round < BOMB_ROUNDS; round++) {
    let done = false;
    const bombs = Promise.all(Array.from({ length: CONCURRENCY }, () => upload(server, bomb))).finally(
      () => (done = true),
    );
    while (!done) {
      const res = await page.request('GET', '/');
      expect(res, 200, 'GET / during bombs');
      samples.push(res.ms);
      // Paced under the global rate limit; the sample is the request's own time.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const res of await bombs) expect(res, 422, 'bomb');
  }
  page.close();
  const sorted = [...samples].sort((a, b) => a - b);
  const latencies = {
    samples: sorted.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1)!,
    idle: { samples: idle.length, p50Ms: percentile(idle, 50), p99Ms: percentile(idle, 99), maxMs: idle.at(-1)! },
  };
  console.log(
    `GET / during 4 bombs: ${sorted.length} samples, p50 ${latencies.p50Ms.toFixed(1)} ms, p99 ${latencies.p99Ms.toFixed(1)} ms, max ${latencies.maxMs.toFixed(1)} ms`,
  );
  console.log(
    `GET / idle: p50 ${latencies.idle.p50Ms.toFixed(1)} ms, p99 ${latencies.idle.p99Ms.toFixed(1)} ms, max ${latencies.idle.maxMs.toFixed(1)} ms`,
  );
  return { throughput, latencies, rssDuring: { before, after: peakRss(server.pid) } };
});

const results = {
  bench: 'verify-server',
  startedAt: started,
  machine: machineInfo(load),
  settings: {
    rounds: ROUNDS,
    bombRounds: BOMB_ROUNDS,
    concurrency: CONCURRENCY,
    signedBytes: signed.length,
    bombBytes: bomb.length,
    workers: WORKERS === 0 ? 'one per core (INKAN_VERIFY_WORKERS=0)' : WORKERS,
  },
  peakRssPerVerification: {
    signed10MB: { growthMiB: (signedPeak.after - signedPeak.before) / MiB, goalMiB: signed.length / MiB + 256 },
    bomb: { growthMiB: (bombPeak.after - bombPeak.before) / MiB, goalMiB: bomb.length / MiB + 256 },
  },
  throughput,
  getDuringBombs: { ...latencies, goalP99Ms: 50 },
  serverPeakRssDuringLoadMiB: { before: rssDuring.before / MiB, after: rssDuring.after / MiB },
};
const partial = argv.length > 0 ? '-partial' : '';
const file = join(RESULTS_DIR, `verify-server-${resultStamp(started)}${partial}.json`);
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
console.log(`results: ${file}`);
if (!partial) {
  const mib = (n: number) => `${n.toFixed(0)} MiB`;
  const ok = (good: boolean) => (good ? 'met' : '**missed**');
  const p = results.peakRssPerVerification;
  const table = [
    `Verification server (\`npm run bench -- verify-server\`, ${escapeCell(results.machine.cpuModel)}, ${results.machine.cpus} cores, Node ${results.machine.node}, commit ${results.machine.commit}, load ${results.machine.loadAvg1m}, ${started.slice(0, 16)}Z):`,
    '',
    '| measure | result | goal |',
    '|---|---|---|',
    `| \`/api/verify\` throughput, ${CONCURRENCY} concurrent uploads of a signed ${(signed.length / 1e6).toFixed(1)} MB PDF (${throughput.requests} uploads) | ${throughput.perSecond.toFixed(2)} uploads/s (${throughput.mbPerSecond.toFixed(1)} MB/s), p50 ${throughput.p50Ms.toFixed(0)} ms | — |`,
    `| \`GET /\` while ${CONCURRENCY} bombs (1.5 MB → 1.5 GiB) are verified, ${latencies.samples} requests | p50 ${latencies.p50Ms.toFixed(1)} ms, p99 ${latencies.p99Ms.toFixed(1)} ms, max ${latencies.maxMs.toFixed(1)} ms | p99 ≤ 50 ms: ${ok(latencies.p99Ms <= 50)} |`,
    `| \`GET /\` with nothing verified (same server, same pacing), ${latencies.idle.samples} requests | p50 ${latencies.idle.p50Ms.toFixed(1)} ms, p99 ${latencies.idle.p99Ms.toFixed(1)} ms, max ${latencies.idle.maxMs.toFixed(1)} ms | — |`,
    `| peak RSS growth of the server, one signed ${(signed.length / 1e6).toFixed(1)} MB PDF | ${mib(p.signed10MB.growthMiB)} | ≤ ${mib(p.signed10MB.goalMiB)}: ${ok(p.signed10MB.growthMiB <= p.signed10MB.goalMiB)} |`,
    `| peak RSS growth of the server, one bomb (422 PDF_TOO_COMPLEX) | ${mib(p.bomb.growthMiB)} | ≤ ${mib(p.bomb.goalMiB)}: ${ok(p.bomb.growthMiB <= p.bomb.goalMiB)} |`,
    `| server peak RSS over the throughput and bomb runs | ${mib(results.serverPeakRssDuringLoadMiB.before)} → ${mib(results.serverPeakRssDuringLoadMiB.after)} | — |`,
    '',
  ].join('\n');
  writeFileSync(join(RESULTS_DIR, 'verify-server-latest.md'), `${table}\n`);
  writeBetweenMarkers(RESULTS_DIR, '<!-- verify-server-bench:start -->', '<!-- verify-server-bench:end -->', table);
}
