/**
 * IP allow-lists (issue 12 part 3) on a real listening server: requests come from distinct loopback
 * source addresses (127.0.0.2 inside the list, 127.0.0.3 outside), for a member's session and an API key
 * alike; the administrator cannot save a list that leaves out their own address; bad ranges are refused
 * with a clear message and change nothing; other organisations and personal accounts are not limited;
 * a forged X-Forwarded-For from an untrusted peer does not get around the list; the change is in the log.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { linkIn, startHarness, type Harness, type TestOrganization } from '../api/helpers/harness.ts';
import { requestFrom, type HttpAnswer } from '../e2e/helpers/http-from.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { addressAllowed, parseAllowList } from '../../src/domain/sign-in-security/ip-allow-list.ts';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';

const INSIDE = '127.0.0.2';
const OUTSIDE = '127.0.0.3';

describe('allow-list parsing', () => {
  it('normalises ranges and matches IPv4, IPv6 and IPv4-mapped addresses', () => {
    assert.deepEqual(parseAllowList([' 10.1.2.3/8 ', '192.0.2.7', '2001:DB8::/32', '10.0.0.0/8']), [
      '10.0.0.0/8',
      '192.0.2.7/32',
      '2001:db8::/32',
    ]);
    const list = parseAllowList(['10.0.0.0/8', '2001:db8::/32']);
    assert.equal(addressAllowed(list, '10.200.1.1'), true);
    assert.equal(addressAllowed(list, '::ffff:10.200.1.1'), true);
    assert.equal(addressAllowed(list, '11.0.0.1'), false);
    assert.equal(addressAllowed(list, '2001:db8:1::5'), true);
    assert.equal(addressAllowed(list, '2001:db9::1'), false);
    assert.equal(addressAllowed(list, null), false);
    assert.equal(addressAllowed([], '203.0.113.9'), true, 'an empty list limits nothing');
    for (const bad of ['10.0.0.0/33', '300.1.1.1', 'example.com', '10.0.0.0/8/1', '::/129', '', '10.0.0.0/-1'])
      assert.throws(
        () => parseAllowList([bad]),
        (e: Error & { code?: string }) => e.code === 'VALIDATION_FAILED',
        bad,
      );
  });
});

for (const dialect of DIALECTS) {
  describe(`IP allow-lists on ${dialect}`, () => {
    let h: Harness;
    let base: string;

    before(async () => {
      h = await startHarness(dialect);
      base = await h.app.listen({ port: 0, host: '127.0.0.1' });
    });
    after(async () => {
      await h?.close();
    });

    const call = (
      from: string,
      method: string,
      path: string,
      options: {
        cookie?: string;
        csrf?: string;
        apiKey?: string;
        body?: unknown;
        headers?: Record<string, string>;
      } = {},
    ): Promise<HttpAnswer> =>
      requestFrom(`${base}${path}`, {
        method,
        localAddress: from,
        headers: {
          'accept-language': 'ja',
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(options.cookie ? { cookie: options.cookie } : {}),
          ...(options.csrf ? { 'x-csrf-token': options.csrf } : {}),
          ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
          ...options.headers,
        },
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });

    async function signIn(from: string, who: { email: string; password: string }) {
      const res = await call(from, 'POST', '/api/session', { body: { email: who.email, password: who.password } });
      assert.equal(res.status, 200, res.text());
      return { cookie: res.cookies(), csrf: res.json<{ csrfToken: string }>().csrfToken };
    }

    const listOf = async (org: TestOrganization) =>
      (
        await h.context.db
          .selectFrom('organizations')
          .select('ip_allow_list')
          .where('id', '=', org.id)
          .executeTakeFirstOrThrow()
      ).ip_allow_list;

    it('shows the administrator their address, refuses a list that would lock them out, and saves one that does not', async () => {
      const admin = await signIn(INSIDE, h.org.admin);
      const view = await call(INSIDE, 'GET', '/api/v1/organization/security', admin);
      assert.equal(view.status, 200, view.text());
      assert.equal(view.json<{ currentAddress: string }>().currentAddress, INSIDE);
      assert.deepEqual(view.json<{ ipAllowList: string[] }>().ipAllowList, []);

      const lockout = await call(INSIDE, 'PUT', '/api/v1/organization/security/ip-allow-list', {
        ...admin,
        body: { ipAllowList: ['10.0.0.0/8'] },
      });
      assert.equal(lockout.status, 409, lockout.text());
      const error = lockout.json<{ error: { code: string; message: string } }>().error;
      assert.equal(error.code, 'IP_LIST_LOCKOUT');
      assert.match(error.message, /締め出されます/);
      assert.match(error.message, /127\.0\.0\.2/);
      assert.equal(await listOf(h.org), '[]', 'nothing saved');

      for (const bad of [['10.0.0.0/33'], ['<script>alert(1)</script>'], ['127.0.0.2/32', 'example.com']]) {
        const res = await call(INSIDE, 'PUT', '/api/v1/organization/security/ip-allow-list', {
          ...admin,
          body: { ipAllowList: bad },
        });
        assert.equal(res.status, 400, res.text());
        assert.equal(res.json<{ error: { code: string } }>().error.code, 'VALIDATION_FAILED');
        assert.match(res.json<{ error: { message: string } }>().error.message, /CIDR/);
      }
      assert.equal(await listOf(h.org), '[]', 'bad input changed nothing');

      const saved = await call(INSIDE, 'PUT', '/api/v1/organization/security/ip-allow-list', {
        ...admin,
        body: { ipAllowList: ['127.0.0.2', '2001:db8::/32'] },
      });
      assert.equal(saved.status, 200, saved.text());
      assert.deepEqual(saved.json<{ ipAllowList: string[] }>().ipAllowList, ['127.0.0.2/32', '2001:db8::/32']);
      const events = await h.context.db
        .selectFrom('events')
        .select(['details', 'actor_id'])
        .where('action', '=', 'organization.ip-allow-list-changed')
        .where('organization_id', '=', h.org.id)
        .execute();
      assert.equal(events.length, 1);
      assert.equal(events[0]!.actor_id, h.org.admin.id);
      assert.deepEqual(JSON.parse(events[0]!.details), { before: [], after: ['127.0.0.2/32', '2001:db8::/32'] });
    });

    it("limits the organisation's member sessions and API keys to the list, and nobody else", async () => {
      const member = await signIn(INSIDE, h.org.viewer);
      assert.equal((await call(INSIDE, 'GET', '/api/v1/envelopes', member)).status, 200);
      assert.equal((await call(INSIDE, 'GET', '/api/session', member)).status, 200);

      // The same session cookie from an address outside the list.
      for (const path of ['/api/v1/envelopes', '/api/session', '/api/account']) {
        const refused = await call(OUTSIDE, 'GET', path, member);
        assert.equal(refused.status, 403, `${path}: ${refused.text()}`);
        const error = refused.json<{ error: { code: string; message: string } }>().error;
        assert.equal(error.code, 'IP_NOT_ALLOWED', path);
        assert.match(error.message, /許可された IP アドレス/);
        assert.match(error.message, /127\.0\.0\.3/);
      }
      // A forged X-Forwarded-For from an untrusted peer (INKAN_TRUST_PROXY is off) changes nothing.
      const forged = await call(OUTSIDE, 'GET', '/api/v1/envelopes', {
        ...member,
        headers: { 'x-forwarded-for': INSIDE },
      });
      assert.equal(forged.status, 403);

      // API keys alike.
      assert.equal((await call(INSIDE, 'GET', '/api/v1/envelopes', { apiKey: h.org.apiKey })).status, 200);
      const keyRefused = await call(OUTSIDE, 'GET', '/api/v1/envelopes', { apiKey: h.org.apiKey });
      assert.equal(keyRefused.status, 403);
      assert.equal(keyRefused.json<{ error: { code: string } }>().error.code, 'IP_NOT_ALLOWED');
      const write = await call(OUTSIDE, 'PATCH', '/api/v1/organization/settings', {
        ...member,
        body: { attachCertificate: true },
      });
      assert.equal(write.status, 403);

      // Another organisation (no list) is not limited, from either address.
      assert.equal((await call(OUTSIDE, 'GET', '/api/v1/envelopes', { apiKey: h.other.apiKey })).status, 200);
      const otherAdmin = await signIn(OUTSIDE, h.other.admin);
      assert.equal((await call(OUTSIDE, 'GET', '/api/v1/envelopes', otherAdmin)).status, 200);

      // Signing out still works from outside (it ends the session; nothing else).
      const out = await call(OUTSIDE, 'DELETE', '/api/session', member);
      assert.equal(out.status, 204);
    });

    it('refuses the settings to callers without the right: no session, viewer, API key, missing CSRF, other organisation', async () => {
      const path = '/api/v1/organization/security/ip-allow-list';
      const body = { ipAllowList: [] };
      const before = await listOf(h.org);
      const none = await call(INSIDE, 'PUT', path, { body });
      assert.equal(none.status, 401);
      const viewer = await signIn(INSIDE, h.org.viewer);
      const asViewer = await call(INSIDE, 'PUT', path, { ...viewer, body });
      assert.equal(asViewer.status, 403);
      assert.equal(asViewer.json<{ error: { code: string } }>().error.code, 'FORBIDDEN');
      assert.equal((await call(INSIDE, 'GET', '/api/v1/organization/security', viewer)).status, 403);
      const key = await call(INSIDE, 'PUT', path, { apiKey: h.org.apiKey, body });
      assert.equal(key.status, 403);
      const admin = await signIn(INSIDE, h.org.admin);
      const noCsrf = await call(INSIDE, 'PUT', path, { cookie: admin.cookie, body });
      assert.equal(noCsrf.status, 403);
      assert.equal(noCsrf.json<{ error: { code: string } }>().error.code, 'CSRF_FAILED');
      // The other organisation's administrator changes their own organisation only.
      const other = await signIn(INSIDE, h.other.admin);
      const otherSaved = await call(INSIDE, 'PUT', path, { ...other, body: { ipAllowList: ['127.0.0.0/8'] } });
      assert.equal(otherSaved.status, 200);
      assert.equal(await listOf(h.org), before, "our list is untouched by the other organisation's admin");
      assert.equal(await listOf(h.other), '["127.0.0.0/8"]');
      // Lifting the limit (an empty list) from inside.
      const lifted = await call(INSIDE, 'PUT', path, { ...admin, body: { ipAllowList: [] } });
      assert.equal(lifted.status, 200);
      const member = await signIn(OUTSIDE, h.org.viewer);
      assert.equal((await call(OUTSIDE, 'GET', '/api/v1/envelopes', member)).status, 200);
    });

    it("never limits signers: a recipient signs from an address outside the sender organisation's list", async () => {
      const created = await h.createEnvelope(
        h.org,
        {
          name: 'IP制限のある組織からの契約',
          recipients: [{ name: '山田 太郎', email: 'taro@contractor.example.jp', accessCode: '1234', order: 1 }],
        },
        [{ filename: '契約書.pdf', data: await makePdf({ pages: 1 }) }],
      );
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json<{ id: string }>().id;
      assert.equal((await h.api(h.org, 'POST', `/api/v1/envelopes/${id}/send`)).statusCode, 200);
      await h.runJobs();
      const token = linkIn((await h.mailsTo('taro@contractor.example.jp'))[0]!.text_body, 's');

      const admin = await signIn(INSIDE, h.org.admin);
      const saved = await call(INSIDE, 'PUT', '/api/v1/organization/security/ip-allow-list', {
        ...admin,
        body: { ipAllowList: ['127.0.0.2/32'] },
      });
      assert.equal(saved.status, 200);
      const view = await call(OUTSIDE, 'GET', `/api/sign/${token}`);
      assert.equal(view.status, 200, view.text());
      const code = await call(OUTSIDE, 'POST', `/api/sign/${token}/access-code`, { body: { code: '1234' } });
      assert.equal(code.status, 200, code.text());
      // …while the organisation's own API key from there is refused.
      assert.equal((await call(OUTSIDE, 'GET', `/api/v1/envelopes/${id}`, { apiKey: h.org.apiKey })).status, 403);
      await call(INSIDE, 'PUT', '/api/v1/organization/security/ip-allow-list', { ...admin, body: { ipAllowList: [] } });
    });
  });
}
