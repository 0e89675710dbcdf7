// Accounts over the HTTP API on SQLite and PostgreSQL: sign-up through the mail (one use, 24 h on a
// controlled clock), the password rules, no account enumeration (byte-equal answers), password reset
// (1 h, ends every session), e-mail change, sessions list / end, data export and account deletion,
// per-address rate limits, and bad input that writes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { unzipSync, strFromU8 } from 'fflate';
import type { LightMyRequestResponse } from 'fastify';
import { DIALECTS } from '../helpers/test-database.ts';
import { multipart, startHarness, type Harness } from './helpers/harness.ts';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { hashToken } from '../../src/security/tokens.ts';

const HOUR = 3_600_000;

for (const dialect of DIALECTS) {
  describe(`accounts (${dialect})`, () => {
    let h: Harness;
    let ip = 0;
    const from = () => `10.9.${Math.floor(++ip / 250)}.${ip % 250}`;

    before(async () => {
      h = await startHarness(dialect);
    });
    after(async () => h?.close());

    const post = (url: string, payload: object, headers: Record<string, string> = {}) =>
      h.app.inject({
        method: 'POST',
        url,
        payload,
        remoteAddress: from(),
        headers: { 'accept-language': 'ja', ...headers },
      });
    const linkIn = (text: string, path: string): string => {
      const match = new RegExp(`http://inkan\\.test${path.replace(/\//g, '\\/')}\\?token=([A-Za-z0-9_-]+)`).exec(text);
      if (!match) throw new Error(`no ${path} link in:\n${text}`);
      return match[1]!;
    };
    const lastMail = async (address: string) => (await h.mailsTo(address)).at(-1);
    const cookieOf = (res: LightMyRequestResponse) =>
      `inkan_session=${res.cookies.find((c) => c.name === 'inkan_session')!.value}`;
    const asAccount = (
      session: { cookie: string; csrf: string },
      method: string,
      url: string,
      payload?: object,
      extra: Record<string, string> = {},
    ) =>
      h.app.inject({
        method: method as 'GET',
        url,
        headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, 'accept-language': 'ja', ...extra },
        ...(payload ? { payload } : {}),
        remoteAddress: from(),
      });
    const signIn = async (email: string, password: string, userAgent = 'Test-Browser/1') => {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email, password },
        remoteAddress: from(),
        headers: { 'user-agent': userAgent },
      });
      assert.equal(res.statusCode, 200, res.body);
      return { cookie: cookieOf(res), csrf: res.json().csrfToken as string };
    };
    const userCount = async () => (await h.context.db.selectFrom('users').select('id').execute()).length;

    /** Runs sign-up to the end for an address; returns the session. */
    const signUp = async (email: string, password: string, name = '山田 太郎') => {
      assert.equal((await post('/api/account/signup', { email })).statusCode, 202);
      await h.runJobs();
      const token = linkIn((await lastMail(email))!.text_body, '/signup/complete');
      const done = await post('/api/account/signup/complete', { token, name, password });
      assert.equal(done.statusCode, 200, done.body);
      return { cookie: cookieOf(done), csrf: done.json().csrfToken as string, userId: done.json().user.id as string };
    };

    it('signs up through the mail: アカウント登録手続きへ → form → signed in, next carried through; the link works once', async () => {
      const email = `new.person-${dialect}@example.jp`;
      const asked = await post('/api/account/signup', {
        email: `  New.Person-${dialect}@Example.JP `,
        next: '/claim/abc123?from=mail',
      });
      assert.equal(asked.statusCode, 202, asked.body);
      assert.deepEqual(asked.json(), { accepted: true });
      assert.equal((await h.mailsTo(email)).length, 0, 'the mail is the job’s');
      await h.runJobs();
      const mail = (await lastMail(email))!;
      assert.equal(mail.subject, '【Inkan】アカウント登録のご案内');
      assert.match(mail.text_body, /アカウント登録手続きへ/);
      assert.match(mail.html_body, />アカウント登録手続きへ</);
      const token = linkIn(mail.text_body, '/signup/complete');
      const stored = await h.context.db
        .selectFrom('account_tokens')
        .selectAll()
        .where('purpose', '=', 'signup')
        .where('email', '=', email)
        .execute();
      assert.equal(stored.length, 1);
      assert.equal(stored[0]!.token_hash, hashToken(token), 'only the hash is stored');
      assert.equal(new Date(stored[0]!.expires_at).getTime() - new Date(stored[0]!.created_at).getTime(), 24 * HOUR);

      const info = await h.app.inject({ method: 'GET', url: `/api/account/signup/link?token=${token}` });
      assert.equal(info.statusCode, 200);
      assert.equal(info.json().email, email);
      assert.equal(info.json().next, '/claim/abc123?from=mail');

      const before = await userCount();
      const short = await post('/api/account/signup/complete', { token, name: '山田 太郎', password: 'short' });
      assert.equal(short.statusCode, 400);
      assert.equal(short.json().error.code, 'PASSWORD_TOO_SHORT');
      assert.match(short.json().error.message, /10文字以上/);
      const common = await post('/api/account/signup/complete', { token, name: '山田 太郎', password: 'qwertyuiop' });
      assert.equal(common.statusCode, 400);
      assert.equal(common.json().error.code, 'PASSWORD_TOO_COMMON');
      const commonUpper = await post('/api/account/signup/complete', {
        token,
        name: '山田 太郎',
        password: 'Password123',
      });
      assert.equal(commonUpper.json().error.code, 'PASSWORD_TOO_COMMON', 'compared without case');
      const noName = await post('/api/account/signup/complete', {
        token,
        name: '  ',
        password: 'a fine long passphrase',
      });
      assert.equal(noName.statusCode, 400);
      assert.equal(noName.json().error.details.field, 'name');
      assert.equal(await userCount(), before, 'nothing written');

      const done = await post('/api/account/signup/complete', {
        token,
        name: '山田 太郎',
        companyName: '株式会社テスト',
        password: 'a fine long passphrase',
      });
      assert.equal(done.statusCode, 200, done.body);
      assert.equal(done.json().next, '/claim/abc123?from=mail');
      assert.equal(done.json().user.email, email);
      assert.equal(done.json().user.companyName, '株式会社テスト');
      assert.equal(done.json().user.organization, null);
      const session = { cookie: cookieOf(done), csrf: done.json().csrfToken };
      const me = await asAccount(session, 'GET', '/api/account');
      assert.equal(me.statusCode, 200);
      assert.equal(me.json().user.name, '山田 太郎');

      const again = await post('/api/account/signup/complete', {
        token,
        name: '別人',
        password: 'another fine passphrase',
      });
      assert.equal(again.statusCode, 410);
      assert.equal(again.json().error.code, 'SIGNUP_LINK_EXPIRED');
      assert.equal(
        (await h.app.inject({ method: 'GET', url: `/api/account/signup/link?token=${token}` })).statusCode,
        410,
      );
      const events = await h.context.db
        .selectFrom('events')
        .select(['action', 'details'])
        .where('actor_type', '=', 'user')
        .where('actor_id', '=', done.json().user.id)
        .orderBy('seq')
        .execute();
      assert.deepEqual(
        events.map((e) => e.action),
        ['account.created', 'session.signed-in'],
      );
      assert.ok(
        !JSON.stringify(await h.context.db.selectFrom('events').selectAll().execute()).includes(token),
        'no token in the log',
      );
    });

    it('a sign-up link lives 24 hours (controlled clock)', async () => {
      const email = `late-${dialect}@example.jp`;
      await post('/api/account/signup', { email });
      await h.runJobs();
      const token = linkIn((await lastMail(email))!.text_body, '/signup/complete');
      h.clock.advance(24 * HOUR - 60_000);
      assert.equal(
        (await h.app.inject({ method: 'GET', url: `/api/account/signup/link?token=${token}` })).statusCode,
        200,
        'still valid a minute before',
      );
      h.clock.advance(60_000);
      const late = await post('/api/account/signup/complete', {
        token,
        name: '遅刻',
        password: 'a fine long passphrase',
      });
      assert.equal(late.statusCode, 410);
      assert.equal(late.json().error.code, 'SIGNUP_LINK_EXPIRED');
      assert.match(late.json().error.message, /24時間/);
      const malformed = await post('/api/account/signup/complete', {
        token: 'x',
        name: 'x',
        password: 'a fine long passphrase',
      });
      assert.equal(malformed.statusCode, 404);
      assert.equal(malformed.json().error.code, 'LINK_INVALID');
      const unknown = await h.app.inject({ method: 'GET', url: `/api/account/signup/link?token=${'A'.repeat(43)}` });
      assert.equal(unknown.statusCode, 404);
    });

    it('sign-up and reset answer byte for byte the same for known and unknown addresses; only the mail differs', async () => {
      const known = h.other.admin.email;
      const unknown = `nobody-${dialect}@example.jp`;
      for (const url of ['/api/account/signup', '/api/account/password/forgot']) {
        const a = await post(url, { email: known });
        const b = await post(url, { email: unknown });
        assert.equal(a.statusCode, b.statusCode, url);
        assert.equal(a.headers['content-type'], b.headers['content-type']);
        assert.ok(a.rawPayload.equals(b.rawPayload), `${url}: ${a.body} vs ${b.body}`);
      }
      await h.runJobs();
      const knownMails = await h.mailsTo(known);
      const unknownMails = await h.mailsTo(unknown);
      assert.deepEqual(
        knownMails.map((m) => m.subject),
        ['【Inkan】アカウント登録のご案内', '【Inkan】パスワード再設定のご案内'],
      );
      assert.match(knownMails[0]!.text_body, /すでに登録されています/);
      assert.doesNotMatch(knownMails[0]!.text_body, /signup\/complete/, 'no sign-up link for an existing account');
      assert.deepEqual(
        unknownMails.map((m) => m.subject),
        ['【Inkan】アカウント登録のご案内'],
        'an unknown address gets no reset mail',
      );
      assert.match(unknownMails[0]!.text_body, /signup\/complete\?token=/);
    });

    it('password reset: 1 hour, one use, every session ends; the new password signs in', async () => {
      const email = `reset-${dialect}@example.jp`;
      await signUp(email, 'the first passphrase');
      const a = await signIn(email, 'the first passphrase', 'Browser-A');
      const b = await signIn(email, 'the first passphrase', 'Browser-B');
      assert.equal((await post('/api/account/password/forgot', { email })).statusCode, 202);
      await h.runJobs();
      const mail = (await lastMail(email))!;
      assert.equal(mail.subject, '【Inkan】パスワード再設定のご案内');
      const token = linkIn(mail.text_body, '/password/reset');
      const stored = await h.context.db
        .selectFrom('account_tokens')
        .selectAll()
        .where('token_hash', '=', hashToken(token))
        .executeTakeFirstOrThrow();
      assert.equal(new Date(stored.expires_at).getTime() - new Date(stored.created_at).getTime(), HOUR);

      const common = await post('/api/account/password/reset', { token, password: '1234567890' });
      assert.equal(common.json().error.code, 'PASSWORD_TOO_COMMON');
      assert.equal((await asAccount(a, 'GET', '/api/account')).statusCode, 200, 'a refused reset ends nothing');
      const done = await post('/api/account/password/reset', { token, password: 'the second passphrase' });
      assert.equal(done.statusCode, 204, done.body);
      assert.equal((await asAccount(a, 'GET', '/api/account')).statusCode, 401);
      assert.equal((await asAccount(b, 'GET', '/api/account')).statusCode, 401);
      const userId = (
        await h.context.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()
      ).id;
      assert.equal(
        (await h.context.db.selectFrom('sessions').select('token_hash').where('user_id', '=', userId).execute()).length,
        0,
      );
      const old = await h.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email, password: 'the first passphrase' },
        remoteAddress: from(),
      });
      assert.equal(old.statusCode, 401);
      await signIn(email, 'the second passphrase');
      const reused = await post('/api/account/password/reset', { token, password: 'the third passphrase' });
      assert.equal(reused.statusCode, 410);
      assert.equal(reused.json().error.code, 'RESET_LINK_EXPIRED');

      await post('/api/account/password/forgot', { email });
      await h.runJobs();
      const second = linkIn((await lastMail(email))!.text_body, '/password/reset');
      h.clock.advance(HOUR);
      const late = await post('/api/account/password/reset', { token: second, password: 'the third passphrase' });
      assert.equal(late.statusCode, 410);
      assert.equal(late.json().error.code, 'RESET_LINK_EXPIRED');
    });

    it('change e-mail: password required, a one-use link to the new address, the old one notified; a taken address is said only at confirm', async () => {
      const email = `change-${dialect}@example.jp`;
      const newEmail = `changed-${dialect}@example.jp`;
      const session = await signUp(email, 'change passphrase 1');
      const wrong = await asAccount(session, 'POST', '/api/account/email', {
        newEmail,
        currentPassword: 'not it at all',
      });
      assert.equal(wrong.statusCode, 403);
      assert.equal(wrong.json().error.code, 'PASSWORD_WRONG');
      const noCsrf = await h.app.inject({
        method: 'POST',
        url: '/api/account/email',
        headers: { cookie: session.cookie },
        payload: { newEmail, currentPassword: 'change passphrase 1' },
      });
      assert.equal(noCsrf.statusCode, 403);
      assert.equal(noCsrf.json().error.code, 'CSRF_FAILED');
      const asked = await asAccount(session, 'POST', '/api/account/email', {
        newEmail,
        currentPassword: 'change passphrase 1',
      });
      assert.equal(asked.statusCode, 202, asked.body);
      await h.runJobs();
      const mail = (await lastMail(newEmail))!;
      assert.equal(mail.subject, '【Inkan】メールアドレス変更の確認');
      const token = linkIn(mail.text_body, '/account/email/confirm');
      assert.equal(
        (await h.context.db.selectFrom('users').select('id').where('email', '=', email).execute()).length,
        1,
        'unchanged until confirmed',
      );
      const confirmed = await post('/api/account/email/confirm', { token });
      assert.equal(confirmed.statusCode, 200, confirmed.body);
      assert.deepEqual(confirmed.json(), { email: newEmail });
      await h.runJobs();
      const notice = (await lastMail(email))!;
      assert.equal(notice.subject, '【Inkan】メールアドレスが変更されました');
      assert.match(notice.text_body, new RegExp(newEmail.replace(/\./g, '\\.')));
      assert.equal((await asAccount(session, 'GET', '/api/account')).json().user.email, newEmail);
      await signIn(newEmail, 'change passphrase 1');
      assert.equal((await post('/api/account/email/confirm', { token })).json().error.code, 'EMAIL_LINK_EXPIRED');

      // The address of another account: the request looks like any other; the confirm step says EMAIL_TAKEN.
      const taken = await asAccount(session, 'POST', '/api/account/email', {
        newEmail: h.other.admin.email,
        currentPassword: 'change passphrase 1',
      });
      assert.equal(taken.statusCode, 202);
      assert.ok(taken.rawPayload.equals(asked.rawPayload));
      await h.runJobs();
      const takenToken = linkIn((await lastMail(h.other.admin.email))!.text_body, '/account/email/confirm');
      const refused = await post('/api/account/email/confirm', { token: takenToken });
      assert.equal(refused.statusCode, 409);
      assert.equal(refused.json().error.code, 'EMAIL_TAKEN');
      assert.equal((await asAccount(session, 'GET', '/api/account')).json().user.email, newEmail, 'nothing changed');
    });

    it('sessions: list (created, last seen, IP, user agent), end one, end all others; another account’s session is 404', async () => {
      const email = `sessions-${dialect}@example.jp`;
      await signUp(email, 'sessions passphrase');
      const phone = await signIn(email, 'sessions passphrase', 'Phone-Browser/2');
      const desk = await signIn(email, 'sessions passphrase', 'Desk-Browser/3');
      const list = await asAccount(desk, 'GET', '/api/account/sessions');
      assert.equal(list.statusCode, 200);
      const sessions = list.json().sessions as Array<{
        id: string;
        current: boolean;
        userAgent: string | null;
        ip: string | null;
        createdAt: string;
        lastSeenAt: string;
      }>;
      assert.equal(sessions.length, 3);
      assert.equal(sessions.filter((s) => s.current).length, 1);
      assert.equal(sessions.find((s) => s.current)!.userAgent, 'Desk-Browser/3');
      assert.ok(sessions.every((s) => s.ip && s.createdAt && s.lastSeenAt));
      const phoneSession = sessions.find((s) => s.userAgent === 'Phone-Browser/2')!;

      const stranger = await signIn(h.org.admin.email, h.org.admin.password);
      const foreign = await asAccount(stranger, 'DELETE', `/api/account/sessions/${phoneSession.id}`);
      assert.equal(foreign.statusCode, 404);
      assert.equal((await asAccount(phone, 'GET', '/api/account')).statusCode, 200, 'still alive');
      assert.equal((await asAccount(desk, 'DELETE', '/api/account/sessions/not-a-session')).statusCode, 404);

      assert.equal((await asAccount(desk, 'DELETE', `/api/account/sessions/${phoneSession.id}`)).statusCode, 204);
      assert.equal((await asAccount(phone, 'GET', '/api/account')).statusCode, 401);
      const ended = await asAccount(desk, 'POST', '/api/account/sessions/end-others');
      assert.deepEqual(ended.json(), { ended: 1 });
      const left = (await asAccount(desk, 'GET', '/api/account/sessions')).json().sessions;
      assert.equal(left.length, 1);
      assert.equal(left[0].current, true);
      assert.equal(
        (await asAccount(stranger, 'GET', '/api/account')).statusCode,
        200,
        "the other account's session is untouched",
      );
    });

    it('change password ends the other sessions; export is a ZIP of the account’s data; delete needs the password', async () => {
      const email = `leaving-${dialect}@example.jp`;
      const session = await signUp(email, 'leaving passphrase', '去る 人');
      const other = await signIn(email, 'leaving passphrase', 'Other-Browser');
      const wrong = await asAccount(session, 'POST', '/api/account/password', {
        currentPassword: 'nope nope nope',
        newPassword: 'leaving passphrase 2',
      });
      assert.equal(wrong.json().error.code, 'PASSWORD_WRONG');
      assert.equal(
        (
          await asAccount(session, 'POST', '/api/account/password', {
            currentPassword: 'leaving passphrase',
            newPassword: 'leaving passphrase 2',
          })
        ).statusCode,
        204,
      );
      assert.equal((await asAccount(other, 'GET', '/api/account')).statusCode, 401);
      assert.equal((await asAccount(session, 'GET', '/api/account')).statusCode, 200);

      const profile = await asAccount(session, 'PATCH', '/api/account/profile', {
        name: '去る 人（改）',
        companyName: '団体A',
      });
      assert.equal(profile.statusCode, 200, profile.body);
      assert.equal(profile.json().user.companyName, '団体A');

      const exported = await asAccount(session, 'POST', '/api/account/export');
      assert.equal(exported.statusCode, 200, exported.body);
      assert.equal(exported.headers['content-type'], 'application/zip');
      assert.match(
        String(exported.headers['content-disposition']),
        /^attachment; filename="inkan-account-\d{4}-\d{2}-\d{2}\.zip"/,
      );
      const files = unzipSync(new Uint8Array(exported.rawPayload));
      assert.deepEqual(Object.keys(files).sort(), [
        'contracts/index.json',
        'manifest.json',
        'memberships.json',
        'profile.json',
        'sessions.json',
      ]);
      assert.deepEqual(JSON.parse(strFromU8(files['contracts/index.json']!)), [], 'no personal register entries');
      const manifest = JSON.parse(strFromU8(files['manifest.json']!));
      assert.deepEqual(
        manifest.parts.map((p: { name: string }) => p.name),
        ['profile', 'memberships', 'sessions', 'contracts'],
      );
      const exportedProfile = JSON.parse(strFromU8(files['profile.json']!));
      assert.equal(exportedProfile.email, email);
      assert.equal(exportedProfile.name, '去る 人（改）');
      assert.equal(exportedProfile.companyName, '団体A');
      assert.ok(!strFromU8(files['profile.json']!).includes('argon2'), 'no password hash');
      assert.equal(JSON.parse(strFromU8(files['sessions.json']!)).length, 1);

      const bad = await asAccount(session, 'DELETE', '/api/account', { password: 'leaving passphrase' });
      assert.equal(bad.statusCode, 403);
      assert.equal(bad.json().error.code, 'PASSWORD_WRONG');
      const userId = (await asAccount(session, 'GET', '/api/account')).json().user.id;
      const gone = await asAccount(session, 'DELETE', '/api/account', { password: 'leaving passphrase 2' });
      assert.equal(gone.statusCode, 204, gone.body);
      assert.equal((await h.context.db.selectFrom('users').select('id').where('id', '=', userId).execute()).length, 0);
      assert.equal(
        (await h.context.db.selectFrom('sessions').select('token_hash').where('user_id', '=', userId).execute()).length,
        0,
      );
      assert.equal(
        (await h.context.db.selectFrom('account_tokens').select('token_hash').where('user_id', '=', userId).execute())
          .length,
        0,
      );
      assert.deepEqual(await h.mailsTo(email), [], 'the stored sign-up mail is gone too');
      assert.equal((await asAccount(session, 'GET', '/api/account')).statusCode, 401);
      const actions = (
        await h.context.db.selectFrom('events').select('action').where('actor_id', '=', userId).orderBy('seq').execute()
      ).map((e) => e.action);
      assert.ok(actions.includes('account.exported') && actions.at(-1) === 'account.deleted', actions.join());
    });

    it('the last administrator cannot be deleted (LAST_ADMIN); a member who leaves keeps the envelopes they created (created_by null)', async () => {
      const admin = await signIn(h.org.admin.email, h.org.admin.password);
      const refused = await asAccount(admin, 'DELETE', '/api/account', { password: h.org.admin.password });
      assert.equal(refused.statusCode, 409);
      assert.equal(refused.json().error.code, 'LAST_ADMIN');
      assert.match(refused.json().error.message, new RegExp(h.org.name));
      assert.equal((await asAccount(admin, 'GET', '/api/account')).statusCode, 200, 'still there');

      await h.context.db
        .updateTable('memberships')
        .set({ role: 'member' })
        .where('user_id', '=', h.org.viewer.id)
        .execute();
      const member = await signIn(h.org.viewer.email, h.org.viewer.password);
      const pdf = await makePdf({ pages: 1, text: 'Stays' });
      const form = multipart([
        {
          name: 'envelope',
          value: JSON.stringify({ name: '残る封筒', recipients: [{ name: 'R', email: 'r@example.jp', order: 1 }] }),
          contentType: 'application/json',
        },
        { name: 'documents', filename: 'a.pdf', data: pdf },
      ]);
      const created = await h.app.inject({
        method: 'POST',
        url: '/api/v1/envelopes',
        payload: form.payload,
        headers: { ...form.headers, cookie: member.cookie, 'x-csrf-token': member.csrf },
      });
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(
        (await asAccount(member, 'DELETE', '/api/account', { password: h.org.viewer.password })).statusCode,
        204,
      );
      const envelope = await h.context.db
        .selectFrom('envelopes')
        .select(['id', 'created_by_user_id'])
        .where('id', '=', created.json().id)
        .executeTakeFirstOrThrow();
      assert.equal(envelope.created_by_user_id, null);
    });

    it('rate limits: sign-up and reset per address (whatever the IP), the same for known and unknown addresses', async () => {
      for (const [url, email] of [
        ['/api/account/signup', `limit-${dialect}@example.jp`],
        ['/api/account/signup', h.other.viewer.email],
        ['/api/account/password/forgot', `limit-${dialect}@example.jp`],
        ['/api/account/password/forgot', h.other.viewer.email],
      ] as const) {
        const statuses: number[] = [];
        for (let i = 0; i < 6; i++) statuses.push((await post(url, { email })).statusCode);
        assert.deepEqual(statuses, [202, 202, 202, 202, 202, 429], `${url} ${email}`);
      }
      const limited = await post('/api/account/signup', { email: h.other.viewer.email });
      assert.equal(limited.json().error.code, 'RATE_LIMITED');
    });

    it('sign-in failures are limited per address across IPs; bad input is refused with stable codes and writes nothing', async () => {
      const email = `guarded-${dialect}@example.jp`;
      await signUp(email, 'guarded passphrase');
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++)
        statuses.push(
          (
            await h.app.inject({
              method: 'POST',
              url: '/api/session',
              payload: { email, password: `wrong ${i}` },
              remoteAddress: from(),
            })
          ).statusCode,
        );
      assert.deepEqual(statuses, [...Array(10).fill(401), 429]);
      const right = await h.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email, password: 'guarded passphrase' },
        remoteAddress: from(),
      });
      assert.equal(right.statusCode, 429, 'a full window refuses even the right password');
      h.clock.advance(15 * 60_000);
      await signIn(email, 'guarded passphrase');

      const jobs = async () => (await h.context.db.selectFrom('jobs').select('id').execute()).length;
      const before = await jobs();
      const badEmail = await post('/api/account/signup', { email: 'not-an-address' });
      assert.equal(badEmail.statusCode, 400);
      assert.equal(badEmail.json().error.code, 'INVALID_EMAIL');
      for (const next of [
        '//evil.example/x',
        'https://evil.example/',
        '/\\evil.example',
        'claim/x',
        '/\tx',
        `/${'a'.repeat(600)}`,
      ]) {
        const res = await post('/api/account/signup', { email: `next-${dialect}@example.jp`, next });
        assert.equal(res.statusCode, 400, next);
        assert.equal(res.json().error.details.field, 'next', next);
      }
      const notJson = await h.app.inject({
        method: 'POST',
        url: '/api/account/signup',
        payload: 'email=x',
        headers: { 'content-type': 'text/plain' },
        remoteAddress: from(),
      });
      assert.ok(notJson.statusCode >= 400 && notJson.statusCode < 500, String(notJson.statusCode));
      const huge = await post('/api/account/signup', { email: `${'a'.repeat(2000)}@example.jp` });
      assert.equal(huge.statusCode, 400);
      assert.equal(await jobs(), before, 'nothing queued');
      const en = await post(
        '/api/account/signup/complete',
        { token: 'x'.repeat(43), name: 'x', password: 'x' },
        { 'accept-language': 'en' },
      );
      assert.equal(en.json().error.code, 'LINK_INVALID');
      assert.match(en.json().error.message, /not valid/);
    });
  });
}
