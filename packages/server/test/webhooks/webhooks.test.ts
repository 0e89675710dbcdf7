// Webhooks (issue 13 part 1) through the real API, the real job queue and a real HTTP receiver on
// loopback (INKAN_WEBHOOK_ALLOW_PRIVATE=true, as an operator with an in-house receiver would set), on
// SQLite and PostgreSQL: every delivery is checked with the documented recipe (Node and openssl); a
// receiver answering 500 gets retries on the queue's backoff (the clock moved forward, no sleeps); a
// later event of the same envelope waits for the earlier one, another envelope's does not; a tampered
// body fails the recipe; 72 hours of 500s give the delivery up and a replay sends it again; a rotated
// secret signs with both secrets during the overlap. Without the operator's permission, private and
// loopback targets are refused when the endpoint is saved and again when a name resolves to one.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { startJobRunner, type JobRunner } from '../../src/adapters/jobs/db-job-queue.ts';
import { HttpWebhookSender } from '../../src/adapters/webhooks/http-webhook-sender.ts';
import { recordJobFailure } from '../../src/domain/use-cases/record-job-failure.ts';
import { isPrivateAddress } from '../../src/domain/webhooks/webhook-target.ts';
import { createJobHandlers } from '../../src/jobs/handlers.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { asSession, signIn, type TestSession } from '../api/helpers/admin-session.ts';
import { startHarness, type Harness } from '../api/helpers/harness.ts';
import {
  opensslSignature,
  startWebhookReceiver,
  verifyInkanSignature,
  type WebhookReceiver,
} from './webhook-receiver.ts';

const signatureParts = (header: string) => {
  const parts = header.split(',').map((p) => p.split('='));
  return { t: parts.find(([k]) => k === 't')![1]!, v1: parts.filter(([k]) => k === 'v1').map(([, v]) => v!) };
};

for (const dialect of DIALECTS) {
  describe(`webhooks (${dialect})`, () => {
    let h: Harness;
    let receiver: WebhookReceiver;
    let runner: JobRunner;
    let admin: TestSession;
    let pdf: Uint8Array;
    let secret: string;
    let endpointId: string;
    const nowSeconds = () => h.clock.now().getTime() / 1000;

    before(async () => {
      receiver = await startWebhookReceiver();
      h = await startHarness(dialect, { env: { INKAN_WEBHOOK_ALLOW_PRIVATE: 'true' } });
      // The worker's own policy: retries for 72 h, and the give-up hook of the real worker.
      runner = startJobRunner({
        db: h.context.db,
        dialect: h.context.dialect,
        handlers: createJobHandlers(h.context),
        workerId: 'webhook-test',
        clock: h.clock,
        manual: true,
        retryForMs: h.context.config.jobRetryForMs,
        onFailed: (tx, job) =>
          recordJobFailure(h.context, tx, {
            id: job.id,
            kind: job.kind,
            attempt: job.attempt,
            payload: job.payload,
            at: h.clock.now(),
          }),
      });
      admin = await signIn(h, h.org.admin);
      pdf = await makePdf({ pages: 1 });
    });
    after(async () => {
      await runner?.stop();
      await h?.close();
      await receiver?.close();
    });

    async function sendEnvelope(name: string): Promise<string> {
      const created = await h.createEnvelope(
        h.org,
        { name, recipients: [{ name: '山田 太郎', email: 'taro@example.jp', accessCode: '1234', order: 1 }] },
        [{ filename: '契約書.pdf', data: pdf }],
      );
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().id as string;
      const sent = await h.api(h.org, 'POST', `/api/v1/envelopes/${id}/send`);
      assert.equal(sent.statusCode, 200, sent.body);
      return id;
    }

    const deliveries = async (query = '') => {
      const res = await asSession(h, admin, 'GET', `/api/v1/admin/webhook-deliveries${query}`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json().items as Array<{
        id: string;
        eventType: string;
        status: string;
        attempts: number;
        lastStatusCode: number | null;
        lastError: string | null;
        eventId: string;
        replayOf: string | null;
      }>;
    };

    it('an administrator adds an endpoint; the secret is shown once and stored encrypted', async () => {
      const res = await asSession(h, admin, 'POST', '/api/v1/admin/webhooks', {
        url: `${receiver.url}/inkan`,
        description: '基幹システム連携',
        events: ['envelope.sent', 'envelope.canceled', 'envelope.completed'],
      });
      assert.equal(res.statusCode, 201, res.body);
      secret = res.json().secret as string;
      endpointId = res.json().endpoint.id as string;
      assert.match(secret, /^whsec_[A-Za-z0-9_-]{43}$/);
      assert.equal(res.json().endpoint.secretHint, `${secret.slice(0, 10)}…`);
      const list = await asSession(h, admin, 'GET', '/api/v1/admin/webhooks');
      assert.ok(!list.body.includes(secret), 'the list never shows the secret');
      assert.deepEqual(list.json().items[0].events, ['envelope.sent', 'envelope.completed', 'envelope.canceled']);
      const row = await h.context.db
        .selectFrom('webhook_endpoints')
        .selectAll()
        .where('id', '=', endpointId)
        .executeTakeFirstOrThrow();
      assert.ok(!JSON.stringify(row).includes(secret.slice(6)), 'not stored in clear');
      const events = await h.context.db.selectFrom('events').select('details').execute();
      assert.ok(!events.some((e) => e.details.includes(secret.slice(6))), 'not in the operation log');
      // The other organisation's administrator sees none of it.
      const other = await asSession(h, await signIn(h, h.other.admin), 'GET', '/api/v1/admin/webhooks');
      assert.deepEqual(other.json().items, []);
    });

    it('bad input is refused with a clear code and nothing is written', async () => {
      const before = await h.context.db.selectFrom('webhook_endpoints').select('id').execute();
      for (const [body, code] of [
        [{ url: 'ftp://example.com/x', events: ['envelope.sent'] }, 'WEBHOOK_URL_INVALID'],
        [{ url: 'https://user:pw@example.com/x', events: ['envelope.sent'] }, 'WEBHOOK_URL_INVALID'],
        [{ url: 'https://example.com/x', events: ['envelope.exploded'] }, 'VALIDATION_FAILED'],
        [{ url: 'https://example.com/x', events: [] }, 'VALIDATION_FAILED'],
        [{ url: `https://example.com/${'x'.repeat(3000)}`, events: ['envelope.sent'] }, 'VALIDATION_FAILED'],
      ] as const) {
        const res = await asSession(h, admin, 'POST', '/api/v1/admin/webhooks', body);
        assert.equal(res.statusCode, 400, res.body);
        assert.equal(res.json().error.code, code);
        assert.match(res.json().error.message, /[ぁ-んァ-ン一-龥]/);
      }
      assert.deepEqual(await h.context.db.selectFrom('webhook_endpoints').select('id').execute(), before);
    });

    it('500s are retried on the backoff; the next event of the envelope waits its turn; signatures pass the recipe', async () => {
      receiver.plan.set('/inkan', [500, 500]);
      const first = await sendEnvelope('業務委託契約書 A');
      const cancel = await h.api(h.org, 'POST', `/api/v1/envelopes/${first}/cancel`);
      assert.equal(cancel.statusCode, 200, cancel.body);
      await runner.idle();
      // One attempt (500); the cancel waits behind it (no attempt yet).
      assert.deepEqual(
        receiver.received.map((r) => [r.json.type, r.answered]),
        [['envelope.sent', 500]],
      );
      let log = await deliveries(`?endpointId=${endpointId}`);
      const sentRow = log.find((d) => d.eventType === 'envelope.sent')!;
      const cancelRow = log.find((d) => d.eventType === 'envelope.canceled')!;
      assert.deepEqual([sentRow.status, sentRow.attempts, sentRow.lastStatusCode], ['pending', 1, 500]);
      assert.deepEqual([cancelRow.status, cancelRow.attempts], ['pending', 0]);

      // The retry after 10 s: 500 again. Meanwhile another envelope's delivery is not held up.
      h.clock.advance(10_000);
      await runner.idle();
      assert.equal(receiver.received.length, 2);
      const second = await sendEnvelope('業務委託契約書 B');
      await runner.idle();
      assert.deepEqual(
        receiver.received.map((r) => [r.json.type, (r.json.data.envelope as { id: string }).id, r.answered]),
        [
          ['envelope.sent', first, 500],
          ['envelope.sent', first, 500],
          ['envelope.sent', second, 200],
        ],
      );
      // Not yet due (the third attempt waits 20 s): nothing more without the clock moving.
      await runner.idle();
      assert.equal(receiver.received.length, 3);
      h.clock.advance(20_000);
      await runner.idle();
      assert.deepEqual(
        receiver.received.slice(3).map((r) => [r.json.type, (r.json.data.envelope as { id: string }).id, r.answered]),
        [
          ['envelope.sent', first, 200],
          ['envelope.canceled', first, 200],
        ],
      );
      log = await deliveries(`?endpointId=${endpointId}`);
      assert.deepEqual(
        log.filter((d) => d.eventType === 'envelope.sent').map((d) => [d.status, d.attempts]),
        [
          ['delivered', 1],
          ['delivered', 3],
        ],
      );

      // Every request: signed (Node recipe and openssl), the same event id on each attempt, the payload's shape.
      for (const r of receiver.received) {
        const header = r.headers['inkan-signature'] as string;
        assert.ok(verifyInkanSignature(secret, header, r.body, nowSeconds()), `signature of ${r.body}`);
        const { t, v1 } = signatureParts(header);
        assert.equal(v1.length, 1);
        assert.equal(opensslSignature(secret, t, r.body), v1[0]);
        assert.equal(r.headers['inkan-event-id'], r.json.id);
        assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
        assert.equal(r.json.organization.id, h.org.id);
        const envelope = r.json.data.envelope as { id: string; url: string };
        assert.equal(envelope.url, `http://inkan.test/api/v1/envelopes/${envelope.id}`);
        for (const forbidden of ['1234', 'accessCode', 'token', '山田', 'taro@example.jp'])
          assert.ok(!r.body.includes(forbidden), `payload holds ${forbidden}`);
      }
      const attemptsOfFirst = receiver.received.filter(
        (r) => r.json.type === 'envelope.sent' && (r.json.data.envelope as { id: string }).id === first,
      );
      assert.equal(attemptsOfFirst.length, 3);
      assert.equal(new Set(attemptsOfFirst.map((r) => r.json.id)).size, 1, 'retries carry one event id');
      assert.equal(new Set(attemptsOfFirst.map((r) => r.headers['inkan-delivery-id'])).size, 1);
      // The link in the payload answers with the organisation's key (the receiver fetches what it needs).
      const fetched = await h.api(h.org, 'GET', `/api/v1/envelopes/${first}`);
      assert.equal(fetched.json().status, 'canceled');
    });

    it('a tampered body, a wrong secret or an old timestamp fail the documented recipe', () => {
      const r = receiver.received[0]!;
      const header = r.headers['inkan-signature'] as string;
      assert.ok(verifyInkanSignature(secret, header, r.body, nowSeconds()));
      const tampered = r.body.replace('"envelope.sent"', '"envelope.completed"');
      assert.notEqual(tampered, r.body);
      assert.equal(verifyInkanSignature(secret, header, tampered, nowSeconds()), false);
      assert.notEqual(opensslSignature(secret, signatureParts(header).t, tampered), signatureParts(header).v1[0]);
      assert.equal(verifyInkanSignature(`${secret}x`, header, r.body, nowSeconds()), false);
      assert.equal(verifyInkanSignature(secret, header, r.body, nowSeconds() + 3600), false, 'replayed an hour later');
    });

    it('a delivery that keeps failing is given up after 72 hours, shown in the log, and replayed on request', async () => {
      receiver.always.set('/inkan', 500);
      const count = receiver.received.length;
      const id = await sendEnvelope('業務委託契約書 C');
      await runner.idle();
      const started = h.clock.now().getTime();
      for (let hour = 0; hour < 80; hour++) {
        h.clock.advance(3_600_000);
        await runner.idle();
      }
      assert.ok(h.clock.now().getTime() - started >= 72 * 3_600_000);
      admin = await signIn(h, h.org.admin); // the session expired meanwhile
      const [row] = (await deliveries('?status=failed')).filter((d) => d.eventType === 'envelope.sent');
      assert.ok(row, 'given up');
      assert.equal(row.lastStatusCode, 500);
      const attempts = receiver.received.length - count;
      assert.equal(row.attempts, attempts);
      assert.ok(attempts > 70 && attempts < 90, `${attempts} attempts in 72 h (backoff capped at 1 h)`);
      // No more attempts after giving up.
      h.clock.advance(3_600_000);
      await runner.idle();
      assert.equal(receiver.received.length - count, attempts);

      receiver.always.delete('/inkan');
      const pending = await asSession(h, admin, 'POST', `/api/v1/admin/webhook-deliveries/${row.id}/replay`, {});
      assert.equal(pending.statusCode, 202, pending.body);
      const replay = pending.json().delivery as { id: string; status: string; replayOf: string };
      assert.deepEqual([replay.status, replay.replayOf], ['pending', row.id]);
      await runner.idle();
      const last = receiver.received.at(-1)!;
      assert.equal(last.answered, 200);
      assert.equal(last.json.id, row.eventId, 'the replay carries the event id');
      assert.equal((last.json.data.envelope as { id: string }).id, id);
      const replayed = (await deliveries()).find((d) => d.id === replay.id)!;
      assert.equal(replayed.status, 'delivered');
      const events = await h.context.db
        .selectFrom('events')
        .select('action')
        .where('action', '=', 'webhook.replayed')
        .execute();
      assert.equal(events.length, 1);
      // Another organisation's administrator cannot replay it (404).
      const otherAdmin = await signIn(h, h.other.admin);
      const foreign = await asSession(h, otherAdmin, 'POST', `/api/v1/admin/webhook-deliveries/${row.id}/replay`, {});
      assert.equal(foreign.statusCode, 404);
    });

    it('a given-up delivery is listed in 失敗した処理 (GET /api/v1/admin/jobs) and replayed from there', async () => {
      type FailedJob = {
        id: string;
        kind: string;
        lastError: string | null;
        webhook: { deliveryId: string; endpointId: string; url: string | null; eventType: string } | null;
      };
      const failedJobs = async (session: TestSession) => {
        const res = await asSession(h, session, 'GET', '/api/v1/admin/jobs?status=failed');
        assert.equal(res.statusCode, 200, res.body);
        return (res.json().items as FailedJob[]).filter((j) => j.kind === 'webhook.deliver');
      };
      // The delivery given up in the previous test was replayed from the log: not listed.
      assert.deepEqual(await failedJobs(admin), []);

      receiver.always.set('/inkan', 503);
      const count = receiver.received.length;
      await sendEnvelope('業務委託契約書 D');
      await runner.idle();
      for (let hour = 0; hour < 80; hour++) {
        h.clock.advance(3_600_000);
        await runner.idle();
      }
      admin = await signIn(h, h.org.admin);
      const jobs = await failedJobs(admin);
      assert.equal(jobs.length, 1, JSON.stringify(jobs));
      const job = jobs[0]!;
      const given = (await deliveries()).find((d) => d.id === job.webhook?.deliveryId);
      assert.ok(given, 'the job names a delivery of the log');
      assert.deepEqual([given.status, given.lastStatusCode, given.replayOf], ['failed', 503, null]);
      assert.deepEqual(job.webhook, {
        deliveryId: given.id,
        endpointId,
        url: `${receiver.url}/inkan`,
        eventType: 'envelope.sent',
      });
      assert.ok(job.lastError, 'the last error is shown');
      // Another organisation sees nothing of it and cannot replay it.
      const otherAdmin = await signIn(h, h.other.admin);
      assert.deepEqual(await failedJobs(otherAdmin), []);
      const foreign = await asSession(h, otherAdmin, 'POST', `/api/v1/admin/jobs/${job.id}/retry`, {});
      assert.equal(foreign.statusCode, 404);
      assert.equal(receiver.received.length - count > 0, true);

      receiver.always.delete('/inkan');
      const before = receiver.received.length;
      const retried = await asSession(h, admin, 'POST', `/api/v1/admin/jobs/${job.id}/retry`, {});
      assert.equal(retried.statusCode, 200, retried.body);
      const replayId = retried.json().deliveryId as string;
      assert.ok(replayId);
      await runner.idle();
      assert.equal(receiver.received.length, before + 1);
      const last = receiver.received.at(-1)!;
      assert.equal(last.answered, 200);
      assert.equal(last.json.id, given.eventId, 'the replay carries the event id');
      const all = await deliveries();
      assert.equal(all.find((d) => d.id === replayId)?.status, 'delivered');
      assert.equal(all.find((d) => d.id === replayId)?.replayOf, given.id);
      assert.equal(all.find((d) => d.id === given.id)?.status, 'failed', 'the log keeps the failed delivery');
      // Replayed: gone from the list; a second retry is refused and sends nothing.
      assert.deepEqual(await failedJobs(admin), []);
      const again = await asSession(h, admin, 'POST', `/api/v1/admin/jobs/${job.id}/retry`, {});
      assert.equal(again.statusCode, 409, again.body);
      assert.equal(again.json().error.code, 'JOB_NOT_FAILED');
      await runner.idle();
      assert.equal(receiver.received.length, before + 1);
      const replayedEvents = await h.context.db
        .selectFrom('events')
        .select(['action', 'details'])
        .where('action', '=', 'webhook.replayed')
        .execute();
      assert.equal(replayedEvents.length, 2);
      assert.ok(
        replayedEvents.some((e) => String(e.details).includes(job.id)),
        'the replay names the failed job',
      );
    });

    it('rotation: both secrets sign during the overlap, only the new one after it; the ping shows the outcome', async () => {
      const rotated = await asSession(h, admin, 'POST', `/api/v1/admin/webhooks/${endpointId}/rotate-secret`, {
        overlapHours: 24,
      });
      assert.equal(rotated.statusCode, 200, rotated.body);
      const fresh = rotated.json().secret as string;
      assert.notEqual(fresh, secret);
      assert.ok(rotated.json().endpoint.previousSecretExpiresAt);
      const ping = await asSession(h, admin, 'POST', `/api/v1/admin/webhooks/${endpointId}/ping`, {});
      assert.equal(ping.statusCode, 200, ping.body);
      assert.equal(ping.json().ok, true);
      assert.equal(ping.json().delivery.lastStatusCode, 200);
      let last = receiver.received.at(-1)!;
      assert.equal(last.json.type, 'ping');
      let header = last.headers['inkan-signature'] as string;
      assert.equal(signatureParts(header).v1.length, 2);
      assert.ok(verifyInkanSignature(secret, header, last.body, nowSeconds()), 'old secret still verifies');
      assert.ok(verifyInkanSignature(fresh, header, last.body, nowSeconds()), 'new secret verifies');
      h.clock.advance(25 * 3_600_000);
      admin = await signIn(h, h.org.admin);
      receiver.plan.set('/inkan', [503]);
      const failedPing = await asSession(h, admin, 'POST', `/api/v1/admin/webhooks/${endpointId}/ping`, {});
      assert.equal(failedPing.json().ok, false);
      assert.equal(failedPing.json().delivery.lastStatusCode, 503);
      last = receiver.received.at(-1)!;
      header = last.headers['inkan-signature'] as string;
      assert.equal(signatureParts(header).v1.length, 1);
      assert.equal(verifyInkanSignature(secret, header, last.body, nowSeconds()), false, 'old secret retired');
      assert.ok(verifyInkanSignature(fresh, header, last.body, nowSeconds()));
      secret = fresh;
    });

    it('a disabled endpoint gets nothing; unsubscribed events are not delivered; deleting removes its log', async () => {
      const off = await asSession(h, admin, 'PATCH', `/api/v1/admin/webhooks/${endpointId}`, { enabled: false });
      assert.equal(off.statusCode, 200, off.body);
      assert.equal(off.json().enabled, false);
      const count = receiver.received.length;
      await sendEnvelope('業務委託契約書 D');
      await runner.idle();
      assert.equal(receiver.received.length, count);
      const removed = await asSession(h, admin, 'DELETE', `/api/v1/admin/webhooks/${endpointId}`);
      assert.equal(removed.statusCode, 204);
      assert.deepEqual(await deliveries(), []);
      const again = await asSession(h, admin, 'DELETE', `/api/v1/admin/webhooks/${endpointId}`);
      assert.equal(again.statusCode, 404);
    });
  });
}

describe('webhook targets without the operator’s permission (INKAN_WEBHOOK_ALLOW_PRIVATE=false)', () => {
  let h: Harness;
  let receiver: WebhookReceiver;
  let admin: TestSession;
  before(async () => {
    receiver = await startWebhookReceiver();
    h = await startHarness('sqlite');
    admin = await signIn(h, h.org.admin);
  });
  after(async () => {
    await h?.close();
    await receiver?.close();
  });

  it('loopback, private, link-local (metadata) and local names are refused when the endpoint is saved', async () => {
    for (const url of [
      `http://127.0.0.1:${receiver.port}/inkan`,
      'https://127.0.0.1/x',
      'https://10.1.2.3/x',
      'https://192.168.0.10/x',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/x',
      'https://[::ffff:127.0.0.1]/x',
      'https://[fd00::1]/x',
      'https://localhost/x',
      'https://printer.local/x',
    ]) {
      const res = await asSession(h, admin, 'POST', '/api/v1/admin/webhooks', { url, events: ['envelope.sent'] });
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      assert.ok(
        ['WEBHOOK_TARGET_REFUSED', 'WEBHOOK_URL_INVALID'].includes(res.json().error.code as string),
        `${url}: ${res.json().error.code}`,
      );
    }
    const ok = await asSession(h, admin, 'POST', '/api/v1/admin/webhooks', {
      url: 'https://hooks.example.com/inkan',
      events: ['envelope.sent'],
    });
    assert.equal(ok.statusCode, 201, ok.body);
    assert.equal(receiver.received.length, 0);
  });

  it('at delivery time a name that resolves to a private address is refused, and nothing reaches it', async () => {
    const sender = new HttpWebhookSender({ allowPrivate: false, timeoutMs: 5000 });
    try {
      for (const url of [`http://localhost:${receiver.port}/inkan`, `http://127.0.0.1:${receiver.port}/inkan`]) {
        const result = await sender.post({ url, headers: {}, body: '{}' });
        assert.equal(result.ok, false);
        assert.match(result.error ?? '', /WEBHOOK_TARGET_REFUSED/, url);
      }
      assert.equal(receiver.received.length, 0);
    } finally {
      sender.close();
    }
    // The same sender with the operator's permission reaches it: the refusal above was the guard.
    const allowed = new HttpWebhookSender({ allowPrivate: true, timeoutMs: 5000 });
    try {
      const result = await allowed.post({ url: `http://localhost:${receiver.port}/inkan`, headers: {}, body: '{}' });
      assert.equal(result.ok, true, result.error ?? '');
      assert.equal(receiver.received.length, 1);
    } finally {
      allowed.close();
    }
  });

  it('redirects are not followed', async () => {
    receiver.plan.set('/moved', [302]);
    const sender = new HttpWebhookSender({ allowPrivate: true, timeoutMs: 5000 });
    try {
      const result = await sender.post({ url: `${receiver.url}/moved`, headers: {}, body: '{}' });
      assert.deepEqual([result.ok, result.statusCode], [false, 302]);
      assert.match(result.error ?? '', /redirect/);
    } finally {
      sender.close();
    }
  });

  it('the address check covers the private, reserved and mapped forms', () => {
    for (const address of [
      '127.0.0.1',
      '10.0.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fe80::1',
      'fc00::1',
      '::ffff:10.0.0.1',
      '::ffff:7f00:1',
      '64:ff9b::a9fe:a9fe',
      'not an address',
    ])
      assert.equal(isPrivateAddress(address), true, address);
    for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])
      assert.equal(isPrivateAddress(address), false, address);
  });
});
