// The API client's error parsing and headers, and the access-code helpers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  errorFromResponse,
  requestHeaders,
  setApiLanguage,
  setSenderCsrfToken,
  setSignerCsrfToken,
} from '../src/api/client.ts';
import { errorMessage } from '../src/api/messages.ts';
import { ACCESS_CODE_PATTERN, generateAccessCode } from '../src/lib/access-code.ts';

test('error bodies keep the stable code and details; other bodies get a generic code', () => {
  const wrong = errorFromResponse(
    401,
    JSON.stringify({ error: { code: 'ACCESS_CODE_WRONG', message: 'x', details: { remainingAttempts: 2 } } }),
  );
  assert.equal(wrong.code, 'ACCESS_CODE_WRONG');
  assert.equal(wrong.details['remainingAttempts'], 2);
  assert.equal(errorFromResponse(413, '<html>proxy</html>').code, 'PAYLOAD_TOO_LARGE');
  assert.equal(errorFromResponse(502, '').code, 'UNEXPECTED');
});

test('messages come from the UI table, except the server-specific validation text', () => {
  assert.equal(
    errorMessage('ja', errorFromResponse(410, '{"error":{"code":"LINK_EXPIRED","message":"expired"}}')),
    'このリンクの有効期限が切れています。送信者にお問い合わせください。',
  );
  assert.equal(
    errorMessage('en', errorFromResponse(400, '{"error":{"code":"VALIDATION_FAILED","message":"name is required"}}')),
    'name is required',
  );
  assert.equal(
    errorMessage('en', errorFromResponse(400, '{"error":{"code":"SOMETHING_NEW","message":"server text"}}')),
    'server text',
  );
});

test('non-GET requests carry the CSRF token of their session kind; GETs none', () => {
  setApiLanguage('en');
  setSenderCsrfToken('sender-token');
  setSignerCsrfToken('signer-token');
  assert.equal(requestHeaders('GET', '/api/v1/envelopes')['x-csrf-token'], undefined);
  assert.equal(requestHeaders('POST', '/api/v1/envelopes')['x-csrf-token'], 'sender-token');
  assert.equal(requestHeaders('POST', '/api/sign/abc/sign')['x-csrf-token'], 'signer-token');
  assert.equal(requestHeaders('POST', '/api/sign/abc/sign')['Accept-Language'], 'en, ja;q=0.5');
});

test('generated access codes are 4 digits and cover the range', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const code = generateAccessCode();
    assert.match(code, /^[0-9]{4}$/);
    assert.ok(ACCESS_CODE_PATTERN.test(code));
    seen.add(code[0]!);
  }
  // Leading digits 0–9 all occur (a mod bias or a missing padStart would show here).
  assert.equal(seen.size, 10);
});
