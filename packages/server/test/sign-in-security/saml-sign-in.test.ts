/**
 * SAML 2.0 single sign-on against a real identity provider built from `samlify` (signing with a key
 * and certificate made by openssl): the AuthnRequest by redirect, the signed assertion posted to the
 * ACS, the session opened when the browser that started comes back with its cookie. Then every
 * refusal, each with its clear page and no session: a tampered assertion, a replayed response, a
 * reused assertion ID, a wrong audience, a wrong recipient, an assertion that expired on the service's
 * clock, an unsigned assertion (only the message signed), a signature by another key, four XML
 * signature-wrapping variants, a response posted into another browser (login CSRF), and oversize or
 * garbage input.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { startHarness, type Harness } from '../api/helpers/harness.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { makeSigningKey, SamlTestIdp } from './helpers/saml-idp.ts';
import {
  asSession,
  cookiesOf,
  nextAddress,
  passwordSession,
  type Session,
  markDomainVerified,
} from './helpers/sso-test-kit.ts';

for (const dialect of DIALECTS) {
  describe(`SAML single sign-on (${dialect})`, () => {
    let h: Harness;
    let idp: SamlTestIdp;
    let admin: Session;
    let domain: string;
    let sp: { entityId: string; acsUrl: string };

    before(async () => {
      h = await startHarness(dialect);
      domain = h.org.admin.email.split('@')[1]!;
      idp = new SamlTestIdp();
      admin = await passwordSession(h, h.org.admin);
      await configure();
      const view = await asSession(h, admin, 'GET', '/api/v1/organization/security');
      const provider = view.json<{ serviceProvider: { samlAcsUrl: string; samlEntityId: string } }>().serviceProvider;
      sp = { entityId: provider.samlEntityId, acsUrl: provider.samlAcsUrl };
      assert.equal(sp.acsUrl, 'http://inkan.test/sso/saml/acs');
    });
    after(async () => {
      await h?.close();
    });

    async function configure(extra: object = {}) {
      const res = await asSession(h, admin, 'PUT', '/api/v1/organization/security/sso', {
        protocol: 'saml',
        name: 'SAML IdP',
        enabled: true,
        saml: { idpEntityId: idp.entityId, idpSsoUrl: idp.ssoUrl, idpCertificate: idp.certificatePem },
        jitEnabled: true,
        defaultRole: 'viewer',
        enforced: false,
        breakGlassUserId: null,
        domains: [domain],
        ...extra,
      });
      assert.equal(res.statusCode, 200, res.body);
      await markDomainVerified(h, domain);
    }

    async function start(): Promise<{ cookie: string; redirectUrl: string }> {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/sso/start',
        payload: { email: `someone@${domain}` },
        remoteAddress: nextAddress(),
      });
      assert.equal(res.statusCode, 200, res.body);
      return { cookie: cookiesOf(res), redirectUrl: res.json<{ redirectUrl: string }>().redirectUrl };
    }

    const post = (samlResponse: string, extra: Record<string, string> = {}) =>
      h.app.inject({
        method: 'POST',
        url: '/sso/saml/acs',
        remoteAddress: nextAddress(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'ja' },
        payload: new URLSearchParams({ SAMLResponse: samlResponse, ...extra }).toString(),
      });
    const finish = (cookie: string | undefined) =>
      h.app.inject({
        method: 'GET',
        url: '/sso/saml/finish',
        remoteAddress: nextAddress(),
        headers: { 'accept-language': 'ja', ...(cookie ? { cookie } : {}) },
      });
    const refusals = async () =>
      (
        await h.context.db
          .selectFrom('events')
          .select('details')
          .where('action', '=', 'sso.sign-in-refused')
          .where('organization_id', '=', h.org.id)
          .execute()
      ).map((e) => JSON.parse(e.details).reason as string);

    function assertRefused(res: LightMyRequestResponse, code = 'SSO_FAILED') {
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8', res.body);
      assert.match(res.body, /ログインできませんでした/);
      assert.match(res.body, new RegExp(code));
      assert.equal(
        res.cookies.find((c) => c.name === 'inkan_session'),
        undefined,
        'no session cookie',
      );
    }

    /** Posts a response for a fresh sign-in and expects a refusal whose logged reason matches. */
    async function expectRefusal(make: (redirectUrl: string) => Promise<string>, reason: RegExp, code = 'SSO_FAILED') {
      const { cookie, redirectUrl } = await start();
      const res = await post(await make(redirectUrl));
      assert.ok(res.statusCode === 400 || res.statusCode === 403, `${res.statusCode} ${res.body}`);
      assertRefused(res, code);
      const reasons = await refusals();
      assert.match(reasons.at(-1) ?? '', reason, reasons.join('\n'));
      // The browser coming back finds nothing to finish.
      const back = await finish(cookie);
      assertRefused(back);
    }

    const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
    const encode = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');
    const signedAssertion = (xml: string) => /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(xml)![0];
    /** An unsigned copy of an assertion naming someone else. */
    const evilCopy = (assertion: string, id: string, email: string) =>
      assertion
        .replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '')
        .replace(/ ID="[^"]+"/, ` ID="${id}"`)
        .replace(/<saml:NameID([^>]*)>[^<]*<\/saml:NameID>/, `<saml:NameID$1>${email}</saml:NameID>`)
        .replace(/(<saml:Attribute Name="email"><saml:AttributeValue[^>]*>)[^<]*/, `$1${email}`);

    it('signs a person in: signed assertion at the ACS, session when the same browser comes back, JIT as viewer', async () => {
      const { cookie, redirectUrl } = await start();
      assert.ok(redirectUrl.startsWith(`${idp.ssoUrl}?SAMLRequest=`), redirectUrl);
      const response = await idp.respond(sp, redirectUrl, `saml.user@${domain}`, {
        now: h.clock.now(),
        name: '<script>alert("x")</script> 佐藤',
      });
      const accepted = await post(response);
      assert.equal(accepted.statusCode, 303, accepted.body);
      assert.equal(accepted.headers.location, '/sso/saml/finish');
      assert.equal(
        accepted.cookies.find((c) => c.name === 'inkan_session'),
        undefined,
        'the ACS itself opens no session',
      );
      const done = await finish(cookie);
      assert.equal(done.statusCode, 303, done.body);
      assert.equal(done.headers.location, '/envelopes');
      const me = await h.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: cookiesOf(done) } });
      assert.equal(me.statusCode, 200);
      const user = me.json<{ user: { email: string; name: string; role: string; organization: { id: string } } }>()
        .user;
      assert.equal(user.email, `saml.user@${domain}`);
      assert.equal(user.role, 'viewer');
      assert.equal(user.organization.id, h.org.id);
      // The name is data: stored as given, escaped wherever it is shown (the UI is React; no HTML here).
      assert.equal(user.name, '<script>alert("x")</script> 佐藤');

      // The same response again (a replay): refused, and the replay store knows the assertion.
      const replay = await post(response);
      assertRefused(replay);
      assert.match((await refusals()).at(-1)!, /expired-or-used/);
      const again = await finish(cookie);
      assertRefused(again);
    });

    it('refuses an assertion ID seen before, even in a new sign-in signed by the IdP', async () => {
      const first = await start();
      const assertionId = `_${'a'.repeat(32)}`;
      assert.equal(
        (await post(await idp.respond(sp, first.redirectUrl, `reuse@${domain}`, { now: h.clock.now(), assertionId })))
          .statusCode,
        303,
      );
      await expectRefusal(
        (url) => idp.respond(sp, url, `reuse@${domain}`, { now: h.clock.now(), assertionId }),
        /assertion-replayed/,
      );
    });

    it('refuses a tampered assertion, a wrong audience, a wrong recipient and an expired assertion', async () => {
      await expectRefusal(async (url) => {
        const xml = decode(await idp.respond(sp, url, `tamper@${domain}`, { now: h.clock.now() }));
        return encode(xml.replaceAll(`tamper@${domain}`, h.org.admin.email));
      }, /assertion: .*(signature|digest)/i);
      await expectRefusal(
        (url) =>
          idp.respond(sp, url, `aud@${domain}`, { now: h.clock.now(), audience: 'https://other-sp.example/saml' }),
        /audience/i,
      );
      await expectRefusal(
        (url) => idp.respond(sp, url, `rcpt@${domain}`, { now: h.clock.now(), recipient: 'https://evil.example/acs' }),
        /recipient/i,
      );
      await expectRefusal(
        (url) =>
          idp.respond(sp, url, `dest@${domain}`, { now: h.clock.now(), destination: 'https://evil.example/acs' }),
        /destination/i,
      );
      // Issued with 5 minutes of validity; the service's clock has moved 6 minutes on when it arrives.
      await expectRefusal(async (url) => {
        const response = await idp.respond(sp, url, `late@${domain}`, { now: h.clock.now() });
        h.clock.advance(6 * 60_000);
        return response;
      }, /expired/);
      // Not yet valid: issued 10 minutes in the future of the service's clock.
      await expectRefusal(
        (url) => idp.respond(sp, url, `early@${domain}`, { now: new Date(h.clock.now().getTime() + 10 * 60_000) }),
        /not yet valid/,
      );
    });

    it('requires a signed assertion from the configured key', async () => {
      await expectRefusal(
        (url) => idp.respond(sp, url, `unsigned@${domain}`, { now: h.clock.now() }, { signAssertion: false }),
        /assertion: /,
      );
      const impostor = new SamlTestIdp({ entityId: idp.entityId, key: makeSigningKey('impostor') });
      await expectRefusal((url) => impostor.respond(sp, url, h.org.admin.email, { now: h.clock.now() }), /assertion: /);
      await expectRefusal(
        (url) => idp.respond(sp, url, `iss@${domain}`, { now: h.clock.now(), issuer: 'https://other-idp.example' }),
        /assertion: /,
      );
    });

    it('defeats XML signature wrapping (four variants), signing nobody in as the victim', async () => {
      const victim = h.org.admin.email;
      const variants: Record<string, (xml: string) => string> = {
        'evil sibling before the signed assertion': (xml) => {
          const signed = signedAssertion(xml);
          return xml.replace(signed, evilCopy(signed, '_evil1', victim) + signed);
        },
        'signed assertion nested inside the evil one': (xml) => {
          const signed = signedAssertion(xml);
          const evil = evilCopy(signed, '_evil2', victim);
          return xml.replace(signed, evil.replace('</saml:Assertion>', `${signed}</saml:Assertion>`));
        },
        'evil copy with the same ID, the signed one moved into Extensions': (xml) => {
          const signed = signedAssertion(xml);
          const id = / ID="([^"]+)"/.exec(signed)![1]!;
          return xml
            .replace(signed, evilCopy(signed, id, victim))
            .replace(/(<samlp:Status>)/, `<samlp:Extensions>${signed}</samlp:Extensions>$1`);
        },
        'signed assertion hidden in the evil signature object': (xml) => {
          const signed = signedAssertion(xml);
          const evil = evilCopy(signed, '_evil4', victim).replace(
            /(<saml:Issuer>[^<]*<\/saml:Issuer>)/,
            `$1<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:Object>${signed}</ds:Object></ds:Signature>`,
          );
          return xml.replace(signed, evil);
        },
      };
      for (const [name, wrap] of Object.entries(variants)) {
        const { cookie, redirectUrl } = await start();
        const genuine = decode(await idp.respond(sp, redirectUrl, `wrapped@${domain}`, { now: h.clock.now() }));
        const res = await post(encode(wrap(genuine)));
        assert.ok(res.statusCode === 400, `${name}: ${res.statusCode} ${res.body}`);
        assertRefused(res);
        const reason = (await refusals()).at(-1) ?? '';
        // Refused by the signature checks (not by an earlier, unrelated step).
        assert.match(reason, /^assertion: /, `${name}: ${reason}`);
        assertRefused(await finish(cookie));
      }
      const victimSessions = await h.context.db
        .selectFrom('sessions')
        .select('token_hash')
        .where('user_id', '=', h.org.admin.id)
        .execute();
      assert.equal(victimSessions.length, 1, "only the admin's own password session exists");
    });

    it('opens no session in a browser that did not start the sign-in (login CSRF)', async () => {
      const attacker = await start();
      const victim = await start();
      assert.equal(
        (await post(await idp.respond(sp, attacker.redirectUrl, `attacker@${domain}`, { now: h.clock.now() })))
          .statusCode,
        303,
      );
      // The victim's browser is sent on to finish with its own (different) sign-in cookie.
      assertRefused(await finish(victim.cookie));
      assertRefused(await finish(undefined));
      // The attacker's own browser can still finish its own sign-in.
      assert.equal((await finish(attacker.cookie)).statusCode, 303);
    });

    it('refuses garbage, oversize and unknown responses without stalling', async () => {
      for (const body of [
        '',
        'not base64 at all!!',
        encode('<x/>'),
        encode('<!DOCTYPE x [<!ENTITY a "b">]><samlp:Response InResponseTo="_1"/>'),
      ]) {
        const res = await post(body);
        assert.equal(res.statusCode, 400, res.body);
        assertRefused(res);
      }
      const huge = await h.app.inject({
        method: 'POST',
        url: '/sso/saml/acs',
        remoteAddress: nextAddress(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `SAMLResponse=${'A'.repeat(400 * 1024)}`,
      });
      assert.equal(huge.statusCode, 413);
      const json = await h.app.inject({
        method: 'POST',
        url: '/sso/saml/acs',
        remoteAddress: nextAddress(),
        payload: { SAMLResponse: 'x' },
      });
      assert.equal(json.statusCode, 400);
    });
  });
}
