// The administration API (issue 12 parts 1 and 5) on SQLite and PostgreSQL: organisation profile and
// logo (bounded, PNG/JPEG only), invitations by mail → accept → member, roles (sessions end on role
// loss, the last admin kept), deactivation (sessions end, the membership grants nothing), transferring
// envelopes, API keys with scopes (shown once, stored hashed, enforced on the API), members' sessions,
// and the session policy's idle and absolute timeouts with the test's clock. Each change is an event.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { hashToken } from '../../src/security/tokens.ts';
import { purgeExpiredSessions } from '../../src/domain/use-cases/purge-expired-sessions.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { makePng, pngHeaderOnly } from '../helpers/png.ts';
import { startHarness, snapshot, type Harness } from './helpers/harness.ts';
import { addMember, asSession, cookieOf, nextAddress, signIn, type TestSession } from './helpers/admin-session.ts';

const MINUTE = 60_000;

for (const dialect of DIALECTS) {
  describe(`administration API (${dialect})`, () => {
    let h: Harness;
    let admin: TestSession;
    before(async () => {
      h = await startHarness(dialect);
      admin = await signIn(h, h.org.admin);
    });
    after(async () => h?.close());

    const events = async (action: string) =>
      (
        await h.context.db
          .selectFrom('events')
          .select(['details', 'actor_type', 'actor_id'])
          .where('organization_id', '=', h.org.id)
          .where('action', '=', action)
          .orderBy('seq')
          .execute()
      ).map((e) => ({ ...e, details: JSON.parse(e.details) as Record<string, unknown> }));

    it('organisation profile: read, change (one event with before and after), bad input refused in Japanese and nothing changes', async () => {
      const read = await asSession(h, admin, 'GET', '/api/v1/admin/organization');
      assert.equal(read.statusCode, 200, read.body);
      assert.equal(read.json().name, h.org.name);
      const changed = await asSession(h, admin, 'PATCH', '/api/v1/admin/organization', {
        senderContact: '契約課 03-0000-0000',
        supportContact: 'support@example.jp',
        mailFromName: 'テスト市役所',
        mailReplyTo: 'Keiyaku@Example.jp',
      });
      assert.equal(changed.statusCode, 200, changed.body);
      assert.equal(changed.json().mailReplyTo, 'keiyaku@example.jp');
      const [event] = await events('organization.profile-changed');
      assert.deepEqual(event!.details.mail_from_name, { from: null, to: 'テスト市役所' });
      assert.equal(event!.actor_id, h.org.admin.id);

      const before = await snapshot(h);
      for (const [body, field] of [
        [{ name: '' }, 'name'],
        [{ name: 'x'.repeat(101) }, 'name'],
        [{ name: '改行\nあり' }, 'name'],
        [{ mailFromName: 'Evil <attacker@example.com>' }, 'mailFromName'],
        [{ mailReplyTo: 'not an address' }, 'mailReplyTo'],
        [{ senderContact: 'x'.repeat(501) }, 'senderContact'],
        [{ unknown: 1 }, undefined],
      ] as const) {
        const res = await asSession(h, admin, 'PATCH', '/api/v1/admin/organization', body);
        assert.equal(res.statusCode, 400, `${JSON.stringify(body)} → ${res.body}`);
        assert.match(res.json().error.message, /[ぁ-んァ-ン一-龥]/, 'the message is Japanese');
        if (field) assert.equal(res.json().error.details?.field, field);
      }
      assert.deepEqual(await snapshot(h), before);
    });

    it('logo: a PNG is stored and served publicly as uploaded; GIF, oversized bytes and huge dimensions are refused and change nothing', async () => {
      const png = makePng(64, 32, (x) => [x * 4, 80, 200]);
      const put = await asSession(h, admin, 'PUT', '/api/v1/admin/organization/logo', png, {
        headers: { 'content-type': 'image/png' },
      });
      assert.equal(put.statusCode, 200, put.body);
      const path = put.json().logoPath as string;
      assert.match(path, new RegExp(`^/api/public/organizations/${h.org.id}/logo\\?v=\\d+$`));
      const served = await h.app.inject({ method: 'GET', url: path });
      assert.equal(served.statusCode, 200);
      assert.equal(served.headers['content-type'], 'image/png');
      assert.equal(served.headers['x-content-type-options'], 'nosniff');
      assert.deepEqual(served.rawPayload, png);
      const [event] = await events('organization.logo-changed');
      assert.deepEqual(event!.details, { type: 'image/png', bytes: png.length, width: 64, height: 32 });

      const before = await snapshot(h);
      const refusals: Array<[Buffer, string, number, string]> = [
        [Buffer.from('GIF89a\x01\x00\x01\x00'), 'image/png', 415, 'UNSUPPORTED_MEDIA_TYPE'],
        [Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/png', 415, 'UNSUPPORTED_MEDIA_TYPE'],
        [pngHeaderOnly(20000, 20000), 'image/png', 413, 'PAYLOAD_TOO_LARGE'],
        [Buffer.from([0xff, 0xd8, 0xff, 0xd9]), 'image/jpeg', 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ];
      for (const [bytes, type, status, code] of refusals) {
        const res = await asSession(h, admin, 'PUT', '/api/v1/admin/organization/logo', bytes, {
          headers: { 'content-type': type },
        });
        assert.equal(res.statusCode, status, res.body);
        assert.equal(res.json().error.code, code);
        assert.match(res.json().error.message, /ロゴ/);
      }
      const big = await asSession(h, admin, 'PUT', '/api/v1/admin/organization/logo', Buffer.alloc(300 * 1024, 1), {
        headers: { 'content-type': 'image/png' },
      });
      assert.equal(big.statusCode, 413);
      const text = await asSession(h, admin, 'PUT', '/api/v1/admin/organization/logo', 'hello', {
        headers: { 'content-type': 'text/plain' },
      });
      assert.equal(text.statusCode, 415, text.body);
      assert.deepEqual(await snapshot(h), before);
      assert.equal(
        (await h.app.inject({ method: 'GET', url: `/api/public/organizations/${h.other.id}/logo` })).statusCode,
        404,
      );
    });

    it('invites by mail; the link sets name and password, starts a session in the organisation, works once', async () => {
      const email = `new-${Date.now()}@example.jp`;
      const invited = await asSession(h, admin, 'POST', '/api/v1/admin/invitations', { email, role: 'member' });
      assert.equal(invited.statusCode, 201, invited.body);
      await h.runJobs();
      const [mail] = await h.mailsTo(email);
      assert.ok(mail, 'the invitation mail went out');
      assert.match(mail.subject, /テスト市役所 契約課への招待/);
      assert.match(mail.from_address, /テスト市役所/, 'From carries the organisation display name');
      const token = /\/invitation\?token=([A-Za-z0-9_-]+)/.exec(mail.text_body)![1]!;
      const row = await h.context.db
        .selectFrom('member_invitations')
        .selectAll()
        .where('email', '=', email)
        .executeTakeFirstOrThrow();
      assert.equal(row.token_hash, hashToken(token), 'only the hash is stored');

      const preview = await h.app.inject({
        method: 'POST',
        url: '/api/invitations/preview',
        payload: { token },
        remoteAddress: nextAddress(),
      });
      assert.equal(preview.statusCode, 200, preview.body);
      assert.deepEqual(preview.json(), { organizationName: h.org.name, email, role: 'member', accountExists: false });
      const weak = await h.app.inject({
        method: 'POST',
        url: '/api/invitations/accept',
        payload: { token, name: '新人', password: 'short' },
        remoteAddress: nextAddress(),
      });
      assert.equal(weak.statusCode, 400);
      const accepted = await h.app.inject({
        method: 'POST',
        url: '/api/invitations/accept',
        payload: { token, name: '新人 太郎', password: 'a long new password 42' },
        remoteAddress: nextAddress(),
      });
      assert.equal(accepted.statusCode, 200, accepted.body);
      assert.equal(accepted.json().user.organization.id, h.org.id);
      assert.equal(accepted.json().user.role, 'member');
      const session = { cookie: cookieOf(accepted), csrf: accepted.json().csrfToken as string };
      assert.equal((await asSession(h, session, 'GET', '/api/v1/envelopes')).statusCode, 200);
      const again = await h.app.inject({
        method: 'POST',
        url: '/api/invitations/accept',
        payload: { token, name: 'x', password: 'a long new password 42' },
        remoteAddress: nextAddress(),
      });
      assert.equal(again.statusCode, 410);
      assert.equal((await events('member.joined')).at(-1)!.details.email, email);
      const dup = await asSession(h, admin, 'POST', '/api/v1/admin/invitations', { email, role: 'viewer' });
      assert.equal(dup.statusCode, 409);
      assert.equal(dup.json().error.code, 'ALREADY_MEMBER');
    });

    it('an invitation to an existing account is accepted only signed in as that account', async () => {
      const invited = await asSession(h, admin, 'POST', '/api/v1/admin/invitations', {
        email: h.other.admin.email,
        role: 'viewer',
      });
      assert.equal(invited.statusCode, 201, invited.body);
      await h.runJobs();
      const mail = (await h.mailsTo(h.other.admin.email)).at(-1)!;
      const token = /\/invitation\?token=([A-Za-z0-9_-]+)/.exec(mail.text_body)![1]!;
      const anonymous = await h.app.inject({
        method: 'POST',
        url: '/api/invitations/accept',
        payload: { token },
        remoteAddress: nextAddress(),
      });
      assert.equal(anonymous.statusCode, 403);
      assert.equal(anonymous.json().error.details.reason, 'invitation-account');
      const wrongAccount = await h.app.inject({
        method: 'POST',
        url: '/api/invitations/accept',
        payload: { token },
        headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
        remoteAddress: nextAddress(),
      });
      assert.equal(wrongAccount.statusCode, 403);
      const other = await signIn(h, h.other.admin);
      const ok = await h.app.inject({
        method: 'POST',
        url: '/api/invitations/accept',
        payload: { token },
        headers: { cookie: other.cookie, 'x-csrf-token': other.csrf },
        remoteAddress: nextAddress(),
      });
      assert.equal(ok.statusCode, 200, ok.body);
      const memberships = await h.context.db
        .selectFrom('memberships')
        .select('organization_id')
        .where('user_id', '=', h.other.admin.id)
        .execute();
      assert.equal(memberships.length, 2);
    });

    it('role loss ends the member’s sessions in the organisation; the last administrator keeps the role', async () => {
      const who = await addMember(h, h.org, 'admin');
      const s = await signIn(h, who);
      assert.equal((await asSession(h, s, 'GET', '/api/v1/admin/members')).statusCode, 200);
      const demoted = await asSession(h, admin, 'PATCH', `/api/v1/admin/members/${who.id}`, { role: 'member' });
      assert.equal(demoted.statusCode, 200, demoted.body);
      assert.deepEqual(demoted.json().role, { from: 'admin', to: 'member', sessionsEnded: 1 });
      assert.equal((await asSession(h, s, 'GET', '/api/session')).statusCode, 401, 'the old session is over');
      const s2 = await signIn(h, who);
      assert.equal((await asSession(h, s2, 'GET', '/api/v1/admin/members')).statusCode, 403);
      // Promotion keeps sessions.
      const promoted = await asSession(h, admin, 'PATCH', `/api/v1/admin/members/${who.id}`, { role: 'admin' });
      assert.equal(promoted.json().role.sessionsEnded, 0);
      assert.equal((await asSession(h, s2, 'GET', '/api/v1/admin/members')).statusCode, 200);

      const solo = await startHarness(dialect);
      try {
        const soloAdmin = await signIn(solo, solo.org.admin);
        const res = await asSession(solo, soloAdmin, 'PATCH', `/api/v1/admin/members/${solo.org.admin.id}`, {
          role: 'viewer',
        });
        assert.equal(res.statusCode, 409);
        assert.equal(res.json().error.code, 'LAST_ADMIN');
        assert.match(res.json().error.message, /管理者/);
      } finally {
        await solo.close();
      }
    });

    it('deactivation ends the sessions and grants nothing; reactivation restores; no self-deactivation', async () => {
      const who = await addMember(h, h.org, 'member');
      const s = await signIn(h, who);
      const off = await asSession(h, admin, 'PATCH', `/api/v1/admin/members/${who.id}`, { active: false });
      assert.equal(off.statusCode, 200, off.body);
      assert.deepEqual(off.json().status, { status: 'deactivated', sessionsEnded: 1 });
      assert.equal((await asSession(h, s, 'GET', '/api/v1/envelopes')).statusCode, 401);
      const again = await signIn(h, who);
      const me = await asSession(h, again, 'GET', '/api/session');
      assert.equal(me.json().user.organization, null, 'a deactivated membership opens no organisation');
      assert.equal((await asSession(h, again, 'GET', '/api/v1/envelopes')).statusCode, 403);
      const list = await asSession(h, admin, 'GET', '/api/v1/admin/members');
      assert.equal(list.json().members.find((m: { userId: string }) => m.userId === who.id).status, 'deactivated');
      assert.equal((await events('member.deactivated')).at(-1)!.details.userId, who.id);

      const on = await asSession(h, admin, 'PATCH', `/api/v1/admin/members/${who.id}`, { active: true });
      assert.equal(on.json().status.status, 'active');
      const back = await signIn(h, who);
      assert.equal((await asSession(h, back, 'GET', '/api/v1/envelopes')).statusCode, 200);
      const self = await asSession(h, admin, 'PATCH', `/api/v1/admin/members/${h.org.admin.id}`, { active: false });
      assert.equal(self.statusCode, 403);
      assert.equal(self.json().error.details.reason, 'self');
    });

    it('transfers a member’s envelopes to another member, never to a viewer or outside the organisation', async () => {
      const leaver = await addMember(h, h.org, 'member');
      const heir = await addMember(h, h.org, 'member');
      // An envelope created (through the API) and owned by the leaver.
      const created = await h.createEnvelope(
        h.org,
        { name: '引継ぎ契約', recipients: [{ name: '相手', email: 'party@example.jp', accessCode: '1234', order: 1 }] },
        [{ filename: 'a.pdf', data: await makePdf({ pages: 1, text: 'Transfer' }) }],
      );
      assert.equal(created.statusCode, 201, created.body);
      await h.context.db
        .updateTable('envelopes')
        .set({ created_by_user_id: leaver.id })
        .where('id', '=', created.json().id)
        .execute();
      const toViewer = await asSession(h, admin, 'POST', `/api/v1/admin/members/${leaver.id}/transfer-envelopes`, {
        toUserId: h.org.viewer.id,
      });
      assert.equal(toViewer.statusCode, 400);
      const toOther = await asSession(h, admin, 'POST', `/api/v1/admin/members/${leaver.id}/transfer-envelopes`, {
        toUserId: h.other.admin.id,
      });
      assert.equal(toOther.statusCode, 400);
      const moved = await asSession(h, admin, 'POST', `/api/v1/admin/members/${leaver.id}/transfer-envelopes`, {
        toUserId: heir.id,
      });
      assert.equal(moved.statusCode, 200, moved.body);
      assert.equal(moved.json().transferred, 1);
      const row = await h.context.db
        .selectFrom('envelopes')
        .select('created_by_user_id')
        .where('id', '=', created.json().id)
        .executeTakeFirstOrThrow();
      assert.equal(row.created_by_user_id, heir.id);
      assert.equal((await events('member.envelopes-transferred')).at(-1)!.details.transferred, 1);
    });

    it('signing-request mails carry the organisation’s logo, sender contact, display name and Reply-To', async () => {
      const created = await h.createEnvelope(
        h.org,
        {
          name: 'ロゴ確認契約',
          recipients: [{ name: '相手方', email: 'logo-check@example.jp', accessCode: '1234', order: 1 }],
        },
        [{ filename: 'a.pdf', data: await makePdf({ pages: 1, text: 'Logo' }) }],
      );
      assert.equal(created.statusCode, 201, created.body);
      const sent = await h.api(h.org, 'POST', `/api/v1/envelopes/${created.json().id}/send`);
      assert.equal(sent.statusCode, 200, sent.body);
      await h.runJobs();
      const [mail] = await h.mailsTo('logo-check@example.jp');
      assert.ok(mail, 'the signing request went out');
      const profile = (await asSession(h, admin, 'GET', '/api/v1/admin/organization')).json();
      assert.ok(profile.logoPath, 'the logo test ran first');
      assert.ok(mail.html_body.includes(`<img src="http://inkan.test${profile.logoPath}"`), 'logo in the HTML part');
      assert.match(mail.text_body, /の連絡先: 契約課 03-0000-0000/);
      assert.match(mail.from_address, /^"テスト市役所" </);
    });

    it('API keys: scopes chosen at creation, shown once, stored hashed, enforced on every kind of route; revoked keys stop', async () => {
      const res = await asSession(h, admin, 'POST', '/api/v1/admin/api-keys', { name: '閲覧連携', scopes: ['read'] });
      assert.equal(res.statusCode, 201, res.body);
      const { key, apiKey } = res.json() as { key: string; apiKey: { id: string; prefix: string; scopes: string[] } };
      assert.match(key, /^inkan_[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(apiKey.scopes, ['read']);
      const stored = await h.context.db
        .selectFrom('api_keys')
        .selectAll()
        .where('id', '=', apiKey.id)
        .executeTakeFirstOrThrow();
      assert.equal(stored.key_hash, hashToken(key));
      const everything = JSON.stringify(await snapshot(h));
      assert.ok(!everything.includes(key), 'the key is nowhere in the database');
      const listed = await asSession(h, admin, 'GET', '/api/v1/admin/api-keys');
      assert.ok(!listed.body.includes(key), 'the list never shows the key');

      const bearer = (k: string, method: string, url: string, payload?: unknown) =>
        h.app.inject({
          method: method as 'GET',
          url,
          headers: { authorization: `Bearer ${k}`, 'accept-language': 'ja' },
          ...(payload === undefined ? {} : { payload: payload as object }),
        });
      assert.equal((await bearer(key, 'GET', '/api/v1/envelopes')).statusCode, 200);
      assert.equal((await bearer(key, 'GET', '/api/v1/contracts')).statusCode, 200);
      const send = await bearer(
        key,
        'POST',
        `/api/v1/envelopes/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/send`,
      );
      assert.equal(send.statusCode, 403);
      assert.equal(send.json().error.code, 'API_KEY_SCOPE');
      assert.match(send.json().error.message, /send/);
      const register = await bearer(key, 'POST', '/api/v1/contracts/fields', { key: 'x', label: 'x', type: 'text' });
      assert.equal(register.statusCode, 403);
      assert.equal(register.json().error.code, 'API_KEY_SCOPE');
      const adminApi = await bearer(key, 'GET', '/api/v1/admin/members');
      assert.equal(adminApi.json().error.code, 'API_KEY_SCOPE');
      const afterUse = await asSession(h, admin, 'GET', '/api/v1/admin/api-keys');
      assert.ok(
        afterUse.json().apiKeys.find((k: { id: string }) => k.id === apiKey.id).lastUsedAt,
        'last use is shown',
      );

      const adminKey = (
        await asSession(h, admin, 'POST', '/api/v1/admin/api-keys', { name: '管理連携', scopes: ['admin', 'read'] })
      ).json().key as string;
      assert.equal((await bearer(adminKey, 'GET', '/api/v1/admin/members')).statusCode, 200);
      const mint = await bearer(adminKey, 'POST', '/api/v1/admin/api-keys', { name: 'x', scopes: ['send'] });
      assert.equal(mint.statusCode, 403, 'a key never mints keys');
      assert.equal(mint.json().error.details.reason, 'session-required');

      for (const bad of [
        { name: 'x', scopes: [] },
        { name: 'x', scopes: ['root'] },
        { name: '', scopes: ['read'] },
      ]) {
        const r = await asSession(h, admin, 'POST', '/api/v1/admin/api-keys', bad);
        assert.equal(r.statusCode, 400, JSON.stringify(bad));
      }
      assert.equal((await asSession(h, admin, 'DELETE', `/api/v1/admin/api-keys/${apiKey.id}`)).statusCode, 204);
      assert.equal((await bearer(key, 'GET', '/api/v1/envelopes')).statusCode, 401);
      assert.equal((await asSession(h, admin, 'DELETE', `/api/v1/admin/api-keys/${apiKey.id}`)).statusCode, 404);
      const created = await events('apikey.created');
      assert.deepEqual(created.at(-2)!.details.scopes, ['read']);
      assert.ok(!JSON.stringify(created).includes(key));
      // Keys made before scopes existed keep what they could do (send, read, register), not admin.
      assert.equal((await h.api(h.org, 'GET', '/api/v1/envelopes')).statusCode, 200);
      assert.equal((await h.api(h.org, 'GET', '/api/v1/admin/members')).json().error.code, 'API_KEY_SCOPE');
    });

    it('admins list members’ sessions and end one or all; another organisation’s sessions are out of reach', async () => {
      const who = await addMember(h, h.org, 'member');
      const s1 = await signIn(h, who);
      const s2 = await signIn(h, who);
      const list = await asSession(h, admin, 'GET', `/api/v1/admin/sessions?userId=${who.id}`);
      assert.equal(list.statusCode, 200, list.body);
      const sessions = list.json().sessions as Array<{ id: string }>;
      assert.equal(sessions.length, 2);
      const one = await asSession(h, admin, 'DELETE', `/api/v1/admin/members/${who.id}/sessions/${sessions[0]!.id}`);
      assert.equal(one.statusCode, 204);
      const alive = [await asSession(h, s1, 'GET', '/api/session'), await asSession(h, s2, 'GET', '/api/session')]
        .map((r) => r.statusCode)
        .sort();
      assert.deepEqual(alive, [200, 401]);
      const all = await asSession(h, admin, 'DELETE', `/api/v1/admin/members/${who.id}/sessions`);
      assert.equal(all.json().ended, 1);
      const otherSession = await signIn(h, h.other.viewer);
      void otherSession;
      const otherList = await asSession(h, admin, 'GET', `/api/v1/admin/sessions?userId=${h.other.viewer.id}`);
      assert.deepEqual(otherList.json().sessions, []);
      const otherId = (
        await h.context.db
          .selectFrom('sessions')
          .select('token_hash')
          .where('user_id', '=', h.other.viewer.id)
          .executeTakeFirstOrThrow()
      ).token_hash;
      const reach = await asSession(
        h,
        admin,
        'DELETE',
        `/api/v1/admin/members/${h.other.viewer.id}/sessions/${otherId}`,
      );
      assert.equal(reach.statusCode, 404);
    });

    it('session policy: idle and absolute timeouts (the test clock), bounded values', async () => {
      const who = await addMember(h, h.other, 'member');
      const otherAdmin = await signIn(h, h.other.admin);
      for (const bad of [
        { sessionIdleMinutes: 1 },
        { sessionIdleMinutes: 2.5 },
        { sessionAbsoluteHours: 10_000 },
        { sessionIdleMinutes: '30' },
      ]) {
        const r = await asSession(h, otherAdmin, 'PATCH', '/api/v1/organization/settings', bad);
        assert.equal(r.statusCode, 400, JSON.stringify(bad));
      }
      const set = await asSession(h, otherAdmin, 'PATCH', '/api/v1/organization/settings', {
        sessionIdleMinutes: 30,
        sessionAbsoluteHours: 2,
      });
      assert.equal(set.statusCode, 200, set.body);
      assert.deepEqual([set.json().sessionIdleMinutes, set.json().sessionAbsoluteHours], [30, 2]);

      // The session's row, by the hash of the cookie's token.
      const row = (s: TestSession) =>
        h.context.db
          .selectFrom('sessions')
          .select('token_hash')
          .where('token_hash', '=', hashToken(s.cookie.slice('inkan_session='.length)))
          .executeTakeFirst();

      // Idle: used every 20 minutes it lives; 31 minutes unused ends it.
      const idle = await signIn(h, who);
      h.clock.advance(20 * MINUTE);
      assert.equal((await asSession(h, idle, 'GET', '/api/session')).statusCode, 200);
      h.clock.advance(20 * MINUTE);
      assert.equal((await asSession(h, idle, 'GET', '/api/session')).statusCode, 200);
      h.clock.advance(31 * MINUTE);
      assert.equal((await asSession(h, idle, 'GET', '/api/session')).statusCode, 401);
      // A GET only refuses a timed-out session (it deletes nothing); it stays refused everywhere.
      assert.ok(await row(idle), 'a GET leaves the row');
      assert.equal((await asSession(h, idle, 'GET', '/api/v1/envelopes')).statusCode, 401);
      assert.equal((await asSession(h, idle, 'GET', '/api/account/sessions')).statusCode, 401);
      assert.ok(await row(idle), 'GETs leave the row');

      // Absolute: even in constant use, two hours after sign-in it ends.
      const busy = await signIn(h, who);
      for (let i = 0; i < 5; i++) {
        h.clock.advance(20 * MINUTE);
        assert.equal((await asSession(h, busy, 'GET', '/api/session')).statusCode, 200, `at ${(i + 1) * 20} minutes`);
      }
      h.clock.advance(21 * MINUTE);
      assert.equal((await asSession(h, busy, 'GET', '/api/session')).statusCode, 401);
      assert.ok(await row(busy), 'a GET leaves the row');
      // A mutating request is refused too, and removes the row.
      assert.equal((await asSession(h, busy, 'POST', '/api/account/sessions/end-others', {})).statusCode, 401);
      assert.equal(await row(busy), undefined, 'a mutating request removes the timed-out row');

      // The scheduled sweep removes timed-out sessions and leaves live ones.
      const live = await signIn(h, who);
      const removed = await purgeExpiredSessions(h.context);
      assert.ok(removed >= 1, `purged ${removed}`);
      assert.equal(await row(idle), undefined, 'the sweep removes the timed-out row');
      assert.ok(await row(live), 'the sweep keeps a live session');

      // Loosening the policy never revives a session that had already timed out.
      const stale = await signIn(h, who);
      h.clock.advance(31 * MINUTE);
      assert.equal((await asSession(h, stale, 'GET', '/api/session')).statusCode, 401);
      assert.ok(await row(stale));
      // Turned off again: no limit but the installation's.
      const fresh = await signIn(h, h.other.admin);
      const off = await asSession(h, fresh, 'PATCH', '/api/v1/organization/settings', {
        sessionIdleMinutes: null,
        sessionAbsoluteHours: null,
      });
      assert.equal(off.statusCode, 200, off.body);
      assert.equal((await asSession(h, stale, 'GET', '/api/session')).statusCode, 401, 'stays ended');
      assert.equal(await row(stale), undefined);
    });
  });
}
