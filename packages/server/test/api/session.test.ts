// Sender sessions, on SQLite and PostgreSQL: password sign-in (argon2id) and its generic failure, the
// one-time sign-in link, who-am-I, sign-out, setting a password, and the sign-in rate limit.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from '../helpers/test-database.ts';
import { startHarness, type Harness } from './helpers/harness.ts';
import { createOrganization } from '../../src/cli/admin-commands.ts';

for (const dialect of DIALECTS) {
  describe(`sessions (${dialect})`, () => {
    let h: Harness;
    let ip = 0;
    const from = () => `10.2.0.${++ip}`;

    before(async () => {
      h = await startHarness(dialect, { env: { INKAN_PUBLIC_URL: 'https://inkan.test' } });
    });
    after(async () => h?.close());

    const signIn = (email: string, password: string, remoteAddress = from()) =>
      h.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email, password },
        remoteAddress,
        headers: { 'accept-language': 'ja' },
      });

    it('signs in with e-mail and password; the cookie is HttpOnly, SameSite=Lax, Secure on https; GET /api/session and sign-out work', async () => {
      const res = await signIn(h.org.admin.email.toUpperCase(), h.org.admin.password);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().user.email, h.org.admin.email);
      assert.equal(res.json().user.role, 'admin');
      assert.equal(res.json().user.organization.slug, h.org.slug);
      const cookie = res.cookies.find((c) => c.name === 'inkan_session')!;
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, 'Lax');
      assert.equal(cookie.secure, true);
      assert.equal(cookie.path, '/');
      const stored = await h.context.db.selectFrom('sessions').select('token_hash').execute();
      assert.ok(!stored.some((s) => s.token_hash === cookie.value), 'only the hash is stored');

      const headers = { cookie: `inkan_session=${cookie.value}` };
      const me = await h.app.inject({ method: 'GET', url: '/api/session', headers });
      assert.equal(me.statusCode, 200);
      assert.equal(me.json().csrfToken, res.json().csrfToken);
      const noCsrf = await h.app.inject({ method: 'DELETE', url: '/api/session', headers });
      assert.equal(noCsrf.statusCode, 403);
      const out = await h.app.inject({
        method: 'DELETE',
        url: '/api/session',
        headers: { ...headers, 'x-csrf-token': res.json().csrfToken },
      });
      assert.equal(out.statusCode, 204);
      assert.equal((await h.app.inject({ method: 'GET', url: '/api/session', headers })).statusCode, 401);
      const actions = (
        await h.context.db.selectFrom('events').select('action').where('actor_id', '=', h.org.admin.id).execute()
      ).map((e) => e.action);
      assert.ok(actions.includes('session.signed-in') && actions.includes('session.signed-out'));
    });

    it('any failure is the same 401 INVALID_CREDENTIALS and is recorded without the password', async () => {
      for (const [email, password] of [
        [h.org.admin.email, 'wrong password'],
        ['nobody@example.jp', 'whatever password'],
        ['', ''],
      ]) {
        const res = await signIn(email, password);
        assert.equal(res.statusCode, 401);
        assert.equal(res.json().error.code, 'INVALID_CREDENTIALS');
        assert.equal(res.json().error.message, 'メールアドレスまたはパスワードが正しくありません。');
      }
      const failures = await h.context.db
        .selectFrom('events')
        .select('details')
        .where('action', '=', 'session.sign-in-failed')
        .execute();
      assert.ok(failures.length >= 3);
      assert.ok(!failures.some((f) => f.details.includes('wrong password') || f.details.includes('whatever')));
    });

    it('rate-limits sign-in per IP (429 after 10 a minute)', async () => {
      const statuses: number[] = [];
      // A different address each time: only the per-IP limit is at work (the per-address one is accounts.test.ts's).
      for (let i = 0; i < 11; i++) statuses.push((await signIn(`nobody${i}@example.jp`, 'x', '192.0.2.10')).statusCode);
      assert.deepEqual(statuses, [...Array(10).fill(401), 429]);
    });

    it('a one-time sign-in link works once (then 410), unknown ones are 404; the new user sets a password', async () => {
      const created = await createOrganization(h.context, {
        name: 'Link Org',
        slug: `link-${dialect}`,
        adminEmail: `link-${dialect}@example.jp`,
      });
      const token = new URL(created.signInUrl!).searchParams.get('token')!;
      const first = await h.app.inject({
        method: 'POST',
        url: '/api/session/link',
        payload: { token },
        remoteAddress: from(),
      });
      assert.equal(first.statusCode, 200, first.body);
      const second = await h.app.inject({
        method: 'POST',
        url: '/api/session/link',
        payload: { token },
        remoteAddress: from(),
      });
      assert.equal(second.statusCode, 410);
      assert.equal(second.json().error.code, 'LINK_EXPIRED');
      const headers = {
        cookie: `inkan_session=${first.cookies.find((c) => c.name === 'inkan_session')!.value}`,
        'x-csrf-token': first.json().csrfToken,
      };
      const short = await h.app.inject({
        method: 'POST',
        url: '/api/session/password',
        headers,
        payload: { password: 'short' },
      });
      assert.equal(short.statusCode, 400);
      const set = await h.app.inject({
        method: 'POST',
        url: '/api/session/password',
        headers,
        payload: { password: 'a long enough password' },
      });
      assert.equal(set.statusCode, 204);
      const hash = (
        await h.context.db
          .selectFrom('users')
          .select('password_hash')
          .where('id', '=', created.userId)
          .executeTakeFirstOrThrow()
      ).password_hash;
      assert.match(hash!, /^\$argon2id\$/);
      assert.equal((await signIn(`link-${dialect}@example.jp`, 'a long enough password')).statusCode, 200);
    });
  });
}
