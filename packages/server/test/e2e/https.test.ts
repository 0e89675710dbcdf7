/**
 * HTTPS served by Inkan itself: INKAN_TLS_CERT / INKAN_TLS_KEY with a certificate this test makes
 * (openssl, its own CA), HSTS on every answer, and INKAN_HTTP_PORT redirecting plain HTTP to the
 * public https URL (301 for GET, 308 for POST; the Host header cannot change the target).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestCa } from './helpers/test-ca.ts';
import { runInkan } from '../helpers/run-inkan.ts';
import { requestFrom } from './helpers/http-from.ts';
import { freePort, startInkanProcess, type InkanProcess } from './helpers/inkan-process.ts';

describe('HTTPS with INKAN_TLS_CERT / INKAN_TLS_KEY', () => {
  let dir: string;
  let inkan: InkanProcess | undefined;
  let ca: Buffer;
  let httpsUrl: string;
  let httpUrl: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inkan-https-'));
    const file = (name: string) => join(dir, name);
    // A CA, and a server certificate for 127.0.0.1 issued by it.
    const authority = await TestCa.create(dir);
    await authority.issue(file('server.pem'), file('server.key'));
    ca = authority.certificate;

    const [port, httpPort] = [await freePort(), await freePort()];
    httpsUrl = `https://127.0.0.1:${port}`;
    httpUrl = `http://127.0.0.1:${httpPort}`;
    const env = {
      INKAN_DATA_DIR: join(dir, 'data'),
      INKAN_PORT: String(port),
      INKAN_HTTP_PORT: String(httpPort),
      INKAN_PUBLIC_URL: httpsUrl,
      INKAN_TLS_CERT: file('server.pem'),
      INKAN_TLS_KEY: file('server.key'),
      INKAN_ENV: 'test',
    };
    inkan = await startInkanProcess(['serve', '--role=web'], env);
  });

  after(async () => {
    await inkan?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('serves HTTPS with HSTS, and says so with the address bound', async () => {
    const health = await requestFrom(`${httpsUrl}/healthz`, { ca });
    assert.equal(health.status, 200);
    assert.match(String(health.headers['strict-transport-security']), /max-age=31536000/);
    const api = await requestFrom(`${httpsUrl}/api/session`, { ca });
    assert.equal(api.status, 401);
    assert.match(String(api.headers['strict-transport-security']), /max-age=\d+/);
    assert.ok(
      inkan!.output.some((l) => l.startsWith(`Inkan is listening on ${httpsUrl} `)),
      inkan!.output.join('\n'),
    );
    assert.ok(
      inkan!.output.some((l) => l.startsWith(`HTTP on ${httpUrl} redirects to ${httpsUrl}`)),
      inkan!.output.join('\n'),
    );
  });

  test('the HTTP port redirects to the public https URL: 301 for GET, 308 for POST, whatever the Host header says', async () => {
    const get = await requestFrom(`${httpUrl}/verify?lang=en`, { headers: { host: 'evil.example' } });
    assert.equal(get.status, 301);
    assert.equal(get.headers.location, `${httpsUrl}/verify?lang=en`);
    const post = await requestFrom(`${httpUrl}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(post.status, 308);
    assert.equal(post.headers.location, `${httpsUrl}/api/session`);
    const followed = await requestFrom(String(get.headers.location), { ca });
    assert.equal(followed.status, 200, 'the target is served over HTTPS');
  });

  test('a half TLS configuration or an http public URL stops the start with a clear message', async () => {
    const half = await runInkan(['serve'], {
      dataDir: join(dir, 'data'),
      env: { INKAN_TLS_CERT: join(dir, 'server.pem') },
    });
    assert.equal(half.code, 2);
    assert.match(half.stderr, /INKAN_TLS_CERT: set INKAN_TLS_CERT and INKAN_TLS_KEY together/);
    const plain = await runInkan(['serve'], {
      dataDir: join(dir, 'data'),
      env: {
        INKAN_TLS_CERT: join(dir, 'server.pem'),
        INKAN_TLS_KEY: join(dir, 'server.key'),
        INKAN_PUBLIC_URL: 'http://127.0.0.1:1',
      },
    });
    assert.equal(plain.code, 2);
    assert.match(plain.stderr, /INKAN_PUBLIC_URL: must be an https:\/\/ URL/);
  });
});
