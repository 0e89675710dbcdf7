// Friendly 404s (issue 11 part 5): a browser's navigation to an unknown page gets the UI (status 404),
// which shows its 見つかりません page; the API and other machine paths keep JSON errors with codes.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startHarness, writeFakeWebBuild, type Harness } from './helpers/harness.ts';

describe('404 for browsers and for programs', () => {
  let h: Harness;
  let bare: Harness;
  before(async () => {
    const dist = join(process.env.TMPDIR ?? '/tmp', `inkan-404-web-${process.pid}`);
    writeFakeWebBuild(dist);
    h = await startHarness('sqlite', { webDistDir: dist });
    bare = await startHarness('sqlite');
  });
  after(async () => {
    await h?.close();
    await bare?.close();
  });

  const html = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

  it('a browser navigation to an unknown path gets the UI with status 404', async () => {
    for (const url of ['/no-such-page', '/help/nothing/here', '/sso/unknown?x=1']) {
      const res = await h.app.inject({ method: 'GET', url, headers: { accept: html } });
      assert.equal(res.statusCode, 404, url);
      assert.match(String(res.headers['content-type']), /text\/html/);
      assert.match(res.body, /<div id="root">/, url);
    }
    const head = await h.app.inject({ method: 'HEAD', url: '/no-such-page', headers: { accept: html } });
    assert.equal(head.statusCode, 404);
  });

  it('API and machine paths keep JSON errors with a code, even for a browser', async () => {
    for (const url of ['/api/nothing-here', '/api/v1/nothing', '/pki/nothing', '/assets/missing.js']) {
      const res = await h.app.inject({ method: 'GET', url, headers: { accept: html } });
      assert.equal(res.statusCode, 404, url);
      assert.equal(res.json().error.code, 'NOT_FOUND', url);
    }
    // Programs (no text/html) and other methods get JSON everywhere.
    const program = await h.app.inject({
      method: 'GET',
      url: '/no-such-page',
      headers: { accept: 'application/json' },
    });
    assert.equal(program.json().error.code, 'NOT_FOUND');
    const post = await h.app.inject({ method: 'POST', url: '/no-such-page', headers: { accept: html } });
    assert.equal(post.json().error.code, 'NOT_FOUND');
  });

  it('without a UI build the browser gets the JSON error (no crash)', async () => {
    const res = await bare.app.inject({ method: 'GET', url: '/no-such-page', headers: { accept: html } });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.code, 'NOT_FOUND');
  });
});
