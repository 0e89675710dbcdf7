import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactUrl } from '../../src/http/redact-url.ts';

const TOKEN = 'q3Xk9V_2mT-8pLwZ4rYc1uHb7sNa0eDf5gJiKoQtRvU';

test('link tokens never reach the request log', () => {
  assert.equal(redactUrl(`/s/${TOKEN}`), '/s/[token]');
  assert.equal(redactUrl(`/d/${TOKEN}?x=1`), '/d/[token]?x=1');
  assert.equal(redactUrl(`/api/sign/${TOKEN}/access-code`), '/api/sign/[token]/access-code');
  assert.equal(redactUrl(`/api/download/${TOKEN}/documents/abc`), '/api/download/[token]/documents/abc');
  assert.equal(redactUrl(`/login/link?token=${TOKEN}&next=%2F`), '/login/link?token=[token]&next=%2F');
  for (const url of [`/s/${TOKEN}`, `/api/sign/${TOKEN}/sign`, `/login/link?token=${TOKEN}`])
    assert.ok(!redactUrl(url).includes(TOKEN));
});

test('other URLs are unchanged', () => {
  assert.equal(redactUrl('/api/v1/envelopes?status=sent'), '/api/v1/envelopes?status=sent');
  assert.equal(redactUrl('/pki/ocsp/MEQwQjBAMD4wPDAJBgUrDgMCGgUABBQ'), '/pki/ocsp/MEQwQjBAMD4wPDAJBgUrDgMCGgUABBQ');
});
