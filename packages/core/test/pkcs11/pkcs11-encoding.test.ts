// DER conversions used by the PKCS#11 signer, checked against node:crypto (OpenSSL).
import { createPublicKey, generateKeyPairSync, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ecdsaRawToDer, p256Spki, rsaSpki } from '../../src/pkcs11/pkcs11-encoding.ts';

describe('PKCS#11 encodings', () => {
  test('ecdsaRawToDer: INTEGERs are minimal and non-negative', () => {
    const r = Buffer.alloc(32, 0x11);
    r[0] = 0x80; // high bit: needs a leading 00
    const s = Buffer.alloc(32, 0x22);
    s[0] = 0;
    s[1] = 0;
    s[2] = 0x05; // leading zeros: stripped
    const der = Buffer.from(ecdsaRawToDer(Buffer.concat([r, s])));
    assert.deepEqual(
      der,
      Buffer.concat([Buffer.from([0x30, 2 + 33 + 2 + 30, 0x02, 33, 0x00]), r, Buffer.from([0x02, 30]), s.subarray(2)]),
    );
    assert.deepEqual(Buffer.from(ecdsaRawToDer(Buffer.alloc(64))), Buffer.from('3006020100020100', 'hex'));
    assert.throws(() => ecdsaRawToDer(Buffer.alloc(63)));
  });

  test('ecdsaRawToDer of IEEE P1363 signatures verifies as DER in OpenSSL (which rejects non-canonical DER)', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    for (let i = 0; i < 300; i += 1) {
      const data = Buffer.from(`m${i}`);
      const raw = cryptoSign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      const der = ecdsaRawToDer(raw);
      assert.equal(cryptoVerify('sha256', data, { key: publicKey, dsaEncoding: 'der' }, der), true, `signature ${i}`);
    }
  });

  test('rsaSpki and p256Spki rebuild the SubjectPublicKeyInfo from PKCS#11 attributes', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    const jwk = rsa.export({ format: 'jwk' });
    // PKCS#11 may return the modulus with a leading zero byte; the SPKI must not change.
    const modulus = Buffer.concat([Buffer.from([0]), Buffer.from(jwk.n as string, 'base64url')]);
    assert.deepEqual(
      Buffer.from(rsaSpki(modulus, Buffer.from([1, 0, 1]))),
      rsa.export({ type: 'spki', format: 'der' }),
    );

    for (let i = 0; i < 20; i += 1) {
      const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
      const e = ec.export({ format: 'jwk' });
      const point = Buffer.concat([
        Buffer.from([4]),
        Buffer.from(e.x as string, 'base64url'),
        Buffer.from(e.y as string, 'base64url'),
      ]);
      const expected = ec.export({ type: 'spki', format: 'der' });
      assert.deepEqual(Buffer.from(p256Spki(point)), expected, 'bare point');
      assert.deepEqual(
        Buffer.from(p256Spki(Buffer.concat([Buffer.from([0x04, 0x41]), point]))),
        expected,
        'DER OCTET STRING',
      );
    }
    assert.throws(() => p256Spki(Buffer.alloc(33, 2)), /uncompressed/);
    assert.equal(
      createPublicKey({ key: Buffer.from(rsaSpki(Buffer.from([0xc5]), Buffer.from([3]))), format: 'der', type: 'spki' })
        .asymmetricKeyType,
      'rsa',
    );
  });
});
