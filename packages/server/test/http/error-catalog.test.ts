// One message catalog (issue 11 part 8): every error code the server can answer with, collected from its
// source (not from a hand list), has its message in both languages of @inkan/core/messages, the HTTP
// error body carries exactly that text, and the catalog holds no entry for a code that no longer exists.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { en, errorText, ja } from '@inkan/core/messages';
import { messageOf, STATUS_OF } from '../../src/http/errors.ts';
import type { AppErrorCode } from '../../src/domain/app-error.ts';
import { startHarness, type Harness } from '../api/helpers/harness.ts';

const SRC = new URL('../../src/', import.meta.url).pathname;
const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;
/** Codes only the UI raises (the server never answers with them). */
const UI_ONLY = ['NETWORK', 'UNEXPECTED'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

/** The names of the AppErrorCode union, read from the source (the type has no runtime value). */
function unionCodes(): string[] {
  const source = readFileSync(join(SRC, 'domain', 'app-error.ts'), 'utf8').replace(/\/\/.*$/gm, '');
  const union = /export type AppErrorCode =([\s\S]*?);/.exec(source);
  assert.ok(union, 'AppErrorCode union found');
  return [...union[1]!.matchAll(/\|\s*'([A-Z_]+)'/g)].map((m) => m[1]!);
}

/** Every code written literally where the server raises or answers an error, across its whole source. */
function raisedCodes(): Map<string, string> {
  const found = new Map<string, string>();
  const patterns = [
    /new AppError\(\s*'([A-Z][A-Z0-9_]+)'/g, // thrown by the domain and the routes
    /sendError\(\s*request,\s*reply,\s*'([A-Z][A-Z0-9_]+)'/g, // answered by the error mapping
    /^\s*FST_[A-Z_]+: '([A-Z][A-Z0-9_]+)',/gm, // Fastify's own errors mapped to ours
  ];
  for (const file of sourceFiles(SRC)) {
    const source = readFileSync(file, 'utf8');
    for (const pattern of patterns)
      for (const match of source.matchAll(pattern)) found.set(match[1]!, file.slice(SRC.length));
  }
  return found;
}

/** Details the server attaches to errors, so that every variant of every entry is exercised. */
const DETAIL_SAMPLES: (Record<string, unknown> | undefined)[] = [
  undefined,
  { field: 'title' },
  { field: 'logo' },
  { missing: 2 },
  { min: 6 },
  { min: 10, max: 1024 },
  { remainingAttempts: 3 },
  { remainingAttempts: 1 },
  ...['personal-account', 'session-required', 'self', 'invitation-account'].map((reason) => ({ reason })),
  { reason: 'PDF_BROKEN_XREF' },
  { address: '203.0.113.7' },
  { domain: 'example.jp', name: '_inkan.example.jp' },
  { organization: '株式会社テスト' },
  { scope: 'envelopes:write' },
  { maxBytes: 52_428_800 },
  { document: '契約書.pdf' },
  ...['decoded-bytes', 'objects', 'nesting-depth', 'xref-sections', 'object-streams', 'signatures'].map((limit) => ({
    limit,
    max: 100_000,
  })),
  { limit: 'memory', max: 512 },
  { limit: 'time', max: 30_000 },
  { sender: { organization: '株式会社テスト', name: '山田 花子', email: 'yamada@example.jp' } },
  { label: '住所' },
  ...['PKCS12_INVALID', 'KEY_MISMATCH', 'EXPIRED', 'CHAIN_INCOMPLETE', 'NOT_A_PROBLEM'].map((problem) => ({ problem })),
  { retryAfterSeconds: 7 },
];

describe('one message catalog for error codes', () => {
  const union = unionCodes();
  const raised = raisedCodes();

  it('collects the codes from the source: every raised code is a stable code with an HTTP status', () => {
    assert.ok(union.length > 80, `found ${union.length} codes in the union`);
    assert.ok(raised.size > 60, `found ${raised.size} codes raised in the source`);
    for (const [code, file] of raised) assert.ok(union.includes(code), `${file} raises ${code}, not in AppErrorCode`);
    assert.deepEqual(Object.keys(STATUS_OF).sort(), [...union].sort());
  });

  it('every code has its message in Japanese and in English', () => {
    const catalogs = { ja: ja as Record<string, string>, en: en as Record<string, string> };
    for (const code of union) {
      const ja = catalogs.ja[`error.${code}`];
      const en = catalogs.en[`error.${code}`];
      assert.ok(ja?.trim(), `ja: error.${code}`);
      assert.ok(en?.trim(), `en: error.${code}`);
      assert.match(ja, JAPANESE, `ja message is Japanese: ${code}`);
      assert.doesNotMatch(en, JAPANESE, `en message is English: ${code}`);
    }
  });

  it('the catalog has no entry (nor variant) for a code that does not exist', () => {
    const codes = new Set([...union, ...UI_ONLY]);
    for (const key of Object.keys(ja).filter((k) => k.startsWith('error.'))) {
      const code = key.split('.')[1]!;
      assert.ok(codes.has(code), `${key} names no error code`);
    }
  });

  it('the server message of a code is the catalog entry, with every placeholder filled for any details', () => {
    for (const code of union as AppErrorCode[])
      for (const details of DETAIL_SAMPLES)
        for (const language of ['ja', 'en'] as const) {
          const message = messageOf(code, language, details);
          assert.equal(message, errorText(language, code, details));
          assert.doesNotMatch(message, /\{\w+\}/, `${code} ${language} ${JSON.stringify(details)}: ${message}`);
          if (language === 'ja') assert.match(message, JAPANESE, `${code} ${JSON.stringify(details)}`);
        }
    assert.equal(messageOf('NOT_FOUND', 'ja'), ja['error.NOT_FOUND']);
    assert.equal(
      messageOf('ACCESS_CODE_WRONG', 'en', { remainingAttempts: 3 }),
      en['error.ACCESS_CODE_WRONG.remaining'].replace('{n}', '3'),
    );
    assert.equal(
      messageOf('ACCESS_CODE_WRONG', 'en', { remainingAttempts: 1 }),
      en['error.ACCESS_CODE_WRONG.remainingOne'],
    );
    assert.notEqual(messageOf('FORBIDDEN', 'ja', { reason: 'self' }), messageOf('FORBIDDEN', 'ja'));
  });

  describe('over HTTP', () => {
    let h: Harness;
    before(async () => {
      h = await startHarness('sqlite');
    });
    after(async () => {
      await h?.close();
    });

    it('an error body carries the catalog text in the language of Accept-Language', async () => {
      for (const [language, header] of [
        ['ja', 'ja,en;q=0.5'],
        ['en', 'en'],
      ] as const) {
        const missing = await h.app.inject({
          method: 'GET',
          url: '/api/v1/nothing-here',
          headers: { 'accept-language': header },
        });
        assert.equal(missing.statusCode, 404);
        assert.deepEqual(missing.json().error, { code: 'NOT_FOUND', message: errorText(language, 'NOT_FOUND') });
        const anonymous = await h.app.inject({
          method: 'GET',
          url: '/api/v1/envelopes',
          headers: { 'accept-language': header },
        });
        assert.equal(anonymous.statusCode, 401);
        assert.equal(anonymous.json().error.message, (language === 'ja' ? ja : en)['error.UNAUTHENTICATED']);
      }
    });
  });
});
