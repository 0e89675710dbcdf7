// 稟議 (issue 13 part 3) through the HTTP API, on SQLite and PostgreSQL, mail over real SMTP: an approval
// route blocks the send until approved (the counterparty's mailbox stays empty until the last approval);
// 全員承認 in order; いずれか1名; 差し戻し with a reason back to the sender; withdrawal; reassignment of a
// deactivated approver; wrong members refused; two approvals racing give one transition; the approvals
// in the timeline, the operation log and the certificate of completion.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { pdfText } from '../../../core/test/helpers/validators.ts';
import { startSmtpSink, type SmtpSink } from '../e2e/helpers/smtp-sink.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { addMember, asSession, nextAddress, signIn, type TestSession } from './helpers/admin-session.ts';
import { multipart, snapshot, startHarness, type Harness } from './helpers/harness.ts';
import { passSignerCode, signerRequest } from './helpers/signer-session.ts';

interface Member {
  id: string;
  email: string;
  session: TestSession;
}

for (const dialect of DIALECTS) {
  describe(`稟議: approval routes (${dialect})`, () => {
    let h: Harness;
    let smtp: SmtpSink;
    let pdf: Uint8Array;
    let admin: TestSession;
    let sender: Member;
    let approvers: Member[];
    let outsider: Member;

    before(async () => {
      smtp = await startSmtpSink();
      h = await startHarness(dialect, { env: { INKAN_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
      pdf = await makePdf({ pages: 1, text: 'Approval contract' });
      admin = await signIn(h, h.org.admin);
      const member = async (name: string): Promise<Member> => {
        const m = await addMember(h, h.org, 'member', name);
        return { id: m.id, email: m.email, session: await signIn(h, m) };
      };
      sender = await member('送信 花子');
      approvers = [
        await member('課長 一郎'),
        await member('部長 二郎'),
        await member('経理 三郎'),
        await member('法務 四郎'),
      ];
      outsider = await member('無関係 五郎');
    });
    after(async () => {
      await h?.close();
      await smtp?.close();
    });

    const suffix = () => Math.random().toString(36).slice(2, 8);
    const as = (m: { session: TestSession }, method: string, url: string, body?: unknown) =>
      asSession(h, m.session, method, url, body);
    const approvalMails = (m: Member) => smtp.to(m.email).filter((x) => x.subject.startsWith('承認依頼'));
    const code = (res: LightMyRequestResponse) => (res.json() as { error: { code: string } }).error.code;

    async function createRoute(name: string, steps: Array<{ mode: 'all' | 'any'; approverIds: string[] }>) {
      const res = await asSession(h, admin, 'POST', '/api/v1/approval-routes', { name, steps });
      assert.equal(res.statusCode, 201, res.body);
      return res.json() as { id: string };
    }

    /** A draft created by the sender (a signed-in member) for one counterparty. */
    async function createDraft(counterparty: string, accessCode = '2468'): Promise<{ id: string }> {
      const body = multipart([
        {
          name: 'envelope',
          contentType: 'application/json',
          value: JSON.stringify({
            name: `業務委託契約 ${suffix()}`,
            recipients: [{ name: '取引先 太郎', email: counterparty, accessCode, order: 1 }],
          }),
        },
        { name: 'documents', filename: '契約書.pdf', data: pdf },
      ]);
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/envelopes',
        payload: body.payload,
        headers: { ...body.headers, cookie: sender.session.cookie, 'x-csrf-token': sender.session.csrf },
        remoteAddress: nextAddress(),
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json();
    }

    const status = async (id: string) => (await as(sender, 'GET', `/api/v1/envelopes/${id}`)).json().status as string;

    it('in order, then any-of: nothing reaches the counterparty until the last approval; the certificate lists the approvals', async () => {
      const [a, b, c, d] = approvers;
      const route = await createRoute(`契約稟議 ${suffix()}`, [
        { mode: 'all', approverIds: [a.id, b.id] },
        { mode: 'any', approverIds: [c.id, d.id] },
      ]);
      const counterparty = `party-${suffix()}@example.com`;
      const envelope = await createDraft(counterparty);
      const sent = await as(sender, 'POST', `/api/v1/envelopes/${envelope.id}/send`, { approvalRouteId: route.id });
      assert.equal(sent.statusCode, 200, sent.body);
      assert.equal(sent.json().status, 'pending_approval');
      await h.runJobs();
      assert.equal(approvalMails(a).length, 1, 'the first approver of the 全員承認 step is asked');
      assert.match(approvalMails(a)[0].text, new RegExp(`http://inkan\\.test/approvals/${envelope.id}`));
      assert.ok(approvalMails(a)[0].text.indexOf('承認') < approvalMails(a)[0].text.indexOf('approve'), 'ja first');
      assert.equal(approvalMails(b).length, 0, 'the second waits for the first');
      assert.equal(smtp.to(counterparty).length, 0, 'nothing to the counterparty while waiting');

      // Frozen while waiting: no edit, no second send; the second approver is not yet asked.
      const early = await as(b, 'POST', `/api/v1/envelopes/${envelope.id}/approvals/approve`, {});
      assert.equal(early.statusCode, 403, early.body);
      assert.equal(code(early), 'APPROVAL_NOT_YOUR_TURN');
      const resend = await as(sender, 'POST', `/api/v1/envelopes/${envelope.id}/send`, {});
      assert.equal(code(resend), 'ENVELOPE_NOT_DRAFT');
      // リマインド to the counterparty: nobody has been asked yet, and the message names 承認待ち as the reason.
      const detail = (await as(sender, 'GET', `/api/v1/envelopes/${envelope.id}`)).json();
      const remind = await as(
        sender,
        'POST',
        `/api/v1/envelopes/${envelope.id}/recipients/${detail.recipients[0].id}/remind`,
        {},
      );
      assert.equal(remind.statusCode, 409, remind.body);
      assert.equal(code(remind), 'ENVELOPE_NOT_ACTIVE');
      assert.match(remind.json().error.message, /承認待ち/);

      const first = await as(a, 'POST', `/api/v1/envelopes/${envelope.id}/approvals/approve`, {
        comment: '金額を確認しました',
      });
      assert.equal(first.statusCode, 200, first.body);
      assert.equal(first.json().status, 'pending_approval');
      const again = await as(a, 'POST', `/api/v1/envelopes/${envelope.id}/approvals/approve`, {});
      assert.equal(code(again), 'APPROVAL_ALREADY_DECIDED');
      await h.runJobs();
      assert.equal(approvalMails(b).length, 1);
      assert.equal(approvalMails(c).length + approvalMails(d).length, 0, 'the any-of step waits for step 1');
      assert.equal((await as(b, 'POST', `/api/v1/envelopes/${envelope.id}/approvals/approve`, {})).statusCode, 200);
      await h.runJobs();
      assert.equal(approvalMails(c).length, 1, 'every approver of an any-of step is asked at once');
      assert.equal(approvalMails(d).length, 1);
      assert.equal(smtp.to(counterparty).length, 0);
      assert.equal(await status(envelope.id), 'pending_approval');

      // The inbox (承認待ち一覧) of each.
      const inbox = await as(d, 'GET', '/api/v1/approvals');
      assert.deepEqual(
        (inbox.json().items as Array<{ envelopeId: string }>).map((i) => i.envelopeId),
        [envelope.id],
      );
      assert.equal((await as(a, 'GET', '/api/v1/approvals')).json().items.length, 0);

      const last = await as(d, 'POST', `/api/v1/envelopes/${envelope.id}/approvals/approve`, { comment: '法務OK' });
      assert.equal(last.statusCode, 200, last.body);
      assert.equal(last.json().status, 'sent');
      const late = await as(c, 'POST', `/api/v1/envelopes/${envelope.id}/approvals/approve`, {});
      assert.equal(code(late), 'APPROVAL_NOT_PENDING');
      await h.runJobs();
      const requests = smtp.to(counterparty);
      assert.equal(requests.length, 1, 'sent exactly as today once approved');
      assert.match(requests[0].subject, /署名/);

      const view = (await as(sender, 'GET', `/api/v1/envelopes/${envelope.id}/approvals`)).json();
      assert.deepEqual(
        view.rounds[0].approvals.map((x: { name: string; status: string }) => [x.name, x.status]),
        [
          ['課長 一郎', 'approved'],
          ['部長 二郎', 'approved'],
          ['経理 三郎', 'skipped'],
          ['法務 四郎', 'approved'],
        ],
      );

      // Timeline and operation log.
      const events = (await as(sender, 'GET', `/api/v1/envelopes/${envelope.id}/events`)).json();
      const actions = (events.items as Array<{ action: string }>).map((e) => e.action);
      assert.deepEqual(
        actions.filter((x) => x.startsWith('approval.') || x === 'envelope.sent'),
        ['approval.submitted', 'approval.approved', 'approval.approved', 'approval.approved', 'envelope.sent'],
      );

      // Sign as the counterparty; the certificate of completion carries the approvals.
      const token = /http:\/\/inkan\.test\/s\/([A-Za-z0-9_-]+)/.exec(requests[0].text)?.[1];
      assert.ok(token);
      const session = await passSignerCode(h, token, '2468');
      assert.equal((await signerRequest(h, token, '/sign', 'POST', session)).statusCode, 202);
      await h.runJobs();
      assert.equal(await status(envelope.id), 'completed');
      const certificate = await as(sender, 'GET', `/api/v1/envelopes/${envelope.id}/certificate`);
      assert.equal(certificate.statusCode, 200, certificate.body);
      // Whitespace dropped: pdftotext breaks long lines where the certificate wraps them.
      const text = (await pdfText(new Uint8Array(certificate.rawPayload))).replace(/\s+/g, '');
      assert.match(text, /社内承認（稟議）/);
      assert.match(text, /課長一郎.*金額を確認しました.*部長二郎.*経理三郎.*不要.*法務四郎.*法務OK/);
      assert.match(text, /承認を依頼（稟議）/, 'the operation log on the certificate has the approval events');
    });

    it('差し戻し needs a reason, returns the draft to the sender with it, and a new round can be approved', async () => {
      const [a, b] = approvers;
      const route = await createRoute(`いずれか ${suffix()}`, [{ mode: 'any', approverIds: [a.id, b.id] }]);
      const counterparty = `reject-${suffix()}@example.com`;
      const envelope = await createDraft(counterparty);
      await as(sender, 'POST', `/api/v1/envelopes/${envelope.id}/send`, { approvalRouteId: route.id });
      await h.runJobs();

      const before = await snapshot(h);
      const noReason = await as(a, 'POST', `/api/v1/envelopes/${envelope.id}/approvals/reject`, { reason: '  ' });
      assert.equal(noReason.statusCode, 400, noReason.body);
      assert.equal(noReason.json().error.details.field, 'reason');
      assert.match(noReason.json().error.message, /[ぁ-んァ-ン一-龥]/, 'a Japanese message');
      assert.deepEqual(await snapshot(h), before, 'nothing written');

      const rejected = await as(a, 'POST', `/api/v1/envelopes/${envelope.id}/approvals/reject`, {
        reason: '契約期間が社内規程を超えています',
      });
      assert.equal(rejected.statusCode, 200, rejected.body);
      assert.equal(rejected.json().status, 'draft');
      assert.equal(
        code(await as(b, 'POST', `/api/v1/envelopes/${envelope.id}/approvals/approve`, {})),
        'APPROVAL_NOT_PENDING',
      );
      await h.runJobs();
      const notice = smtp.to(sender.email).filter((m) => m.subject.startsWith('差し戻し'));
      assert.equal(notice.length, 1);
      assert.match(notice[0].text, /契約期間が社内規程を超えています/);
      assert.equal(smtp.to(counterparty).length, 0);
      const events = (await as(sender, 'GET', `/api/v1/envelopes/${envelope.id}/events`)).json();
      const rejection = (events.items as Array<{ action: string; label: string }>).find(
        (e) => e.action === 'approval.rejected',
      );
      assert.ok(rejection, 'the rejection is in the timeline');

      // Edited and sent again: a new round; b approves it, the counterparty gets the request.
      const resent = await as(sender, 'POST', `/api/v1/envelopes/${envelope.id}/send`, { approvalRouteId: route.id });
      assert.equal(resent.json().status, 'pending_approval');
      await h.runJobs();
      assert.equal((await as(b, 'POST', `/api/v1/envelopes/${envelope.id}/approvals/approve`, {})).statusCode, 200);
      await h.runJobs();
      assert.equal(smtp.to(counterparty).length, 1);
      const view = (await as(sender, 'GET', `/api/v1/envelopes/${envelope.id}/approvals`)).json();
      assert.deepEqual(
        view.rounds.map((r: { round: number }) => r.round),
        [2, 1],
      );
      assert.equal(view.rounds[1].approvals[0].comment, '契約期間が社内規程を超えています');
    });

    it('wrong members: another organisation 404, a member off the route 403, an API key 403; withdrawal by the sender only', async () => {
      const [a] = approvers;
      const route = await createRoute(`単独 ${suffix()}`, [{ mode: 'all', approverIds: [a.id] }]);
      const envelope = await createDraft(`wrong-${suffix()}@example.com`);
      await as(sender, 'POST', `/api/v1/envelopes/${envelope.id}/send`, { approvalRouteId: route.id });
      const url = `/api/v1/envelopes/${envelope.id}/approvals`;

      assert.equal((await h.api(h.other, 'GET', url)).statusCode, 404);
      const otherAdmin = await signIn(h, h.other.admin);
      const foreign = await asSession(h, otherAdmin, 'POST', `${url}/approve`, {});
      assert.equal(foreign.statusCode, 404, foreign.body);
      const offRoute = await as(outsider, 'POST', `${url}/approve`, {});
      assert.equal(offRoute.statusCode, 403, offRoute.body);
      const key = await h.api(h.org, 'POST', `${url}/approve`, {});
      assert.equal(key.statusCode, 403, key.body);
      const notSender = await as(outsider, 'POST', `${url}/withdraw`);
      assert.equal(notSender.statusCode, 403, notSender.body);

      const withdrawn = await as(sender, 'POST', `${url}/withdraw`);
      assert.equal(withdrawn.statusCode, 200, withdrawn.body);
      assert.equal(withdrawn.json().status, 'draft');
      assert.equal(code(await as(a, 'POST', `${url}/approve`, {})), 'APPROVAL_NOT_PENDING');
      await h.runJobs();
    });

    it('two approvals racing (any-of, and one approver twice) give one transition and one request mail', async () => {
      const [a, b] = approvers;
      const route = await createRoute(`競合 ${suffix()}`, [{ mode: 'any', approverIds: [a.id, b.id] }]);
      for (const pair of [
        [a, b],
        [a, a],
      ]) {
        const counterparty = `race-${suffix()}@example.com`;
        const envelope = await createDraft(counterparty);
        await as(sender, 'POST', `/api/v1/envelopes/${envelope.id}/send`, { approvalRouteId: route.id });
        const results = await Promise.all(
          pair.map((m) => as(m, 'POST', `/api/v1/envelopes/${envelope.id}/approvals/approve`, {})),
        );
        const codes = results.map((r) => r.statusCode).sort();
        assert.deepEqual(codes, [200, 409], results.map((r) => r.body).join('\n'));
        await h.runJobs();
        const events = await h.context.db
          .selectFrom('events')
          .select('action')
          .where('envelope_id', '=', envelope.id)
          .where('action', 'in', ['approval.approved', 'envelope.sent'])
          .execute();
        assert.deepEqual(events.map((e) => e.action).sort(), ['approval.approved', 'envelope.sent']);
        assert.equal(smtp.to(counterparty).length, 1);
      }
    });

    it('a required route applies to every send; a deactivated approver is reassigned by an administrator', async () => {
      const [a, b] = approvers;
      const route = await createRoute(`必須 ${suffix()}`, [{ mode: 'all', approverIds: [a.id] }]);
      const required = await asSession(h, admin, 'PUT', '/api/v1/approval-routes/required', { routeId: route.id });
      assert.equal(required.statusCode, 200, required.body);
      try {
        const counterparty = `required-${suffix()}@example.com`;
        const envelope = await createDraft(counterparty);
        const sent = await as(sender, 'POST', `/api/v1/envelopes/${envelope.id}/send`, {});
        assert.equal(sent.json().status, 'pending_approval', 'no route chosen, the required one applies');
        await h.runJobs();
        await h.context.db
          .updateTable('memberships')
          .set({ deactivated_at: new Date().toISOString() })
          .where('user_id', '=', a.id)
          .execute();
        const view = (await as(sender, 'GET', `/api/v1/envelopes/${envelope.id}/approvals`)).json();
        const slot = view.rounds[0].approvals[0];
        assert.equal(slot.active, false);
        const byMember = await as(sender, 'POST', `/api/v1/envelopes/${envelope.id}/approvals/${slot.id}/reassign`, {
          userId: b.id,
        });
        assert.equal(byMember.statusCode, 403, 'administrators only');
        const reassigned = await asSession(
          h,
          admin,
          'POST',
          `/api/v1/envelopes/${envelope.id}/approvals/${slot.id}/reassign`,
          { userId: b.id },
        );
        assert.equal(reassigned.statusCode, 204, reassigned.body);
        await h.runJobs();
        assert.equal(approvalMails(b).filter((m) => m.text.includes(envelope.id)).length, 1);
        assert.equal((await as(b, 'POST', `/api/v1/envelopes/${envelope.id}/approvals/approve`, {})).statusCode, 200);
        await h.runJobs();
        assert.equal(smtp.to(counterparty).length, 1);
      } finally {
        await h.context.db
          .updateTable('memberships')
          .set({ deactivated_at: null })
          .where('user_id', '=', a.id)
          .execute();
        await asSession(h, admin, 'PUT', '/api/v1/approval-routes/required', { routeId: null });
      }
    });

    it('routes: bad input refused with a field and nothing written; members read, only administrators write', async () => {
      const before = await snapshot(h);
      const cases: Array<[unknown, string]> = [
        [{ name: '', steps: [{ mode: 'all', approverIds: [approvers[0].id] }] }, 'name'],
        [{ name: 'x', steps: [] }, 'steps'],
        [{ name: 'x', steps: [{ mode: 'some', approverIds: [approvers[0].id] }] }, 'steps[0].mode'],
        [{ name: 'x', steps: [{ mode: 'all', approverIds: [h.other.admin.id] }] }, 'steps[0].approverIds[0]'],
        [
          { name: 'x', steps: [{ mode: 'any', approverIds: [approvers[0].id, approvers[0].id] }] },
          'steps[0].approverIds[1]',
        ],
      ];
      for (const [body, field] of cases) {
        const res = await asSession(h, admin, 'POST', '/api/v1/approval-routes', body);
        assert.equal(res.statusCode, 400, res.body);
        assert.equal(res.json().error.code, 'VALIDATION_FAILED');
        assert.equal(res.json().error.details.field, field);
      }
      const byMember = await as(sender, 'POST', '/api/v1/approval-routes', {
        name: 'x',
        steps: [{ mode: 'all', approverIds: [approvers[0].id] }],
      });
      assert.equal(byMember.statusCode, 403);
      assert.deepEqual(await snapshot(h), before);
      const list = await as(sender, 'GET', '/api/v1/approval-routes');
      assert.equal(list.statusCode, 200);
      assert.ok((list.json().items as unknown[]).length > 0);
      assert.equal((await h.api(h.other, 'GET', '/api/v1/approval-routes')).json().items.length, 0);
    });
  });
}
