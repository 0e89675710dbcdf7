// The HTTP application around the API: the OpenAPI document lists every endpoint; the web UI is served
// with an SPA fallback (and a clear 503 when not built); /dev/mail only in development; security
// headers; unknown routes and unexpected errors answer with stable codes and no internals.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { registeredRoutes } from '../../src/http/app.ts';
import { startHarness, writeFakeWebBuild, type Harness } from './helpers/harness.ts';

describe('HTTP application', () => {
  let h: Harness;
  let dev: Harness;
  let web: string;

  before(async () => {
    web = mkdtempSync(join(tmpdir(), 'inkan-web-'));
    writeFakeWebBuild(web);
    [h, dev] = await Promise.all([
      startHarness('sqlite'),
      startHarness('sqlite', { env: { INKAN_ENV: 'development' }, webDistDir: web }),
    ]);
  });
  after(async () => {
    await h?.close();
    await dev?.close();
    rmSync(web, { recursive: true, force: true });
  });

  it('the OpenAPI document lists every /api route and only existing ones', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    assert.equal(res.statusCode, 200);
    const document = res.json();
    assert.equal(document.openapi, '3.1.0');
    const documented = new Set<string>();
    for (const [path, operations] of Object.entries(document.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(operations)) documented.add(`${method.toUpperCase()} ${path}`);
    }
    const registered = new Set(
      registeredRoutes(h.app)
        .filter((r) => r.url.startsWith('/api/') && r.method !== 'HEAD')
        .map((r) => `${r.method} ${r.url.replace(/:([A-Za-z]+)/g, '{$1}')}`),
    );
    assert.ok(registered.size >= 20, [...registered].join('\n'));
    assert.deepEqual(
      [...registered].filter((r) => !documented.has(r)),
      [],
      'undocumented routes',
    );
    assert.deepEqual(
      [...documented].filter((r) => !registered.has(r)),
      [],
      'documented routes that do not exist',
    );
  });

  it('serves the UI with an SPA fallback when built, and a clear 503 page when not', async () => {
    for (const url of [
      '/',
      '/login',
      '/login/link?token=x',
      '/envelopes',
      '/envelopes/new',
      '/envelopes/123',
      `/s/${'A'.repeat(43)}`,
      `/d/${'B'.repeat(43)}`,
      '/verify',
    ]) {
      const built = await dev.app.inject({ method: 'GET', url });
      assert.equal(built.statusCode, 200, url);
      assert.match(built.body, /<div id="root">/);
      const missing = await h.app.inject({ method: 'GET', url });
      assert.equal(missing.statusCode, 503, url);
      assert.match(missing.body, /npm run build -w @inkan\/web/);
    }
    const asset = await dev.app.inject({ method: 'GET', url: '/assets/app.js' });
    assert.equal(asset.statusCode, 200);
    assert.match(String(asset.headers['content-type']), /javascript/);
    const unknownApi = await dev.app.inject({ method: 'GET', url: '/api/nothing-here' });
    assert.equal(unknownApi.statusCode, 404);
    assert.equal(unknownApi.json().error.code, 'NOT_FOUND');
    const traversal = await dev.app.inject({ method: 'GET', url: '/assets/..%2f..%2fetc/passwd' });
    assert.notEqual(traversal.statusCode, 200);
  });

  it('sends security headers with a CSP that allows the UI and pdf.js', async () => {
    const res = await dev.app.inject({ method: 'GET', url: '/envelopes' });
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
    assert.match(csp, /worker-src 'self' blob:/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /script-src[^;]*'unsafe-inline'/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
  });

  it('/dev/mail exists only in development and shows the outbox, escaped', async () => {
    assert.equal((await h.app.inject({ method: 'GET', url: '/dev/mail' })).statusCode, 404);
    assert.equal((await h.app.inject({ method: 'GET', url: '/dev/mail.json' })).statusCode, 404);
    const pdf = await makePdf({ pages: 1 });
    const created = await dev.createEnvelope(
      dev.org,
      {
        name: '<script>alert(1)</script>',
        recipients: [{ name: 'R', email: 'r@example.jp', accessCode: '1234', order: 1 }],
      },
      [{ filename: 'a.pdf', data: pdf }],
    );
    await dev.api(dev.org, 'POST', `/api/v1/envelopes/${created.json().id}/send`);
    await dev.runJobs();
    const page = await dev.app.inject({ method: 'GET', url: '/dev/mail' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.doesNotMatch(page.body, /<script>alert/);
    assert.match(page.body, /<a href="http:\/\/inkan\.test\/s\/[A-Za-z0-9_-]+">/);
    const json = await dev.app.inject({ method: 'GET', url: '/dev/mail.json' });
    const [mail] = json.json().items;
    assert.equal(mail.to, 'r@example.jp');
    assert.ok(mail.links.some((l: string) => l.startsWith('http://inkan.test/s/')));
  });

  it('JSON bodies: an empty one is no body, a prototype-polluting one is refused', async () => {
    const empty = await h.app.inject({
      method: 'POST',
      url: `/api/sign/${'A'.repeat(43)}/viewed`,
      headers: { 'content-type': 'application/json' },
      payload: '',
    });
    assert.equal(empty.statusCode, 401, 'parsed fine; refused for want of a signer session');
    const polluted = await h.app.inject({
      method: 'POST',
      url: '/api/session',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":"a@b.jp","password":"x","__proto__":{"admin":true}}',
      remoteAddress: '10.7.0.1',
    });
    assert.equal(polluted.statusCode, 400);
    assert.equal(polluted.json().error.code, 'VALIDATION_FAILED');
    const broken = await h.app.inject({
      method: 'POST',
      url: '/api/session',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":',
      remoteAddress: '10.7.0.2',
    });
    assert.equal(broken.statusCode, 400);
    assert.equal(broken.json().error.code, 'VALIDATION_FAILED');
  });

  it('an unexpected failure is 500 INTERNAL_ERROR without internals', async () => {
    const pdf = await makePdf({ pages: 1 });
    const created = (
      await h.createEnvelope(
        h.org,
        { name: 'Lost', recipients: [{ name: 'R', email: 'lost@example.jp', accessCode: '1234', order: 1 }] },
        [{ filename: 'a.pdf', data: pdf }],
      )
    ).json();
    // The document's encrypted file disappears from the disk.
    const blob = (
      await h.context.db
        .selectFrom('documents')
        .select('blob_current')
        .where('id', '=', created.documents[0].id)
        .executeTakeFirstOrThrow()
    ).blob_current;
    rmSync(join(h.test.dataDir, 'blobs', blob.slice(0, 2), blob.slice(2, 4), blob), { force: true });
    const res = await h.api(h.org, 'GET', `/api/v1/envelopes/${created.id}/documents/${created.documents[0].id}`);
    assert.equal(res.statusCode, 500);
    assert.deepEqual(Object.keys(res.json().error).sort(), ['code', 'message']);
    assert.equal(res.json().error.code, 'INTERNAL_ERROR');
    assert.doesNotMatch(res.body, /blob|ENOENT|\/tmp/);
  });

  it('lists envelopes newest first with status filter, name search and cursor paging', async () => {
    const pdf = await makePdf({ pages: 1 });
    const ids: string[] = [];
    for (const name of ['検索 alpha 100%', 'beta_1', 'Alpha two']) {
      const res = await dev.createEnvelope(
        dev.org,
        { name, recipients: [{ name: 'R', email: 'l@example.jp', accessCode: '1234', order: 1 }] },
        [{ filename: 'a.pdf', data: pdf }],
      );
      ids.push(res.json().id);
    }
    const alpha = await dev.api(dev.org, 'GET', `/api/v1/envelopes?q=${encodeURIComponent('ALPHA')}`);
    assert.deepEqual(
      alpha
        .json()
        .items.map((e: { name: string }) => e.name)
        .sort(),
      ['Alpha two', '検索 alpha 100%'],
    );
    const percent = await dev.api(dev.org, 'GET', `/api/v1/envelopes?q=${encodeURIComponent('%')}`);
    assert.deepEqual(
      percent.json().items.map((e: { name: string }) => e.name),
      ['検索 alpha 100%'],
      'LIKE wildcards are literal',
    );
    const underscore = await dev.api(dev.org, 'GET', `/api/v1/envelopes?q=${encodeURIComponent('a_1')}`);
    assert.deepEqual(
      underscore.json().items.map((e: { name: string }) => e.name),
      ['beta_1'],
    );
    const drafts = await dev.api(dev.org, 'GET', '/api/v1/envelopes?status=draft&limit=2');
    assert.equal(drafts.json().items.length, 2);
    assert.ok(drafts.json().nextCursor);
    const next = await dev.api(
      dev.org,
      'GET',
      `/api/v1/envelopes?status=draft&limit=2&cursor=${drafts.json().nextCursor}`,
    );
    const seen = [...drafts.json().items, ...next.json().items].map((e: { id: string }) => e.id);
    assert.equal(new Set(seen).size, seen.length, 'no envelope twice');
    for (const id of ids) assert.ok(seen.includes(id));
    assert.equal((await dev.api(dev.org, 'GET', '/api/v1/envelopes?status=nonsense')).statusCode, 400);
    assert.equal((await dev.api(dev.org, 'GET', '/api/v1/envelopes?limit=1000')).statusCode, 400);
    assert.equal((await dev.api(dev.org, 'GET', '/api/v1/envelopes?cursor=garbage')).statusCode, 400);
  });
});
