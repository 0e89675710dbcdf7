/**
 * /readyz and /metrics of a real `inkan serve` (web + worker thread) on PostgreSQL with an external TSA:
 * each dependency is made unavailable in turn — PostgreSQL and the TSA behind TCP relays the test cuts,
 * the blob directory replaced by a file — and /readyz answers 503 naming exactly that one, then 200
 * again once it is back. Details and /metrics only to INKAN_METRICS_ALLOW (here 127.0.0.1 alone).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { runInkan } from '../helpers/run-inkan.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { requestFrom } from './helpers/http-from.ts';
import { freePort, startInkanProcess, type InkanProcess } from './helpers/inkan-process.ts';
import { startTcpRelay, type TcpRelay } from './helpers/tcp-relay.ts';

const WAIT = { timeoutMs: 60_000, intervalMs: 100 };

interface ReadyBody {
  status: string;
  failed?: string[];
  checks?: Record<string, { ok: boolean; error?: string }>;
}

describe('/readyz names the failed dependency and recovers; /metrics', () => {
  let dir: string;
  let dataDir: string;
  let database: TestDatabase;
  let pgRelay: TcpRelay;
  let tsaRelay: TcpRelay;
  let inkan: InkanProcess | undefined;
  let baseUrl: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inkan-readyz-'));
    dataDir = join(dir, 'data');
    database = await createTestDatabase('postgres', dir);
    const pgUrl = new URL(database.url!);
    pgRelay = await startTcpRelay({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
    pgUrl.port = String(pgRelay.port);
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    // The external TSA is Inkan's own RFC 3161 endpoint, reached through a relay the test can cut.
    tsaRelay = await startTcpRelay({ host: '127.0.0.1', port });
    const env = {
      INKAN_DATA_DIR: dataDir,
      INKAN_PORT: String(port),
      INKAN_PUBLIC_URL: baseUrl,
      INKAN_ENV: 'test',
      INKAN_SIGNING_KEY_ALGORITHM: 'ECDSA-P256',
      INKAN_DATABASE_URL: pgUrl.toString(),
      INKAN_TSA_URLS: `http://127.0.0.1:${tsaRelay.port}/tsa`,
      INKAN_TSA_TIMEOUT: '2s',
      INKAN_METRICS_ALLOW: '127.0.0.1',
    };
    assert.equal((await runInkan(['init'], { dataDir, env })).code, 0);
    inkan = await startInkanProcess(['serve'], env);
    // As after the first upload: the blob store's folder exists.
    mkdirSync(join(dataDir, 'blobs'), { recursive: true });
  });

  after(async () => {
    await inkan?.stop();
    await pgRelay?.close();
    await tsaRelay?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const ready = async (from = '127.0.0.1') => {
    const res = await requestFrom(`${baseUrl}/readyz`, { localAddress: from });
    return { status: res.status, body: res.json<ReadyBody>() };
  };

  /** Waits for /readyz to say 503 with exactly `name` failed, then for 200 after `restore`. */
  async function failsAndRecovers(
    name: string,
    breakIt: () => Promise<void> | void,
    restore: () => Promise<void> | void,
  ): Promise<void> {
    await waitFor(async () => (await ready()).status === 200, { ...WAIT, what: `ready before ${name} goes away` });
    await breakIt();
    const failed = await waitFor(
      async () => {
        const r = await ready();
        return r.status === 503 ? r : undefined;
      },
      { ...WAIT, what: `/readyz to fail without ${name}` },
    );
    assert.deepEqual(failed.body.failed, [name], JSON.stringify(failed.body));
    assert.equal(failed.body.checks?.[name]?.ok, false);
    assert.ok((failed.body.checks?.[name]?.error ?? '').length > 0, 'says why');
    await restore();
    await waitFor(async () => (await ready()).status === 200, {
      ...WAIT,
      what: `/readyz to recover after ${name} is back`,
    });
  }

  test('all dependencies ready: database, blobs, signing, tsa, worker', async () => {
    const r = await waitFor(
      async () => {
        const x = await ready();
        return x.status === 200 ? x : undefined;
      },
      { ...WAIT, what: 'ready' },
    );
    assert.deepEqual(Object.keys(r.body.checks ?? {}), ['database', 'blobs', 'signing', 'tsa', 'worker']);
    assert.deepEqual(r.body.failed, []);
  });

  test('PostgreSQL unavailable → 503 naming database, then recovers', async () => {
    await failsAndRecovers(
      'database',
      () => pgRelay.cut(),
      () => pgRelay.restore(),
    );
  });

  test('blob directory unavailable → 503 naming blobs, then recovers', async () => {
    const blobs = join(dataDir, 'blobs');
    await failsAndRecovers(
      'blobs',
      () => {
        renameSync(blobs, `${blobs}.away`);
        writeFileSync(blobs, 'not a directory');
      },
      () => {
        rmSync(blobs);
        renameSync(`${blobs}.away`, blobs);
      },
    );
  });

  test('TSA unreachable → 503 naming tsa, then recovers', async () => {
    await failsAndRecovers(
      'tsa',
      () => tsaRelay.cut(),
      () => tsaRelay.restore(),
    );
  });

  test('details and /metrics only for allowed clients (not another address, not through an untrusted proxy)', async () => {
    const other = await ready('127.0.0.2');
    assert.equal(other.status, 200);
    assert.deepEqual(other.body, { status: 'ok' }, 'no details for a client outside INKAN_METRICS_ALLOW');
    assert.equal((await requestFrom(`${baseUrl}/metrics`, { localAddress: '127.0.0.2' })).status, 404);
    assert.equal(
      (await requestFrom(`${baseUrl}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } })).status,
      404,
      'proxied: the real client is unknown',
    );

    const metrics = await requestFrom(`${baseUrl}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(String(metrics.headers['content-type']), /^text\/plain/);
    const text = metrics.text();
    for (const pattern of [
      /^inkan_http_request_duration_seconds_bucket\{.*route="\/readyz".*\} \d+/m,
      /^inkan_tsa_request_duration_seconds_count\{outcome="ok"\} [1-9]\d*/m,
      /^inkan_tsa_request_duration_seconds_count\{outcome="error"\} [1-9]\d*/m,
      /^inkan_tsa_errors_total\{code="TSA_UNAVAILABLE"\} [1-9]\d*/m,
      /^inkan_signatures_applied_total 0$/m,
      /^inkan_mails_sent_total 0$/m,
      /^# TYPE inkan_jobs_queued gauge$/m,
      /^# TYPE inkan_jobs_oldest_age_seconds gauge$/m,
      /^process_resident_memory_bytes \d+/m,
    ]) {
      assert.match(text, pattern);
    }
    assert.doesNotMatch(text, /\/s\/[A-Za-z0-9_-]{20,}/, 'no link token in any label');
  });
});
