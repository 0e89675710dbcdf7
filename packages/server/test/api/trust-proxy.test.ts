// INKAN_TRUST_PROXY on SQLite and PostgreSQL: parsing (hop count, addresses, CIDR ranges), and the
// client address recorded in the operation log — the TCP peer by default whatever X-Forwarded-For
// says, the address behind N trusted hops with a hop count. (The real proxy: e2e/reverse-proxy.test.ts.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig, parseTrustProxy } from '../../src/config/config.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { startHarness, type Harness } from './helpers/harness.ts';

describe('INKAN_TRUST_PROXY parsing', () => {
  it('accepts a hop count, addresses, CIDR ranges and the proxy-addr names; refuses the rest', () => {
    assert.equal(parseTrustProxy(undefined), false);
    assert.equal(parseTrustProxy(''), false);
    assert.equal(parseTrustProxy('false'), false);
    assert.equal(parseTrustProxy('2'), 2);
    assert.deepEqual(parseTrustProxy('127.0.0.1, 10.0.0.0/8,fd00::/8, loopback'), [
      '127.0.0.1',
      '10.0.0.0/8',
      'fd00::/8',
      'loopback',
    ]);
    for (const bad of ['0', '11', 'yes', '10.0.0.0/33', '::1/129', '10.0.0.0/8/1', 'proxy.example.jp', '300.1.1.1'])
      assert.equal(parseTrustProxy(bad), null, bad);
    assert.throws(
      () => loadConfig({ INKAN_TRUST_PROXY: '10.0.0.0/33' }),
      (error: unknown) => error instanceof ConfigError && error.variable === 'INKAN_TRUST_PROXY',
    );
    assert.deepEqual(loadConfig({ INKAN_TRUST_PROXY: '10.0.0.0/8' }).trustProxy, ['10.0.0.0/8']);
    assert.equal(loadConfig({}).trustProxy, false);
  });
});

for (const dialect of DIALECTS) {
  describe(`client address with and without trusted proxies (${dialect})`, () => {
    let direct: Harness;
    let twoHops: Harness;
    before(async () => {
      [direct, twoHops] = await Promise.all([
        startHarness(dialect),
        startHarness(dialect, { env: { INKAN_TRUST_PROXY: '2' } }),
      ]);
    });
    after(async () => Promise.all([direct?.close(), twoHops?.close()]));

    /** Signs in from `remoteAddress` with an X-Forwarded-For header; returns the IP of the session.signed-in event. */
    const signInIp = async (h: Harness, remoteAddress: string, forwardedFor: string) => {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/session',
        remoteAddress,
        headers: { 'x-forwarded-for': forwardedFor },
        payload: { email: h.org.admin.email, password: h.org.admin.password },
      });
      assert.equal(res.statusCode, 200, res.body);
      const event = await h.context.db
        .selectFrom('events')
        .select('ip')
        .where('action', '=', 'session.signed-in')
        .orderBy('seq', 'desc')
        .executeTakeFirstOrThrow();
      return event.ip;
    };

    it('without INKAN_TRUST_PROXY the TCP peer is the client, whatever X-Forwarded-For says', async () => {
      assert.equal(await signInIp(direct, '10.0.0.1', '198.51.100.9, 203.0.113.5'), '10.0.0.1');
    });

    it('with a hop count of 2 the address behind the two nearest proxies is the client; a forged left part is ignored', async () => {
      assert.equal(await signInIp(twoHops, '10.0.0.1', '198.51.100.9, 203.0.113.5, 10.0.0.2'), '203.0.113.5');
    });
  });
}
