/**
 * Single sign-on settings and domain claiming: the administrators' endpoints refuse everyone else (no
 * session, viewer, API key, missing CSRF, another organisation) and bad input (changing nothing); a
 * domain is claimed by one organisation, and only by an administrator of that domain; "SSO required"
 * needs a break-glass administrator with a second factor, refuses password and sign-in-link sign-ins
 * of the domain with SSO_REQUIRED after the password (no account enumeration), and lets the break-glass
 * administrator through to the second factor; the SAML metadata; the per-IP limit of the SSO start.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startHarness, type Harness } from '../api/helpers/harness.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { hashPassword, newId, newToken } from '../../src/security/tokens.ts';
import { SamlTestIdp } from './helpers/saml-idp.ts';
import { TestDnsServer } from '../helpers/dns-server.ts';
import {
  asSession,
  codeOf,
  giveSecondFactor,
  nextAddress,
  passwordSession,
  type Session,
} from './helpers/sso-test-kit.ts';

for (const dialect of DIALECTS) {
  describe(`single sign-on settings and domain claims (${dialect})`, () => {
    let h: Harness;
    let admin: Session;
    let domain: string;
    const idp = new SamlTestIdp();
    let dns: TestDnsServer;

    before(async () => {
      dns = await TestDnsServer.create();
      h = await startHarness(dialect, { env: { INKAN_DNS_SERVERS: dns.address } });
      domain = h.org.admin.email.split('@')[1]!;
      admin = await passwordSession(h, h.org.admin);
    });
    after(async () => {
      await dns?.stop();
      await h?.close();
    });

    const settings = (extra: object = {}) => ({
      protocol: 'saml',
      name: '<script>alert(1)</script>社内',
      enabled: true,
      saml: { idpEntityId: idp.entityId, idpSsoUrl: 'https://idp.example.jp/sso', idpCertificate: idp.certificatePem },
      jitEnabled: false,
      defaultRole: 'member',
      enforced: false,
      breakGlassUserId: null,
      domains: [domain],
      ...extra,
    });
    const stored = async () => ({
      connections: await h.context.db.selectFrom('sso_connections').selectAll().execute(),
      domains: await h.context.db.selectFrom('sso_domains').selectAll().orderBy('domain').execute(),
    });
    const signIn = (email: string, password: string) =>
      h.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email, password },
        remoteAddress: nextAddress(),
        headers: { 'accept-language': 'ja' },
      });

    it('refuses the settings endpoints to anyone but an administrator with a CSRF token', async () => {
      const viewer = await passwordSession(h, h.org.viewer);
      const path = '/api/v1/organization/security/sso';
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const url = method === 'GET' ? '/api/v1/organization/security' : path;
        const body = method === 'PUT' ? settings() : undefined;
        assert.equal((await asSession(h, undefined, method, url, body)).statusCode, 401, method);
        const asViewer = await asSession(h, viewer, method, url, body);
        assert.equal(asViewer.statusCode, 403, method);
        assert.equal(codeOf(asViewer), 'FORBIDDEN');
        const key = await h.app.inject({
          method: method as 'GET',
          url,
          headers: { authorization: `Bearer ${h.org.apiKey}` },
          ...(body ? { payload: body } : {}),
        });
        assert.equal(key.statusCode, 403, method);
        if (method !== 'GET') {
          const noCsrf = await asSession(h, admin, method, url, body, { csrf: false });
          assert.equal(noCsrf.statusCode, 403, method);
          assert.equal(codeOf(noCsrf), 'CSRF_FAILED');
        }
      }
      assert.deepEqual(await stored(), { connections: [], domains: [] });
    });

    it('refuses bad settings with a clear message and changes nothing', async () => {
      const cases: Array<[object, string, RegExp]> = [
        [
          { saml: { idpEntityId: 'x', idpSsoUrl: 'ftp://idp.example/sso', idpCertificate: idp.certificatePem } },
          'VALIDATION_FAILED',
          /https/,
        ],
        [
          { saml: { idpEntityId: 'x', idpSsoUrl: 'http://idp.example/sso', idpCertificate: idp.certificatePem } },
          'VALIDATION_FAILED',
          /https/,
        ],
        [
          { saml: { idpEntityId: 'x', idpSsoUrl: 'https://idp.example/sso', idpCertificate: 'not a certificate' } },
          'VALIDATION_FAILED',
          /証明書/,
        ],
        [{ protocol: 'oidc', saml: undefined }, 'VALIDATION_FAILED', /OIDC/],
        [
          { protocol: 'oidc', oidc: { issuer: 'https://idp.example', clientId: 'a' } },
          'VALIDATION_FAILED',
          /クライアントシークレット/,
        ],
        [{ domains: ['<script>.example'] }, 'VALIDATION_FAILED', /ドメイン名ではありません/],
        [{ domains: ['other.example.jp'] }, 'SSO_DOMAIN_REFUSED', /管理者自身のメールアドレスのドメイン/],
        [{ enforced: true }, 'SSO_BREAK_GLASS_INVALID', /緊急用管理者/],
        [{ breakGlassUserId: h.org.viewer.id }, 'SSO_BREAK_GLASS_INVALID', /緊急用管理者/],
        [{ breakGlassUserId: h.org.admin.id }, 'SSO_BREAK_GLASS_INVALID', /二要素認証/],
        [{ defaultRole: 'admin' }, 'VALIDATION_FAILED', /入力内容/],
        [{ name: 'x'.repeat(101) }, 'VALIDATION_FAILED', /入力内容/],
        [{ surprise: 1 }, 'VALIDATION_FAILED', /入力内容/],
      ];
      for (const [extra, code, message] of cases) {
        const res = await asSession(h, admin, 'PUT', '/api/v1/organization/security/sso', settings(extra));
        assert.equal(codeOf(res), code, `${JSON.stringify(extra)}: ${res.body}`);
        assert.match(res.json<{ error: { message: string } }>().error.message, message, JSON.stringify(extra));
      }
      assert.deepEqual(await stored(), { connections: [], domains: [] });
    });

    it('claims a domain for one organisation only; names are kept as text', async () => {
      const saved = await asSession(h, admin, 'PUT', '/api/v1/organization/security/sso', settings());
      assert.equal(saved.statusCode, 200, saved.body);
      const view = await asSession(h, admin, 'GET', '/api/v1/organization/security');
      assert.equal(view.headers['content-type'], 'application/json; charset=utf-8');
      const body = view.json<{ sso: { name: string }; domains: string[]; serviceProvider: { samlEntityId: string } }>();
      assert.equal(body.sso.name, '<script>alert(1)</script>社内');
      assert.deepEqual(body.domains, [domain]);

      // The other organisation's administrator cannot take it, nor change ours.
      const other = await passwordSession(h, h.other.admin);
      const taken = await asSession(
        h,
        other,
        'PUT',
        '/api/v1/organization/security/sso',
        settings({ domains: [domain] }),
      );
      assert.equal(codeOf(taken), 'SSO_DOMAIN_TAKEN');
      assert.equal(taken.statusCode, 409);
      const before = await stored();
      assert.equal(before.connections.length, 1);
      const otherDelete = await asSession(h, other, 'DELETE', '/api/v1/organization/security/sso');
      assert.equal(otherDelete.statusCode, 404, 'the other organisation has no connection to delete; ours stays');
      assert.deepEqual(await stored(), before);

      // The SP metadata for the IdP's administrator.
      const id = before.connections[0]!.id;
      const metadata = await h.app.inject({ method: 'GET', url: `/sso/saml/metadata/${id}` });
      assert.equal(metadata.statusCode, 200);
      assert.match(metadata.body, new RegExp(`entityID="${body.serviceProvider.samlEntityId}"`));
      assert.match(metadata.body, /Location="http:\/\/inkan\.test\/sso\/saml\/acs"/);
      assert.equal((await h.app.inject({ method: 'GET', url: '/sso/saml/metadata/nope' })).statusCode, 404);
    });

    it('a claim counts only once its TXT record is found in DNS (確認); no record, another value or no answer are refused and change nothing', async () => {
      type Claim = { domain: string; record: { name: string; value: string }; verifiedAt: string | null };
      const claims = async () =>
        (await asSession(h, admin, 'GET', '/api/v1/organization/security')).json<{ domainClaims: Claim[] }>()
          .domainClaims;
      const [claim] = await claims();
      assert.ok(claim);
      assert.equal(claim.domain, domain);
      assert.equal(claim.record.name, `_inkan.${domain}`);
      assert.match(claim.record.value, /^inkan-domain-verification=[A-Za-z0-9_-]{43}$/, '256 random bits');
      assert.equal(claim.verifiedAt, null);
      // Not yet proved: "SSO required" has no effect, and a start by e-mail finds no connection.
      await giveSecondFactor(h, h.org.admin.id, admin);
      const enforced = await asSession(
        h,
        admin,
        'PUT',
        '/api/v1/organization/security/sso',
        settings({ enforced: true, breakGlassUserId: h.org.admin.id }),
      );
      assert.equal(enforced.statusCode, 200, enforced.body);
      assert.equal(
        (await signIn(h.org.viewer.email, h.org.viewer.password)).statusCode,
        200,
        'unproved: no SSO_REQUIRED',
      );
      const startByMail = await h.app.inject({
        method: 'POST',
        url: '/api/sso/start',
        payload: { email: `someone@${domain}` },
        remoteAddress: nextAddress(),
      });
      assert.equal(startByMail.statusCode, 404, startByMail.body);

      const verify = (who: Session, name = domain, csrf = true) =>
        asSession(h, who, 'POST', `/api/v1/organization/security/sso/domains/${name}/verify`, {}, { csrf });
      const refusedWith = async (code: string, status: number, message: RegExp) => {
        const before = await stored();
        const res = await verify(admin);
        assert.equal(res.statusCode, status, res.body);
        assert.equal(codeOf(res), code);
        assert.match(res.json<{ error: { message: string } }>().error.message, message);
        assert.deepEqual(await stored(), before, `${code} changed nothing`);
      };
      // The zone exists, the record not.
      await dns.start([domain], {});
      await refusedWith('SSO_DOMAIN_RECORD_NOT_FOUND', 422, /TXT レコード「_inkan\..*」が見つかりません/);
      // A record with another value (an old token, a typo).
      await dns.start([domain], { [`_inkan.${domain}`]: ['inkan-domain-verification=not-this-one', 'v=spf1 -all'] });
      await refusedWith('SSO_DOMAIN_RECORD_MISMATCH', 422, /値が違います/);
      // The server refuses to answer for the zone.
      await dns.start(['elsewhere.example'], {});
      await refusedWith('SSO_DOMAIN_LOOKUP_FAILED', 502, /DNS サーバーから回答を得られませんでした（REFUSED）/);
      // No server at all.
      await dns.stop();
      await refusedWith('SSO_DOMAIN_LOOKUP_FAILED', 502, /回答を得られませんでした/);

      // Not the caller's claim: another organisation's administrator, an unclaimed domain → 404; no CSRF → 403.
      await dns.start([domain], { [`_inkan.${domain}`]: [claim.record.value] });
      const other = await passwordSession(h, h.other.admin);
      assert.equal((await verify(other)).statusCode, 404);
      assert.equal((await verify(admin, 'unclaimed.example.jp')).statusCode, 404);
      assert.equal(codeOf(await verify(admin, domain, false)), 'CSRF_FAILED');
      assert.equal((await claims())[0]!.verifiedAt, null);

      // The right value (among others at that name): verified, one event, and the claim counts.
      await dns.start([domain], { [`_inkan.${domain}`]: ['v=spf1 -all', claim.record.value] });
      const ok = await verify(admin);
      assert.equal(ok.statusCode, 200, ok.body);
      const verifiedAt = ok.json<Claim>().verifiedAt;
      assert.ok(verifiedAt !== null && Date.parse(verifiedAt) <= h.clock.now().getTime(), String(verifiedAt));
      assert.equal((await claims())[0]!.verifiedAt, verifiedAt);
      assert.equal((await verify(admin)).statusCode, 200, 'again: still verified, nothing new');
      const events = await h.context.db
        .selectFrom('events')
        .select('details')
        .where('organization_id', '=', h.org.id)
        .where('action', '=', 'sso.domain-verified')
        .execute();
      assert.deepEqual(
        events.map((e) => JSON.parse(e.details) as unknown),
        [{ domain, record: `_inkan.${domain}` }],
      );
      const member = await signIn(h.org.viewer.email, h.org.viewer.password);
      assert.equal(codeOf(member), 'SSO_REQUIRED', 'proved: SSO is required now');
      const back = await asSession(h, admin, 'PUT', '/api/v1/organization/security/sso', settings());
      assert.equal(back.statusCode, 200, back.body);
    });

    it('"SSO required": members of the domain must use SSO; the break-glass administrator keeps password + second factor', async () => {
      await giveSecondFactor(h, h.org.admin.id, admin);
      const saved = await asSession(
        h,
        admin,
        'PUT',
        '/api/v1/organization/security/sso',
        settings({ enforced: true, breakGlassUserId: h.org.admin.id }),
      );
      assert.equal(saved.statusCode, 200, saved.body);

      // Right password of a member of the domain → SSO_REQUIRED (only after the password was right).
      const member = await signIn(h.org.viewer.email, h.org.viewer.password);
      assert.equal(member.statusCode, 403, member.body);
      assert.equal(codeOf(member), 'SSO_REQUIRED');
      assert.match(member.json<{ error: { message: string } }>().error.message, /シングルサインオン（SSO）でログイン/);
      assert.equal(
        member.cookies.find((c) => c.name === 'inkan_session'),
        undefined,
      );
      // Wrong password and unknown address of the domain: the same answer as anywhere (no enumeration).
      const wrong = await signIn(h.org.viewer.email, 'wrong password here');
      const unknown = await signIn(`nobody@${domain}`, 'wrong password here');
      const elsewhere = await signIn('nobody@elsewhere.example', 'wrong password here');
      for (const res of [wrong, unknown, elsewhere]) {
        assert.equal(res.statusCode, 401);
        assert.equal(codeOf(res), 'INVALID_CREDENTIALS');
      }
      assert.equal(unknown.body, elsewhere.body);
      // A one-time sign-in link of a member of the domain is refused too (and stays unused).
      const link = newToken();
      const now = h.clock.now();
      await h.context.db
        .insertInto('login_links')
        .values({
          token_hash: link.hash,
          user_id: h.org.viewer.id,
          created_at: now.toISOString(),
          expires_at: new Date(now.getTime() + 600_000).toISOString(),
          used_at: null,
        })
        .execute();
      const byLink = await h.app.inject({
        method: 'POST',
        url: '/api/session/link',
        payload: { token: link.token },
        remoteAddress: nextAddress(),
      });
      assert.equal(codeOf(byLink), 'SSO_REQUIRED');
      const linkRow = await h.context.db
        .selectFrom('login_links')
        .select('used_at')
        .where('token_hash', '=', link.hash)
        .executeTakeFirstOrThrow();
      assert.equal(linkRow.used_at, null, 'the refused link was not spent');

      // The break-glass administrator: password, then the second factor.
      const breakGlass = await signIn(h.org.admin.email, h.org.admin.password);
      assert.equal(breakGlass.statusCode, 200, breakGlass.body);
      assert.equal(breakGlass.json<{ secondFactorRequired: boolean }>().secondFactorRequired, true);
      // Another organisation's members (another domain) are not concerned, nor a personal account
      // (no membership) that happens to have an address of the claimed domain.
      assert.equal((await signIn(h.other.viewer.email, h.other.viewer.password)).statusCode, 200);
      await h.context.db
        .insertInto('users')
        .values({
          id: newId(),
          email: `personal@${domain}`,
          name: '個人',
          password_hash: await hashPassword('personal password 123'),
          created_at: h.clock.now().toISOString(),
        })
        .execute();
      assert.equal((await signIn(`personal@${domain}`, 'personal password 123')).statusCode, 200);

      // Removing the connection releases the domain: passwords work again.
      const removed = await asSession(h, admin, 'DELETE', '/api/v1/organization/security/sso');
      assert.equal(removed.statusCode, 204, removed.body);
      assert.deepEqual((await stored()).domains, []);
      assert.equal((await signIn(h.org.viewer.email, h.org.viewer.password)).statusCode, 200);
      const events = await h.context.db
        .selectFrom('events')
        .select('action')
        .where('organization_id', '=', h.org.id)
        .where('action', 'in', ['sso.connection-changed', 'sso.connection-removed'])
        .execute();
      // Saved in the claim test, twice in the DNS test, once here; then removed.
      assert.deepEqual(events.map((e) => e.action).sort(), [
        'sso.connection-changed',
        'sso.connection-changed',
        'sso.connection-changed',
        'sso.connection-changed',
        'sso.connection-removed',
      ]);
    });

    it('limits single sign-on starts per address', async () => {
      let last = 0;
      for (let i = 0; i < 22; i++) {
        const res = await h.app.inject({
          method: 'POST',
          url: '/api/sso/start',
          payload: { email: 'x@unclaimed.example' },
          remoteAddress: '10.250.0.1',
        });
        last = res.statusCode;
        if (i < 20) assert.equal(res.statusCode, 404, `${i}: ${res.body}`);
      }
      assert.equal(last, 429);
    });
  });
}
