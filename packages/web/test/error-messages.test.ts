// The UI shows the server's message for every error code (one wording, issue 11 part 8): for each code
// of the server, with the details the server attaches, the web's error translation of the server's error
// body gives exactly the text the server sends in that language — whichever language the body came in.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorFromResponse } from '../src/api/client.ts';
import { errorMessage } from '../src/api/messages.ts';
import { messageOf, STATUS_OF } from '../../server/src/http/errors.ts';
import type { AppErrorCode } from '../../server/src/domain/app-error.ts';

const DETAILS: (Record<string, unknown> | undefined)[] = [
  undefined,
  { field: 'logo' },
  { remainingAttempts: 2 },
  { remainingAttempts: 1 },
  { reason: 'personal-account' },
  { min: 6 },
  { address: '203.0.113.7', domain: 'example.jp', name: '_inkan.example.jp', scope: 'contracts:read' },
  { organization: '株式会社テスト' },
  { maxBytes: 10_485_760 },
  { document: '契約書.pdf' },
  { limit: 'objects', max: 100_000 },
  { sender: { organization: '株式会社テスト', name: '山田 花子' } },
  { label: '住所' },
  { problem: 'KEY_MISMATCH' },
  { retryAfterSeconds: 9 },
];

/** The error body the server sends for a code, as the UI's API client parses it. */
function fromServer(code: AppErrorCode, language: 'ja' | 'en', details?: Record<string, unknown>) {
  const body = { error: { code, message: messageOf(code, language, details), ...(details ? { details } : {}) } };
  return errorFromResponse(STATUS_OF[code], JSON.stringify(body));
}

test('for every server code and its details, the UI shows the server message of that language', () => {
  const codes = Object.keys(STATUS_OF) as AppErrorCode[];
  assert.ok(codes.length > 80, `${codes.length} codes`);
  for (const code of codes)
    for (const details of DETAILS)
      for (const language of ['ja', 'en'] as const) {
        const expected = messageOf(code, language, details);
        // The body may come in the other language (a language switch after the request): the UI still
        // renders the catalog entry in its own language.
        for (const bodyLanguage of ['ja', 'en'] as const) {
          if (code === 'VALIDATION_FAILED' && bodyLanguage !== language) continue; // its text is the server's own
          assert.equal(
            errorMessage(language, fromServer(code, bodyLanguage, details)),
            expected,
            `${code} ${language} ${JSON.stringify(details)}`,
          );
        }
      }
});

test('codes the catalog does not know show the server text; other failures a generic message', () => {
  assert.equal(
    errorMessage('en', errorFromResponse(409, '{"error":{"code":"SOMETHING_NEWER","message":"newer text"}}')),
    'newer text',
  );
  assert.equal(
    errorMessage('ja', new TypeError('fetch failed')),
    '予期しないエラーが発生しました。時間をおいて、もう一度お試しください。',
  );
});
