import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import {
  accessCodeMatches,
  generateAccessCode,
  hashAccessCode,
  hashPassword,
  hashToken,
  newId,
  newToken,
  verifyPassword,
} from '../../src/security/tokens.ts';
import { deriveServerKeys } from '../../src/security/server-keys.ts';

describe('tokens', () => {
  test('newToken: 32 random bytes in base64url, stored as hex SHA-256', () => {
    const a = newToken();
    const b = newToken();
    assert.match(a.token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(a.token, 'base64url').length, 32);
    assert.equal(a.hash, createHash('sha256').update(a.token).digest('hex'));
    assert.equal(hashToken(a.token), a.hash);
    assert.notEqual(a.token, b.token);
  });

  test('generateAccessCode: four digits, leading zeros kept, all digits occur', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const code = generateAccessCode();
      assert.match(code, /^\d{4}$/);
      for (const c of code) seen.add(c);
    }
    assert.equal(seen.size, 10);
  });

  test('access codes are keyed hashes: the same code under another key does not match', () => {
    const key = new Uint8Array(randomBytes(32));
    const hash = hashAccessCode('0427', key);
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.notEqual(hash, createHash('sha256').update('0427').digest('hex'));
    assert.equal(accessCodeMatches('0427', hash, key), true);
    assert.equal(accessCodeMatches('0428', hash, key), false);
    assert.equal(accessCodeMatches('427', hash, key), false);
    assert.equal(accessCodeMatches('0427', hash, new Uint8Array(randomBytes(32))), false);
    assert.equal(accessCodeMatches('0427', 'not hex', key), false);
  });

  test('passwords: argon2id, salted, verified; a malformed hash is a mismatch, not an error', async () => {
    const hash = await hashPassword('正しいパスワード horse battery');
    assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.notEqual(await hashPassword('正しいパスワード horse battery'), hash);
    assert.equal(await verifyPassword('正しいパスワード horse battery', hash), true);
    assert.equal(await verifyPassword('wrong', hash), false);
    assert.equal(await verifyPassword('x', 'not a hash'), false);
  });

  test('newId is a UUID v4; server keys are distinct per purpose and stable per master key', () => {
    assert.match(newId(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const master = new Uint8Array(randomBytes(32));
    const keys = deriveServerKeys(master);
    assert.equal(keys.accessCode.length, 32);
    assert.notDeepEqual(keys.accessCode, keys.cookie);
    assert.notDeepEqual(keys.cookie, keys.blob);
    assert.deepEqual(deriveServerKeys(master), keys);
    assert.notDeepEqual(deriveServerKeys(new Uint8Array(randomBytes(32))).accessCode, keys.accessCode);
  });
});
