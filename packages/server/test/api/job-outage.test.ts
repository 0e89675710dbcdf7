/**
 * Outages of the mail server and of the timestamp authority, longer than the old retry limit (8
 * attempts ≈ 21 minutes) and longer than the new retry window (72 h), with a controlled clock, on
 * SQLite and PostgreSQL. Real SMTP on the wire (smtp-server behind a TCP relay the test cuts) and a
 * real RFC 3161 TSA over HTTP (the installation's own /tsa behind a switch that answers 503 while down).
 *
 * - SMTP down for 2 h → the signing request is delivered once SMTP is back (one mail).
 * - TSA down for 3 h → the signature is applied once the TSA is back (one signature).
 * - TSA down for more than 72 h → the signing job fails; the administrators get a notice mail; the
 *   administrators' API lists the job with its last error (only their organisation's); a retry after
 *   the TSA came back applies the signature and the envelope completes.
 * - SMTP down for more than 72 h → the request mail fails; the sender is told once SMTP is back.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { startJobRunner, type JobRunner } from '../../src/adapters/jobs/db-job-queue.ts';
import { createJobHandlers } from '../../src/jobs/handlers.ts';
import { jobRunnerPolicy } from '../../src/jobs/worker-thread.ts';
import { startSmtpSink, type SmtpSink } from '../e2e/helpers/smtp-sink.ts';
import { startTcpRelay, type TcpRelay } from '../e2e/helpers/tcp-relay.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { startHarness, type Harness } from './helpers/harness.ts';

const HOUR = 3_600_000;

for (const dialect of DIALECTS) {
  describe(`job outages beyond 21 minutes and beyond 72 hours (${dialect})`, () => {
    let h: Harness;
    let smtp: SmtpSink;
    let smtpRelay: TcpRelay;
    let tsa: Server;
    let tsaUp = true;
    let runner: JobRunner;

    before(async () => {
      smtp = await startSmtpSink();
      smtpRelay = await startTcpRelay({ host: '127.0.0.1', port: smtp.port });
      // The installation's own TSA, reached over HTTP like an external one, behind an on/off switch.
      tsa = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          if (!tsaUp) {
            response.writeHead(503).end('down for the test');
            return;
          }
          h.app
            .inject({
              method: 'POST',
              url: '/tsa',
              payload: Buffer.concat(chunks),
              headers: { 'content-type': 'application/timestamp-query' },
            })
            .then(
              (answer) => {
                response.writeHead(answer.statusCode, { 'content-type': String(answer.headers['content-type']) });
                response.end(answer.rawPayload);
              },
              () => response.writeHead(500).end(),
            );
        });
      });
      await new Promise<void>((resolve) => tsa.listen(0, '127.0.0.1', resolve));
      const tsaPort = (tsa.address() as AddressInfo).port;
      h = await startHarness(dialect, {
        env: {
          INKAN_SMTP_URL: `smtp://127.0.0.1:${smtpRelay.port}`,
          INKAN_TSA_URLS: `http://127.0.0.1:${tsaPort}/tsa`,
          INKAN_TSA_TIMEOUT: '5s',
        },
      });
      // The worker as `inkan serve` runs it (retry policy, failure notices), driven by the test.
      runner = startJobRunner({
        ...jobRunnerPolicy(h.context, 'test'),
        handlers: createJobHandlers(h.context),
        manual: true,
      });
    });
    after(async () => {
      await runner?.stop();
      await h?.close();
      await smtpRelay?.close();
      await smtp?.close();
      await new Promise((resolve) => tsa?.close(resolve));
    });

    /** Runs every due job, moving the clock from one due job to the next, for `ms` of simulated time. */
    async function drive(ms: number): Promise<void> {
      const until = h.clock.now().getTime() + ms;
      for (let step = 0; step < 5000; step++) {
        while (await runner.runOnce()) {
          // run everything due now
        }
        const next = await h.context.db
          .selectFrom('jobs')
          .select('run_at')
          .where('status', '=', 'queued')
          .where('kind', 'not in', [
            'audit.anchor',
            'backup.run',
            'register.reminders',
            'envelope.expiry-sweep',
            'retention.sweep',
            'archive.renewal',
          ])
          .orderBy('run_at')
          .limit(1)
          .executeTakeFirst();
        const nextAt = next ? new Date(next.run_at).getTime() : Infinity;
        if (nextAt > until) break;
        h.clock.advance(Math.max(0, nextAt - h.clock.now().getTime()) + 1);
      }
      const left = until - h.clock.now().getTime();
      if (left > 0) h.clock.advance(left);
      while (await runner.runOnce()) {
        // and what became due at the end
      }
    }

    const jobOf = (kind: string) =>
      h.context.db.selectFrom('jobs').selectAll().where('kind', '=', kind).orderBy('created_at').execute();
    const eventsOf = (envelopeId: string, action: string) =>
      h.context.db
        .selectFrom('events')
        .selectAll()
        .where('envelope_id', '=', envelopeId)
        .where('action', '=', action)
        .execute();
    const tokenIn = (text: string) => /http:\/\/inkan\.test\/s\/([A-Za-z0-9_-]+)/.exec(text)![1]!;

    async function signAs(token: string, code: string): Promise<void> {
      const pass = await h.app.inject({ method: 'POST', url: `/api/sign/${token}/access-code`, payload: { code } });
      assert.equal(pass.statusCode, 200, pass.body);
      const cookie = pass.cookies.find((c) => c.name === 'inkan_signer')!;
      const signed = await h.app.inject({
        method: 'POST',
        url: `/api/sign/${token}/sign`,
        headers: { cookie: `inkan_signer=${cookie.value}`, 'x-csrf-token': pass.json().csrfToken },
      });
      assert.equal(signed.statusCode, 202, signed.body);
    }

    async function sessionOf(email: string, password: string): Promise<{ cookie: string; csrf: string }> {
      const res = await h.app.inject({ method: 'POST', url: '/api/session', payload: { email, password } });
      assert.equal(res.statusCode, 200, res.body);
      return { cookie: res.cookies.map((c) => `${c.name}=${c.value}`).join('; '), csrf: res.json().csrfToken };
    }

    it('SMTP and TSA outages longer than 21 minutes end in delivery; beyond 72 h the job fails, people are told, and an administrator retries it', async () => {
      const taro = 'taro@outage.example.jp';
      const hanako = 'hanako@outage.example.jp';
      const created = await h.createEnvelope(
        h.org,
        {
          name: '障害耐性テスト契約',
          recipients: [
            { name: '山田 太郎', email: taro, accessCode: '1234', order: 1 },
            { name: '鈴木 花子', email: hanako, accessCode: '5678', order: 2 },
          ],
        },
        [{ filename: '契約書.pdf', data: await makePdf({ pages: 1 }) }],
      );
      assert.equal(created.statusCode, 201, created.body);
      const envelopeId = created.json().id as string;

      // 1. The mail server is down for 2 hours.
      await smtpRelay.cut();
      assert.equal((await h.api(h.org, 'POST', `/api/v1/envelopes/${envelopeId}/send`)).statusCode, 200);
      await drive(2 * HOUR);
      let [request] = await jobOf('mail.signing-request');
      assert.equal(request!.status, 'queued', 'still retrying after 2 h');
      assert.ok(request!.attempts > 8, `attempts so far: ${request!.attempts}`);
      assert.match(request!.last_error ?? '', /ECONNREFUSED|connect/i);
      assert.equal(smtp.to(taro).length, 0);
      await smtpRelay.restore();
      await drive(HOUR + 1000);
      [request] = await jobOf('mail.signing-request');
      assert.equal(request!.status, 'done');
      assert.equal(smtp.to(taro).length, 1, 'delivered once when SMTP came back');

      // 2. The TSA is down for 3 hours while the first signature waits.
      tsaUp = false;
      await signAs(tokenIn(smtp.to(taro)[0]!.text), '1234');
      await drive(3 * HOUR);
      const [sign1] = await jobOf('envelope.sign');
      assert.equal(sign1!.status, 'queued');
      assert.ok(sign1!.attempts > 8);
      assert.equal((await eventsOf(envelopeId, 'recipient.signature-applied')).length, 0);
      tsaUp = true;
      await drive(HOUR + 1000);
      assert.equal((await jobOf('envelope.sign'))[0]!.status, 'done');
      assert.equal((await eventsOf(envelopeId, 'recipient.signature-applied')).length, 1);
      assert.equal(smtp.to(hanako).length, 1, 'the next signer was invited once');

      // 3. The TSA stays down for more than 72 hours: the job fails and the administrators are told.
      tsaUp = false;
      await signAs(tokenIn(smtp.to(hanako)[0]!.text), '5678');
      await drive(73 * HOUR);
      const sign2 = (await jobOf('envelope.sign'))[1]!;
      assert.equal(sign2.status, 'failed');
      assert.match(sign2.last_error ?? '', /503|TSA|timestamp/i);
      assert.equal(sign2.organization_id, h.org.id);
      const span = new Date(sign2.finished_at!).getTime() - new Date(sign2.first_attempt_at!).getTime();
      assert.ok(span > 71 * HOUR && span <= 72 * HOUR, `gave up after ${span / HOUR} h`);
      const failedEvents = await h.context.db
        .selectFrom('events')
        .selectAll()
        .where('action', '=', 'job.failed')
        .execute();
      assert.equal(failedEvents.length, 1);
      assert.equal(JSON.parse(failedEvents[0]!.details).jobId, sign2.id);
      const notices = smtp.to(h.org.admin.email).filter((m) => m.subject.includes('処理に失敗しました'));
      assert.equal(notices.length, 1, 'the administrator was told once');
      assert.match(notices[0]!.subject, /電子署名の付与/);
      assert.match(notices[0]!.text, /障害耐性テスト契約/);
      assert.match(notices[0]!.text, /http:\/\/inkan\.test\/admin\/jobs/);

      // Administrators see it (their organisation's only) and may retry it; others may not.
      const admin = await sessionOf(h.org.admin.email, h.org.admin.password);
      const list = await h.app.inject({ method: 'GET', url: '/api/v1/admin/jobs', headers: { cookie: admin.cookie } });
      assert.equal(list.statusCode, 200, list.body);
      const items = list.json().items as Array<Record<string, unknown>>;
      assert.equal(items.length, 1);
      assert.equal(items[0]!.id, sign2.id);
      assert.equal(items[0]!.kind, 'envelope.sign');
      assert.equal((items[0]!.envelope as { name: string }).name, '障害耐性テスト契約');
      assert.match(String(items[0]!.lastError), /503|TSA|timestamp/i);
      assert.ok(items[0]!.notifiedAt);
      const otherAdmin = await sessionOf(h.other.admin.email, h.other.admin.password);
      const otherList = await h.app.inject({
        method: 'GET',
        url: '/api/v1/admin/jobs',
        headers: { cookie: otherAdmin.cookie },
      });
      assert.deepEqual(otherList.json().items, []);
      const otherRetry = await h.app.inject({
        method: 'POST',
        url: `/api/v1/admin/jobs/${sign2.id}/retry`,
        headers: { cookie: otherAdmin.cookie, 'x-csrf-token': otherAdmin.csrf },
      });
      assert.equal(otherRetry.statusCode, 404);
      const viewer = await sessionOf(h.org.viewer.email, h.org.viewer.password);
      const viewerList = await h.app.inject({
        method: 'GET',
        url: '/api/v1/admin/jobs',
        headers: { cookie: viewer.cookie },
      });
      assert.equal(viewerList.statusCode, 403);
      const byKey = await h.api(h.org, 'GET', '/api/v1/admin/jobs');
      assert.equal(byKey.statusCode, 403, 'API keys are refused');
      const noCsrf = await h.app.inject({
        method: 'POST',
        url: `/api/v1/admin/jobs/${sign2.id}/retry`,
        headers: { cookie: admin.cookie },
      });
      assert.equal(noCsrf.statusCode, 403);
      assert.equal(noCsrf.json().error.code, 'CSRF_FAILED');
      const badId = await h.app.inject({
        method: 'POST',
        url: '/api/v1/admin/jobs/not-a-uuid/retry',
        headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'accept-language': 'ja' },
      });
      assert.equal(badId.statusCode, 400);
      assert.equal(badId.json().error.code, 'VALIDATION_FAILED');
      assert.equal((await jobOf('envelope.sign'))[1]!.status, 'failed', 'refused requests changed nothing');

      tsaUp = true;
      const retry = await h.app.inject({
        method: 'POST',
        url: `/api/v1/admin/jobs/${sign2.id}/retry`,
        headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
      });
      assert.equal(retry.statusCode, 200, retry.body);
      assert.deepEqual(retry.json(), { id: sign2.id, status: 'queued' });
      const again = await h.app.inject({
        method: 'POST',
        url: `/api/v1/admin/jobs/${sign2.id}/retry`,
        headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'accept-language': 'ja' },
      });
      assert.equal(again.statusCode, 409);
      assert.equal(again.json().error.code, 'JOB_NOT_FAILED');
      assert.match(again.json().error.message, /失敗の状態ではない/);
      await drive(HOUR);
      assert.equal((await jobOf('envelope.sign'))[1]!.status, 'done');
      assert.equal((await eventsOf(envelopeId, 'recipient.signature-applied')).length, 2);
      const envelope = await h.api(h.org, 'GET', `/api/v1/envelopes/${envelopeId}`);
      assert.equal(envelope.json().status, 'completed');
      for (const address of [taro, hanako])
        assert.equal(
          smtp.to(address).filter((m) => m.subject.includes('電子署名完了のお知らせ')).length,
          1,
          `one completion mail to ${address}`,
        );
      const retried = await h.context.db.selectFrom('events').selectAll().where('action', '=', 'job.retried').execute();
      assert.equal(retried.length, 1);
      assert.equal(retried[0]!.actor_id, h.org.admin.id);
    });

    it('a request mail that cannot go out for more than 72 hours fails; the sender is told once SMTP is back', async () => {
      const jiro = 'jiro@outage.example.jp';
      const created = await h.createEnvelope(
        h.org,
        { name: '長期障害テスト契約', recipients: [{ name: '佐藤 次郎', email: jiro, accessCode: '2468', order: 1 }] },
        [{ filename: '契約書.pdf', data: await makePdf({ pages: 1 }) }],
      );
      assert.equal(created.statusCode, 201, created.body);
      await smtpRelay.cut();
      const noticesBefore = smtp.to(h.org.admin.email).length;
      assert.equal((await h.api(h.org, 'POST', `/api/v1/envelopes/${created.json().id}/send`)).statusCode, 200);
      await drive(73 * HOUR);
      const request = (await jobOf('mail.signing-request')).find((j) => j.status !== 'done')!;
      assert.equal(request.status, 'failed');
      const [notice] = await jobOf('mail.job-failed').then((jobs) => jobs.filter((j) => j.status !== 'done'));
      assert.ok(notice, 'the notice is queued (and retrying: SMTP is down)');
      assert.equal(notice.status, 'queued');
      await smtpRelay.restore();
      await drive(HOUR + 1000);
      assert.equal(smtp.to(jiro).length, 0, 'the request never went out');
      // Created with an API key: the sender side is the organisation's administrators.
      const notices = smtp.to(h.org.admin.email).slice(noticesBefore);
      assert.equal(notices.length, 1);
      assert.match(notices[0]!.subject, /署名依頼メールの送信/);
      assert.match(notices[0]!.text, /長期障害テスト契約/);
    });
  });
}
