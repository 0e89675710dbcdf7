// The PKCS#12 reader and the signing-credential check against files made by openssl: AES-256 (OpenSSL
// 3's default), legacy RC2-40/3DES (`-legacy`, what Windows writes) and 3DES; wrong passwords, garbage,
// oversize files, and every reason a credential is refused.
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  checkSigningCredential,
  CoreError,
  isCoreError,
  KeyFileSigner,
  PKCS12_LIMITS,
  publicKeyOf,
  readPkcs12,
} from '../../src/index.ts';
import { rc2DecryptBlock } from '../../src/keys/rc2.ts';
import { makeExternalCa, makePkcs12, type ExternalCa, type Pkcs12Encoding } from '../helpers/external-ca.ts';
import { PROFILE } from '../helpers/openssl-ca.ts';

const DAY = 24 * 3600_000;

function problemOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(isCoreError(error, 'SIGNING_CREDENTIAL_INVALID'), String(error));
    return String((error as CoreError).details?.problem);
  }
  assert.fail('no error');
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(isCoreError(error), String(error));
    return error.code;
  }
  assert.fail('no error');
}

describe('RC2 (RFC 2268 test vectors)', () => {
  const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
  const vectors: Array<[string, number, string, string]> = [
    ['0000000000000000', 63, '0000000000000000', 'ebb773f993278eff'],
    ['ffffffffffffffff', 64, 'ffffffffffffffff', '278b27e42e2f0d49'],
    ['3000000000000000', 64, '1000000000000001', '30649edf9be7d2c2'],
    ['88', 64, '0000000000000000', '61a8a244adaccc f0'.replace(' ', '')],
    ['88bca90e90875a7f0f79c384627bafb2', 64, '0000000000000000', '1a807d272bbe5db1'],
    ['88bca90e90875a7f0f79c384627bafb2', 128, '0000000000000000', '2269552ab0f85ca6'],
  ];
  for (const [key, bits, plain, cipher] of vectors)
    it(`key ${key} (${bits} bits) decrypts ${cipher}`, () => {
      assert.equal(Buffer.from(rc2DecryptBlock(hex(key), bits, hex(cipher))).toString('hex'), plain);
    });
});

describe('PKCS#12 signing credentials from an external CA', () => {
  let dir: string;
  let ca: ExternalCa;
  let chain: string[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inkan-p12-'));
    ca = await makeExternalCa(dir, { key: 'ec' });
    chain = [ca.intermediate.certificate.pemPath, ca.rootPemPath];
  });
  after(async () => {
    await ca?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const encoding of ['aes-256', 'legacy-rc2', '3des'] as Pkcs12Encoding[])
    it(`reads a ${encoding} file: key, certificate and chain, and the key signs`, async () => {
      const p12 = makePkcs12(dir, `org-${encoding}`, {
        keyPath: ca.leaf.keyPath,
        certificatePath: ca.leaf.pemPath,
        chain,
        password: 'パスワード-secret',
        encoding,
      });
      const contents = readPkcs12(p12, 'パスワード-secret');
      assert.equal(contents.certificates.length, 3);
      const credential = checkSigningCredential({
        publicKey: publicKeyOf(contents.privateKey),
        certificates: contents.certificates,
        time: new Date(),
      });
      assert.equal(credential.certificateChain.length, 3);
      assert.deepEqual(credential.certificateChain[0], ca.leaf.der);
      assert.deepEqual(credential.certificateChain[2], ca.rootDer);
      assert.match(credential.subject, /CN=Inkan Test Organization/);
      assert.match(credential.root, /CN=Inkan Test Public Root CA/);
      const signer = new KeyFileSigner(contents.privateKey, credential.certificateChain);
      const signature = await signer.sign(new TextEncoder().encode('hello'));
      const { verify } = await import('node:crypto');
      assert.ok(verify('sha256', Buffer.from('hello'), createPublicKey(ca.leaf.keyPem), signature));
    });

  it('refuses a wrong password (MAC) and an empty one', () => {
    const p12 = makePkcs12(dir, 'org-pw', {
      keyPath: ca.leaf.keyPath,
      certificatePath: ca.leaf.pemPath,
      password: 'right',
    });
    assert.equal(
      codeOf(() => readPkcs12(p12, 'wrong')),
      'PKCS12_BAD_PASSWORD',
    );
    assert.equal(
      codeOf(() => readPkcs12(p12, '')),
      'PKCS12_BAD_PASSWORD',
    );
    const legacy = makePkcs12(dir, 'org-pw-legacy', {
      keyPath: ca.leaf.keyPath,
      certificatePath: ca.leaf.pemPath,
      password: 'right',
      encoding: 'legacy-rc2',
    });
    assert.equal(
      codeOf(() => readPkcs12(legacy, 'wrong')),
      'PKCS12_BAD_PASSWORD',
    );
  });

  it('refuses garbage, a truncated file and an oversize one without reading it', () => {
    const p12 = makePkcs12(dir, 'org-garbage', {
      keyPath: ca.leaf.keyPath,
      certificatePath: ca.leaf.pemPath,
      password: 'x',
    });
    assert.equal(
      codeOf(() => readPkcs12(new TextEncoder().encode('not a p12 at all'), 'x')),
      'PKCS12_INVALID',
    );
    assert.equal(
      codeOf(() => readPkcs12(p12.subarray(0, p12.length - 40), 'x')),
      'PKCS12_INVALID',
    );
    assert.equal(
      codeOf(() => readPkcs12(new Uint8Array(PKCS12_LIMITS.bytes + 1), 'x')),
      'PKCS12_INVALID',
    );
    // A certificate (valid DER, not PKCS#12).
    assert.equal(
      codeOf(() => readPkcs12(ca.leaf.der, 'x')),
      'PKCS12_INVALID',
    );
  });

  it('refuses a key whose certificate is missing or another one (KEY_MISMATCH)', () => {
    const keyOnly = readPkcs12(makePkcs12(dir, 'key-only', { keyPath: ca.leaf.keyPath, password: 'x' }), 'x');
    assert.equal(keyOnly.certificates.length, 0);
    const other = ca.issue('Other Organization', {
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 30 * DAY),
      extensions: [...PROFILE.signer],
      key: 'ec',
    });
    const publicKey = publicKeyOf(keyOnly.privateKey);
    assert.equal(
      problemOf(() => checkSigningCredential({ publicKey, certificates: [], time: new Date() })),
      'NO_CERTIFICATE',
    );
    assert.equal(
      problemOf(() =>
        checkSigningCredential({
          publicKey,
          certificates: [other.der, ca.intermediate.certificate.der, ca.rootDer],
          time: new Date(),
        }),
      ),
      'KEY_MISMATCH',
    );
  });

  it('refuses an expired or not yet valid certificate, a CA certificate, a wrong key usage and a missing chain', () => {
    const now = new Date();
    const certificates = [ca.leaf.der, ca.intermediate.certificate.der, ca.rootDer];
    const publicKey = createPublicKey(ca.leaf.keyPem);
    assert.equal(
      problemOf(() =>
        checkSigningCredential({ publicKey, certificates, time: new Date(now.getTime() + 3 * 365 * DAY) }),
      ),
      'EXPIRED',
    );
    assert.equal(
      problemOf(() => checkSigningCredential({ publicKey, certificates, time: new Date(now.getTime() - 2 * DAY) })),
      'NOT_YET_VALID',
    );
    // Only the leaf: the chain stops at the intermediate nobody gave.
    assert.equal(
      problemOf(() => checkSigningCredential({ publicKey, certificates: [ca.leaf.der], time: now })),
      'CHAIN_INCOMPLETE',
    );
    assert.equal(
      problemOf(() => checkSigningCredential({ publicKey, certificates: [ca.leaf.der, ca.rootDer], time: now })),
      'CHAIN_INCOMPLETE',
    );
    // The root's own key and certificate: a CA, not a signing certificate.
    const rootKey = createPublicKey(ca.root.certificate.keyPem);
    assert.equal(
      problemOf(() => checkSigningCredential({ publicKey: rootKey, certificates: [ca.rootDer], time: now })),
      'CA_CERTIFICATE',
    );
    const keyAgreement = ca.issue('Key Agreement Only', {
      notBefore: new Date(now.getTime() - DAY),
      notAfter: new Date(now.getTime() + 30 * DAY),
      extensions: [...PROFILE.keyAgreementOnly],
      key: 'ec',
    });
    assert.equal(
      problemOf(() =>
        checkSigningCredential({
          publicKey: createPublicKey(keyAgreement.keyPem),
          certificates: [keyAgreement.der, ca.intermediate.certificate.der, ca.rootDer],
          time: now,
        }),
      ),
      'KEY_USAGE',
    );
  });
});
