// The account model on SQLite and PostgreSQL: an account belongs to organisations through memberships;
// a session carries its active organisation (none for a personal account); the organisation API refuses
// a personal session; requireAccount serves both and refuses API keys; CSRF on writes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DIALECTS } from '../helpers/test-database.ts';
import { startHarness, type Harness } from './helpers/harness.ts';
import { hashPassword, newId } from '../../src/security/tokens.ts';

for (const dialect of DIALECTS) {
  describe(`account model (${dialect})`, () => {
    let h: Harness;
    let ip = 0;
    const from = () => `10.7.0.${++ip}`;
    const personal = { email: `personal-${dialect}@example.jp`, password: 'a personal passphrase 7' };

    before(async () => {
      h = await startHarness(dialect);
      const now = new Date().toISOString();
      await h.context.db
        .insertInto('users')
        .values({
          id: newId(),
          email: personal.email,
          name: '個人 太郎',
          password_hash: await hashPassword(personal.password),
          created_at: now,
        })
        .execute();
      // The other organisation's viewer is also a member of the first organisation, joined later.
      await h.context.db
        .insertInto('memberships')
        .values({
          user_id: h.other.viewer.id,
          organization_id: h.org.id,
          role: 'member',
          created_at: new Date(Date.now() + 60_000).toISOString(),
        })
        .execute();
    });
    after(async () => h?.close());

    const signIn = async (email: string, password: string) => {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email, password },
        remoteAddress: from(),
      });
      assert.equal(res.statusCode, 200, res.body);
      return {
        cookie: `inkan_session=${res.cookies.find((c) => c.name === 'inkan_session')!.value}`,
        csrf: res.json().csrfToken as string,
        user: res.json().user,
      };
    };

    it('a personal session has no organisation; the envelope API answers 403 FORBIDDEN with a clear message', async () => {
      const session = await signIn(personal.email, personal.password);
      assert.equal(session.user.organization, null);
      assert.equal(session.user.role, null);
      assert.deepEqual(session.user.memberships, []);
      const list = await h.app.inject({
        method: 'GET',
        url: '/api/v1/envelopes',
        headers: { cookie: session.cookie, 'accept-language': 'ja' },
      });
      assert.equal(list.statusCode, 403);
      assert.equal(list.json().error.code, 'FORBIDDEN');
      assert.match(list.json().error.message, /個人アカウント/);
      const en = await h.app.inject({
        method: 'GET',
        url: '/api/v1/envelopes',
        headers: { cookie: session.cookie, 'accept-language': 'en' },
      });
      assert.match(en.json().error.message, /personal account/);
      const audit = await h.app.inject({
        method: 'GET',
        url: '/api/v1/audit-events',
        headers: { cookie: session.cookie },
      });
      assert.equal(audit.statusCode, 403);
    });

    it('a member of two organisations opens a session in the older membership, with its role', async () => {
      const session = await signIn(h.other.viewer.email, h.other.viewer.password);
      assert.equal(session.user.organization.id, h.other.id);
      assert.equal(session.user.role, 'viewer');
      assert.deepEqual(
        session.user.memberships.map((m: { slug: string; role: string }) => [m.slug, m.role]),
        [
          [h.other.slug, 'viewer'],
          [h.org.slug, 'member'],
        ],
      );
      const list = await h.app.inject({ method: 'GET', url: '/api/v1/envelopes', headers: { cookie: session.cookie } });
      assert.equal(list.statusCode, 200);
    });

    it('a membership removed mid-session turns the session personal (no stale role)', async () => {
      const session = await signIn(h.org.viewer.email, h.org.viewer.password);
      assert.equal(session.user.organization.id, h.org.id);
      await h.context.db.deleteFrom('memberships').where('user_id', '=', h.org.viewer.id).execute();
      const me = await h.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: session.cookie } });
      assert.equal(me.json().user.organization, null);
      assert.equal(
        (await h.app.inject({ method: 'GET', url: '/api/v1/envelopes', headers: { cookie: session.cookie } }))
          .statusCode,
        403,
      );
    });

    it('requireAccount (POST /api/session/password) serves personal accounts, wants the CSRF token and refuses API keys', async () => {
      const session = await signIn(personal.email, personal.password);
      const noCsrf = await h.app.inject({
        method: 'POST',
        url: '/api/session/password',
        headers: { cookie: session.cookie },
        payload: { password: 'another passphrase 8' },
      });
      assert.equal(noCsrf.statusCode, 403);
      assert.equal(noCsrf.json().error.code, 'CSRF_FAILED');
      const withKey = await h.app.inject({
        method: 'POST',
        url: '/api/session/password',
        headers: { authorization: `Bearer ${h.org.apiKey}` },
        payload: { password: 'another passphrase 8' },
      });
      assert.equal(withKey.statusCode, 403);
      assert.equal(withKey.json().error.details.reason, 'session-required');
      const ok = await h.app.inject({
        method: 'POST',
        url: '/api/session/password',
        headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
        payload: { password: 'another passphrase 8' },
      });
      assert.equal(ok.statusCode, 204, ok.body);
      await signIn(personal.email, 'another passphrase 8');
    });
  });
}
