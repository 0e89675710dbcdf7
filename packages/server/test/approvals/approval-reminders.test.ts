// 稟議 follow-ups (issue 13 part 3, session 18), on SQLite and PostgreSQL, mail over real SMTP and webhooks
// to a real receiver on loopback: approval requested / approved / rejected reach subscribed webhook
// endpoints (identifiers only, never the reason); approvers whose turn it is get 自動リマインド with the
// organisation's setting (controlled clock) and the sender's リマインド button (once an hour, sender only,
// only while waiting); the reminders are in the timeline.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CATALOGS } from '@inkan/core/messages';
import type { LightMyRequestResponse } from 'fastify';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { scheduleExpirySweep } from '../../src/domain/use-cases/expire-envelopes.ts';
import { queueApprovalAutoReminders } from '../../src/domain/use-cases/remind-approvers.ts';
import { createWebhookEndpoint } from '../../src/domain/use-cases/manage-webhook-endpoints.ts';
import { updateOrganizationSettings } from '../../src/domain/use-cases/update-organization-settings.ts';
import { startSmtpSink, type SmtpSink } from '../e2e/helpers/smtp-sink.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { addMember, asSession, nextAddress, signIn, type TestSession } from '../api/helpers/admin-session.ts';
import { multipart, startHarness, type Harness } from '../api/helpers/harness.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../webhooks/webhook-receiver.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Member {
  id: string;
  name: string;
  email: string;
  password: string;
  session: TestSession;
}

for (const dialect of DIALECTS) {
  describe(`稟議: approval webhooks and reminders (${dialect})`, () => {
    let h: Harness;
    let smtp: SmtpSink;
    let receiver: WebhookReceiver;
    let pdf: Uint8Array;
    let admin: TestSession;
    let sender: Member;
    let approvers: Member[];
    let colleague: Member;

    before(async () => {
      smtp = await startSmtpSink();
      receiver = await startWebhookReceiver();
      h = await startHarness(dialect, {
        env: { INKAN_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, INKAN_WEBHOOK_ALLOW_PRIVATE: 'true' },
      });
      pdf = await makePdf({ pages: 1, text: 'Approval reminders' });
      admin = await signIn(h, h.org.admin);
      const member = async (name: string): Promise<Member> => {
        const m = await addMember(h, h.org, 'member', name);
        return { id: m.id, name, email: m.email, password: m.password, session: await signIn(h, m) };
      };
      sender = await member('送信 花子');
      approvers = [await member('課長 一郎'), await member('部長 二郎')];
      colleague = await member('同僚 三郎');
    });
    after(async () => {
      await h?.close();
      await smtp?.close();
      await receiver?.close();
    });

    /** The clock moves on by `ms`; sessions idle that long ended, so everyone signs in again. */
    async function advance(ms: number) {
      h.clock.advance(ms);
      admin = await signIn(h, h.org.admin);
      for (const m of [sender, ...approvers, colleague]) m.session = await signIn(h, m);
    }
    const suffix = () => Math.random().toString(36).slice(2, 8);
    const as = (m: { session: TestSession }, method: string, url: string, body?: unknown) =>
      asSession(h, m.session, method, url, body);
    const code = (res: LightMyRequestResponse) => (res.json() as { error: { code: string } }).error.code;
    const reminders = (m: Member) => smtp.to(m.email).filter((x) => x.subject.startsWith('【リマインド】承認依頼'));
    const requests = (m: Member) => smtp.to(m.email).filter((x) => x.subject.startsWith('承認依頼'));

    async function createRoute(steps: Array<{ mode: 'all' | 'any'; approverIds: string[] }>) {
      const res = await asSession(h, admin, 'POST', '/api/v1/approval-routes', { name: `稟議 ${suffix()}`, steps });
      assert.equal(res.statusCode, 201, res.body);
      return res.json() as { id: string };
    }

    /** A draft of the sender's, submitted on the route. */
    async function submitted(routeId: string, expiresAt?: string): Promise<string> {
      const body = multipart([
        {
          name: 'envelope',
          contentType: 'application/json',
          value: JSON.stringify({
            name: `業務委託契約 ${suffix()}`,
            ...(expiresAt ? { expiresAt } : {}),
            recipients: [{ name: '取引先 太郎', email: `party-${suffix()}@example.com`, accessCode: '2468', order: 1 }],
          }),
        },
        { name: 'documents', filename: '契約書.pdf', data: pdf },
      ]);
      const created = await h.app.inject({
        method: 'POST',
        url: '/api/v1/envelopes',
        payload: body.payload,
        headers: { ...body.headers, cookie: sender.session.cookie, 'x-csrf-token': sender.session.csrf },
        remoteAddress: nextAddress(),
      });
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().id as string;
      const sent = await as(sender, 'POST', `/api/v1/envelopes/${id}/send`, { approvalRouteId: routeId });
      assert.equal(sent.statusCode, 200, sent.body);
      assert.equal(sent.json().status, 'pending_approval');
      return id;
    }

    const autoRemindDays = (days: number) =>
      updateOrganizationSettings(h.context, {
        organizationId: h.org.id,
        actor: { type: 'user', id: h.org.admin.id },
        changes: { autoRemindDays: days },
      });

    it('approval requested, approved and sent back reach the subscribed endpoint, with identifiers only', async () => {
      await createWebhookEndpoint(h.context, {
        organizationId: h.org.id,
        actor: { type: 'user', id: h.org.admin.id },
        url: `${receiver.url}/approvals`,
        events: ['approval.requested', 'approval.approved', 'approval.rejected', 'envelope.sent'],
      });
      const [a, b] = approvers;
      const route = await createRoute([
        { mode: 'all', approverIds: [a.id] },
        { mode: 'all', approverIds: [b.id] },
      ]);
      const approvedId = await submitted(route.id);
      assert.equal((await as(a, 'POST', `/api/v1/envelopes/${approvedId}/approvals/approve`, {})).statusCode, 200);
      const last = await as(b, 'POST', `/api/v1/envelopes/${approvedId}/approvals/approve`, { comment: 'OK です' });
      assert.equal(last.json().status, 'sent');
      const rejectedId = await submitted(route.id);
      const reason = '金額が見積書と違います';
      const rejected = await as(a, 'POST', `/api/v1/envelopes/${rejectedId}/approvals/reject`, { reason });
      assert.equal(rejected.statusCode, 200, rejected.body);
      await h.runJobs();
      await waitFor(() => receiver.received.filter((r) => r.path === '/approvals').length >= 6, {
        what: 'six deliveries',
      });

      const of = (envelopeId: string) =>
        receiver.received
          .filter((r) => r.path === '/approvals' && (r.json.data.envelope as { id: string }).id === envelopeId)
          .map((r) => r.json);
      const approved = of(approvedId);
      assert.deepEqual(
        approved.map((e) => e.type),
        ['approval.requested', 'approval.approved', 'approval.approved', 'envelope.sent'],
        'in event order on the envelope’s chain',
      );
      assert.deepEqual(approved[0].data.approval, { round: 1, routeId: route.id });
      assert.deepEqual(approved[1].data.approver, { id: a.id });
      assert.deepEqual(approved[1].data.approval, { round: 1, step: 1, final: false });
      assert.deepEqual(approved[2].data.approver, { id: b.id });
      assert.deepEqual(approved[2].data.approval, { round: 1, step: 2, final: true });
      assert.equal(
        (approved[0].data.envelope as { url: string }).url,
        `http://inkan.test/api/v1/envelopes/${approvedId}`,
      );
      const back = of(rejectedId);
      assert.deepEqual(
        back.map((e) => e.type),
        ['approval.requested', 'approval.rejected'],
      );
      assert.deepEqual(back[1].data.approver, { id: a.id });
      assert.deepEqual(back[1].data.approval, { round: 1, step: 1 });
      for (const r of receiver.received.filter((x) => x.path === '/approvals'))
        for (const secret of [reason, 'OK です', a.name, a.email, sender.name])
          assert.ok(!r.body.includes(secret), `${r.json.type} carries ${secret}`);
      assert.equal(receiver.received.filter((r) => r.path === '/approvals').length, 6, 'nothing else');
    });

    it('自動リマインド reminds the approver whose turn it is every N days, once per period (controlled clock)', async () => {
      await updateOrganizationSettings(h.context, {
        organizationId: h.org.id,
        actor: { type: 'user', id: h.org.admin.id },
        changes: { autoRemindDays: 2 },
      });
      const [a, b] = approvers;
      const route = await createRoute([
        { mode: 'all', approverIds: [a.id] },
        { mode: 'all', approverIds: [b.id] },
      ]);
      const before = { a: reminders(a).length, b: reminders(b).length };
      const id = await submitted(route.id);
      await h.runJobs();
      const sweep = async () => {
        await scheduleExpirySweep(h.context, h.clock.now());
        await h.runJobs();
      };

      await advance(1 * DAY);
      await sweep();
      assert.equal(reminders(a).length, before.a, 'one day: not yet');
      await advance(1 * DAY + HOUR);
      await sweep();
      await sweep();
      assert.equal(reminders(a).length, before.a + 1, 'two days: one reminder, however many sweeps');
      assert.equal(reminders(b).length, before.b, 'the next step’s approver is not asked yet');
      const mail = reminders(a).at(-1)!;
      assert.match(mail.text, new RegExp(`http://inkan\\.test/approvals/${id}`));
      assert.match(mail.text, /まだ済んでいません[\s\S]*is still waiting for you/, 'ja first, then en');

      // a approves: b's turn starts now, and b is reminded two days after b's request, not a's.
      assert.equal((await as(a, 'POST', `/api/v1/envelopes/${id}/approvals/approve`, {})).statusCode, 200);
      await h.runJobs();
      await advance(1 * DAY);
      await sweep();
      assert.equal(reminders(b).length, before.b, 'b was asked a day ago');
      await advance(1 * DAY + HOUR);
      await sweep();
      assert.equal(reminders(b).length, before.b + 1);
      assert.equal(reminders(a).length, before.a + 1, 'a decided: no more reminders');

      const events = (await as(sender, 'GET', `/api/v1/envelopes/${id}/events`)).json().items as Array<{
        action: string;
        details: Record<string, unknown>;
      }>;
      const reminded = events.filter((e) => e.action === 'approval.reminded');
      assert.equal(reminded.length, 2);
      assert.equal(reminded[0].details.automatic, true);
      assert.equal(events.filter((e) => e.action === 'mail.approval-reminder.sent').length, 2);

      // Withdrawn: nothing more.
      assert.equal((await as(sender, 'POST', `/api/v1/envelopes/${id}/approvals/withdraw`, {})).statusCode, 200);
      await advance(3 * DAY);
      await sweep();
      assert.equal(reminders(b).length, before.b + 1, 'a draft again: no reminder');
      await updateOrganizationSettings(h.context, {
        organizationId: h.org.id,
        actor: { type: 'user', id: h.org.admin.id },
        changes: { autoRemindDays: 0 },
      });
    });

    it('リマインド by the sender: the current approvers of an any-of step, once an hour, sender only', async () => {
      const [a, b] = approvers;
      const route = await createRoute([{ mode: 'any', approverIds: [a.id, b.id] }]);
      const id = await submitted(route.id);
      await h.runJobs();
      const before = { a: reminders(a).length, b: reminders(b).length, requests: requests(a).length };

      const tooSoon = await as(sender, 'POST', `/api/v1/envelopes/${id}/approvals/remind`, {});
      assert.equal(tooSoon.statusCode, 429, tooSoon.body);
      assert.equal(code(tooSoon), 'REMINDER_TOO_SOON');
      assert.ok(tooSoon.json().error.details.retryAt);

      await advance(HOUR);
      const other = await as(colleague, 'POST', `/api/v1/envelopes/${id}/approvals/remind`, {});
      assert.equal(other.statusCode, 403, other.body);
      assert.equal(code(other), 'FORBIDDEN');
      const foreign = await asSession(
        h,
        await signIn(h, h.other.admin),
        'POST',
        `/api/v1/envelopes/${id}/approvals/remind`,
        {},
      );
      assert.equal(foreign.statusCode, 404, foreign.body);

      const done = await as(sender, 'POST', `/api/v1/envelopes/${id}/approvals/remind`, {});
      assert.equal(done.statusCode, 200, done.body);
      assert.deepEqual([...done.json().reminded].sort(), [a.name, b.name].sort());
      assert.equal(done.json().envelope.status, 'pending_approval');
      const again = await as(sender, 'POST', `/api/v1/envelopes/${id}/approvals/remind`, {});
      assert.equal(code(again), 'REMINDER_TOO_SOON', 'a second click within the hour');
      await h.runJobs();
      assert.equal(reminders(a).length, before.a + 1);
      assert.equal(reminders(b).length, before.b + 1);
      assert.equal(requests(a).length, before.requests, 'a reminder, not a second request');
      const events = (await as(sender, 'GET', `/api/v1/envelopes/${id}/events`)).json().items as Array<{
        action: string;
        actor: { type: string };
        details: Record<string, unknown>;
      }>;
      const reminded = events.filter((e) => e.action === 'approval.reminded');
      assert.equal(reminded.length, 2);
      assert.ok(reminded.every((e) => e.details.automatic === false));

      // Decided: the envelope no longer waits.
      assert.equal((await as(b, 'POST', `/api/v1/envelopes/${id}/approvals/approve`, {})).statusCode, 200);
      await advance(HOUR);
      const late = await as(sender, 'POST', `/api/v1/envelopes/${id}/approvals/remind`, {});
      assert.equal(late.statusCode, 409, late.body);
      assert.equal(code(late), 'APPROVAL_NOT_PENDING');
      await h.runJobs();
      assert.equal(reminders(a).length, before.a + 1, 'a skipped slot gets nothing');
    });

    it('自動リマインド: slots not yet due never crowd a due one out of a run’s bounded batch', async () => {
      await autoRemindDays(1);
      const [a] = approvers;
      const route = await createRoute([{ mode: 'all', approverIds: [a.id] }]);
      const ids = [await submitted(route.id), await submitted(route.id)];
      await h.runJobs();
      await advance(1 * DAY + HOUR);
      const slots = await h.context.db
        .selectFrom('envelope_approvals')
        .select(['id', 'envelope_id'])
        .where('envelope_id', 'in', ids)
        .where('status', '=', 'open')
        .orderBy('id')
        .execute();
      assert.equal(slots.length, 2);
      try {
        // The first slot in the batch's order was asked just now (a reminder by the button): not due.
        await h.context.db
          .updateTable('envelope_approvals')
          .set({ asked_at: h.clock.now().toISOString() })
          .where('id', '=', slots[0].id)
          .execute();
        assert.equal(await queueApprovalAutoReminders(h.context, { maxPerRun: 1 }), 1, 'the due slot is reminded');
        const reminded = await h.context.db
          .selectFrom('envelope_approvals')
          .select(['id', 'reminder_count'])
          .where('id', 'in', [slots[0].id, slots[1].id])
          .orderBy('id')
          .execute();
        assert.deepEqual(
          reminded.map((r) => Number(r.reminder_count)),
          [0, 1],
        );
      } finally {
        await autoRemindDays(0);
        for (const id of ids)
          assert.equal((await as(sender, 'POST', `/api/v1/envelopes/${id}/approvals/withdraw`, {})).statusCode, 200);
      }
    });

    it('自動リマインド: open slots not yet current (asked_at from migration 030) never crowd the current one out', async () => {
      await autoRemindDays(1);
      const [a, b] = approvers;
      const route = await createRoute([{ mode: 'all', approverIds: [a.id] }]);
      const id = await submitted(route.id);
      await h.runJobs();
      const [current] = await h.context.db
        .selectFrom('envelope_approvals')
        .selectAll()
        .where('envelope_id', '=', id)
        .execute();
      // Rows as migration 030 left them for rounds submitted before it: every open slot counted as asked
      // when it was created, later ones too — here one later in the same `all` step and one of a later step,
      // with ids that come first in the run's order.
      const later = [
        { step_index: 0, step_mode: 'all' as const, position: 1, user_id: b.id },
        { step_index: 1, step_mode: 'any' as const, position: 0, user_id: colleague.id },
      ].map((slot, i) => ({ ...current, ...slot, id: `00000000-0000-4000-8000-00000000000${i}` }));
      await h.context.db.insertInto('envelope_approvals').values(later).execute();
      try {
        await advance(1 * DAY + HOUR);
        assert.equal(await queueApprovalAutoReminders(h.context, { maxPerRun: 1 }), 1, 'the current slot is reminded');
        const counts = await h.context.db
          .selectFrom('envelope_approvals')
          .select(['id', 'reminder_count'])
          .where('envelope_id', '=', id)
          .orderBy('id')
          .execute();
        assert.deepEqual(
          counts.map((r) => [r.id, Number(r.reminder_count)]),
          [...later.map((r) => [r.id, 0]), [current.id, 1]],
        );
      } finally {
        await autoRemindDays(0);
        assert.equal((await as(sender, 'POST', `/api/v1/envelopes/${id}/approvals/withdraw`, {})).statusCode, 200);
      }
    });

    it('リマインド with no approval slot open: APPROVAL_NOBODY_TO_REMIND in ja and en, no retry time', async () => {
      const [a] = approvers;
      const route = await createRoute([{ mode: 'all', approverIds: [a.id] }]);
      const id = await submitted(route.id);
      await h.runJobs();
      await advance(HOUR);
      const before = reminders(a).length;
      // A round left without an open slot while the envelope still waits (set by hand: it is the state the
      // answer has to be true for, whatever left it so).
      await h.context.db
        .updateTable('envelope_approvals')
        .set({ status: 'skipped' })
        .where('envelope_id', '=', id)
        .where('status', '=', 'open')
        .execute();
      for (const language of ['ja', 'en'] as const) {
        const res = await asSession(
          h,
          sender.session,
          'POST',
          `/api/v1/envelopes/${id}/approvals/remind`,
          {},
          {
            headers: { 'accept-language': language },
          },
        );
        assert.equal(res.statusCode, 409, res.body);
        const { error } = res.json() as { error: { code: string; message: string; details?: unknown } };
        assert.equal(error.code, 'APPROVAL_NOBODY_TO_REMIND');
        assert.equal(error.message, CATALOGS[language]['error.APPROVAL_NOBODY_TO_REMIND']);
        assert.equal(error.details, undefined, 'no retryAt: waiting would not help');
        assert.equal(res.headers['retry-after'], undefined);
      }
      await h.runJobs();
      assert.equal(reminders(a).length, before, 'nobody mailed');
      // What the message tells the sender to do works.
      assert.equal((await as(sender, 'POST', `/api/v1/envelopes/${id}/approvals/withdraw`, {})).statusCode, 200);
    });

    it('自動リマインド stops at the envelope’s expiry date, as for signers', async () => {
      await updateOrganizationSettings(h.context, {
        organizationId: h.org.id,
        actor: { type: 'user', id: h.org.admin.id },
        changes: { autoRemindDays: 1 },
      });
      const [a] = approvers;
      const route = await createRoute([{ mode: 'all', approverIds: [a.id] }]);
      const before = reminders(a).length;
      await submitted(route.id, new Date(h.clock.now().getTime() + 36 * HOUR).toISOString());
      await h.runJobs();
      const sweep = async () => {
        await scheduleExpirySweep(h.context, h.clock.now());
        await h.runJobs();
      };
      await advance(1 * DAY + HOUR);
      await sweep();
      assert.equal(reminders(a).length, before + 1, 'a day: reminded');
      await advance(1 * DAY + HOUR);
      await sweep();
      assert.equal(reminders(a).length, before + 1, 'past the expiry date: no more');
      await updateOrganizationSettings(h.context, {
        organizationId: h.org.id,
        actor: { type: 'user', id: h.org.admin.id },
        changes: { autoRemindDays: 0 },
      });
    });
  });
}
