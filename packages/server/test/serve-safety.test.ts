// Safe defaults of `inkan serve`: development mode (the unauthenticated /dev/mail inbox) refuses a
// non-loopback address unless INKAN_ALLOW_DEV_ON_NETWORK=true, and the start message names the address
// really bound, calling out one reachable from the network.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config/config.ts';
import { startInkanProcess } from './e2e/helpers/inkan-process.ts';
import { runInkan } from './helpers/run-inkan.ts';
import { waitFor } from './helpers/wait-for.ts';

describe('serve: safe defaults', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'inkan-serve-safety-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('development mode refuses a non-loopback INKAN_HOST unless INKAN_ALLOW_DEV_ON_NETWORK=true', () => {
    for (const host of ['0.0.0.0', '::', '192.0.2.10', 'inkan.example.jp']) {
      assert.throws(
        () => loadConfig({ INKAN_ENV: 'development', INKAN_HOST: host }),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.variable === 'INKAN_HOST' &&
          /INKAN_ALLOW_DEV_ON_NETWORK=true/.test(error.message),
        host,
      );
      assert.equal(
        loadConfig({ INKAN_ENV: 'development', INKAN_HOST: host, INKAN_ALLOW_DEV_ON_NETWORK: 'true' }).host,
        host,
      );
      assert.equal(
        loadConfig({ INKAN_HOST: host }).env,
        'production',
        'production is the default and may listen anywhere',
      );
    }
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', '[::1]', 'localhost'])
      assert.equal(loadConfig({ INKAN_ENV: 'development', INKAN_HOST: host }).host, host);
    assert.throws(
      () => loadConfig({ INKAN_ALLOW_DEV_ON_NETWORK: 'yes' }),
      (error: unknown) => error instanceof ConfigError && error.variable === 'INKAN_ALLOW_DEV_ON_NETWORK',
    );
  });

  it('inkan serve in development on 0.0.0.0 stops with a message naming the variables', async () => {
    const run = await runInkan(['serve'], {
      dataDir: join(dir, 'dev'),
      env: { INKAN_ENV: 'development', INKAN_HOST: '0.0.0.0', INKAN_PORT: '0' },
    });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /configuration error: INKAN_HOST: .*INKAN_ALLOW_DEV_ON_NETWORK=true/);
  });

  it('the start message names the address really bound, and says when it is every interface', async () => {
    const server = await startInkanProcess(['serve', '--role=web'], {
      INKAN_DATA_DIR: join(dir, 'prod'),
      INKAN_HOST: '0.0.0.0',
      INKAN_PORT: '0',
    });
    try {
      const line = server.output.find((l) => l.startsWith('Inkan is listening on '));
      const match =
        /^Inkan is listening on http:\/\/0\.0\.0\.0:(\d+) on every interface \(reachable from the network\) /.exec(
          line ?? '',
        );
      assert.ok(match, line);
      const port = Number(match[1]);
      assert.ok(port > 0, 'the real port, not the 0 asked for');
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
    } finally {
      await server.stop();
    }
    const local = await startInkanProcess(['serve', '--role=web'], {
      INKAN_DATA_DIR: join(dir, 'prod'),
      INKAN_HOST: '127.0.0.1',
      INKAN_PORT: '0',
    });
    try {
      assert.ok(
        local.output.some((l) => /^Inkan is listening on http:\/\/127\.0\.0\.1:\d+ \(public URL /.test(l)),
        local.output.join('\n'),
      );
    } finally {
      await local.stop();
    }
  });

  it('logs one line per request when it ends, none when it starts, and starts without deprecation warnings', async () => {
    const server = await startInkanProcess(['serve', '--role=web'], {
      INKAN_DATA_DIR: join(dir, 'access-log'),
      INKAN_HOST: '127.0.0.1',
      INKAN_PORT: '0',
    });
    try {
      const line = server.output.find((l) => l.startsWith('Inkan is listening on '));
      const port = Number(/:(\d+)/.exec(line ?? '')?.[1]);
      assert.ok(port > 0, line);
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
      assert.equal((await fetch(`http://127.0.0.1:${port}/api/v1/no-such-thing`)).status, 404);
      const requestLines = (): Array<Record<string, unknown>> =>
        server.output
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .filter((entry) => typeof entry.msg === 'string' && /request/.test(entry.msg));
      const lines = await waitFor(() => (requestLines().length >= 2 ? requestLines() : undefined), {
        what: 'the access-log lines',
      });
      assert.deepEqual(
        lines.map((entry) => [
          entry.msg,
          (entry.req as { url?: string }).url,
          (entry.res as { statusCode?: number }).statusCode,
        ]),
        [
          ['request completed', '/healthz', 200],
          ['request completed', '/api/v1/no-such-thing', 404],
        ],
      );
      assert.ok(
        !server.output.some((l) => /DeprecationWarning|FSTDEP/.test(l)),
        server.output.filter((l) => /Deprecation|FSTDEP/.test(l)).join('\n'),
      );
    } finally {
      await server.stop();
    }
  });
});
