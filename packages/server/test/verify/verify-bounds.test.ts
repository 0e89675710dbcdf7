// Bounded verification of uploads: hostile PDFs (deflate bombs in an object stream, a content stream
// and the DSS, deep nesting, a looping xref chain, millions of objects) are refused with 422
// PDF_TOO_COMPLEX naming the limit by a real `inkan serve` process whose RSS stays bounded and whose
// GET / keeps answering while 4 bombs are verified; the pool's own limits (time, memory, queue) are
// driven deterministically through the HTTP API with a gated worker; the CLI exits 2 over a limit.
// Verifying touches no database (the public page stores nothing), so one dialect is enough here.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import {
  contentStreamBomb,
  deepNestingBomb,
  dssBomb,
  objectCountBomb,
  objectStreamBomb,
  xrefLoopBomb,
} from '../../../core/test/helpers/pdf-bombs.ts';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { VerifyWorkerPool } from '../../src/adapters/verification/verify-worker-pool.ts';
import { multipart, startHarness, type Harness } from '../api/helpers/harness.ts';
import { e2eEnvironment, startInkanProcess, waitForHealthy, type InkanProcess } from '../e2e/helpers/inkan-process.ts';
import { runInkan } from '../helpers/run-inkan.ts';
import { waitFor } from '../helpers/wait-for.ts';

const MiB = 1024 * 1024;
/** Growth of the server's peak RSS allowed for all the bombs below (they decode to ~12 GiB unbounded). */
const SERVER_RSS_CAP = 768 * MiB;

interface ErrorBody {
  error: { code: string; message: string; details?: { limit?: string; max?: number; retryAfterSeconds?: number } };
}

/** The peak (VmHWM) and current RSS of a process, from /proc. */
function memoryOf(pid: number): { peak: number; rss: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { peak: kib('VmHWM'), rss: kib('VmRSS') };
}

async function postPdf(baseUrl: string, pdf: Uint8Array, language = 'ja'): Promise<Response> {
  const body = multipart([{ name: 'file', filename: 'bomb.pdf', data: pdf }]);
  return fetch(`${baseUrl}/api/verify`, {
    method: 'POST',
    body: new Uint8Array(body.payload),
    headers: { ...body.headers, 'accept-language': language },
  });
}

describe('POST /api/verify on a real server: bombs are refused with bounded memory', () => {
  let dir: string;
  let server: InkanProcess;
  let baseUrl: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inkan-vbounds-'));
    const environment = await e2eEnvironment(dir, 9, { INKAN_VERIFY_WORKERS: '2' });
    baseUrl = environment.baseUrl;
    const { INKAN_SMTP_URL: _noMail, ...env } = environment.env;
    server = await startInkanProcess(['serve', '--role=web'], env);
    await waitForHealthy(baseUrl);
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('each bomb: 422 PDF_TOO_COMPLEX naming its limit (ja and en); 4 bombs at once while GET / keeps answering; server RSS bounded', async () => {
    // Warm: the UI and one verification (workers start on first use), so the baseline holds them.
    assert.equal((await fetch(`${baseUrl}/`)).status, 200);
    assert.equal((await postPdf(baseUrl, await makePdf())).status, 200);
    const start = memoryOf(server.child.pid!);

    const bombs = [
      { make: () => objectStreamBomb(1536), limit: 'decoded-bytes' },
      { make: () => contentStreamBomb(1536), limit: 'decoded-bytes' },
      { make: () => dssBomb(1024), limit: 'decoded-bytes' },
      { make: () => deepNestingBomb(100_000), limit: 'nesting-depth' },
      { make: () => xrefLoopBomb(), limit: 'xref-sections' },
      { make: () => objectCountBomb(3_000_000), limit: 'objects' },
    ];
    for (const [i, bomb] of bombs.entries()) {
      const language = i % 2 === 0 ? 'ja' : 'en';
      const res = await postPdf(baseUrl, bomb.make(), language);
      const body = (await res.json()) as ErrorBody;
      assert.equal(res.status, 422, JSON.stringify(body));
      assert.equal(body.error.code, 'PDF_TOO_COMPLEX');
      assert.equal(body.error.details?.limit, bomb.limit);
      assert.match(body.error.message, language === 'ja' ? /複雑すぎる.*上限/ : /too complex to verify \(limit/);
    }

    // Four bombs verified at once; GET / is asked every 50 ms (under the global rate limit) until all four have answered.
    const four = [objectStreamBomb(1536), dssBomb(1024), contentStreamBomb(1536), objectStreamBomb(1024)];
    let done = false;
    const statuses: number[] = [];
    const uploads = Promise.all(four.map((pdf) => postPdf(baseUrl, pdf))).finally(() => (done = true));
    const pages: number[] = [];
    while (!done) {
      pages.push((await fetch(`${baseUrl}/`)).status);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    for (const res of await uploads) {
      statuses.push(res.status);
      assert.equal(((await res.json()) as ErrorBody).error.code, 'PDF_TOO_COMPLEX');
    }
    assert.deepEqual(statuses, [422, 422, 422, 422]);
    assert.ok(pages.length >= 1, 'GET / was answered while the bombs were verified');
    assert.ok(
      pages.every((s) => s === 200),
      `GET / answered ${pages.join(',')}`,
    );

    const end = memoryOf(server.child.pid!);
    const growth = end.peak - start.peak;
    process.stdout.write(
      `# server peak RSS ${Math.round(start.peak / MiB)} → ${Math.round(end.peak / MiB)} MiB; GET / answered ${pages.length} times during the 4 bombs\n`,
    );
    assert.ok(
      growth < SERVER_RSS_CAP,
      `server peak RSS grew by ${Math.round(growth / MiB)} MiB (from ${Math.round(start.peak / MiB)} MiB)`,
    );
    // Still serving, and still verifying honest files.
    assert.equal((await postPdf(baseUrl, await makePdf())).status, 200);
  });
});

describe('the verification pool through the HTTP API (time limit, heap cap, full queue)', () => {
  let h: Harness;
  let gateDir: string;
  let pool: VerifyWorkerPool;
  const gateFile = () => join(gateDir, 'open');
  const usePool = (options: { workers: number; queueLength: number; timeoutMs?: number; workerMemoryMb?: number }) => {
    pool = new VerifyWorkerPool({
      timeoutMs: 30_000,
      workerMemoryMb: 512,
      ...options,
      workerEntry: new URL('../helpers/gated-verify-worker.ts', import.meta.url).href,
      workerData: { gateFile: gateFile() },
    });
    h.context.verifier = pool;
  };
  let ip = 0;
  const upload = (data: Uint8Array, language = 'ja'): Promise<LightMyRequestResponse> => {
    const body = multipart([{ name: 'file', filename: 'x.pdf', data }]);
    return h.app.inject({
      method: 'POST',
      url: '/api/verify',
      payload: body.payload,
      headers: { ...body.headers, 'accept-language': language },
      remoteAddress: `192.0.2.${++ip}`,
    });
  };
  const text = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

  before(async () => {
    h = await startHarness('sqlite');
    gateDir = mkdtempSync(join(tmpdir(), 'inkan-gate-'));
  });
  after(async () => {
    await pool?.close();
    await h?.close();
    rmSync(gateDir, { recursive: true, force: true });
  });

  it('a full queue answers 503 VERIFY_BUSY with Retry-After; the waiting uploads finish once workers are free', async () => {
    rmSync(gateFile(), { force: true });
    usePool({ workers: 1, queueLength: 1 });
    const running = upload(text('HOLD'));
    await waitFor(() => pool.busy === 1, { what: 'the first upload running' });
    const waiting = upload(text('HOLD'));
    await waitFor(() => pool.queued === 1, { what: 'the second upload queued' });
    const refused = await upload(text('HOLD'));
    assert.equal(refused.statusCode, 503, refused.body);
    const retryAfter = Number(refused.headers['retry-after']);
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1, `Retry-After: ${refused.headers['retry-after']}`);
    assert.equal(refused.json().error.code, 'VERIFY_BUSY');
    assert.match(refused.json().error.message, new RegExp(`混み合って.*${retryAfter}秒`));
    const english = await upload(text('HOLD'), 'en');
    assert.equal(english.statusCode, 503);
    assert.match(english.json().error.message, /busy right now/);
    writeFileSync(gateFile(), '');
    assert.equal((await running).statusCode, 200);
    assert.equal((await waiting).statusCode, 200);
    await pool.close();
  });

  it('over the time limit: 422 PDF_TOO_COMPLEX (limit "time"), the worker is replaced and verifies the next upload', async () => {
    rmSync(gateFile(), { force: true });
    usePool({ workers: 1, queueLength: 2, timeoutMs: 300 });
    const slow = await upload(text('HOLD'), 'en');
    assert.equal(slow.statusCode, 422, slow.body);
    assert.deepEqual(slow.json().error.details, { limit: 'time', max: 300 });
    assert.match(slow.json().error.message, /limit: 0\.3 s per verification/);
    const next = await upload(await makePdf());
    assert.equal(next.statusCode, 200, next.body);
    assert.equal(next.json().report.exitCode, 2, 'an unsigned PDF, verified by the new worker');
    await pool.close();
  });

  it('over the heap cap: 422 PDF_TOO_COMPLEX (limit "memory"), the next upload is verified', async () => {
    usePool({ workers: 1, queueLength: 2, workerMemoryMb: 64 });
    const hungry = await upload(text('HEAP'));
    assert.equal(hungry.statusCode, 422, hungry.body);
    assert.deepEqual(hungry.json().error.details, { limit: 'memory', max: 64 });
    assert.match(hungry.json().error.message, /上限：検証に使えるメモリ 64 MiB/);
    assert.equal((await upload(await makePdf())).statusCode, 200);
    await pool.close();
  });
});

describe('inkan verify over a limit', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'inkan-vbounds-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 2 with PDF_TOO_COMPLEX and the limit; INKAN_VERIFY_DECODE_BUDGET_MB sets the decode budget', async () => {
    const bomb = join(dir, 'bomb.pdf');
    writeFileSync(bomb, objectStreamBomb(1536));
    const run = await runInkan(['verify', bomb], { dataDir: join(dir, 'data') });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /PDF_TOO_COMPLEX: .*limit "decoded-bytes"/);
    const json = await runInkan(['verify', bomb, '--json'], { dataDir: join(dir, 'data') });
    assert.equal(json.code, 2);
    assert.equal(json.stdout, '', 'no report: an empty stdout, as for every exit 2 without one (docs/verify-json.md)');
    assert.match(json.stderr, /limit "decoded-bytes"/);
    // 8 MiB of zeros fits the default budget and not a 1 MiB one.
    const small = join(dir, 'small.pdf');
    writeFileSync(small, objectStreamBomb(8));
    assert.equal((await runInkan(['verify', small], { dataDir: join(dir, 'data') })).code, 2, 'read, and unsigned');
    const tight = await runInkan(['verify', small], {
      dataDir: join(dir, 'data'),
      env: { INKAN_VERIFY_DECODE_BUDGET_MB: '1' },
    });
    assert.equal(tight.code, 2);
    assert.match(tight.stderr, /limit "decoded-bytes": 1 MiB/);
  });
});
