// Pkcs11Signer against a real SoftHSM2 token (one token for this file/process; see helpers/softhsm.ts).
import { execFile } from 'node:child_process';
import { verify as cryptoVerify, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isCoreError } from '../../src/errors.ts';
import { generateKeyPairOnToken } from '../../src/pkcs11/pkcs11-keys.ts';
import { Pkcs11Signer, type Pkcs11SignerOptions } from '../../src/pkcs11/pkcs11-signer.ts';
import { createSoftHsmToken, issueTestCertificate, type SoftHsmToken } from '../helpers/softhsm.ts';

const run = promisify(execFile);
const PIN = '482913';

let token: SoftHsmToken;
let workDir: string;
const keys: Record<'rsa' | 'ec', { chain: Uint8Array[]; publicPemPath: string }> = {} as never;

before(async () => {
  token = await createSoftHsmToken({ pin: PIN });
  workDir = mkdtempSync(join(tmpdir(), 'inkan-pkcs11-signer-'));
  for (const [name, algorithm, keyId] of [
    ['rsa', 'RSA-2048', '01'],
    ['ec', 'ECDSA-P256', '02'],
  ] as const) {
    const { publicKeySpki } = await generateKeyPairOnToken({
      libraryPath: token.libraryPath,
      tokenLabel: token.label,
      pin: PIN,
      keyLabel: `${name}-signer`,
      keyId,
      algorithm,
    });
    const { certificate, chain } = await issueTestCertificate(publicKeySpki);
    // The public key used to verify comes out of the certificate via openssl, tying certificate and token key together.
    const certPath = join(workDir, `${name}.pem`);
    writeFileSync(certPath, new X509Certificate(certificate).toString());
    const publicPemPath = join(workDir, `${name}-pub.pem`);
    const { stdout } = await run('openssl', ['x509', '-in', certPath, '-pubkey', '-noout']);
    writeFileSync(publicPemPath, stdout);
    keys[name] = { chain, publicPemPath };
  }
});

after(() => {
  token?.cleanup();
  if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
});

function options(name: 'rsa' | 'ec', extra: Partial<Pkcs11SignerOptions> = {}): Pkcs11SignerOptions {
  return {
    libraryPath: token.libraryPath,
    tokenLabel: token.label,
    pin: PIN,
    keyLabel: `${name}-signer`,
    certificateChain: keys[name].chain,
    ...extra,
  };
}

let fileCounter = 0;
/** `openssl dgst -sha256 -verify`: true on "Verified OK", false on "Verification failure". */
async function opensslVerifies(publicPemPath: string, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  fileCounter += 1;
  const dataPath = join(workDir, `data-${fileCounter}`);
  const sigPath = join(workDir, `sig-${fileCounter}`);
  writeFileSync(dataPath, data);
  writeFileSync(sigPath, signature);
  try {
    const { stdout } = await run('openssl', [
      'dgst',
      '-sha256',
      '-verify',
      publicPemPath,
      '-signature',
      sigPath,
      dataPath,
    ]);
    return stdout.includes('Verified OK');
  } catch (error) {
    if ((error as { stdout?: string }).stdout?.includes('Verification failure')) return false;
    throw error;
  }
}

function nodeVerifies(name: 'rsa' | 'ec', data: Uint8Array, signature: Uint8Array): boolean {
  const key = new X509Certificate(keys[name].chain[0]).publicKey;
  return cryptoVerify('sha256', data, { key, dsaEncoding: 'der' }, signature);
}

describe('Pkcs11Signer (SoftHSM2)', () => {
  test('RSA-2048: signatures verify with openssl and node:crypto; altered data does not', async () => {
    const signer = await Pkcs11Signer.open(options('rsa'));
    try {
      assert.equal(signer.keyAlgorithm, 'RSA');
      assert.deepEqual(signer.certificateChain, keys.rsa.chain);
      const data = Buffer.from('signed attributes of an Inkan contract');
      const signature = await signer.sign(data);
      assert.equal(signature.length, 256);
      assert.equal(await opensslVerifies(keys.rsa.publicPemPath, data, signature), true);
      assert.equal(nodeVerifies('rsa', data, signature), true);
      const altered = Buffer.from('signed attributes of an Inkan contracT');
      assert.equal(await opensslVerifies(keys.rsa.publicPemPath, altered, signature), false);
      assert.equal(nodeVerifies('rsa', altered, signature), false);
    } finally {
      await signer.close();
    }
  });

  test('RSA via raw CKM_RSA_PKCS (DigestInfo built here) gives the same PKCS#1 v1.5 signature', async () => {
    const onToken = await Pkcs11Signer.open(options('rsa', { rsaMechanism: 'CKM_SHA256_RSA_PKCS' }));
    const raw = await Pkcs11Signer.open(options('rsa', { rsaMechanism: 'CKM_RSA_PKCS' }));
    try {
      const data = Buffer.from('deterministic');
      const [a, b] = await Promise.all([onToken.sign(data), raw.sign(data)]);
      assert.deepEqual(Buffer.from(b), Buffer.from(a));
      assert.equal(await opensslVerifies(keys.rsa.publicPemPath, data, b), true);
    } finally {
      await onToken.close();
      await raw.close();
    }
  });

  test('ECDSA P-256: DER Ecdsa-Sig-Value that openssl and node:crypto verify; altered data does not', async () => {
    const signer = await Pkcs11Signer.open(options('ec'));
    try {
      assert.equal(signer.keyAlgorithm, 'ECDSA-P256');
      for (let i = 0; i < 20; i += 1) {
        const data = Buffer.from(`message ${i}`);
        const signature = await signer.sign(data);
        assert.equal(signature[0], 0x30, 'DER SEQUENCE, not raw r||s');
        assert.equal(signature[1], signature.length - 2);
        assert.equal(await opensslVerifies(keys.ec.publicPemPath, data, signature), true);
        assert.equal(nodeVerifies('ec', data, signature), true);
        assert.equal(nodeVerifies('ec', Buffer.from(`message ${i + 1}`), signature), false);
      }
      const data = Buffer.from('x');
      assert.equal(await opensslVerifies(keys.ec.publicPemPath, Buffer.from('y'), await signer.sign(data)), false);
    } finally {
      await signer.close();
    }
  });

  test('50 concurrent sign() calls on one signer all succeed and verify (RSA and ECDSA at once)', async () => {
    const rsa = await Pkcs11Signer.open(options('rsa'));
    const ec = await Pkcs11Signer.open(options('ec', { keyLabel: undefined, keyId: '02' }));
    try {
      const messages = Array.from({ length: 50 }, (_, i) => Buffer.from(`concurrent message ${i}`));
      const [rsaSignatures, ecSignatures] = await Promise.all([
        Promise.all(messages.map((m) => rsa.sign(m))),
        Promise.all(messages.map((m) => ec.sign(m))),
      ]);
      messages.forEach((m, i) => {
        assert.equal(nodeVerifies('rsa', m, rsaSignatures[i]), true, `RSA signature ${i}`);
        assert.equal(nodeVerifies('ec', m, ecSignatures[i]), true, `ECDSA signature ${i}`);
      });
      assert.equal(await opensslVerifies(keys.rsa.publicPemPath, messages[49], rsaSignatures[49]), true);
      assert.equal(await opensslVerifies(keys.ec.publicPemPath, messages[49], ecSignatures[49]), true);
    } finally {
      await rsa.close();
      await ec.close();
    }
  });

  test('the caller reusing its buffer after sign() does not change what was signed', async () => {
    const signer = await Pkcs11Signer.open(options('rsa'));
    try {
      const buffer = Buffer.from('original');
      const pending = [signer.sign(buffer), signer.sign(buffer)];
      buffer.write('mutated!');
      for (const signature of await Promise.all(pending))
        assert.equal(nodeVerifies('rsa', Buffer.from('original'), signature), true);
    } finally {
      await signer.close();
    }
  });

  test('two signers share the library and login: closing one leaves the other working; a closed signer refuses', async () => {
    const first = await Pkcs11Signer.open(options('rsa'));
    const second = await Pkcs11Signer.open(options('ec'));
    const inFlight = first.sign(Buffer.from('queued before close'));
    await first.close();
    assert.equal(
      nodeVerifies('rsa', Buffer.from('queued before close'), await inFlight),
      true,
      'close waits for queued signatures',
    );
    await first.close();
    await assert.rejects(
      first.sign(Buffer.from('late')),
      (e) => isCoreError(e, 'PKCS11_ERROR') && /closed/.test(e.message),
    );
    const signature = await second.sign(Buffer.from('still logged in'));
    assert.equal(nodeVerifies('ec', Buffer.from('still logged in'), signature), true);
    await second.close();
    // Everything closed: the library was finalised; opening again re-initialises it.
    const again = await Pkcs11Signer.open(options('ec'));
    assert.equal(nodeVerifies('ec', Buffer.from('again'), await again.sign(Buffer.from('again'))), true);
    await again.close();
  });

  test('wrong PIN → PKCS11_ERROR naming CKR_PIN_INCORRECT without the PIN', async () => {
    const wrongPin = '99887766';
    const error = await Pkcs11Signer.open(options('rsa', { pin: wrongPin })).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(isCoreError(error, 'PKCS11_ERROR'), String(error));
    assert.match(error.message, /CKR_PIN_INCORRECT/);
    assert.match(error.message, /wrong PIN/);
    const everything = `${error.message} ${error.stack ?? ''} ${JSON.stringify(error.details)} ${String((error.cause as Error | undefined)?.stack)}`;
    assert.ok(!everything.includes(wrongPin), 'wrong PIN leaked');
    assert.ok(!everything.includes(PIN), 'real PIN leaked');
    // The right PIN still works afterwards.
    const signer = await Pkcs11Signer.open(options('rsa'));
    await signer.close();
  });

  test('a wrong PIN is refused even while another signer holds the login', async () => {
    const holder = await Pkcs11Signer.open(options('ec'));
    try {
      await assert.rejects(
        Pkcs11Signer.open(options('rsa', { pin: '000000' })),
        (e) => isCoreError(e, 'PKCS11_ERROR') && /wrong PIN/.test(e.message) && !e.message.includes('000000'),
      );
      const sameLogin = await Pkcs11Signer.open(options('rsa'));
      await sameLogin.close();
      assert.equal(nodeVerifies('ec', Buffer.from('h'), await holder.sign(Buffer.from('h'))), true);
    } finally {
      await holder.close();
    }
  });

  test('unknown key label, key id, token or library → clear PKCS11_ERROR', async () => {
    await assert.rejects(
      Pkcs11Signer.open(options('rsa', { keyLabel: 'no-such-key' })),
      (e) =>
        isCoreError(e, 'PKCS11_ERROR') &&
        /no private key with label "no-such-key"/.test(e.message) &&
        /not found/.test(e.message),
    );
    await assert.rejects(
      Pkcs11Signer.open(options('rsa', { keyLabel: undefined, keyId: new Uint8Array([0x7f]) })),
      (e) => isCoreError(e, 'PKCS11_ERROR') && /id 7f/.test(e.message),
    );
    await assert.rejects(
      Pkcs11Signer.open(options('rsa', { tokenLabel: 'other-token' })),
      (e) => isCoreError(e, 'PKCS11_ERROR') && /no PKCS#11 token labelled "other-token"/.test(e.message),
    );
    await assert.rejects(
      Pkcs11Signer.open(options('rsa', { libraryPath: join(workDir, 'missing.so') })),
      (e) => isCoreError(e, 'PKCS11_ERROR') && /cannot load PKCS#11 library/.test(e.message),
    );
    await assert.rejects(Pkcs11Signer.open(options('rsa', { keyLabel: undefined })), (e) =>
      isCoreError(e, 'PKCS11_ERROR'),
    );
  });

  test('a certificate that is not for the token key is refused', async () => {
    await assert.rejects(
      Pkcs11Signer.open(options('rsa', { certificateChain: keys.ec.chain })),
      (e) => isCoreError(e, 'SIGNER_FAILED') && /does not belong/.test(e.message),
    );
    await assert.rejects(Pkcs11Signer.open(options('ec', { certificateChain: keys.rsa.chain })), (e) =>
      isCoreError(e, 'SIGNER_FAILED'),
    );
    await assert.rejects(Pkcs11Signer.open(options('ec', { certificateChain: [] })), (e) =>
      isCoreError(e, 'SIGNER_FAILED'),
    );
  });
});
