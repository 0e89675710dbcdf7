// What happens around signing, on SQLite and PostgreSQL: lockout after the maximum (counted in the
// database, also under parallel attempts) and the sender's mail; unlock and new codes; resend; decline;
// cancel; expiry; download-link expiry; jobs that run twice do nothing twice.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listSignatures, PdfDocument } from '@inkan/core';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { applyRecipientSignature } from '../../src/domain/use-cases/apply-recipient-signature.ts';
import { sealEnvelope } from '../../src/domain/use-cases/seal-envelope.ts';
import { sendCompletionMail } from '../../src/domain/use-cases/send-completion-mail.ts';
import { sendSigningRequestMail } from '../../src/domain/use-cases/send-signing-request-mail.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { linkIn, snapshot, startHarness, type Harness } from './helpers/harness.ts';

for (const dialect of DIALECTS) {
  describe(`signer lifecycle (${dialect})`, () => {
    let h: Harness;
    let pdf: Uint8Array;
    let counter = 0;

    before(async () => {
      h = await startHarness(dialect);
      pdf = await makePdf({ pages: 1 });
    });
    after(async () => h?.close());

    /** Creates and sends an envelope to fresh addresses; returns its id, the recipients' addresses and the first link. */
    async function sentEnvelope(
      options: { recipients?: number; expiresAt?: string } = {},
    ): Promise<{ id: string; emails: string[]; token: string; recipientIds: string[] }> {
      counter++;
      const emails = Array.from({ length: options.recipients ?? 1 }, (_, i) => `r${i + 1}-${counter}@example.jp`);
      const created = await h.createEnvelope(
        h.org,
        {
          name: `Envelope ${counter}`,
          expiresAt: options.expiresAt,
          recipients: emails.map((email, i) => ({
            name: `Recipient ${i + 1}`,
            email,
            accessCode: `${i + 1}${i + 1}${i + 1}${i + 1}`,
            order: i + 1,
          })),
        },
        [{ filename: 'a.pdf', data: pdf }],
      );
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().id as string;
      assert.equal((await h.api(h.org, 'POST', `/api/v1/envelopes/${id}/send`)).statusCode, 200);
      await h.runJobs();
      const token = linkIn((await h.mailsTo(emails[0]))[0].text_body, 's');
      return { id, emails, token, recipientIds: created.json().recipients.map((r: { id: string }) => r.id) };
    }

    // Each attempt from another address: the per-IP rate limit stays out of the way, and the lockout
    // (counted in the database) must hold across addresses anyway.
    let ip = 0;
    const code = (token: string, value: string) =>
      h.app.inject({
        method: 'POST',
        url: `/api/sign/${token}/access-code`,
        payload: { code: value },
        remoteAddress: `10.1.${Math.floor(++ip / 250)}.${ip % 250}`,
      });
    async function session(token: string, value: string): Promise<{ cookie: string; 'x-csrf-token': string }> {
      const res = await code(token, value);
      assert.equal(res.statusCode, 200, res.body);
      return {
        cookie: `inkan_signer=${res.cookies.find((c) => c.name === 'inkan_signer')!.value}`,
        'x-csrf-token': res.json().csrfToken,
      };
    }

    it('locks the recipient after INKAN_ACCESS_CODE_MAX_ATTEMPTS wrong codes, tells the sender, and the right code no longer works', async () => {
      const { id, token } = await sentEnvelope();
      for (let i = 1; i <= 4; i++) {
        const res = await code(token, '9999');
        assert.equal(res.statusCode, 401);
        assert.equal(res.json().error.details.remainingAttempts, 5 - i);
      }
      const fifth = await code(token, '9999');
      assert.equal(fifth.statusCode, 423);
      assert.equal(fifth.json().error.code, 'ACCESS_CODE_LOCKED');
      const right = await code(token, '1111');
      assert.equal(right.statusCode, 423, 'locked: even the right code is refused');
      assert.equal((await h.app.inject({ method: 'GET', url: `/api/sign/${token}` })).json().state, 'locked');
      const envelope = (await h.api(h.org, 'GET', `/api/v1/envelopes/${id}`)).json();
      assert.equal(envelope.recipients[0].status, 'locked');
      assert.equal(envelope.recipients[0].failedAttempts, 5);

      await h.runJobs();
      const senderMails = (await h.mailsTo(h.org.admin.email)).filter((m) => m.subject.includes('ロック'));
      assert.equal(senderMails.length, 1, 'one lockout mail to the sender');
      assert.match(senderMails[0].text_body, /Recipient 1/);
      assert.match(senderMails[0].text_body, new RegExp(`http://inkan\\.test/envelopes/${id}`));

      // Unlock with a new code: the old code fails, the new one passes.
      const unlocked = await h.api(
        h.org,
        'POST',
        `/api/v1/envelopes/${id}/recipients/${envelope.recipients[0].id}/unlock`,
        { accessCode: '24680' },
      );
      assert.equal(unlocked.statusCode, 200, unlocked.body);
      assert.equal(unlocked.json().recipients[0].status, 'notified');
      assert.equal(unlocked.json().recipients[0].failedAttempts, 0);
      assert.equal((await code(token, '1111')).statusCode, 401);
      assert.equal((await code(token, '24680')).statusCode, 200);
      const badCode = await h.api(
        h.org,
        'POST',
        `/api/v1/envelopes/${id}/recipients/${envelope.recipients[0].id}/unlock`,
        { accessCode: '12' },
      );
      assert.equal(badCode.statusCode, 400);
      assert.equal(badCode.json().error.code, 'INVALID_ACCESS_CODE_FORMAT');
    });

    it('counts parallel wrong attempts atomically: exactly the maximum is ever compared', async () => {
      const { id, token } = await sentEnvelope();
      const results = await Promise.all(Array.from({ length: 12 }, () => code(token, '9999')));
      const statuses = results.map((r) => r.statusCode).sort();
      assert.equal(statuses.filter((s) => s === 401).length, 4, statuses.join(','));
      assert.equal(statuses.filter((s) => s === 423).length, 8, statuses.join(','));
      const failed = await h.context.db
        .selectFrom('events')
        .select('id')
        .where('envelope_id', '=', id)
        .where('action', '=', 'recipient.code-failed')
        .execute();
      assert.equal(failed.length, 5);
      const locked = await h.context.db
        .selectFrom('events')
        .select('id')
        .where('envelope_id', '=', id)
        .where('action', '=', 'recipient.locked')
        .execute();
      assert.equal(locked.length, 1);
      assert.equal(
        (
          await h.context.db
            .selectFrom('jobs')
            .select('id')
            .where('kind', '=', 'mail.recipient-locked')
            .where(
              'payload',
              'like',
              `%${(await h.api(h.org, 'GET', `/api/v1/envelopes/${id}`)).json().recipients[0].id}%`,
            )
            .execute()
        ).length,
        1,
      );
    });

    it('rate-limits access-code attempts per IP address (429), on top of the lockout', async () => {
      const { token } = await sentEnvelope();
      const fromOneAddress = () =>
        h.app.inject({
          method: 'POST',
          url: `/api/sign/${token}/access-code`,
          payload: { code: '12' },
          remoteAddress: '192.0.2.77',
        });
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) statuses.push((await fromOneAddress()).statusCode);
      assert.deepEqual(statuses, [...Array(10).fill(400), 429]);
      const limited = await fromOneAddress();
      assert.equal(limited.json().error.code, 'RATE_LIMITED');
    });

    it('a code that is not 4–8 digits is refused without counting an attempt', async () => {
      const { id, token } = await sentEnvelope();
      for (const value of ['12', 'abcd', '123456789']) {
        const res = await code(token, value);
        assert.equal(res.statusCode, 400);
        assert.equal(res.json().error.code, 'INVALID_ACCESS_CODE_FORMAT');
      }
      assert.equal((await h.api(h.org, 'GET', `/api/v1/envelopes/${id}`)).json().recipients[0].failedAttempts, 0);
    });

    it('resend mails a new link (the old one stops working) and refuses recipients whose turn it is not', async () => {
      const { id, emails, token, recipientIds } = await sentEnvelope({ recipients: 2 });
      const early = await h.api(h.org, 'POST', `/api/v1/envelopes/${id}/recipients/${recipientIds[1]}/resend`);
      assert.equal(early.statusCode, 409);
      assert.equal(early.json().error.code, 'NOT_YOUR_TURN');
      const resent = await h.api(h.org, 'POST', `/api/v1/envelopes/${id}/recipients/${recipientIds[0]}/resend`);
      assert.equal(resent.statusCode, 200, resent.body);
      await h.runJobs();
      const mails = await h.mailsTo(emails[0]);
      assert.equal(mails.length, 2);
      assert.equal(mails[1].subject, mails[0].subject, 'the subject stays exact');
      assert.match(mails[1].text_body, /（再送）/);
      const newToken = linkIn(mails[1].text_body, 's');
      assert.notEqual(newToken, token);
      assert.equal((await h.app.inject({ method: 'GET', url: `/api/sign/${token}` })).statusCode, 404);
      assert.equal((await h.app.inject({ method: 'GET', url: `/api/sign/${newToken}` })).json().state, 'code_required');
      // Running the mail job again sends nothing more.
      await sendSigningRequestMail(h.context, { recipientId: recipientIds[0] });
      assert.equal((await h.mailsTo(emails[0])).length, 2);
    });

    it('decline: the envelope is declined, the sender is told the reason, nobody else is invited', async () => {
      const { id, emails, token } = await sentEnvelope({ recipients: 2 });
      const s = await session(token, '1111');
      const empty = await h.app.inject({
        method: 'POST',
        url: `/api/sign/${token}/decline`,
        headers: s,
        payload: { reason: '' },
      });
      assert.equal(empty.statusCode, 400);
      const declined = await h.app.inject({
        method: 'POST',
        url: `/api/sign/${token}/decline`,
        headers: s,
        payload: { reason: '金額に誤りがあります <b>' },
      });
      assert.equal(declined.statusCode, 200, declined.body);
      assert.equal(declined.json().recipient.status, 'declined');
      const twice = await h.app.inject({
        method: 'POST',
        url: `/api/sign/${token}/decline`,
        headers: s,
        payload: { reason: 'again' },
      });
      assert.equal(twice.statusCode, 200, 'declining twice returns the same');
      const envelope = (await h.api(h.org, 'GET', `/api/v1/envelopes/${id}`)).json();
      assert.equal(envelope.status, 'declined');
      assert.equal(envelope.recipients[0].declineReason, '金額に誤りがあります <b>');
      await h.runJobs();
      const notice = (await h.mailsTo(h.org.admin.email)).find(
        (m) => m.subject.includes(`Envelope ${envelope.name.split(' ')[1]}`) && m.subject.includes('拒否'),
      );
      assert.ok(notice, 'decline mail to the sender');
      assert.match(notice.text_body, /金額に誤りがあります/);
      assert.match(notice.html_body, /金額に誤りがあります &lt;b&gt;/, 'HTML-escaped');
      assert.equal((await h.mailsTo(emails[1])).length, 0);
      assert.equal((await h.app.inject({ method: 'GET', url: `/api/sign/${token}` })).json().state, 'declined');
      const sign = await h.app.inject({ method: 'POST', url: `/api/sign/${token}/sign`, headers: s });
      assert.equal(sign.statusCode, 409);
    });

    it('cancel: links say canceled, signing is refused, canceling twice is 409', async () => {
      const { id, token } = await sentEnvelope();
      const s = await session(token, '1111');
      const canceled = await h.api(h.org, 'POST', `/api/v1/envelopes/${id}/cancel`);
      assert.equal(canceled.statusCode, 200);
      assert.equal(canceled.json().status, 'canceled');
      assert.equal((await h.app.inject({ method: 'GET', url: `/api/sign/${token}` })).json().state, 'canceled');
      const sign = await h.app.inject({ method: 'POST', url: `/api/sign/${token}/sign`, headers: s });
      assert.equal(sign.statusCode, 401, 'sessions end with the envelope');
      const again = await h.api(h.org, 'POST', `/api/v1/envelopes/${id}/cancel`);
      assert.equal(again.statusCode, 409);
      assert.equal(again.json().error.code, 'ENVELOPE_NOT_ACTIVE');
      const code1 = await code(token, '1111');
      assert.equal(code1.statusCode, 409);
    });

    it('an envelope past its expiry date is expired: listed so, links refuse, nothing signs', async () => {
      const { id, token } = await sentEnvelope({
        expiresAt: new Date(h.clock.now().getTime() + 3_600_000).toISOString(),
      });
      h.clock.advance(2 * 3_600_000);
      assert.equal((await h.api(h.org, 'GET', `/api/v1/envelopes/${id}`)).json().status, 'expired');
      const listed = await h.api(h.org, 'GET', '/api/v1/envelopes?status=expired');
      assert.ok(listed.json().items.some((e: { id: string }) => e.id === id));
      assert.ok(
        !(await h.api(h.org, 'GET', '/api/v1/envelopes?status=sent'))
          .json()
          .items.some((e: { id: string }) => e.id === id),
      );
      assert.equal((await h.app.inject({ method: 'GET', url: `/api/sign/${token}` })).json().state, 'expired');
      const res = await code(token, '1111');
      assert.equal(res.statusCode, 410);
      assert.equal(res.json().error.code, 'LINK_EXPIRED');
    });

    it('the signing jobs and mails are idempotent: running them again adds no signature and no mail', async () => {
      const { id, emails, token, recipientIds } = await sentEnvelope();
      const s = await session(token, '1111');
      assert.equal(
        (await h.app.inject({ method: 'POST', url: `/api/sign/${token}/sign`, headers: s })).statusCode,
        202,
      );
      // Before the job: the recipient cannot sign twice either.
      assert.equal(
        (await h.app.inject({ method: 'POST', url: `/api/sign/${token}/sign`, headers: s })).statusCode,
        202,
      );
      await h.runJobs();
      const before = await snapshot(h);
      // A crashed worker's job runs again: nothing changes.
      await applyRecipientSignature(h.context, { recipientId: recipientIds[0] });
      await sealEnvelope(h.context, { envelopeId: id });
      await sendCompletionMail(h.context, { envelopeId: id });
      await sendSigningRequestMail(h.context, { recipientId: recipientIds[0] });
      assert.deepEqual(await snapshot(h), before);
      const envelope = (await h.api(h.org, 'GET', `/api/v1/envelopes/${id}`)).json();
      assert.equal(envelope.status, 'completed');
      const file = await h.api(h.org, 'GET', `/api/v1/envelopes/${id}/documents/${envelope.documents[0].id}`);
      const signatures = listSignatures(PdfDocument.load(new Uint8Array(file.rawPayload)));
      assert.equal(signatures.filter((x) => x.subFilter === 'ETSI.CAdES.detached').length, 1, 'one signature');
      assert.equal((await h.mailsTo(emails[0])).length, 2, 'one request and one completion mail');
    });

    it("the organisation's own signer (auth 'login') signs in instead of entering a code", async () => {
      counter++;
      const created = await h.createEnvelope(
        h.org,
        {
          name: `Own signer ${counter}`,
          recipients: [{ name: '契約課長', email: h.org.admin.email, order: 1, auth: 'login' }],
        },
        [{ filename: 'a.pdf', data: pdf }],
      );
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(created.json().recipients[0].auth, 'login');
      assert.equal(created.json().recipients[0].accessCode, undefined);
      await h.api(h.org, 'POST', `/api/v1/envelopes/${created.json().id}/send`);
      await h.runJobs();
      const mail = (await h.mailsTo(h.org.admin.email)).find((m) => m.subject.includes(`Own signer ${counter}`))!;
      assert.match(mail.text_body, /ログインして署名/);
      const token = linkIn(mail.text_body, 's');
      assert.equal((await h.app.inject({ method: 'GET', url: `/api/sign/${token}` })).json().state, 'login_required');
      assert.equal((await code(token, '1234')).statusCode, 403, 'no access code for this recipient');
      // Another user of the organisation may not sign in their place.
      const viewer = await h.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email: h.org.viewer.email, password: h.org.viewer.password },
        remoteAddress: '10.3.0.1',
      });
      const viewerHeaders = {
        cookie: `inkan_session=${viewer.cookies.find((c) => c.name === 'inkan_session')!.value}`,
        'x-csrf-token': viewer.json().csrfToken,
      };
      assert.equal(
        (await h.app.inject({ method: 'POST', url: `/api/sign/${token}/login`, headers: viewerHeaders })).statusCode,
        403,
      );
      const admin = await h.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email: h.org.admin.email, password: h.org.admin.password },
        remoteAddress: '10.3.0.2',
      });
      const adminHeaders = {
        cookie: `inkan_session=${admin.cookies.find((c) => c.name === 'inkan_session')!.value}`,
        'x-csrf-token': admin.json().csrfToken,
      };
      const opened = await h.app.inject({ method: 'POST', url: `/api/sign/${token}/login`, headers: adminHeaders });
      assert.equal(opened.statusCode, 200, opened.body);
      const signerHeaders = {
        cookie: `inkan_signer=${opened.cookies.find((c) => c.name === 'inkan_signer')!.value}`,
        'x-csrf-token': opened.json().csrfToken,
      };
      assert.equal(
        (await h.app.inject({ method: 'POST', url: `/api/sign/${token}/sign`, headers: signerHeaders })).statusCode,
        202,
      );
      await h.runJobs();
      const done = (await h.api(h.org, 'GET', `/api/v1/envelopes/${created.json().id}`)).json();
      assert.equal(done.status, 'completed');
      const signed = await h.context.db
        .selectFrom('events')
        .select('details')
        .where('envelope_id', '=', done.id)
        .where('action', '=', 'recipient.signed')
        .executeTakeFirstOrThrow();
      assert.equal(JSON.parse(signed.details).auth, 'email + sign-in');
    });

    it('download links expire after INKAN_DOWNLOAD_TTL (410), and a GET of one changes nothing', async () => {
      const { emails, token } = await sentEnvelope();
      const s = await session(token, '1111');
      await h.app.inject({ method: 'POST', url: `/api/sign/${token}/sign`, headers: s });
      await h.runJobs();
      const completion = (await h.mailsTo(emails[0])).find((m) => m.subject === '電子署名完了のお知らせ')!;
      assert.match(completion.text_body, /14日間/);
      const download = linkIn(completion.text_body, 'd');
      const before = await snapshot(h);
      assert.equal((await h.app.inject({ method: 'GET', url: `/api/download/${download}` })).statusCode, 200);
      assert.deepEqual(await snapshot(h), before);
      h.clock.advance(h.context.config.downloadTtlMs + 1000);
      const expired = await h.app.inject({
        method: 'GET',
        url: `/api/download/${download}`,
        headers: { 'accept-language': 'ja' },
      });
      assert.equal(expired.statusCode, 410);
      assert.equal(expired.json().error.code, 'LINK_EXPIRED');
      assert.match(expired.json().error.message, /送信者にお問い合わせください/);
    });
  });
}
