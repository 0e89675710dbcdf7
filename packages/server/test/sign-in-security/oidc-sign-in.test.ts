/**
 * OpenID Connect single sign-on against a real OpenID Provider (the `oidc-provider` package on a
 * loopback port): authorisation code + PKCE through discovery, JIT provisioning with the default role,
 * the session in the connection's organisation and the return path; then every refusal with its clear
 * page — a replayed callback, a callback in another browser (no state cookie), an ID token from another
 * issuer, an expired ID token (the service's clock moved on), an unverified address, an address of an
 * unclaimed domain, an existing account that is not a member, an unknown account without JIT — and open redirects in the return path.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from '../api/helpers/harness.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { newId } from '../../src/security/tokens.ts';
import { startDiscoveryLiar, startOidcProvider, signInAtProvider, type OidcTestProvider } from './helpers/oidc-idp.ts';
import {
  asSession,
  codeOf,
  cookiesOf,
  nextAddress,
  passwordSession,
  type Session,
  markDomainVerified,
} from './helpers/sso-test-kit.ts';

const CALLBACK = 'http://inkan.test/sso/oidc/callback';

for (const dialect of DIALECTS) {
  describe(`OIDC single sign-on (${dialect})`, () => {
    let h: Harness;
    let idp: OidcTestProvider;
    let shortIdp: OidcTestProvider;
    let admin: Session;
    let domain: string;
    const closers: Array<() => Promise<void>> = [];

    before(async () => {
      h = await startHarness(dialect);
      domain = h.org.admin.email.split('@')[1]!;
      const accounts = {
        alice: { email: `alice@${domain}`, name: 'Alice 山田' },
        bob: { email: `bob@${domain}`, name: '<img src=x onerror=alert(1)>' },
        unverified: { email: `carol@${domain}`, emailVerified: false },
        outsider: { email: 'mallory@evil.example', name: 'Mallory' },
        carl: { email: `carl@${domain}`, name: 'Carl' },
      };
      idp = await startOidcProvider({ redirectUri: CALLBACK, accounts });
      shortIdp = await startOidcProvider({ redirectUri: CALLBACK, accounts, idTokenTtlSeconds: 60 });
      closers.push(
        () => idp.close(),
        () => shortIdp.close(),
      );
      admin = await passwordSession(h, h.org.admin);
    });
    after(async () => {
      for (const close of closers) await close().catch(() => undefined);
      await h?.close();
    });

    async function configure(provider: { issuer: string; clientId: string; clientSecret: string }, extra: object = {}) {
      const res = await asSession(h, admin, 'PUT', '/api/v1/organization/security/sso', {
        protocol: 'oidc',
        name: '社内IdP',
        enabled: true,
        oidc: { issuer: provider.issuer, clientId: provider.clientId, clientSecret: provider.clientSecret },
        jitEnabled: true,
        defaultRole: 'member',
        enforced: false,
        breakGlassUserId: null,
        domains: [domain],
        ...extra,
      });
      assert.equal(res.statusCode, 200, res.body);
      await markDomainVerified(h, domain);
    }

    /** Starts a sign-in as a browser would: the state cookie and the provider's URL. */
    async function start(body: object): Promise<{ cookie: string; redirectUrl: string }> {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/sso/start',
        payload: body,
        remoteAddress: nextAddress(),
      });
      assert.equal(res.statusCode, 200, res.body);
      return { cookie: cookiesOf(res), redirectUrl: res.json<{ redirectUrl: string }>().redirectUrl };
    }

    const callback = (url: string, cookie: string | undefined) =>
      h.app.inject({
        method: 'GET',
        url: url.slice('http://inkan.test'.length),
        remoteAddress: nextAddress(),
        headers: { 'accept-language': 'ja', ...(cookie ? { cookie } : {}) },
      });

    const events = (action: string) =>
      h.context.db
        .selectFrom('events')
        .selectAll()
        .where('action', '=', action)
        .where('organization_id', '=', h.org.id)
        .execute();

    function assertRefusalPage(res: Awaited<ReturnType<typeof callback>>, code: string) {
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8', res.body);
      assert.match(res.body, /ログインできませんでした/);
      assert.match(res.body, new RegExp(code));
      assert.equal(
        res.cookies.find((c) => c.name === 'inkan_session'),
        undefined,
        'no session cookie',
      );
    }

    it('signs a new person in through the provider (PKCE, discovery, id_token), provisioning them with the default role', async () => {
      await configure(idp);
      const view = await asSession(h, admin, 'GET', '/api/v1/organization/security');
      assert.equal(view.statusCode, 200);
      const sso = view.json<{ sso: { oidc: { hasClientSecret: boolean; clientSecret?: string } } }>().sso;
      assert.equal(sso.oidc.hasClientSecret, true);
      assert.equal(sso.oidc.clientSecret, undefined, 'the secret is never shown again');
      assert.doesNotMatch(view.body, new RegExp(idp.clientSecret));
      const stored = await h.context.db.selectFrom('sso_connections').selectAll().executeTakeFirstOrThrow();
      assert.ok(
        stored.oidc_client_secret_ciphertext && !stored.oidc_client_secret_ciphertext.includes(idp.clientSecret),
      );

      const { cookie, redirectUrl } = await start({ email: `Alice@${domain.toUpperCase()}`, next: '/contracts?tab=1' });
      const authorization = new URL(redirectUrl);
      assert.equal(authorization.origin, idp.issuer);
      assert.equal(authorization.searchParams.get('code_challenge_method'), 'S256');
      assert.ok(authorization.searchParams.get('nonce'));
      assert.ok(!redirectUrl.includes(cookie.split('=')[1]!), 'the URL never carries the cookie secret');

      const back = await signInAtProvider(redirectUrl, 'alice', CALLBACK);
      const done = await callback(back, cookie);
      assert.equal(done.statusCode, 303, done.body);
      assert.equal(done.headers.location, '/contracts?tab=1');
      const session = cookiesOf(done);
      assert.match(session, /inkan_session=/);
      const me = await h.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: session } });
      assert.equal(me.statusCode, 200);
      const user = me.json<{ user: { email: string; name: string; organization: { id: string }; role: string } }>()
        .user;
      assert.equal(user.email, `alice@${domain}`);
      assert.equal(user.name, 'Alice 山田');
      assert.equal(user.organization.id, h.org.id);
      assert.equal(user.role, 'member');
      assert.equal((await events('sso.account-provisioned')).length, 1);
      assert.equal((await events('sso.member-added')).length, 1);
      const signedIn = (await events('session.signed-in')).filter((e) => JSON.parse(e.details).method === 'oidc');
      assert.equal(signedIn.length, 1);
      assert.doesNotMatch(JSON.stringify(await events('sso.account-provisioned')), /code=|id_token|eyJ/);

      // The same person again: the linked identity, no second account.
      const again = await start({ organization: h.org.slug });
      const done2 = await callback(await signInAtProvider(again.redirectUrl, 'alice', CALLBACK), again.cookie);
      assert.equal(done2.statusCode, 303);
      assert.equal(done2.headers.location, '/envelopes');
      assert.equal((await events('sso.account-provisioned')).length, 1);
      const alices = await h.context.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', `alice@${domain}`)
        .execute();
      assert.equal(alices.length, 1);
    });

    it('refuses a replayed callback and a callback in a browser that did not start the sign-in', async () => {
      const { cookie, redirectUrl } = await start({ email: `alice@${domain}` });
      const back = await signInAtProvider(redirectUrl, 'alice', CALLBACK);
      const otherBrowser = await callback(back, undefined);
      assert.equal(otherBrowser.statusCode, 400);
      assertRefusalPage(otherBrowser, 'SSO_FAILED');
      const forgedCookie = await callback(back, `inkan_sso=${'A'.repeat(43)}`);
      assert.equal(forgedCookie.statusCode, 400);
      const first = await callback(back, cookie);
      assert.equal(first.statusCode, 303, first.body);
      const replay = await callback(back, cookie);
      assert.equal(replay.statusCode, 400);
      assertRefusalPage(replay, 'SSO_FAILED');
    });

    it('refuses an id_token from another issuer', async () => {
      const liar = await startDiscoveryLiar(idp);
      closers.push(() => liar.close());
      await configure({ issuer: liar.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret });
      const { cookie, redirectUrl } = await start({ email: `alice@${domain}` });
      const back = await signInAtProvider(redirectUrl, 'alice', CALLBACK);
      const refused = await callback(back, cookie);
      assert.equal(refused.statusCode, 400, refused.body);
      assertRefusalPage(refused, 'SSO_FAILED');
      assert.match(refused.body, /シングルサインオンの応答を確認できなかった/);
      let logged = (await events('sso.sign-in-refused')).map((e) => JSON.parse(e.details).reason as string);
      assert.ok(
        logged.some((r) => /unexpected "iss" \(issuer\) response parameter/.test(r)),
        logged.join('\n'),
      );

      // Without the authorisation response's `iss` (a provider that does not send it, or a stripped
      // URL), the ID token itself names the other issuer, and is refused for it.
      const second = await start({ email: `alice@${domain}` });
      const stripped = new URL(await signInAtProvider(second.redirectUrl, 'alice', CALLBACK));
      stripped.searchParams.delete('iss');
      const refusedToken = await callback(stripped.toString(), second.cookie);
      assert.equal(refusedToken.statusCode, 400, refusedToken.body);
      assertRefusalPage(refusedToken, 'SSO_FAILED');
      logged = (await events('sso.sign-in-refused')).map((e) => JSON.parse(e.details).reason as string);
      assert.ok(
        logged.some((r) => /unexpected JWT "iss" \(issuer\) claim value/.test(r)),
        logged.join('\n'),
      );
    });

    it('refuses an expired id_token (judged at the service clock)', async () => {
      await configure(shortIdp);
      const { cookie, redirectUrl } = await start({ email: `alice@${domain}` });
      const back = await signInAtProvider(redirectUrl, 'alice', CALLBACK);
      h.clock.advance(5 * 60_000);
      const refused = await callback(back, cookie);
      assert.equal(refused.statusCode, 400, refused.body);
      assertRefusalPage(refused, 'SSO_FAILED');
      const logged = (await events('sso.sign-in-refused')).map((e) => JSON.parse(e.details).reason as string);
      assert.ok(
        logged.some((r) => r.startsWith('id-token') && /exp|timestamp|age/i.test(r)),
        logged.join('\n'),
      );
    });

    it('refuses unverified addresses, addresses of unclaimed domains, and unknown people without JIT', async () => {
      await configure(idp);
      await h.context.db
        .insertInto('users')
        .values({
          id: newId(),
          email: `carl@${domain}`,
          name: 'Carl',
          password_hash: null,
          created_at: h.clock.now().toISOString(),
        })
        .execute();
      const usersBefore = await h.context.db.selectFrom('users').select('id').execute();
      for (const [login, reason] of [
        ['unverified', 'email-not-verified'],
        ['outsider', 'domain-not-claimed'],
        ['nobody', 'no-email'],
        // An existing account of the domain that is not a member: never taken over by the IdP.
        ['carl', 'existing-account-not-member'],
      ] as const) {
        const { cookie, redirectUrl } = await start({ organization: h.org.slug });
        const refused = await callback(await signInAtProvider(redirectUrl, login, CALLBACK), cookie);
        assert.equal(refused.statusCode, 403, `${login}: ${refused.body}`);
        assertRefusalPage(refused, 'SSO_ACCOUNT_REFUSED');
        const logged = (await events('sso.sign-in-refused')).map((e) => JSON.parse(e.details).reason as string);
        assert.ok(logged.includes(reason), `${login}: ${logged.join(', ')}`);
      }
      await configure(idp, { jitEnabled: false });
      const { cookie, redirectUrl } = await start({ organization: h.org.slug });
      const refused = await callback(await signInAtProvider(redirectUrl, 'bob', CALLBACK), cookie);
      assert.equal(refused.statusCode, 403);
      assertRefusalPage(refused, 'SSO_ACCOUNT_REFUSED');
      assert.doesNotMatch(refused.body, /<img src=x/);
      const usersAfter = await h.context.db.selectFrom('users').select('id').execute();
      assert.equal(usersAfter.length, usersBefore.length, 'no account was created by a refused sign-in');
    });

    it('refuses open redirects and unknown domains at the start, and changes nothing', async () => {
      await configure(idp, { jitEnabled: true });
      const before = await h.context.db.selectFrom('sso_sign_ins').select('state_hash').execute();
      for (const next of [
        'https://evil.example/',
        '//evil.example',
        '/\\evil.example',
        'javascript:alert(1)',
        '/%0d%0a//evil',
        ' /x',
      ]) {
        const res = await h.app.inject({
          method: 'POST',
          url: '/api/sso/start',
          payload: { email: `alice@${domain}`, next },
          remoteAddress: nextAddress(),
          headers: { 'accept-language': 'ja' },
        });
        if (next === '/%0d%0a//evil') {
          // Percent-encoded: a path on this site, harmless.
          assert.equal(res.statusCode, 200, next);
          continue;
        }
        assert.equal(res.statusCode, 400, `${next}: ${res.body}`);
        assert.equal(codeOf(res), 'VALIDATION_FAILED');
      }
      const unknown = await h.app.inject({
        method: 'POST',
        url: '/api/sso/start',
        payload: { email: 'someone@not-claimed.example' },
        remoteAddress: nextAddress(),
        headers: { 'accept-language': 'ja' },
      });
      assert.equal(unknown.statusCode, 404);
      assert.equal(codeOf(unknown), 'SSO_NOT_CONFIGURED');
      assert.match(
        unknown.json<{ error: { message: string } }>().error.message,
        /シングルサインオンが設定されていません/,
      );
      const bad = await h.app.inject({
        method: 'POST',
        url: '/api/sso/start',
        payload: { email: 'a@b.c', organization: 'x' },
        remoteAddress: nextAddress(),
      });
      assert.equal(bad.statusCode, 400);
      const after = await h.context.db.selectFrom('sso_sign_ins').select('state_hash').execute();
      assert.equal(after.length, before.length + 1, 'only the one harmless start stored a state');
    });
  });
}
