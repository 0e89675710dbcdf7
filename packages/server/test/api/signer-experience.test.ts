// Issue 11 parts 1, 2, 3 and 7 on SQLite and PostgreSQL: the sender's contact (organisation, name,
// e-mail, telephone) in the request mail (Reply-To the sender), on the link's state and in the signer
// view; the telephone on the profile; the download before signing (signer session only, recorded);
// the "signed / waiting" and "completed" states of later visits (no document details before the code);
// the unlock mail to the signer (never the code); the completion mail's checking instructions; the
// help information with the operator's support contact.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { linkIn, multipart, snapshot, startHarness, type Harness } from './helpers/harness.ts';

const ENVELOPE_NAME = '道路補修工事 請負契約（第7号）';
const DOCUMENT_NAME = '請負契約書-第7号.pdf';

for (const dialect of DIALECTS) {
  describe(`signer experience (${dialect})`, () => {
    let h: Harness;
    let pdf: Uint8Array;
    let sender: { cookie: string; 'x-csrf-token': string };
    let counter = 0;
    let ip = 0;

    before(async () => {
      h = await startHarness(dialect, {
        env: { INKAN_SUPPORT_EMAIL: 'support@inkan.example.jp', INKAN_SUPPORT_URL: 'https://inkan.example.jp/support' },
      });
      pdf = await makePdf({ pages: 3 });
      const signIn = await h.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email: h.org.admin.email, password: h.org.admin.password },
        remoteAddress: '10.7.0.1',
      });
      assert.equal(signIn.statusCode, 200, signIn.body);
      sender = {
        cookie: `inkan_session=${signIn.cookies.find((c) => c.name === 'inkan_session')!.value}`,
        'x-csrf-token': signIn.json().csrfToken,
      };
    });
    after(async () => h?.close());

    const code = (token: string, value: string) =>
      h.app.inject({
        method: 'POST',
        url: `/api/sign/${token}/access-code`,
        payload: { code: value },
        remoteAddress: `10.8.${Math.floor(++ip / 250)}.${ip % 250}`,
      });
    async function signerSession(token: string, value: string): Promise<{ cookie: string; 'x-csrf-token': string }> {
      const res = await code(token, value);
      assert.equal(res.statusCode, 200, res.body);
      return {
        cookie: `inkan_signer=${res.cookies.find((c) => c.name === 'inkan_signer')!.value}`,
        'x-csrf-token': res.json().csrfToken,
      };
    }

    /** An envelope created by the signed-in sender (so it has a person to contact), sent. */
    async function sentBySender(recipients = 2) {
      counter++;
      const emails = Array.from({ length: recipients }, (_, i) => `s${i + 1}-${counter}@example.jp`);
      const body = multipart([
        {
          name: 'envelope',
          contentType: 'application/json',
          value: JSON.stringify({
            name: ENVELOPE_NAME,
            recipients: emails.map((email, i) => ({
              name: `署名者 ${i + 1}`,
              email,
              accessCode: `${i + 1}${i + 1}${i + 1}${i + 1}`,
              order: i + 1,
            })),
          }),
        },
        { name: 'documents', filename: DOCUMENT_NAME, data: pdf },
      ]);
      // With the sender's browser session (not an API key): the envelope has a person to contact.
      const created = await h.app.inject({
        method: 'POST',
        url: '/api/v1/envelopes',
        payload: body.payload,
        headers: { ...body.headers, ...sender },
      });
      assert.equal(created.statusCode, 201, created.body);
      const envelope = created.json();
      const sent = await h.app.inject({
        method: 'POST',
        url: `/api/v1/envelopes/${envelope.id}/send`,
        headers: sender,
      });
      assert.equal(sent.statusCode, 200, sent.body);
      await h.runJobs();
      const mail = (await h.mailsTo(emails[0]))[0];
      return {
        id: envelope.id as string,
        emails,
        recipientIds: envelope.recipients.map((r: { id: string }) => r.id) as string[],
        documentId: envelope.documents[0].id as string,
        mail,
        token: linkIn(mail.text_body, 's'),
      };
    }

    it('the sender sets a telephone number on the profile; a malformed one is refused and changes nothing', async () => {
      const bad = await h.app.inject({
        method: 'PATCH',
        url: '/api/account/profile',
        headers: sender,
        payload: { name: 'テスト市役所 契約課 管理者', phone: 'call me maybe' },
      });
      assert.equal(bad.statusCode, 400, bad.body);
      assert.equal(bad.json().error.code, 'VALIDATION_FAILED');
      assert.equal(bad.json().error.details.field, 'phone');
      const stored = await h.context.db
        .selectFrom('users')
        .select('phone')
        .where('id', '=', h.org.admin.id)
        .executeTakeFirstOrThrow();
      assert.equal(stored.phone, null);
      // Full-width digits and hyphens typed with the IME on are read as ASCII.
      const good = await h.app.inject({
        method: 'PATCH',
        url: '/api/account/profile',
        headers: sender,
        payload: { name: 'テスト市役所 契約課 管理者', phone: '０３－１２３４－５６７８' },
      });
      assert.equal(good.statusCode, 200, good.body);
      assert.equal(good.json().user.phone, '03-1234-5678');
      // Leaving phone out keeps it.
      const rename = await h.app.inject({
        method: 'PATCH',
        url: '/api/account/profile',
        headers: sender,
        payload: { name: 'テスト市役所 契約課 管理者' },
      });
      assert.equal(rename.json().user.phone, '03-1234-5678');
    });

    it('the request mail names the sender, replies go to them, help and support are linked; the link state names the sender but no document', async () => {
      const { mail, token } = await sentBySender();
      assert.equal(mail.reply_to, `"テスト市役所 契約課 管理者（テスト市役所 契約課）" <${h.org.admin.email}>`);
      assert.match(mail.from_address, /no-reply@localhost/);
      for (const body of [mail.text_body, mail.html_body]) {
        assert.match(body, /お問い合わせ先（送信者）/);
        assert.ok(body.includes(h.org.admin.email), 'the sender’s address');
        assert.match(body, /03-1234-5678/);
        assert.match(body, /http:\/\/inkan\.test\/help/);
        assert.match(body, /support@inkan\.example\.jp/);
      }

      const before = await snapshot(h);
      const state = await h.app.inject({ method: 'GET', url: `/api/sign/${token}` });
      assert.equal(state.statusCode, 200);
      assert.equal(state.json().state, 'code_required');
      assert.deepEqual(state.json().sender, {
        organization: 'テスト市役所 契約課',
        name: 'テスト市役所 契約課 管理者',
        email: h.org.admin.email,
        phone: '03-1234-5678',
        // The organisation's own contact and logo (組織情報), unset here.
        organizationContact: null,
        logoPath: null,
      });
      assert.ok(!state.body.includes('道路補修') && !state.body.includes('請負契約書'), 'nothing about the documents');
      assert.deepEqual(await snapshot(h), before, 'GET of the link changed nothing');
    });

    it('downloads a document before signing only with the signer session; the download is recorded', async () => {
      const { token, documentId, id } = await sentBySender();
      const url = `/api/sign/${token}/documents/${documentId}/download`;
      const before = await snapshot(h);
      const anonymous = await h.app.inject({ method: 'GET', url });
      assert.equal(anonymous.statusCode, 401);
      assert.equal(anonymous.json().error.code, 'UNAUTHENTICATED');
      assert.deepEqual(await snapshot(h), before, 'a refused download records nothing');

      const session = await signerSession(token, '1111');
      const view = await h.app.inject({ method: 'GET', url: `/api/sign/${token}/view`, headers: session });
      assert.equal(view.json().envelope.sender.phone, '03-1234-5678');
      const file = await h.app.inject({ method: 'GET', url, headers: { cookie: session.cookie } });
      assert.equal(file.statusCode, 200, file.body);
      assert.equal(file.headers['content-type'], 'application/pdf');
      assert.match(String(file.headers['content-disposition']), /^attachment;/);
      assert.match(String(file.headers['content-disposition']), /filename\*=UTF-8''%E8%AB%8B%E8%B2%A0/);
      assert.equal(file.rawPayload.subarray(0, 5).toString(), '%PDF-');
      // The same bytes as the viewer shows.
      const inline = await h.app.inject({
        method: 'GET',
        url: `/api/sign/${token}/documents/${documentId}`,
        headers: { cookie: session.cookie },
      });
      assert.ok(Buffer.compare(inline.rawPayload, file.rawPayload) === 0);
      const events = await h.context.db
        .selectFrom('events')
        .select(['action', 'actor_type', 'details'])
        .where('envelope_id', '=', id)
        .where('action', '=', 'document.downloaded')
        .execute();
      assert.equal(events.length, 1);
      assert.equal(events[0].actor_type, 'recipient');
      assert.equal(JSON.parse(events[0].details).via, 'signer-session');

      const unknown = await h.app.inject({
        method: 'GET',
        url: `/api/sign/${token}/documents/00000000-0000-4000-8000-000000000000/download`,
        headers: { cookie: session.cookie },
      });
      assert.equal(unknown.statusCode, 404);
      // Another recipient's session does not open this link's documents.
      const other = await sentBySender();
      const otherSession = await signerSession(other.token, '1111');
      const crossed = await h.app.inject({ method: 'GET', url, headers: { cookie: otherSession.cookie } });
      assert.equal(crossed.statusCode, 401);
    });

    it('a later visit after signing says "signed, waiting for the others", then "completed" — without asking the code', async () => {
      const { token, emails, id } = await sentBySender();
      const session = await signerSession(token, '1111');
      const signed = await h.app.inject({ method: 'POST', url: `/api/sign/${token}/sign`, headers: session });
      assert.equal(signed.statusCode, 202, signed.body);
      await h.runJobs();

      const waiting = await h.app.inject({ method: 'GET', url: `/api/sign/${token}` });
      assert.equal(waiting.json().state, 'signed');
      assert.equal(waiting.json().sender.email, h.org.admin.email);
      assert.ok(!waiting.body.includes('道路補修'), 'still nothing about the documents');
      // The code is not asked again, nor counted.
      const again = await code(token, '9999');
      assert.equal(again.statusCode, 409);
      assert.equal(again.json().error.code, 'ALREADY_SIGNED');
      const row = await h.context.db
        .selectFrom('recipients')
        .select('failed_attempts')
        .where('envelope_id', '=', id)
        .where('email', '=', emails[0])
        .executeTakeFirstOrThrow();
      assert.equal(Number(row.failed_attempts), 0);

      const second = linkIn((await h.mailsTo(emails[1]))[0].text_body, 's');
      const secondSession = await signerSession(second, '2222');
      assert.equal(
        (await h.app.inject({ method: 'POST', url: `/api/sign/${second}/sign`, headers: secondSession })).statusCode,
        202,
      );
      await h.runJobs();
      assert.equal((await h.app.inject({ method: 'GET', url: `/api/sign/${token}` })).json().state, 'completed');

      // The completion mail: subject unchanged, the envelope in the body, how to check, the sender to reply to.
      const completion = (await h.mailsTo(emails[0])).find((m) => m.subject === '電子署名完了のお知らせ');
      assert.ok(completion, 'completion mail');
      assert.ok(completion.text_body.includes(`「${ENVELOPE_NAME}」`));
      assert.match(completion.text_body, /署名の確認方法/);
      assert.match(completion.text_body, /http:\/\/inkan\.test\/verify/);
      assert.match(completion.text_body, /http:\/\/inkan\.test\/pki\/ca\/root\.cer/);
      assert.match(completion.text_body, /http:\/\/inkan\.test\/help#adobe-reader/);
      assert.ok(completion.reply_to?.includes(h.org.admin.email), 'Reply-To the sender');
      // The sender's own copy has no Reply-To to themselves.
      const own = (await h.mailsTo(h.org.admin.email)).find(
        (m) => m.subject === '電子署名完了のお知らせ' && m.text_body.includes(ENVELOPE_NAME),
      );
      assert.ok(own, "the sender's completion mail");
      assert.equal(own.reply_to, null);
      // The root certificate named there is served.
      const root = await h.app.inject({ method: 'GET', url: '/pki/ca/root.cer' });
      assert.equal(root.statusCode, 200);
      assert.equal(root.rawPayload[0], 0x30, 'DER');
    });

    it('unlocking mails the signer (whether the code changed, never the code); a locked link names the sender', async () => {
      const { token, emails, recipientIds, id } = await sentBySender(1);
      for (let i = 0; i < 5; i++) await code(token, '9999');
      const locked = await h.app.inject({ method: 'GET', url: `/api/sign/${token}` });
      assert.equal(locked.json().state, 'locked');
      assert.equal(locked.json().sender.phone, '03-1234-5678');

      const unlockUrl = `/api/v1/envelopes/${id}/recipients/${recipientIds[0]}/unlock`;
      const unlocked = await h.app.inject({
        method: 'POST',
        url: unlockUrl,
        headers: sender,
        payload: { accessCode: '8642' },
      });
      assert.equal(unlocked.statusCode, 200, unlocked.body);
      await h.runJobs();
      let notices = (await h.mailsTo(emails[0])).filter((m) => m.subject.includes('ロック解除'));
      assert.equal(notices.length, 1, 'one unlock mail');
      assert.match(notices[0].text_body, /アクセスコードが新しくなりました/);
      assert.ok(!notices[0].text_body.includes('8642') && !notices[0].html_body.includes('8642'), 'never the code');
      assert.ok(notices[0].reply_to?.includes(h.org.admin.email));
      assert.match(notices[0].text_body, /http:\/\/inkan\.test\/help/);

      // Locked again, unlocked without a new code: a second mail that says the code is unchanged.
      for (let i = 0; i < 5; i++) await code(token, '9999');
      h.clock.advance(1000);
      assert.equal(
        (await h.app.inject({ method: 'POST', url: unlockUrl, headers: sender, payload: {} })).statusCode,
        200,
      );
      await h.runJobs();
      notices = (await h.mailsTo(emails[0])).filter((m) => m.subject.includes('ロック解除'));
      assert.equal(notices.length, 2);
      assert.match(notices[1].text_body, /アクセスコードは変わっていません/);
      const sentEvents = await h.context.db
        .selectFrom('events')
        .select('action')
        .where('envelope_id', '=', id)
        .where('action', '=', 'mail.unlocked.sent')
        .execute();
      assert.equal(sentEvents.length, 2);
      assert.equal((await code(token, '8642')).statusCode, 200);
    });

    it('GET /api/help gives the operator support contact and the root certificate', async () => {
      const res = await h.app.inject({ method: 'GET', url: '/api/help' });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), {
        support: { email: 'support@inkan.example.jp', url: 'https://inkan.example.jp/support' },
        rootCertificate: { cer: '/pki/ca/root.cer', pem: '/pki/ca/root.pem' },
        verifyUrl: '/verify',
      });
    });
  });
}
