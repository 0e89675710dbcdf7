/**
 * HTTP rate limits shared by several web instances (issue 10 part 3): two apps (two instances) count
 * one client's attempts together — through PostgreSQL's rate_limits table, or through Redis
 * (INKAN_REDIS_URL, the server on 127.0.0.1:6379) even with two separate SQLite installations. The
 * access-code surface allows 10 attempts a minute per client: the 11th, on either instance, is 429.
 * SQLite without Redis keeps the in-process store: each instance counts alone (the control).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createContext } from '../../src/context.ts';
import { buildApp } from '../../src/http/app.ts';
import { createTestContext, type TestContext } from '../helpers/test-database.ts';

const TOKEN = 'A'.repeat(43);

async function attempts(apps: FastifyInstance[], n: number): Promise<Array<{ status: number; code: string }>> {
  const results: Array<{ status: number; code: string }> = [];
  for (let i = 0; i < n; i++) {
    const res = await apps[i % apps.length]!.inject({
      method: 'POST',
      url: `/api/sign/${TOKEN}/access-code`,
      payload: { code: '0000' },
      headers: { 'accept-language': 'ja' },
    });
    results.push({ status: res.statusCode, code: (res.json() as { error?: { code?: string } }).error?.code ?? '' });
  }
  return results;
}

describe('HTTP rate limits across two web instances', () => {
  const cleanups: Array<() => Promise<void>> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function twoInstancesOnOneDatabase(dialect: 'sqlite' | 'postgres', env: Record<string, string> = {}) {
    const first: TestContext = await createTestContext(dialect, env);
    cleanups.push(() => first.cleanup());
    const secondContext = await createContext(first.config);
    cleanups.push(() => secondContext.close());
    const apps = [await buildApp({ context: first.context }), await buildApp({ context: secondContext })];
    for (const app of apps) cleanups.push(() => app.close());
    return apps;
  }

  it('PostgreSQL: the 11th access-code attempt is refused whichever instance gets it', async () => {
    const apps = await twoInstancesOnOneDatabase('postgres');
    const results = await attempts(apps, 12);
    assert.deepEqual(
      results.slice(0, 10).map((r) => r.status),
      Array(10).fill(404),
      'unknown link, counted',
    );
    assert.deepEqual(
      results.slice(10).map((r) => [r.status, r.code]),
      [
        [429, 'RATE_LIMITED'],
        [429, 'RATE_LIMITED'],
      ],
    );
  });

  it('Redis: two installations with their own SQLite databases share the counters of one Redis', async () => {
    const env = {
      INKAN_REDIS_URL: 'redis://127.0.0.1:6379',
      INKAN_REDIS_PREFIX: `inkan-test-${randomBytes(6).toString('hex')}:`,
    };
    const a = await createTestContext('sqlite', env);
    const b = await createTestContext('sqlite', env);
    cleanups.push(
      () => a.cleanup(),
      () => b.cleanup(),
    );
    const apps = [await buildApp({ context: a.context }), await buildApp({ context: b.context })];
    for (const app of apps) cleanups.push(() => app.close());
    const results = await attempts(apps, 12);
    assert.deepEqual(
      results.map((r) => r.status),
      [...Array(10).fill(404), 429, 429],
    );
  });

  it('SQLite without Redis (one instance by design): each app counts alone', async () => {
    const apps = await twoInstancesOnOneDatabase('sqlite');
    const results = await attempts(apps, 12);
    assert.deepEqual(
      results.map((r) => r.status),
      Array(12).fill(404),
    );
  });
});
