// The outbox side of webhooks, on SQLite and PostgreSQL: which recorded actions become which event types
// with which data and ordering chain (and nothing else: no names, no addresses), nothing for an event
// whose transaction rolls back, nothing for other organisations' endpoints. And the job worker's own
// slots for deliveries: receivers that hang do not hold up the signing-request mails.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { recordEvent, type EventAction } from '../../src/domain/record-event.ts';
import { inTransaction } from '../../src/domain/transaction.ts';
import { createWebhookEndpoint } from '../../src/domain/use-cases/manage-webhook-endpoints.ts';
import { purgeWebhookDeliveries } from '../../src/domain/use-cases/purge-webhook-deliveries.ts';
import { WEBHOOK_EVENT_TYPES } from '../../src/domain/webhooks/webhook-events.ts';
import { runJobWorker } from '../../src/jobs/worker-thread.ts';
import { newId } from '../../src/security/tokens.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { startHarness, type Harness } from '../api/helpers/harness.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

for (const dialect of DIALECTS) {
  describe(`webhook outbox (${dialect})`, () => {
    let h: Harness;
    let endpointId: string;
    before(async () => {
      h = await startHarness(dialect, { env: { INKAN_WEBHOOK_ALLOW_PRIVATE: 'true' } });
      const created = await createWebhookEndpoint(h.context, {
        organizationId: h.org.id,
        actor: { type: 'user', id: h.org.admin.id },
        url: 'https://hooks.example.com/inkan',
        events: [...WEBHOOK_EVENT_TYPES],
      });
      endpointId = created.endpoint.id;
      // The other organisation's endpoint must never get this organisation's events.
      await createWebhookEndpoint(h.context, {
        organizationId: h.other.id,
        actor: { type: 'user', id: h.other.admin.id },
        url: 'https://hooks.example.com/other',
        events: [...WEBHOOK_EVENT_TYPES],
      });
    });
    after(async () => h?.close());

    const record = (action: EventAction, extra: { envelopeId?: string; actorId?: string; details?: object }) =>
      inTransaction(h.context.db, h.context.dialect, (tx) =>
        recordEvent(tx, {
          organizationId: h.org.id,
          envelopeId: extra.envelopeId ?? null,
          actor: extra.actorId ? { type: 'recipient', id: extra.actorId } : { type: 'system', id: null },
          action,
          details: extra.details as Record<string, unknown> | undefined,
          at: new Date(),
        }),
      );

    it('maps the operation log to event types, data and chains; other actions publish nothing', async () => {
      const envelopeId = newId();
      const recipientId = newId();
      const contractId = newId();
      const cases: Array<[EventAction, Parameters<typeof record>[1], string | null, object]> = [
        ['envelope.sent', { envelopeId, details: { documents: [{ name: '契約書.pdf' }] } }, 'envelope.sent', {}],
        [
          'recipient.viewed',
          { envelopeId, actorId: recipientId },
          'envelope.viewed',
          { recipient: { id: recipientId } },
        ],
        [
          'recipient.signed',
          { envelopeId, actorId: recipientId, details: { name: '山田 太郎', email: 'taro@example.jp' } },
          'envelope.signed',
          { recipient: { id: recipientId } },
        ],
        [
          'envelope.declined',
          { envelopeId, details: { byRecipient: recipientId } },
          'envelope.declined',
          { recipient: { id: recipientId } },
        ],
        ['envelope.completed', { envelopeId, details: { certificateId: 'IK-X' } }, 'envelope.completed', {}],
        [
          'envelope.expired',
          { envelopeId, details: { expiresAt: '2030-01-01T00:00:00.000Z' } },
          'envelope.expired',
          { expiresAt: '2030-01-01T00:00:00.000Z' },
        ],
        [
          'envelope.canceled',
          { envelopeId, details: { previousStatus: 'sent' } },
          'envelope.canceled',
          { previousStatus: 'sent' },
        ],
        [
          'contract.registered',
          { envelopeId, details: { contractId, source: 'envelope' } },
          'contract.created',
          { source: 'envelope' },
        ],
        [
          'contract.updated',
          { details: { contractId, fields: ['title', 'amount'] } },
          'contract.updated',
          { fields: ['title', 'amount'] },
        ],
        [
          'contract.reminder-queued',
          { details: { contractId, kind: 'end', thresholdDays: 30, dueOn: '2030-03-31' } },
          'contract.deadline-reached',
          { deadline: { kind: 'end', dueOn: '2030-03-31', daysBefore: 30 } },
        ],
        ['recipient.code-failed', { envelopeId, actorId: recipientId }, null, {}],
        ['mail.signing-request.sent', { envelopeId }, null, {}],
      ];
      for (const [action, extra, type, data] of cases) {
        const event = await record(action, extra);
        const rows = await h.context.db
          .selectFrom('webhook_deliveries')
          .selectAll()
          .where('event_id', '=', event.id)
          .execute();
        if (type === null) {
          assert.equal(rows.length, 0, `${action} publishes nothing`);
          continue;
        }
        assert.equal(rows.length, 1, `${action}: one delivery, to this organisation's endpoint only`);
        const row = rows[0]!;
        assert.equal(row.endpoint_id, endpointId);
        assert.equal(row.event_type, type);
        const parsed = JSON.parse(row.data) as Record<string, unknown>;
        for (const [key, value] of Object.entries(data)) assert.deepEqual(parsed[key], value, `${action}.${key}`);
        assert.equal(row.chain_key, type.startsWith('contract.') ? `contract:${contractId}` : `envelope:${envelopeId}`);
        for (const secret of ['山田', 'taro@example.jp', '契約書.pdf'])
          assert.ok(!row.data.includes(secret), `${action} data holds ${secret}`);
        const job = await h.context.db
          .selectFrom('jobs')
          .select('kind')
          .where('dedupe_key', '=', `webhook:${row.id}`)
          .executeTakeFirst();
        assert.equal(job?.kind, 'webhook.deliver');
      }
    });

    it('the delivery log keeps delivered and failed deliveries 90 days, pending ones until they end', async () => {
      const old = new Date(h.clock.now().getTime() - 91 * 86_400_000).toISOString();
      const ids = { delivered: newId(), failed: newId(), pending: newId() };
      for (const [status, id] of Object.entries(ids))
        await h.context.db
          .insertInto('webhook_deliveries')
          .values({
            id,
            organization_id: h.org.id,
            endpoint_id: endpointId,
            event_id: newId(),
            event_type: 'envelope.sent',
            chain_key: `event:${id}`,
            event_seq: 1,
            data: '{}',
            occurred_at: old,
            status: status as 'delivered' | 'failed' | 'pending',
            attempts: 1,
            last_attempt_at: old,
            last_status_code: 200,
            last_error: null,
            delivered_at: null,
            replay_of: null,
            created_at: old,
          })
          .execute();
      const recent = await h.context.db.selectFrom('webhook_deliveries').select('id').execute();
      assert.equal(await purgeWebhookDeliveries(h.context), 2);
      const left = new Set(
        (await h.context.db.selectFrom('webhook_deliveries').select('id').execute()).map((r) => r.id),
      );
      assert.equal(left.size, recent.length - 2);
      assert.ok(left.has(ids.pending) && !left.has(ids.delivered) && !left.has(ids.failed));
    });

    it('an event whose transaction rolls back leaves no delivery and no job', async () => {
      const before = await h.context.db.selectFrom('webhook_deliveries').select('id').execute();
      const jobs = await h.context.db.selectFrom('jobs').select('id').execute();
      await assert.rejects(
        inTransaction(h.context.db, h.context.dialect, async (tx) => {
          await recordEvent(tx, {
            organizationId: h.org.id,
            envelopeId: newId(),
            actor: { type: 'system', id: null },
            action: 'envelope.completed',
            at: new Date(),
          });
          throw new Error('the change failed after its event');
        }),
        /the change failed/,
      );
      assert.equal((await h.context.db.selectFrom('webhook_deliveries').select('id').execute()).length, before.length);
      assert.equal((await h.context.db.selectFrom('jobs').select('id').execute()).length, jobs.length);
    });
  });
}

describe('webhook deliveries have their own slots in the job worker', () => {
  let h: Harness;
  let receiver: WebhookReceiver;
  before(async () => {
    receiver = await startWebhookReceiver();
    h = await startHarness('sqlite', {
      env: { INKAN_WEBHOOK_ALLOW_PRIVATE: 'true', INKAN_WEBHOOK_CONCURRENCY: '8', INKAN_WEBHOOK_TIMEOUT: '60s' },
    });
  });
  after(async () => {
    receiver?.release();
    await h?.close();
    await receiver?.close();
  });

  it('receivers that hang do not hold up the signing-request mails', async () => {
    receiver.hold.add('/slow');
    await createWebhookEndpoint(h.context, {
      organizationId: h.org.id,
      actor: { type: 'user', id: h.org.admin.id },
      url: `${receiver.url}/slow`,
      events: ['envelope.sent'],
    });
    const pdf = await makePdf({ pages: 1 });
    const addresses: string[] = [];
    for (let i = 0; i < 6; i++) {
      const email = `signer${i}@example.jp`;
      addresses.push(email);
      const created = await h.createEnvelope(
        h.org,
        { name: `契約書 ${i}`, recipients: [{ name: `署名者 ${i}`, email, accessCode: '1234', order: 1 }] },
        [{ filename: '契約書.pdf', data: pdf }],
      );
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(
        (await h.api(h.org, 'POST', `/api/v1/envelopes/${created.json().id as string}/send`)).statusCode,
        200,
      );
    }
    const worker = runJobWorker(h.context, {
      role: 'isolation-test',
      scheduleAuditAnchor: false,
      pollMs: 20,
      log: () => {},
    });
    try {
      // Six deliveries hang (more than the four slots the other jobs have), and still every mail goes out.
      await waitFor(async () => receiver.held() === 6, { what: 'six held webhook requests' });
      await waitFor(
        async () => (await Promise.all(addresses.map((a) => h.mailsTo(a)))).every((mails) => mails.length === 1),
        { what: 'the six signing-request mails' },
      );
      assert.equal(receiver.received.length, 0, 'no webhook answered yet');
      receiver.release();
      await waitFor(
        async () =>
          (await h.context.db.selectFrom('webhook_deliveries').select('id').where('status', '=', 'delivered').execute())
            .length === 6,
        { what: 'the six deliveries' },
      );
    } finally {
      await worker.stop();
    }
  });
});
