// Second factors over the HTTP API on SQLite and PostgreSQL: TOTP enrolment (seed encrypted at rest, QR
// drawn locally), the second step of sign-in with codes computed here by RFC 6238 (written in this file,
// independent of the server's code), replay of a code in its window refused, recovery codes one use
// each, challenge attempts and per-account rate limit, the organisation's "MFA required" policy holding
// a member at enrolment, step-up for admin changes, and events without secrets.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { DIALECTS } from '../helpers/test-database.ts';
import { startHarness, type Harness } from './helpers/harness.ts';
import { hashPassword, newId } from '../../src/security/tokens.ts';
import { base32Decode, totpAt } from '../helpers/totp.ts';

const MINUTE = 60_000;

for (const dialect of DIALECTS) {
  describe(`second factors (${dialect})`, () => {
    let h: Harness;
    let ip = 0;
    const from = () => `10.7.${Math.floor(++ip / 250)}.${ip % 250}`;
    before(async () => {
      h = await startHarness(dialect);
    });
    after(async () => h?.close());

    type Session = { cookie: string; csrf: string };
    const cookieOf = (res: LightMyRequestResponse) =>
      `inkan_session=${res.cookies.find((c) => c.name === 'inkan_session')!.value}`;
    const post = (url: string, payload: object) =>
      h.app.inject({ method: 'POST', url, payload, remoteAddress: from(), headers: { 'accept-language': 'ja' } });
    const as = (s: Session, method: string, url: string, payload?: object) =>
      h.app.inject({
        method: method as 'GET',
        url,
        headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'accept-language': 'ja' },
        remoteAddress: from(),
        ...(payload ? { payload } : {}),
      });
    const sessionOf = (res: LightMyRequestResponse): Session => {
      assert.equal(res.statusCode, 200, res.body);
      return { cookie: cookieOf(res), csrf: res.json().csrfToken as string };
    };
    const newMember = async (role: 'admin' | 'member' | 'viewer' = 'member') => {
      const id = newId();
      const email = `m-${id.slice(0, 8)}@example.jp`;
      const password = 'pw correct horse staple';
      await h.context.db
        .insertInto('users')
        .values({
          id,
          email,
          name: 'メンバー',
          password_hash: await hashPassword(password),
          created_at: new Date().toISOString(),
        })
        .execute();
      await h.context.db
        .insertInto('memberships')
        .values({ user_id: id, organization_id: h.org.id, role, created_at: new Date().toISOString() })
        .execute();
      return { id, email, password };
    };
    const passwordStep = (who: { email: string; password: string }) =>
      post('/api/session', { email: who.email, password: who.password });
    /** Enrols TOTP for a signed-in session; returns the base32 secret and the recovery codes. */
    const enrolTotp = async (s: Session) => {
      const started = await as(s, 'POST', '/api/account/security/totp');
      assert.equal(started.statusCode, 200, started.body);
      const { secret } = started.json() as { secret: string };
      const confirmed = await as(s, 'POST', '/api/account/security/totp/confirm', {
        code: totpAt(secret, h.clock.now()),
      });
      assert.equal(confirmed.statusCode, 200, confirmed.body);
      return { secret, recoveryCodes: confirmed.json().recoveryCodes as string[] };
    };
    const eventsOf = async (userId: string) =>
      h.context.db
        .selectFrom('events')
        .select(['action', 'details'])
        .where('actor_id', '=', userId)
        .orderBy('seq')
        .execute();

    it('enrols an authenticator app: QR as SVG, seed encrypted at rest, a wrong first code refused, 10 recovery codes shown once', async () => {
      const who = await newMember();
      const s = sessionOf(await passwordStep(who));
      const started = await as(s, 'POST', '/api/account/security/totp');
      assert.equal(started.statusCode, 200, started.body);
      const body = started.json() as { secret: string; otpauthUri: string; qrSvg: string };
      assert.match(body.secret, /^[A-Z2-7]{32}$/, '160-bit seed in base32');
      assert.match(
        body.otpauthUri,
        new RegExp(`^otpauth://totp/Inkan:${encodeURIComponent(who.email)}\\?secret=${body.secret}&issuer=Inkan`),
      );
      assert.match(body.qrSvg, /^<svg[\s\S]*<\/svg>$/);
      const row = await h.context.db
        .selectFrom('totp_factors')
        .selectAll()
        .where('user_id', '=', who.id)
        .executeTakeFirstOrThrow();
      assert.equal(row.confirmed_at, null);
      assert.ok(!row.secret_ciphertext.includes(body.secret), 'the seed is not stored in clear');
      assert.ok(!Buffer.from(row.secret_ciphertext, 'base64').includes(base32Decode(body.secret)), 'nor its bytes');
      // Sealed by the one secret seal (rewrapped by `inkan keys rotate`), bound to the account.
      assert.match(row.secret_ciphertext, /^\$s1\$master-v1\$totp-seed\$/);
      const seed = await h.context.secrets.openSecret('totp-seed', row.secret_ciphertext, who.id, h.context.db);
      assert.deepEqual(seed, base32Decode(body.secret));
      await assert.rejects(
        h.context.secrets.openSecret('totp-seed', row.secret_ciphertext, h.org.admin.id, h.context.db),
      );

      // Not yet confirmed: the password alone still signs in.
      assert.equal((await passwordStep(who)).json().secondFactorRequired, undefined);
      const now = h.clock.now();
      const wrong = String((Number(totpAt(body.secret, now)) + 1) % 1_000_000).padStart(6, '0');
      const refused = await as(s, 'POST', '/api/account/security/totp/confirm', { code: wrong });
      assert.equal(refused.statusCode, 401);
      assert.equal(refused.json().error.code, 'SECOND_FACTOR_WRONG');
      assert.match(refused.json().error.message, /確認コード/);
      const confirmed = await as(s, 'POST', '/api/account/security/totp/confirm', { code: totpAt(body.secret, now) });
      assert.equal(confirmed.statusCode, 200, confirmed.body);
      const codes = confirmed.json().recoveryCodes as string[];
      assert.equal(codes.length, 10);
      assert.equal(new Set(codes).size, 10);
      for (const code of codes) assert.match(code, /^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
      const stored = await h.context.db
        .selectFrom('recovery_codes')
        .select('code_hash')
        .where('user_id', '=', who.id)
        .execute();
      assert.equal(stored.length, 10);
      for (const r of stored) assert.ok(!codes.some((c) => r.code_hash.includes(c.replace(/-/g, ''))), 'stored hashed');

      const overview = (await as(s, 'GET', '/api/account/security')).json();
      assert.deepEqual(
        { totp: overview.totp.enrolled, left: overview.recoveryCodesLeft, passkeys: overview.passkeys },
        { totp: true, left: 10, passkeys: [] },
      );
      const events = await eventsOf(who.id);
      assert.ok(events.some((e) => e.action === 'mfa.totp-enrolled'));
      assert.ok(events.some((e) => e.action === 'mfa.recovery-codes-generated'));
      const everything = JSON.stringify(await h.context.db.selectFrom('events').select('details').execute());
      assert.ok(
        !everything.includes(body.secret) && !codes.some((c) => everything.includes(c)),
        'no seed or code in any event',
      );
    });

    it('sign-in asks for the second factor; a code works once in its window (replay refused), the next step’s code works', async () => {
      const who = await newMember();
      const { secret } = await enrolTotp(sessionOf(await passwordStep(who)));
      h.clock.advance(30_000); // past the step used to confirm

      const first = await passwordStep(who);
      assert.equal(first.statusCode, 200, first.body);
      assert.equal(first.json().secondFactorRequired, true);
      assert.deepEqual(first.json().methods, ['totp', 'recovery-code']);
      assert.equal(
        first.cookies.find((c) => c.name === 'inkan_session'),
        undefined,
        'no session before the second factor',
      );
      const code = totpAt(secret, h.clock.now());
      const signedIn = await post('/api/session/second-factor', { challengeToken: first.json().challengeToken, code });
      const s = sessionOf(signedIn);
      assert.equal((await as(s, 'GET', '/api/v1/envelopes')).statusCode, 200);
      // The challenge is spent.
      const again = await post('/api/session/second-factor', { challengeToken: first.json().challengeToken, code });
      assert.equal(again.statusCode, 410);
      assert.equal(again.json().error.code, 'SECOND_FACTOR_EXPIRED');

      // The same code with a new password step: a replay within its window.
      const second = await passwordStep(who);
      const replay = await post('/api/session/second-factor', { challengeToken: second.json().challengeToken, code });
      assert.equal(replay.statusCode, 401);
      assert.equal(replay.json().error.code, 'SECOND_FACTOR_WRONG');
      h.clock.advance(30_000);
      sessionOf(
        await post('/api/session/second-factor', {
          challengeToken: second.json().challengeToken,
          code: totpAt(secret, h.clock.now()),
        }),
      );

      const events = await eventsOf(who.id);
      assert.ok(events.some((e) => e.action === 'mfa.second-factor-used' && JSON.parse(e.details!).method === 'totp'));
      assert.ok(events.some((e) => e.action === 'mfa.second-factor-failed'));
      assert.ok(
        events.some((e) => e.action === 'session.signed-in' && JSON.parse(e.details!).method === 'password+totp'),
      );
    });

    it('a recovery code signs in once (any case, dashes optional); the second use is refused; regenerating replaces the set', async () => {
      const who = await newMember();
      const { recoveryCodes } = await enrolTotp(sessionOf(await passwordStep(who)));
      const pending = await passwordStep(who);
      const s = sessionOf(
        await post('/api/session/second-factor', {
          challengeToken: pending.json().challengeToken,
          recoveryCode: recoveryCodes[0]!.toLowerCase().replace(/-/g, ''),
        }),
      );
      assert.equal((await as(s, 'GET', '/api/account/security')).json().recoveryCodesLeft, 9);
      const reused = await post('/api/session/second-factor', {
        challengeToken: (await passwordStep(who)).json().challengeToken,
        recoveryCode: recoveryCodes[0]!,
      });
      assert.equal(reused.statusCode, 401);
      assert.equal(reused.json().error.code, 'SECOND_FACTOR_WRONG');

      const fresh = await as(s, 'POST', '/api/account/security/recovery-codes');
      assert.equal(fresh.statusCode, 200, fresh.body);
      const newCodes = fresh.json().recoveryCodes as string[];
      assert.equal(newCodes.length, 10);
      const old = await post('/api/session/second-factor', {
        challengeToken: (await passwordStep(who)).json().challengeToken,
        recoveryCode: recoveryCodes[1]!,
      });
      assert.equal(old.statusCode, 401, 'the old set stopped working');
      sessionOf(
        await post('/api/session/second-factor', {
          challengeToken: (await passwordStep(who)).json().challengeToken,
          recoveryCode: newCodes[0]!,
        }),
      );
    });

    it('wrong codes: 5 per challenge, then the challenge is spent; 10 per account in 15 minutes, then RATE_LIMITED even for the right code; bad input is 400', async () => {
      const who = await newMember();
      const { secret } = await enrolTotp(sessionOf(await passwordStep(who)));
      h.clock.advance(30_000);
      const wrongCode = () => String((Number(totpAt(secret, h.clock.now())) + 500_000) % 1_000_000).padStart(6, '0');
      const challenge = (await passwordStep(who)).json().challengeToken as string;
      for (let i = 0; i < 5; i++)
        assert.equal(
          (await post('/api/session/second-factor', { challengeToken: challenge, code: wrongCode() })).statusCode,
          401,
        );
      const spent = await post('/api/session/second-factor', {
        challengeToken: challenge,
        code: totpAt(secret, h.clock.now()),
      });
      assert.equal(spent.json().error.code, 'SECOND_FACTOR_EXPIRED');

      const bad = await post('/api/session/second-factor', { challengeToken: challenge, code: 'x'.repeat(100) });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error.code, 'VALIDATION_FAILED');

      const next = (await passwordStep(who)).json().challengeToken as string;
      for (let i = 0; i < 4; i++)
        assert.equal(
          (await post('/api/session/second-factor', { challengeToken: next, code: wrongCode() })).statusCode,
          401,
        );
      const another = (await passwordStep(who)).json().challengeToken as string;
      const tenth = await post('/api/session/second-factor', { challengeToken: another, code: wrongCode() });
      assert.equal(tenth.statusCode, 401, 'the failure that fills the window still answers SECOND_FACTOR_WRONG');
      const evenRight = await post('/api/session/second-factor', {
        challengeToken: another,
        code: totpAt(secret, h.clock.now()),
      });
      assert.equal(evenRight.statusCode, 429);
      assert.equal(evenRight.json().error.code, 'RATE_LIMITED');
      h.clock.advance(16 * MINUTE);
      const after = (await passwordStep(who)).json().challengeToken as string;
      sessionOf(
        await post('/api/session/second-factor', { challengeToken: after, code: totpAt(secret, h.clock.now()) }),
      );
    });

    it('an expired challenge (5 minutes) is refused', async () => {
      const who = await newMember();
      const { secret } = await enrolTotp(sessionOf(await passwordStep(who)));
      const challenge = (await passwordStep(who)).json().challengeToken as string;
      h.clock.advance(5 * MINUTE + 1000);
      const late = await post('/api/session/second-factor', {
        challengeToken: challenge,
        code: totpAt(secret, h.clock.now()),
      });
      assert.equal(late.statusCode, 410);
      assert.equal(late.json().error.code, 'SECOND_FACTOR_EXPIRED');
    });

    it('"MFA required": a member without a second factor is held at enrolment at the next sign-in, then free; others are untouched', async () => {
      const admin = await newMember('admin');
      const member = await newMember('member');
      const adminSession = sessionOf(await passwordStep(admin));
      const memberBefore = sessionOf(await passwordStep(member));
      const set = await as(adminSession, 'PATCH', '/api/v1/organization/settings', { mfaRequired: true });
      assert.equal(set.statusCode, 200, set.body);
      assert.equal(set.json().mfaRequired, true);
      const change = (await eventsOf(admin.id)).find((e) => e.action === 'organization.settings-changed');
      assert.deepEqual(JSON.parse(change!.details!), { mfaRequired: { from: false, to: true } });
      assert.equal(
        (await as(memberBefore, 'GET', '/api/v1/envelopes')).statusCode,
        200,
        'a session opened before is not cut short (next sign-in)',
      );

      const signedIn = await passwordStep(member);
      assert.equal(signedIn.json().mfaEnrolmentRequired, true);
      const held = sessionOf(signedIn);
      for (const [method, url] of [
        ['GET', '/api/v1/envelopes'],
        ['GET', '/api/account/sessions'],
        ['GET', '/api/v1/audit-events'],
      ] as const) {
        const res = await as(held, method, url);
        assert.equal(res.statusCode, 403, `${method} ${url}`);
        assert.equal(res.json().error.code, 'MFA_ENROLMENT_REQUIRED');
        assert.match(res.json().error.message, /二要素認証/);
      }
      assert.equal((await as(held, 'GET', '/api/session')).json().mfaEnrolmentRequired, true);
      assert.equal((await as(held, 'GET', '/api/account/security')).json().mfaRequired, true);
      await enrolTotp(held);
      assert.equal((await as(held, 'GET', '/api/v1/envelopes')).statusCode, 200);
      assert.equal((await as(held, 'GET', '/api/session')).json().mfaEnrolmentRequired, false);

      // The other organisation's members are not affected.
      const outsider = sessionOf(await passwordStep(h.other.admin));
      assert.equal((await as(outsider, 'GET', '/api/v1/envelopes')).statusCode, 200);
      await as(adminSession, 'PATCH', '/api/v1/organization/settings', { mfaRequired: false });
    });

    it('step-up: an admin with a second factor changes settings only within 10 minutes of giving it; step-up renews it; removing TOTP needs it too', async () => {
      const admin = await newMember('admin');
      const { secret } = await enrolTotp(sessionOf(await passwordStep(admin)));
      h.clock.advance(30_000);
      const challenge = (await passwordStep(admin)).json().challengeToken as string;
      const s = sessionOf(
        await post('/api/session/second-factor', { challengeToken: challenge, code: totpAt(secret, h.clock.now()) }),
      );
      assert.equal(
        (await as(s, 'PATCH', '/api/v1/organization/settings', { attachCertificate: true })).statusCode,
        200,
        'fresh second factor',
      );

      h.clock.advance(11 * MINUTE);
      assert.equal((await as(s, 'GET', '/api/v1/organization/settings')).statusCode, 200, 'reading needs no step-up');
      const stale = await as(s, 'PATCH', '/api/v1/organization/settings', { attachCertificate: false });
      assert.equal(stale.statusCode, 403);
      assert.equal(stale.json().error.code, 'STEP_UP_REQUIRED');
      assert.equal((await as(s, 'DELETE', '/api/account/security/totp')).json().error.code, 'STEP_UP_REQUIRED');
      assert.equal((await as(s, 'POST', '/api/account/security/recovery-codes')).json().error.code, 'STEP_UP_REQUIRED');
      assert.equal(
        (
          await h.context.db
            .selectFrom('organizations')
            .select('attach_certificate')
            .where('id', '=', h.org.id)
            .executeTakeFirstOrThrow()
        ).attach_certificate,
        1,
        'nothing changed',
      );

      const wrong = await as(s, 'POST', '/api/account/security/step-up', {
        code: String((Number(totpAt(secret, h.clock.now())) + 1) % 1_000_000).padStart(6, '0'),
      });
      assert.equal(wrong.statusCode, 401);
      const up = await as(s, 'POST', '/api/account/security/step-up', { code: totpAt(secret, h.clock.now()) });
      assert.equal(up.statusCode, 200, up.body);
      assert.equal(
        (await as(s, 'PATCH', '/api/v1/organization/settings', { attachCertificate: false })).statusCode,
        200,
      );
      assert.ok(
        (await eventsOf(admin.id)).some(
          (e) => e.action === 'mfa.second-factor-used' && JSON.parse(e.details!).purpose === 'step-up',
        ),
      );

      assert.equal((await as(s, 'DELETE', '/api/account/security/totp')).statusCode, 204);
      assert.equal(
        await h.context.db
          .selectFrom('recovery_codes')
          .select('code_hash')
          .where('user_id', '=', admin.id)
          .executeTakeFirst(),
        undefined,
        'codes go with the last factor',
      );
      assert.equal((await passwordStep(admin)).json().secondFactorRequired, undefined, 'password alone again');
      assert.ok((await eventsOf(admin.id)).some((e) => e.action === 'mfa.totp-removed'));
    });

    it('the security API needs a session of the account (API key, no CSRF, no session refused); passkey options name this installation', async () => {
      const who = await newMember();
      const s = sessionOf(await passwordStep(who));
      assert.equal((await h.api(h.org, 'GET', '/api/account/security')).statusCode, 403);
      assert.equal((await h.app.inject({ method: 'GET', url: '/api/account/security' })).statusCode, 401);
      const noCsrf = await h.app.inject({
        method: 'POST',
        url: '/api/account/security/totp',
        headers: { cookie: s.cookie },
      });
      assert.equal(noCsrf.statusCode, 403);
      assert.equal(noCsrf.json().error.code, 'CSRF_FAILED');
      const options = await as(s, 'POST', '/api/account/security/passkeys/options');
      assert.equal(options.statusCode, 200, options.body);
      assert.equal(options.json().rp.id, 'inkan.test');
      assert.equal(options.json().authenticatorSelection.userVerification, 'required');
      const bogus = await as(s, 'POST', '/api/account/security/passkeys', {
        name: 'x',
        response: {
          id: 'abc',
          rawId: 'abc',
          type: 'public-key',
          response: {
            clientDataJSON: Buffer.from(
              JSON.stringify({
                challenge: options.json().challenge,
                type: 'webauthn.create',
                origin: 'http://evil.test',
              }),
            ).toString('base64url'),
            attestationObject: 'AA',
          },
        },
      });
      assert.equal(bogus.statusCode, 400);
      assert.equal(bogus.json().error.code, 'PASSKEY_FAILED');
      assert.equal(
        (await h.context.db.selectFrom('passkeys').select('id').where('user_id', '=', who.id).execute()).length,
        0,
      );
      const otherPasskey = await as(s, 'DELETE', '/api/account/security/passkeys/nope');
      assert.equal(otherPasskey.statusCode, 403, 'step-up first (no factor given in this session)');
    });
  });
}
