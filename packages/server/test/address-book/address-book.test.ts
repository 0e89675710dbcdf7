// The address book and pre-registration (issue 11 part 6, 署名用メールアドレス届出) through the API, on
// SQLite and PostgreSQL: contacts are the organisation's own (another organisation's → 404, viewers
// only read); a 届出 request mails the contact a one-use link where the counterparty registers its
// signer and chooses the access code (bad, weak and mismatched codes refused, nothing written); the
// code is stored only as its keyed hash; an envelope to the contact uses it without the sender ever
// seeing it (no API response, mail or event holds it) and the signer passes with it; a new link
// changes the code (waiting envelopes follow); the sender revokes; links expire and are rate-limited.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { hashAccessCode } from '../../src/security/tokens.ts';
import { weakAccessCodeReason } from '../../src/domain/address-book/chosen-access-code.ts';
import { redactUrl } from '../../src/http/redact-url.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { linkIn, snapshot, startHarness, type Harness } from '../api/helpers/harness.ts';

const CHOSEN = '583920';
const CHANGED = '602817';
let ipCounter = 0;
/** A fresh client address per public request: the per-IP limits stay out of the way unless tested. */
const nextIp = () => `10.77.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

function registrationToken(text: string): string {
  const match = /http:\/\/inkan\.test\/signer-registration\/([A-Za-z0-9_-]+)/.exec(text);
  if (!match) throw new Error(`no 届出 link in mail:\n${text}`);
  return match[1];
}

describe('chosen access codes: weak ones are recognised', () => {
  it('refuses repeats, runs, short patterns, common numbers and dates; accepts ordinary codes', () => {
    for (const weak of [
      '000000',
      '111111',
      '123456',
      '654321',
      '987654',
      '890123',
      '135791',
      '121212',
      '123123',
      '12341234',
      '159753',
      '19850412',
    ])
      assert.notEqual(weakAccessCodeReason(weak), null, weak);
    for (const fine of [CHOSEN, CHANGED, '40917263', '7305182']) assert.equal(weakAccessCodeReason(fine), null, fine);
  });
});

describe('届出 links stay out of the logs', () => {
  it('the token of the page and of its API is redacted in logged URLs', () => {
    assert.equal(redactUrl('/signer-registration/abcDEF123_-x'), '/signer-registration/[token]');
    assert.equal(redactUrl('/api/signer-registrations/abcDEF123_-x'), '/api/signer-registrations/[token]');
  });
});

for (const dialect of DIALECTS) {
  describe(`address book and pre-registration (${dialect})`, () => {
    let h: Harness;
    let pdf: Uint8Array;
    let viewerHeaders: Record<string, string>;
    let contactId: string;
    const contactEmail = `keiyaku-${dialect}@torihiki.example.jp`;
    const signerEmail = `shacho-${dialect}@torihiki.example.jp`;

    const publicGet = (token: string) =>
      h.app.inject({ method: 'GET', url: `/api/signer-registrations/${token}`, remoteAddress: nextIp() });
    const register = (token: string, body: Record<string, unknown>) =>
      h.app.inject({
        method: 'POST',
        url: `/api/signer-registrations/${token}`,
        payload: body,
        headers: { 'accept-language': 'ja' },
        remoteAddress: nextIp(),
      });
    const goodBody = (code: string) => ({
      signerName: '取引 太郎',
      signerEmail,
      accessCode: code,
      accessCodeConfirmation: code,
    });
    async function requestLink(id = contactId): Promise<string> {
      const seen = new Set((await h.mailsTo(contactEmail)).map((m) => m.id));
      const res = await h.api(h.org, 'POST', `/api/v1/address-book/contacts/${id}/registration-requests`, {});
      assert.equal(res.statusCode, 202, res.body);
      await h.runJobs();
      const fresh = (await h.mailsTo(contactEmail)).filter((m) => !seen.has(m.id));
      assert.equal(fresh.length, 1);
      return registrationToken(fresh[0].text_body);
    }
    /** Nothing the sender's side can read holds the code. */
    function assertNoCode(res: LightMyRequestResponse | string, code: string) {
      const text = typeof res === 'string' ? res : res.body;
      assert.ok(!text.includes(code), `the code leaked: ${text.slice(0, 300)}`);
    }
    async function envelopeTo(recipient: Record<string, unknown>) {
      return h.createEnvelope(h.org, { name: '業務委託契約', recipients: [{ order: 1, ...recipient }] }, [
        { filename: 'keiyaku.pdf', data: pdf },
      ]);
    }
    const codeAttempt = (token: string, code: string) =>
      h.app.inject({
        method: 'POST',
        url: `/api/sign/${token}/access-code`,
        payload: { code },
        remoteAddress: nextIp(),
      });

    before(async () => {
      h = await startHarness(dialect);
      pdf = await makePdf({ pages: 1 });
      const viewer = await h.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email: h.org.viewer.email, password: h.org.viewer.password },
        remoteAddress: '10.9.0.2',
      });
      assert.equal(viewer.statusCode, 200, viewer.body);
      viewerHeaders = {
        cookie: `inkan_session=${viewer.cookies.find((c) => c.name === 'inkan_session')!.value}`,
        'x-csrf-token': viewer.json().csrfToken,
      };
    });
    after(async () => h?.close());

    it('keeps contacts per organisation: bad input and viewers change nothing, others get 404, search finds them', async () => {
      const unchanged = await snapshot(h);
      for (const [body, code] of [
        [{ companyName: '', personName: '契約 花子', email: contactEmail }, 'VALIDATION_FAILED'],
        [{ companyName: '株式会社トリヒキ', personName: '契約 花子', email: 'not-an-address' }, 'INVALID_EMAIL'],
        [{ companyName: 'x'.repeat(201), personName: '契約 花子', email: contactEmail }, 'VALIDATION_FAILED'],
        [{ companyName: '株式会社トリヒキ', personName: '契約\n花子', email: contactEmail }, 'VALIDATION_FAILED'],
        [
          { companyName: '株式会社トリヒキ', personName: '契約 花子', email: contactEmail, phone: 'call me' },
          'VALIDATION_FAILED',
        ],
        [{ companyName: 5, personName: '契約 花子', email: contactEmail }, 'VALIDATION_FAILED'],
      ] as const) {
        const res = await h.api(h.org, 'POST', '/api/v1/address-book/contacts', body);
        assert.equal(res.statusCode, 400, res.body);
        assert.equal(res.json().error.code, code);
      }
      const byViewer = await h.app.inject({
        method: 'POST',
        url: '/api/v1/address-book/contacts',
        headers: viewerHeaders,
        payload: { companyName: '株式会社トリヒキ', personName: '契約 花子', email: contactEmail },
      });
      assert.equal(byViewer.statusCode, 403);
      assert.deepEqual(await snapshot(h), unchanged);

      const created = await h.api(h.org, 'POST', '/api/v1/address-book/contacts', {
        companyName: '株式会社トリヒキ',
        department: '総務部',
        personName: '契約 花子',
        email: contactEmail,
        phone: '03-1234-5678',
      });
      assert.equal(created.statusCode, 201, created.body);
      contactId = created.json().id;
      assert.equal(created.json().registeredSigner, null);
      const second = await h.api(h.org, 'POST', '/api/v1/address-book/contacts', {
        companyName: '有限会社ベツノ',
        personName: 'Bob 100%_match',
        email: 'bob@betsuno.example.jp',
      });
      assert.equal(second.statusCode, 201);

      const search = async (q: string, org = h.org) =>
        (await h.api(org, 'GET', `/api/v1/address-book/contacts?q=${encodeURIComponent(q)}`)).json();
      assert.deepEqual(
        (await search('トリヒキ')).items.map((c: { id: string }) => c.id),
        [contactId],
      );
      assert.equal((await search('総務')).total, 1);
      assert.equal((await search('TORIHIKI.example')).total, 1, 'e-mail, case-insensitive');
      assert.equal((await search('100%_')).total, 1, 'LIKE wildcards are literal');
      assert.equal((await search('0_%')).total, 0);
      assert.equal((await search('')).total, 2);
      assert.equal((await search('トリヒキ', h.other)).total, 0, "another organisation's book is empty");
      const asViewer = await h.app.inject({
        method: 'GET',
        url: '/api/v1/address-book/contacts',
        headers: viewerHeaders,
      });
      assert.equal(asViewer.json().total, 2, 'viewers read');

      const url = `/api/v1/address-book/contacts/${contactId}`;
      const stillUnchanged = await snapshot(h);
      assert.equal((await h.api(h.other, 'GET', url)).statusCode, 404);
      assert.equal(
        (await h.api(h.other, 'PUT', url, { companyName: 'x', personName: 'y', email: 'z@x.jp' })).statusCode,
        404,
      );
      assert.equal((await h.api(h.other, 'DELETE', url)).statusCode, 404);
      assert.equal((await h.api(h.other, 'POST', `${url}/registration-requests`, {})).statusCode, 404);
      assert.equal((await h.api(h.other, 'DELETE', `${url}/registration`)).statusCode, 404);
      assert.equal((await h.api(h.org, 'GET', '/api/v1/address-book/contacts/not-a-uuid')).statusCode, 404);
      assert.deepEqual(await snapshot(h), stillUnchanged);

      const updated = await h.api(h.org, 'PUT', url, {
        companyName: '株式会社トリヒキ',
        department: '法務部',
        personName: '契約 花子',
        email: contactEmail,
      });
      assert.equal(updated.statusCode, 200, updated.body);
      assert.equal(updated.json().department, '法務部');
      assert.equal(updated.json().phone, null);
      const removed = await h.api(h.org, 'DELETE', `/api/v1/address-book/contacts/${second.json().id}`);
      assert.equal(removed.statusCode, 204);
      const events = await h.context.db
        .selectFrom('events')
        .select('action')
        .where('organization_id', '=', h.org.id)
        .where('action', 'like', 'contact.%')
        .execute();
      assert.deepEqual(
        events.map((e) => e.action).sort(),
        ['contact.created', 'contact.created', 'contact.deleted', 'contact.updated'].sort(),
      );
    });

    it('the counterparty registers its signer and chooses the code on the 届出 link; bad codes change nothing', async () => {
      const token = await requestLink();
      const [mail] = await h.mailsTo(contactEmail);
      assert.match(mail.subject, /署名用メールアドレス届出のお願い/);
      assert.match(mail.text_body, /契約 花子 様/);

      const before = await snapshot(h);
      const page = await publicGet(token);
      assert.equal(page.statusCode, 200, page.body);
      assert.equal(page.json().companyName, '株式会社トリヒキ');
      assert.equal(page.json().organizationName, h.org.name);
      assert.equal(page.json().currentSigner, null);
      assert.equal(page.headers['cache-control'], 'private, no-store');
      assert.equal((await publicGet('x'.repeat(43))).statusCode, 404);
      assert.equal((await publicGet('short')).json().error.code, 'REGISTRATION_LINK_INVALID');

      for (const [body, code] of [
        [{ ...goodBody(CHOSEN), accessCode: '123456', accessCodeConfirmation: '123456' }, 'ACCESS_CODE_WEAK'],
        [{ ...goodBody(CHOSEN), accessCode: '777777', accessCodeConfirmation: '777777' }, 'ACCESS_CODE_WEAK'],
        [{ ...goodBody(CHOSEN), accessCodeConfirmation: '583921' }, 'ACCESS_CODE_MISMATCH'],
        [{ ...goodBody('5839'), accessCode: '5839', accessCodeConfirmation: '5839' }, 'INVALID_ACCESS_CODE_FORMAT'],
        [{ ...goodBody(CHOSEN), accessCode: '58392a', accessCodeConfirmation: '58392a' }, 'INVALID_ACCESS_CODE_FORMAT'],
        [{ ...goodBody(CHOSEN), signerEmail: 'nobody' }, 'INVALID_EMAIL'],
        [{ ...goodBody(CHOSEN), signerName: ' ' }, 'VALIDATION_FAILED'],
      ] as const) {
        const res = await register(token, body);
        assert.equal(res.statusCode, 400, res.body);
        assert.equal(res.json().error.code, code);
        assertNoCode(res, CHOSEN);
      }
      const weak = await register(token, {
        ...goodBody(CHOSEN),
        accessCode: '123456',
        accessCodeConfirmation: '123456',
      });
      assert.match(weak.json().error.message, /推測されやすい/);
      assert.deepEqual(await snapshot(h), before, 'the page and refused attempts wrote nothing');

      const done = await register(token, goodBody(CHOSEN));
      assert.equal(done.statusCode, 200, done.body);
      assert.equal(done.json().signerEmail, signerEmail);
      const row = await h.context.db
        .selectFrom('address_book_contacts')
        .selectAll()
        .where('id', '=', contactId)
        .executeTakeFirstOrThrow();
      assert.equal(row.signer_access_code_hash, hashAccessCode(CHOSEN, h.context.keys.accessCode));
      assert.ok(!JSON.stringify(row).includes(CHOSEN), 'only the hash is stored');
      assert.equal((await register(token, goodBody(CHOSEN))).statusCode, 410, 'one use');
      assert.equal((await publicGet(token)).json().error.code, 'REGISTRATION_LINK_EXPIRED');

      await h.runJobs();
      const confirmations = await h.mailsTo(signerEmail);
      assert.equal(confirmations.length, 1);
      assert.match(confirmations[0].subject, /届出を受け付けました/);
      assert.equal((await h.mailsTo(contactEmail)).length, 2, 'the contact is told too');

      const contact = (await h.api(h.org, 'GET', `/api/v1/address-book/contacts/${contactId}`)).json();
      assert.equal(contact.registeredSigner.email, signerEmail);
      assert.equal(contact.registeredSigner.name, '取引 太郎');
      assert.equal(contact.pendingRequest, null);
    });

    it('an envelope to the contact uses the registered code: the sender never sees it, the signer passes with it', async () => {
      const unregistered = await h.api(h.org, 'POST', '/api/v1/address-book/contacts', {
        companyName: '未届 商事',
        personName: '未届 次郎',
        email: 'mitodoke@example.jp',
      });
      const unchanged = await snapshot(h);
      for (const [recipient, status, code] of [
        [{ contactId, accessCode: '2468' }, 400, 'VALIDATION_FAILED'],
        [{ contactId, auth: 'login' }, 400, 'VALIDATION_FAILED'],
        [{ contactId, email: 'someone-else@example.jp' }, 400, 'VALIDATION_FAILED'],
        [{ contactId: unregistered.json().id }, 409, 'CONTACT_NOT_REGISTERED'],
        [{ contactId: '00000000-0000-4000-8000-000000000000' }, 404, 'NOT_FOUND'],
      ] as const) {
        const res = await envelopeTo(recipient);
        assert.equal(res.statusCode, status, res.body);
        assert.equal(res.json().error.code, code);
      }
      const foreign = await h.createEnvelope(h.other, { name: 'x', recipients: [{ order: 1, contactId }] }, [
        { filename: 'a.pdf', data: pdf },
      ]);
      assert.equal(foreign.statusCode, 404, "another organisation's contact");
      assert.deepEqual(await snapshot(h), unchanged);

      const created = await envelopeTo({ contactId });
      assert.equal(created.statusCode, 201, created.body);
      const [recipient] = created.json().recipients;
      assert.equal(recipient.email, signerEmail);
      assert.equal(recipient.name, '取引 太郎');
      assert.equal(recipient.registeredAccessCode, true);
      assert.equal(recipient.accessCode, undefined, 'no generated code either');
      assertNoCode(created, CHOSEN);
      const id = created.json().id;
      assert.equal((await h.api(h.org, 'POST', `/api/v1/envelopes/${id}/send`)).statusCode, 200);
      await h.runJobs();
      const signing = (await h.mailsTo(signerEmail)).find((m) => m.subject.includes('署名依頼'));
      assert.ok(signing, 'the signing request reaches the registered signer');
      const token = linkIn(signing.text_body, 's');

      const wrong = await codeAttempt(token, '111111');
      assert.equal(wrong.statusCode, 401);
      const right = await codeAttempt(token, CHOSEN);
      assert.equal(right.statusCode, 200, right.body);

      // Everything the sender's side can read: the envelope, its log, the book, every mail and event.
      assertNoCode(await h.api(h.org, 'GET', `/api/v1/envelopes/${id}`), CHOSEN);
      assertNoCode(await h.api(h.org, 'GET', `/api/v1/envelopes/${id}/events`), CHOSEN);
      assertNoCode(await h.api(h.org, 'GET', '/api/v1/address-book/contacts'), CHOSEN);
      assertNoCode(await h.api(h.org, 'GET', '/api/v1/audit-events'), CHOSEN);
      const mails = await h.context.db.selectFrom('mails').selectAll().execute();
      for (const m of mails) assertNoCode(`${m.subject}${m.text_body}${m.html_body}`, CHOSEN);
      const events = await h.context.db.selectFrom('events').select('details').execute();
      for (const e of events) assertNoCode(e.details, CHOSEN);
    });

    it('ロック解除 of a signer with a registered code only unlocks: a new code is refused, the registered one stays', async () => {
      const created = await envelopeTo({ contactId });
      const id = created.json().id;
      const recipientId = created.json().recipients[0].id;
      assert.equal((await h.api(h.org, 'POST', `/api/v1/envelopes/${id}/send`)).statusCode, 200);
      await h.runJobs();
      const signing = (await h.mailsTo(signerEmail)).filter((m) => m.subject.includes('署名依頼')).pop()!;
      const token = linkIn(signing.text_body, 's');
      for (let i = 0; i < h.context.config.accessCodeMaxAttempts; i++)
        assert.ok([401, 423].includes((await codeAttempt(token, '111111')).statusCode));
      const locked = await codeAttempt(token, CHOSEN);
      assert.equal(locked.json().error.code, 'ACCESS_CODE_LOCKED', locked.body);

      // The sender cannot put a code of their own in place of the counterparty's: nothing is written.
      const unchanged = await snapshot(h);
      const unlock = (body: Record<string, unknown>) =>
        h.api(h.org, 'POST', `/api/v1/envelopes/${id}/recipients/${recipientId}/unlock`, body);
      const refused = await unlock({ accessCode: '2580' });
      assert.equal(refused.statusCode, 409, refused.body);
      assert.equal(refused.json().error.code, 'ACCESS_CODE_REGISTERED');
      assert.match(refused.json().error.message, /registered by the counterparty/);
      assert.deepEqual(await snapshot(h), unchanged);

      // ロック解除 alone: the attempts are forgotten, and the registered code opens the link again.
      const unlocked = await unlock({});
      assert.equal(unlocked.statusCode, 200, unlocked.body);
      const row = await h.context.db
        .selectFrom('recipients')
        .select(['access_code_hash', 'access_code_sealed', 'failed_attempts', 'locked_at'])
        .where('id', '=', recipientId)
        .executeTakeFirstOrThrow();
      assert.deepEqual(row, {
        access_code_hash: hashAccessCode(CHOSEN, h.context.keys.accessCode),
        access_code_sealed: null,
        failed_attempts: 0,
        locked_at: null,
      });
      assert.equal((await codeAttempt(token, '2580')).statusCode, 401, 'the refused code opens nothing');
      assert.equal((await codeAttempt(token, CHOSEN)).statusCode, 200);
    });

    it('a new link changes the code (waiting envelopes follow, the old link stops); the sender revokes', async () => {
      const created = await envelopeTo({ contactId });
      const id = created.json().id;
      assert.equal((await h.api(h.org, 'POST', `/api/v1/envelopes/${id}/send`)).statusCode, 200);
      await h.runJobs();
      const signing = (await h.mailsTo(signerEmail)).filter((m) => m.subject.includes('署名依頼')).pop()!;
      const signToken = linkIn(signing.text_body, 's');

      const first = await requestLink();
      const second = await requestLink();
      assert.equal((await publicGet(first)).statusCode, 410, 'a newer link replaces an open one');
      const page = (await publicGet(second)).json();
      assert.deepEqual(page.currentSigner, { name: '取引 太郎', email: signerEmail });
      const listed = (await h.api(h.org, 'GET', `/api/v1/address-book/contacts/${contactId}`)).json();
      assert.ok(listed.pendingRequest.expiresAt > listed.pendingRequest.requestedAt);
      assert.equal((await register(second, goodBody(CHANGED))).statusCode, 200);

      assert.equal((await codeAttempt(signToken, CHOSEN)).statusCode, 401, 'the old code no longer opens it');
      assert.equal((await codeAttempt(signToken, CHANGED)).statusCode, 200);

      const revoked = await h.api(h.org, 'DELETE', `/api/v1/address-book/contacts/${contactId}/registration`);
      assert.equal(revoked.statusCode, 204);
      const contact = (await h.api(h.org, 'GET', `/api/v1/address-book/contacts/${contactId}`)).json();
      assert.equal(contact.registeredSigner, null);
      const refused = await envelopeTo({ contactId });
      assert.equal(refused.statusCode, 409);
      assert.equal(refused.json().error.code, 'CONTACT_NOT_REGISTERED');
      const again = await h.api(h.org, 'DELETE', `/api/v1/address-book/contacts/${contactId}/registration`);
      assert.equal(again.json().error.code, 'CONTACT_NOT_REGISTERED');
      const actions = (
        await h.context.db
          .selectFrom('events')
          .select('action')
          .where('organization_id', '=', h.org.id)
          .where('action', 'in', [
            'contact.registration-requested',
            'mail.signer-registration.sent',
            'contact.signer-registered',
            'mail.signer-registered.sent',
            'contact.registration-revoked',
          ])
          .execute()
      ).map((e) => e.action);
      assert.equal(actions.filter((a) => a === 'contact.registration-requested').length, 3);
      assert.equal(actions.filter((a) => a === 'contact.signer-registered').length, 2);
      assert.equal(actions.filter((a) => a === 'contact.registration-revoked').length, 1);
    });

    it('links expire after 14 days, and attempts per link are rate-limited', async () => {
      const expiring = await requestLink();
      h.clock.advance(15 * 24 * 60 * 60 * 1000);
      const expired = await publicGet(expiring);
      assert.equal(expired.statusCode, 410);
      assert.equal((await register(expiring, goodBody(CHOSEN))).statusCode, 410);

      const token = await requestLink();
      for (let i = 0; i < 10; i++) {
        const res = await register(token, { ...goodBody(CHOSEN), accessCodeConfirmation: '000001' });
        assert.equal(res.json().error.code, 'ACCESS_CODE_MISMATCH');
      }
      const limited = await register(token, goodBody(CHOSEN));
      assert.equal(limited.statusCode, 429);
      assert.equal(limited.json().error.code, 'RATE_LIMITED');
    });
    it('imports contacts from CSV (UTF-8 or Shift_JIS), all or nothing, skipping ones already in the book', async () => {
      const url = '/api/v1/address-book/contacts/import';
      const post = (body: string | Buffer, headers: Record<string, string> = { 'content-type': 'text/csv' }) =>
        h.app.inject({
          method: 'POST',
          url,
          payload: body,
          headers: { authorization: `Bearer ${h.org.apiKey}`, 'accept-language': 'ja', ...headers },
        });
      // A fresh viewer session (the clock moved 15 days on in the test before).
      const viewer = await h.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email: h.org.viewer.email, password: h.org.viewer.password },
        remoteAddress: '10.9.0.3',
      });
      const unchanged = await snapshot(h);
      const noHeader = await post('株式会社A,山田,a@example.jp\n');
      assert.equal(noHeader.statusCode, 400);
      assert.equal(noHeader.json().error.details.column, '会社名');
      const badRows = await post(
        '会社名,担当者名,メールアドレス,電話番号\r\n株式会社A,山田 一郎,a@example.jp,03-1111-2222\r\n株式会社B,鈴木,not-mail,\r\n,佐藤,c@example.jp,\r\n',
      );
      assert.equal(badRows.statusCode, 400, badRows.body);
      assert.deepEqual(badRows.json().error.details.rows, [
        { line: 3, field: 'email', code: 'INVALID_EMAIL' },
        { line: 4, field: 'companyName', code: 'VALIDATION_FAILED' },
      ]);
      assert.equal((await post('会社名,"担当者名\n')).statusCode, 400, 'unterminated quote');
      assert.equal((await post('{"csv":"x"}', { 'content-type': 'application/json' })).statusCode, 415);
      const byViewer = await h.app.inject({
        method: 'POST',
        url,
        payload: '会社名,担当者名,メールアドレス\nA,B,c@example.jp\n',
        headers: {
          cookie: `inkan_session=${viewer.cookies.find((c) => c.name === 'inkan_session')!.value}`,
          'x-csrf-token': viewer.json().csrfToken,
          'content-type': 'text/csv',
        },
      });
      assert.equal(byViewer.statusCode, 403);
      assert.deepEqual(await snapshot(h), unchanged);

      const before = (await h.api(h.org, 'GET', '/api/v1/address-book/contacts')).json().total;
      const utf8 = await post(
        '\uFEFFcompanyName,email,personName,note\n"株式会社トリヒキ","' +
          contactEmail +
          '",契約 花子,already there\n"有限会社ミナト, 本社","minato@example.jp","港 次郎","1行目\n2行目 ""引用"""\n',
      );
      assert.equal(utf8.statusCode, 201, utf8.body);
      assert.deepEqual(utf8.json(), { created: 1, skipped: 1 });
      const minato = (await h.api(h.org, 'GET', '/api/v1/address-book/contacts?q=minato')).json().items[0];
      assert.equal(minato.companyName, '有限会社ミナト, 本社');
      assert.equal(minato.note, '1行目\n2行目 "引用"');
      const sjis = Buffer.from(
        '89ef8ed096bc2c925393968ed296bc2c8381815b838b83418368838c83580d0a974c8cc089ef8ed0835483938376838b2c8ca9967b2088ea8e712c6d69686f6e4073616d706c652e6578616d706c652e6a700d0a',
        'hex',
      );
      const shiftJis = await post(sjis);
      assert.equal(shiftJis.statusCode, 201, shiftJis.body);
      const sample = (await h.api(h.org, 'GET', '/api/v1/address-book/contacts?q=mihon')).json().items[0];
      assert.equal(sample.companyName, '有限会社サンプル');
      assert.equal(sample.personName, '見本 一子');
      assert.equal((await h.api(h.org, 'GET', '/api/v1/address-book/contacts')).json().total, before + 2);
      assert.equal((await h.api(h.other, 'GET', '/api/v1/address-book/contacts?q=mihon')).json().total, 0);
    });
  });
}
