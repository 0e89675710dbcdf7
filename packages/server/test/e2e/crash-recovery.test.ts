/**
 * Crash recovery, with real processes: `inkan serve --role=web` answers HTTP while the jobs run in a
 * separate `inkan serve --role=worker` process (in its job child processes, INKAN_WORKER_THREADS's default
 * on two cores), which this test kills with SIGKILL — its process group, job processes and all, as a
 * container runtime or systemd kills a service — between a signature and the mail it causes, then
 * replaces with a fresh worker.
 *
 * The moment is made deterministic without any test hook in the server: the SMTP server of the test
 * reads the next recipient's request mail completely but holds back its "250 OK", so the killed
 * worker is frozen in the middle of the SMTP conversation — after the first signature was committed
 * (with its `recipient.signature-applied` event and the queued mail job), before the mail was accepted.
 * The new worker takes the job over once the dead worker's lease (INKAN_JOB_LEASE, short here) ran out.
 *
 * Afterwards there is exactly one signature in the document, one `recipient.signature-applied` event,
 * one accepted request mail for the next recipient (whose link works), and the envelope still completes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { extractSignatures } from '../../../core/test/helpers/validators.ts';
import { runInkan } from '../helpers/run-inkan.ts';
import {
  diagnostics,
  e2eEnvironment,
  eventsOf,
  failedJobs,
  openDatabaseReadOnly,
  startInkanProcess,
  unfinishedJobs,
  waitForHealthy,
  waitOrExplain,
  type InkanProcess,
} from './helpers/inkan-process.ts';
import { startSmtpSink, urlsIn, type SmtpSink } from './helpers/smtp-sink.ts';

const ORGANIZATION = 'クラッシュ市役所 契約課';
const ENVELOPE = '障害復旧テスト契約';
const ADMIN = 'admin@crash.example.jp';
const RECIPIENTS = [
  { name: '一番 目', email: 'first@contractor.example.jp', code: '1357' },
  { name: '二番 目', email: 'second@contractor.example.jp', code: '2468' },
];
const LEASE = '2s';
const WAIT = { timeoutMs: 60_000, intervalMs: 20 };

describe('SIGKILL of the job worker between a signature and its mail', () => {
  let dir: string;
  let dataDir: string;
  let baseUrl: string;
  let env: Record<string, string>;
  let apiKey: string;
  let smtp: SmtpSink;
  let web: InkanProcess | undefined;
  const workers: InkanProcess[] = [];
  let db: Database.Database;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inkan-e2e-crash-'));
    smtp = await startSmtpSink();
    ({ dataDir, baseUrl, env } = await e2eEnvironment(dir, smtp.port, {
      INKAN_SIGNING_KEY_ALGORITHM: 'ECDSA-P256',
      INKAN_JOB_LEASE: LEASE,
    }));
    assert.equal((await runInkan(['init'], { dataDir, env })).code, 0);
    const org = await runInkan(['org', 'create', '--name', ORGANIZATION, '--slug', 'crash', '--admin-email', ADMIN], {
      dataDir,
      env,
    });
    assert.equal(org.code, 0, org.stderr);
    const key = await runInkan(['apikey', 'create', '--org', 'crash'], { dataDir, env });
    assert.equal(key.code, 0, key.stderr);
    apiKey = key.stdout.trimEnd().split('\n').at(-1)!;
    web = await startInkanProcess(['serve', '--role=web'], env);
    await waitForHealthy(baseUrl);
    db = openDatabaseReadOnly(dataDir);
  });

  after(async () => {
    db?.close();
    for (const worker of workers) await worker.kill9();
    await web?.stop();
    await smtp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const explain = () =>
    `${diagnostics(db, [web, ...workers])}\nSMTP: ${smtp.messages.map((m) => `${m.to} ${m.subject}`).join(' | ')}; held: ${smtp.held.length}`;

  const api = (method: string, path: string, init: RequestInit = {}) =>
    fetch(`${baseUrl}${path}`, {
      ...init,
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(init.headers as Record<string, string> | undefined) },
    });

  /** The signing-link token in the one request mail to an address. */
  function linkTokenOf(email: string): string {
    const mails = smtp.to(email);
    assert.equal(mails.length, 1, `one request mail to ${email}`);
    const urls = urlsIn(mails[0].text).filter((u) => u.startsWith(`${baseUrl}/s/`));
    assert.equal(urls.length, 1, mails[0].text);
    return urls[0].slice(`${baseUrl}/s/`.length);
  }

  /** Signs as a recipient through the signer API, like the UI does. */
  async function signAs(token: string, code: string): Promise<void> {
    const state = await fetch(`${baseUrl}/api/sign/${token}`);
    assert.equal(state.status, 200);
    assert.equal(((await state.json()) as { state: string }).state, 'code_required');
    const passed = await fetch(`${baseUrl}/api/sign/${token}/access-code`, {
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
    const signed = await fetch(`${baseUrl}/api/sign/${token}/sign`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrfToken },
    });
    assert.equal(signed.status, 202, await signed.text());
  }

  async function startWorker(): Promise<InkanProcess> {
    const worker = await startInkanProcess(['serve', '--role=worker'], env, { processGroup: true });
    workers.push(worker);
    return worker;
  }

  function signatureApplied(recipientId: string): boolean {
    return eventsOf(db, 'recipient.signature-applied').some((e) => e.details.recipientId === recipientId);
  }

  test('exactly one signature and one mail after the worker is killed and replaced; the envelope still completes', async () => {
    // A draft with one PDF and two recipients, sent (the web process only queues the first mail).
    const form = new FormData();
    form.append(
      'envelope',
      JSON.stringify({
        name: ENVELOPE,
        recipients: RECIPIENTS.map((r, i) => ({ name: r.name, email: r.email, accessCode: r.code, order: i + 1 })),
      }),
    );
    form.append(
      'documents',
      new Blob([Buffer.from(await makePdf({ pages: 1, text: 'Crash recovery' }))], { type: 'application/pdf' }),
      'contract.pdf',
    );
    const created = await api('POST', '/api/v1/envelopes', { body: form });
    assert.equal(created.status, 201, await created.clone().text());
    const envelope = (await created.json()) as {
      id: string;
      documents: Array<{ id: string }>;
      recipients: Array<{ id: string; email: string }>;
    };
    const sent = await api('POST', `/api/v1/envelopes/${envelope.id}/send`);
    assert.equal(sent.status, 200, await sent.text());
    const [first, second] = RECIPIENTS.map((r) => envelope.recipients.find((x) => x.email === r.email)!.id);
    const documentPath = `/api/v1/envelopes/${envelope.id}/documents/${envelope.documents[0].id}`;

    // Worker 1 sends the first request; the first recipient signs through the web process.
    const worker1 = await startWorker();
    await waitOrExplain(
      () => smtp.to(RECIPIENTS[0].email).length === 1,
      { ...WAIT, what: 'the first request mail' },
      explain,
    );
    await waitOrExplain(
      () => unfinishedJobs(db).length === 0,
      { ...WAIT, what: 'the first mail job to finish' },
      explain,
    );
    smtp.holdWhen((mail) => mail.to.includes(RECIPIENTS[1].email));
    await signAs(linkTokenOf(RECIPIENTS[0].email), RECIPIENTS[0].code);

    // Worker 1 applies the signature, commits, and is now inside the SMTP conversation of the next mail.
    await waitOrExplain(
      () => smtp.held.length === 1,
      { ...WAIT, what: 'the second request mail to reach the SMTP server' },
      explain,
    );
    assert.ok(signatureApplied(first), 'the signature was committed before the mail job ran');
    const mailJob = () =>
      db
        .prepare(`select status, attempts, locked_by from jobs where kind = 'mail.signing-request' and payload like ?`)
        .all(`%${second}%`) as Array<{ status: string; attempts: number; locked_by: string | null }>;
    assert.deepEqual(
      mailJob().map((j) => [j.status, j.attempts]),
      [['running', 1]],
    );
    assert.equal(smtp.held[0].subject, `【${ORGANIZATION}】様より${ENVELOPE}への署名依頼が届いています`);

    const killed = await worker1.kill9();
    assert.equal(killed.signal, 'SIGKILL');
    smtp.holdWhen(null);
    smtp.releaseHeldWithFailure();
    // What the crash left: the signature, a claimed mail job, and no mail — neither accepted nor recorded.
    assert.equal(smtp.to(RECIPIENTS[1].email).length, 0);
    assert.equal(
      (db.prepare('select count(*) as n from mails where to_address = ?').get(RECIPIENTS[1].email) as { n: number }).n,
      0,
    );
    assert.equal(mailJob()[0].status, 'running');
    assert.equal(extractSignatures(new Uint8Array(await (await api('GET', documentPath)).arrayBuffer())).length, 1);

    // A new worker takes the job over once the dead worker's lease has run out, and sends the mail once.
    await startWorker();
    await waitOrExplain(
      () => smtp.to(RECIPIENTS[1].email).length >= 1,
      { ...WAIT, what: 'the second request mail after the restart' },
      explain,
    );
    await waitOrExplain(() => unfinishedJobs(db).length === 0, { ...WAIT, what: 'the jobs to settle' }, explain);

    assert.equal(eventsOf(db, 'recipient.signature-applied').length, 1, 'one recipient.signature-applied event');
    assert.equal(eventsOf(db, 'recipient.signed').length, 1);
    assert.equal(
      extractSignatures(new Uint8Array(await (await api('GET', documentPath)).arrayBuffer())).length,
      1,
      'one signature in the document',
    );
    assert.equal(smtp.to(RECIPIENTS[1].email).length, 1, 'one request mail to the next recipient');
    assert.equal(eventsOf(db, 'mail.signing-request.sent').filter((e) => e.details.recipientId === second).length, 1);
    assert.equal(
      (db.prepare('select count(*) as n from mails where to_address = ?').get(RECIPIENTS[1].email) as { n: number }).n,
      1,
    );
    assert.deepEqual(
      mailJob().map((j) => [j.status, j.attempts]),
      [['done', 2]],
    );
    assert.deepEqual(
      db.prepare(`select kind, count(*) as n from jobs where kind = 'envelope.sign' group by kind`).all(),
      [{ kind: 'envelope.sign', n: 1 }],
    );

    // The mailed link is the live one (the rerun made a new token; the lost mail's one never went out).
    const secondToken = linkTokenOf(RECIPIENTS[1].email);
    await signAs(secondToken, RECIPIENTS[1].code);
    await waitOrExplain(
      () =>
        [...RECIPIENTS.map((r) => r.email), ADMIN].every((a) =>
          smtp.to(a).some((m) => m.subject === '電子署名完了のお知らせ'),
        ),
      {
        ...WAIT,
        what: 'the completion mails',
      },
      explain,
    );
    await waitOrExplain(() => unfinishedJobs(db).length === 0, { ...WAIT, what: 'the jobs to settle' }, explain);
    const final = new Uint8Array(await (await api('GET', documentPath)).arrayBuffer());
    assert.deepEqual(
      extractSignatures(final).map((s) => s.type ?? 'Sig'),
      ['Sig', 'Sig', 'DocTimeStamp'],
      'two signatures and the seal, nothing twice',
    );
    assert.equal(eventsOf(db, 'recipient.signature-applied').length, 2);
    // Two requests and three completion mails: nothing was sent twice.
    assert.equal(smtp.messages.length, 5, smtp.messages.map((m) => `${m.to} ${m.subject}`).join('\n'));
    assert.deepEqual(
      failedJobs(db).filter((j) => j.status === 'failed'),
      [],
    );
    const finalPath = join(dir, 'final.pdf');
    writeFileSync(finalPath, final);
    const verify = await runInkan(['verify', finalPath], { dataDir, env });
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
  });
});
