/**
 * Several instances on PostgreSQL + S3 (issue 10 part 3), with real processes: two `inkan serve
 * --role=web` and two `inkan serve --role=worker` (INKAN_WORKER_ID worker-a / worker-b) on one database,
 * one S3-compatible bucket (s3rver) and one data directory for the PKI, mail over real SMTP. Both shapes
 * of a worker run: worker-a runs its jobs in two child processes (INKAN_WORKER_THREADS=2: slots
 * `worker-a` and `worker-a#2`), worker-b in its own process (INKAN_WORKER_THREADS=1).
 *
 * 100 envelopes (two signers each) are created, sent and signed concurrently through both web
 * instances, the way a load balancer spreads clients (each signer is its own client address through
 * INKAN_TRUST_PROXY). Once 30 envelopes have their first signature, one web instance and worker-a are
 * killed with SIGKILL and started again: the web process alone, worker-a with its job processes (its
 * process group, as a container runtime or systemd kills a service; a bare SIGKILL of the server process
 * alone lets its job processes drain and exit, see worker-role-processes.test.ts). Then: every envelope
 * is completed, each PDF holds exactly one signature per signer (and the document timestamp), every
 * recipient got a completion mail (duplicates, which SMTP's at-least-once may cause when a worker dies
 * between the server's "250 OK" and the record of the mail, are reported), the operation log verifies
 * (`inkan audit verify`), the daily audit anchor ran once across the workers, and the restarted worker's
 * job processes took back the jobs their dead predecessors held, each its own slot's (INKAN_JOB_LEASE
 * stays at 60 s: nobody waited for it). Before the run, wrong access codes entered alternately on both web
 * instances lock the recipient after 5 in all.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { extractSignatures } from '../../../core/test/helpers/validators.ts';
import { runInkan } from '../helpers/run-inkan.ts';
import { startS3Server, type TestS3Server } from '../helpers/s3-server.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { waitFor } from '../helpers/wait-for.ts';
import {
  expectJobProcesses,
  freePort,
  jobProcessesBySlot,
  processRuns,
  processStat,
  startedJobProcesses,
  startInkanProcess,
  waitForHealthy,
  type InkanProcess,
} from './helpers/inkan-process.ts';
import { startSmtpSink, type SmtpSink } from './helpers/smtp-sink.ts';

const ENVELOPES = 100;
const KILL_AFTER_FIRST_SIGNATURES = 30;
const ORGANIZATION = '複数インスタンス市役所 契約課';
const ADMIN = 'admin@multi.example.jp';
const LONG = { timeoutMs: 15 * 60_000, intervalMs: 100 };

describe('two web and two worker processes on PostgreSQL + S3', () => {
  let dir: string;
  let dataDir: string;
  let database: TestDatabase;
  let s3: TestS3Server;
  let smtp: SmtpSink;
  let sql: pg.Pool;
  let common: Record<string, string>;
  let apiKey: string;
  const ports: number[] = [];
  const webs: Array<InkanProcess | undefined> = [undefined, undefined];
  const workers: Record<string, InkanProcess | undefined> = {};
  const everyProcess: InkanProcess[] = [];

  const webEnv = (i: number) => ({ ...common, INKAN_PORT: String(ports[i]) });
  async function startWeb(i: number): Promise<void> {
    const web = await startInkanProcess(['serve', '--role=web'], webEnv(i));
    everyProcess.push(web);
    webs[i] = web;
    await waitForHealthy(`http://127.0.0.1:${ports[i]}`);
  }
  /** worker-a: two job processes in a process group of its own; worker-b: its jobs in its own process. */
  async function startWorker(id: 'worker-a' | 'worker-b'): Promise<InkanProcess> {
    const worker = await startInkanProcess(
      ['serve', '--role=worker'],
      { ...common, INKAN_WORKER_ID: id, INKAN_WORKER_THREADS: id === 'worker-a' ? '2' : '1' },
      { processGroup: id === 'worker-a' },
    );
    everyProcess.push(worker);
    workers[id] = worker;
    return worker;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inkan-e2e-multi-'));
    dataDir = join(dir, 'data');
    database = await createTestDatabase('postgres', dir);
    s3 = await startS3Server(['documents']);
    smtp = await startSmtpSink();
    sql = new pg.Pool({ connectionString: database.url, max: 2 });
    ports.push(await freePort(), await freePort());
    common = {
      INKAN_DATA_DIR: dataDir,
      INKAN_PUBLIC_URL: `http://127.0.0.1:${ports[0]}`,
      INKAN_DATABASE_URL: database.url!,
      INKAN_BLOB_URL: 's3://documents/inkan',
      ...s3.env,
      INKAN_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      INKAN_ENV: 'test',
      INKAN_SIGNING_KEY_ALGORITHM: 'ECDSA-P256',
      INKAN_TRUST_PROXY: '127.0.0.1',
      INKAN_BACKUP_SCHEDULE: 'off',
    };
    assert.equal((await runInkan(['init'], { dataDir, env: common })).code, 0);
    const org = await runInkan(['org', 'create', '--name', ORGANIZATION, '--slug', 'multi', '--admin-email', ADMIN], {
      dataDir,
      env: common,
    });
    assert.equal(org.code, 0, org.stderr);
    const key = await runInkan(['apikey', 'create', '--org', 'multi'], { dataDir, env: common });
    assert.equal(key.code, 0, key.stderr);
    apiKey = key.stdout.trimEnd().split('\n').at(-1)!;
    await startWeb(0);
    await startWeb(1);
    await startWorker('worker-a');
    await startWorker('worker-b');
  });

  after(async () => {
    for (const p of everyProcess) await p.kill9();
    await sql?.end();
    await smtp?.close();
    await s3?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * One HTTP request through instance `i` as client `client` (X-Forwarded-For); when that instance is
   * down (killed, restarting) the request goes to the other one, like a load balancer's retry.
   */
  async function request(i: number, client: string, path: string, init: RequestInit = {}): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      const port = ports[(i + attempt) % 2];
      try {
        return await fetch(`http://127.0.0.1:${port}${path}`, {
          ...init,
          headers: { 'x-forwarded-for': client, ...(init.headers as Record<string, string> | undefined) },
        });
      } catch (error) {
        if (attempt >= 200) throw error;
        await waitFor(() => webs.some((w) => w && w.child.exitCode === null && w.child.signalCode === null), {
          timeoutMs: 60_000,
        });
      }
    }
  }
  const api = (i: number, client: string, method: string, path: string, init: RequestInit = {}) =>
    request(i, client, path, {
      ...init,
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(init.headers as Record<string, string> | undefined) },
    });

  async function createAndSend(
    i: number,
    name: string,
    recipients: Array<{ name: string; email: string; code: string }>,
  ) {
    const client = `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    const form = new FormData();
    form.append(
      'envelope',
      JSON.stringify({
        name,
        recipients: recipients.map((r, n) => ({ name: r.name, email: r.email, accessCode: r.code, order: n + 1 })),
      }),
    );
    form.append(
      'documents',
      new Blob([Buffer.from(await makePdf({ pages: 1, text: name }))], { type: 'application/pdf' }),
      'contract.pdf',
    );
    const created = await api(i, client, 'POST', '/api/v1/envelopes', { body: form });
    assert.equal(created.status, 201, await created.clone().text());
    const envelope = (await created.json()) as { id: string; documents: Array<{ id: string }> };
    const sent = await api(i + 1, client, 'POST', `/api/v1/envelopes/${envelope.id}/send`);
    assert.equal(sent.status, 200, await sent.text());
    return envelope;
  }

  const tokenIn = (text: string) => /\/s\/([A-Za-z0-9_-]{22,})/.exec(text)![1]!;
  const requestMails = (email: string) => smtp.to(email).filter((m) => m.subject.includes('署名依頼'));

  async function signAs(i: number, client: string, token: string, code: string): Promise<void> {
    const passed = await request(i, client, `/api/sign/${token}/access-code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    });
    assert.equal(passed.status, 200, await passed.clone().text());
    const { csrfToken } = (await passed.json()) as { csrfToken: string };
    const cookie = passed.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    // The other instance: a session made on one web instance works on any.
    const signed = await request(i + 1, client, `/api/sign/${token}/sign`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrfToken },
    });
    assert.equal(signed.status, 202, await signed.text());
  }

  const count = async (text: string, values: unknown[] = []) =>
    Number((await sql.query<{ n: string }>(text, values)).rows[0]!.n);

  test(
    'worker-a runs its jobs in two child processes, slots worker and worker#2 (Linux)',
    { skip: process.platform !== 'linux' },
    async () => {
      await expectJobProcesses(workers['worker-a']!, ['worker', 'worker#2']);
      assert.equal(startedJobProcesses(workers['worker-b']!).length, 0, 'worker-b runs its jobs itself');
    },
  );

  test(
    'the worker processes run at a lower CPU priority than the web processes (Linux)',
    { skip: process.platform !== 'linux' },
    () => {
      // Field 19 of /proc/PID/stat: the nice value of the main thread.
      const niceOf = (process: InkanProcess) => processStat(process.child.pid!).nice;
      const ours = getPriority();
      for (const web of webs)
        assert.equal(niceOf(web!), ours, 'a web process answers signers at the priority it was given');
      if (ours < 10) {
        for (const id of ['worker-a', 'worker-b'])
          assert.equal(niceOf(workers[id]!), 10, `${id} yields the CPU to them`);
        for (const [role, pid] of jobProcessesBySlot(workers['worker-a']!))
          assert.equal(processStat(pid).nice, 10, `worker-a's job process ${role} too`);
      }
    },
  );

  test('access-code lockout is counted across both web instances', async () => {
    const email = 'lockout@multi.example.jp';
    await createAndSend(0, 'ロックアウト確認', [{ name: 'ロック 確認', email, code: '1357' }]);
    await waitFor(() => requestMails(email).length === 1, { ...LONG, what: 'the request mail' });
    const token = tokenIn(requestMails(email)[0]!.text);
    const answers: string[] = [];
    for (let n = 0; n < 5; n++) {
      const res = await request(n % 2, '10.9.0.1', `/api/sign/${token}/access-code`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'accept-language': 'ja' },
        body: JSON.stringify({ code: '0000' }),
      });
      answers.push(((await res.json()) as { error: { code: string } }).error.code);
    }
    assert.deepEqual(answers, [...Array(4).fill('ACCESS_CODE_WRONG'), 'ACCESS_CODE_LOCKED']);
    const right = await request(0, '10.9.0.1', `/api/sign/${token}/access-code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: '1357' }),
    });
    assert.equal(right.status, 423, 'locked on every instance, even with the right code');
  });

  test(
    '100 envelopes signed through both web instances survive SIGKILL of a web and a worker',
    { timeout: 30 * 60_000 },
    async (t) => {
      const flows = Array.from({ length: ENVELOPES }, (_, i) => ({
        i,
        name: `複数インスタンス契約 ${i + 1}`,
        signers: [
          {
            name: `第一 署名者${i}`,
            email: `first-${i}@multi.example.jp`,
            code: '1234',
            client: `10.2.${Math.floor(i / 250)}.${(i % 250) + 1}`,
          },
          {
            name: `第二 署名者${i}`,
            email: `second-${i}@multi.example.jp`,
            code: '5678',
            client: `10.3.${Math.floor(i / 250)}.${(i % 250) + 1}`,
          },
        ],
        envelope: undefined as undefined | { id: string; documents: Array<{ id: string }> },
      }));
      // Created and sent 8 at a time, alternately through both instances.
      for (let start = 0; start < ENVELOPES; start += 8)
        await Promise.all(
          flows.slice(start, start + 8).map(async (flow) => {
            flow.envelope = await createAndSend(flow.i, flow.name, flow.signers);
          }),
        );

      // Every signer signs as soon as the request arrives, through the instance of their turn.
      const signing = Promise.all(
        flows.map(async (flow) => {
          for (const [n, signer] of flow.signers.entries()) {
            await waitFor(() => requestMails(signer.email).length >= 1, {
              ...LONG,
              what: `request to ${signer.email}`,
            });
            await signAs(flow.i + n, signer.client, tokenIn(requestMails(signer.email).at(-1)!.text), signer.code);
          }
        }),
      );
      const signingDone = signing.then(
        () => null,
        (error: unknown) => error,
      );

      // Mid-run: SIGKILL web instance 2 and worker-a, then start them again.
      await waitFor(
        async () =>
          (await count(
            `select count(distinct envelope_id) as n from events where action = 'recipient.signature-applied'`,
          )) >= KILL_AFTER_FIRST_SIGNATURES,
        { ...LONG, what: `${KILL_AFTER_FIRST_SIGNATURES} first signatures` },
      );
      // worker-a's jobs: those of its job processes' slots (worker-a, worker-a#2, and their webhook runners).
      const heldByWorkerA = async () =>
        (
          await sql.query<{ id: string }>(`select id from jobs where status = 'running' and worker_id like 'worker-a%'`)
        ).rows.map((r) => r.id);
      const heldAtKill = await heldByWorkerA();
      const killedJobProcesses = jobProcessesBySlot(workers['worker-a']!);
      assert.equal((await workers['worker-a']!.kill9()).signal, 'SIGKILL');
      assert.equal((await webs[1]!.kill9()).signal, 'SIGKILL');
      // Its job processes died with it (a killed process's last writes cannot land after this).
      await waitFor(() => killedJobProcesses.every(([, pid]) => !processRuns(pid)), {
        what: "worker-a's job processes to die with it",
      });
      const stillHeld = await heldByWorkerA();
      const restartedWorker = await startWorker('worker-a');
      await startWeb(1);

      const failure = await signingDone;
      if (failure) throw failure;
      await waitFor(
        async () => (await count(`select count(*) as n from envelopes where status = 'completed'`)) === ENVELOPES,
        { ...LONG, what: 'every envelope completed' },
      );
      await waitFor(
        async () =>
          (await count(
            `select count(*) as n from jobs where kind not in ('audit.anchor','register.reminders','envelope.expiry-sweep','retention.sweep','archive.renewal') and (status = 'running' or (status = 'queued' and run_at <= $1))`,
            [new Date().toISOString()],
          )) === 0,
        { ...LONG, what: 'the jobs to settle' },
      );

      // The jobs the killed worker held were taken back by its restarted job processes (each its own slot's),
      // not left to the lease.
      const tookBack = restartedWorker.output.filter((line) =>
        line.includes("took back the jobs of this worker's previous process"),
      );
      const tookBackCount = tookBack.reduce((sum, line) => sum + (JSON.parse(line) as { count: number }).count, 0);
      t.diagnostic(
        `jobs held by worker-a at the kill: ${heldAtKill.length} (after: ${stillHeld.length}); restart log: ${tookBack.join(' ') || 'none'}`,
      );
      if (stillHeld.length > 0) assert.ok(tookBack.length > 0, 'the restarted worker said it took jobs back');
      assert.equal(tookBackCount, stillHeld.length);
      // Both of worker-a's job processes ran jobs (the slots are the jobs' worker ids).
      for (const slot of ['worker-a', 'worker-a#2'])
        assert.ok(
          (await count(`select count(*) as n from jobs where worker_id = $1`, [slot])) > 0,
          `jobs ran in worker-a's slot ${slot}`,
        );

      assert.equal(await count(`select count(*) as n from jobs where status = 'failed'`), 0);
      assert.equal(await count(`select count(*) as n from envelopes where status = 'completed'`), ENVELOPES);
      // One signature per signer: one signature-applied event per recipient, two signatures in each PDF.
      assert.equal(
        await count(`select count(*) as n from events where action = 'recipient.signature-applied'`),
        2 * ENVELOPES,
      );
      assert.equal(
        await count(
          `select count(distinct (details::json->>'recipientId')) as n from events where action = 'recipient.signature-applied'`,
        ),
        2 * ENVELOPES,
      );
      for (const flow of flows) {
        const res = await api(
          flow.i,
          '10.4.0.1',
          'GET',
          `/api/v1/envelopes/${flow.envelope!.id}/documents/${flow.envelope!.documents[0]!.id}`,
        );
        assert.equal(res.status, 200);
        const signatures = extractSignatures(new Uint8Array(await res.arrayBuffer()));
        assert.deepEqual(
          signatures.map((s) => s.type ?? 'Sig'),
          ['Sig', 'Sig', 'DocTimeStamp'],
          flow.name,
        );
      }

      // Mail: every request and completion mail arrived; duplicates (at-least-once) are counted and reported.
      let duplicates = 0;
      for (const flow of flows)
        for (const signer of flow.signers) {
          const requests = requestMails(signer.email).length;
          const completions = smtp.to(signer.email).filter((m) => m.subject === '電子署名完了のお知らせ').length;
          assert.ok(
            requests >= 1 && completions >= 1,
            `${signer.email}: ${requests} requests, ${completions} completions`,
          );
          duplicates += requests - 1 + completions - 1;
        }
      t.diagnostic(`duplicate mails after the SIGKILLs: ${duplicates}`);
      assert.ok(duplicates <= 8, `at most the mails in flight in the killed worker (4 jobs at a time): ${duplicates}`);

      // The operation log verifies; the daily anchor ran once although every worker start queued it.
      const audit = await runInkan(['audit', 'verify'], { dataDir, env: common });
      assert.equal(audit.code, 0, audit.stdout + audit.stderr);
      assert.equal(await count(`select count(*) as n from audit_anchors`), 1);
      assert.equal(await count(`select count(*) as n from scheduled_runs where task = 'audit.anchor'`), 1);
    },
  );
});
