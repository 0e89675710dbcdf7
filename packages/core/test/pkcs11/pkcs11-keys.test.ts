// Keys generated in (and imported into) a real SoftHSM2 token cannot leave it. One token for this file/process.
import { createPublicKey, generateKeyPairSync, verify as cryptoVerify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pkcs11js from 'pkcs11js';
import { isCoreError } from '../../src/errors.ts';
import { generateKeyPairOnToken, readPublicKeySpki, type TokenKeyAlgorithm } from '../../src/pkcs11/pkcs11-keys.ts';
import {
  ckrName,
  findObject,
  openTokenSession,
  readBool,
  type Handle,
  type TokenSession,
} from '../../src/pkcs11/pkcs11-module.ts';
import { Pkcs11Signer } from '../../src/pkcs11/pkcs11-signer.ts';
import {
  createSoftHsmToken,
  importKeyToToken,
  issueTestCertificate,
  makeKeyNonExtractable,
  type SoftHsmToken,
} from '../helpers/softhsm.ts';

let token: SoftHsmToken;
let workDir: string;
const generated = new Map<string, Uint8Array>();
const GENERATED: [string, TokenKeyAlgorithm, string][] = [
  ['gen-rsa2048', 'RSA-2048', 'a1'],
  ['gen-rsa3072', 'RSA-3072', 'a2'],
  ['gen-p256', 'ECDSA-P256', 'a3'],
];

before(async () => {
  token = await createSoftHsmToken({ label: 'inkan-keys' });
  workDir = mkdtempSync(join(tmpdir(), 'inkan-pkcs11-keys-'));
  for (const [keyLabel, algorithm, keyId] of GENERATED) {
    const { publicKeySpki } = await generateKeyPairOnToken({
      libraryPath: token.libraryPath,
      tokenLabel: token.label,
      pin: token.pin,
      keyLabel,
      keyId,
      algorithm,
    });
    generated.set(keyLabel, publicKeySpki);
  }
});

after(() => {
  token?.cleanup();
  if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
});

function session(readWrite = false): TokenSession {
  return openTokenSession({ libraryPath: token.libraryPath, tokenLabel: token.label, pin: token.pin, readWrite });
}

function privateKey(s: TokenSession, keyLabel: string): Handle {
  const handle = findObject(s, pkcs11js.CKO_PRIVATE_KEY, { keyLabel });
  assert.ok(handle !== undefined, `private key ${keyLabel}`);
  return handle;
}

function attribute(s: TokenSession, key: Handle, type: number): Buffer {
  return s.pkcs11.C_GetAttributeValue(s.session, key, [{ type }])[0].value;
}

/** The CKR_ code a PKCS#11 call fails with, or 'CKR_OK' if it succeeds. */
function ckrOf(call: () => unknown): string {
  try {
    call();
    return 'CKR_OK';
  } catch (error) {
    return ckrName(error) ?? String(error);
  }
}

/** A session AES key allowed to wrap, to try C_WrapKey with. */
function wrappingKey(s: TokenSession): Handle {
  return s.pkcs11.C_GenerateKey(s.session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_TOKEN, value: false },
    { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
    { type: pkcs11js.CKA_WRAP, value: true },
  ]);
}

function wrap(s: TokenSession, wrapper: Handle, key: Handle): Buffer {
  return s.pkcs11.C_WrapKey(s.session, { mechanism: pkcs11js.CKM_AES_KEY_WRAP_PAD }, wrapper, key, Buffer.alloc(8192));
}

/** Asserts everything that keeps the private key inside the token. */
function assertCannotLeave(s: TokenSession, key: Handle, kind: 'RSA' | 'EC', generatedOnToken: boolean): void {
  const secrets =
    kind === 'RSA'
      ? [
          pkcs11js.CKA_PRIVATE_EXPONENT,
          pkcs11js.CKA_PRIME_1,
          pkcs11js.CKA_PRIME_2,
          pkcs11js.CKA_EXPONENT_1,
          pkcs11js.CKA_COEFFICIENT,
        ]
      : [pkcs11js.CKA_VALUE];
  for (const type of secrets)
    assert.equal(
      ckrOf(() => attribute(s, key, type)),
      'CKR_ATTRIBUTE_SENSITIVE',
      `attribute 0x${type.toString(16)}`,
    );
  assert.equal(readBool(attribute(s, key, pkcs11js.CKA_EXTRACTABLE)), false, 'CKA_EXTRACTABLE');
  assert.equal(readBool(attribute(s, key, pkcs11js.CKA_SENSITIVE)), true, 'CKA_SENSITIVE');
  assert.equal(readBool(attribute(s, key, pkcs11js.CKA_TOKEN)), true, 'CKA_TOKEN');
  if (generatedOnToken) {
    // Only a key born in the token can truthfully claim it never existed outside it.
    assert.equal(readBool(attribute(s, key, pkcs11js.CKA_NEVER_EXTRACTABLE)), true, 'CKA_NEVER_EXTRACTABLE');
    assert.equal(readBool(attribute(s, key, pkcs11js.CKA_ALWAYS_SENSITIVE)), true, 'CKA_ALWAYS_SENSITIVE');
  }
  assert.equal(
    ckrOf(() => wrap(s, wrappingKey(s), key)),
    'CKR_KEY_UNEXTRACTABLE',
  );
  // Both flags are one-way: they cannot be switched back.
  assert.notEqual(
    ckrOf(() => s.pkcs11.C_SetAttributeValue(s.session, key, [{ type: pkcs11js.CKA_EXTRACTABLE, value: true }])),
    'CKR_OK',
  );
  assert.notEqual(
    ckrOf(() => s.pkcs11.C_SetAttributeValue(s.session, key, [{ type: pkcs11js.CKA_SENSITIVE, value: false }])),
    'CKR_OK',
  );
  assert.equal(readBool(attribute(s, key, pkcs11js.CKA_EXTRACTABLE)), false);
}

describe('keys on a PKCS#11 token (SoftHSM2)', () => {
  test('control: the same probes do extract an extractable, non-sensitive key (so the checks can fail)', () => {
    const s = session(true);
    try {
      const pair = s.pkcs11.C_GenerateKeyPair(
        s.session,
        { mechanism: pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN },
        [
          { type: pkcs11js.CKA_TOKEN, value: false },
          { type: pkcs11js.CKA_MODULUS_BITS, value: 2048 },
          { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
        ],
        [
          { type: pkcs11js.CKA_TOKEN, value: false },
          { type: pkcs11js.CKA_SENSITIVE, value: false },
          { type: pkcs11js.CKA_EXTRACTABLE, value: true },
          { type: pkcs11js.CKA_SIGN, value: true },
        ],
      );
      assert.ok(attribute(s, pair.privateKey, pkcs11js.CKA_PRIVATE_EXPONENT).length > 200, 'private exponent readable');
      assert.ok(wrap(s, wrappingKey(s), pair.privateKey).length > 1000, 'the wrapped PKCS#8 key');
      assert.throws(() => assertCannotLeave(s, pair.privateKey, 'RSA', true));
    } finally {
      s.close();
    }
  });

  test('generated RSA-2048, RSA-3072 and P-256 private keys cannot leave the token', () => {
    const s = session(true);
    try {
      for (const [keyLabel, algorithm] of GENERATED)
        assertCannotLeave(s, privateKey(s, keyLabel), algorithm === 'ECDSA-P256' ? 'EC' : 'RSA', true);
    } finally {
      s.close();
    }
  });

  test('the returned SPKI is the token key: right type and size, equal to readPublicKeySpki', async () => {
    const expectations: Record<string, (k: ReturnType<typeof createPublicKey>) => void> = {
      'gen-rsa2048': (k) => {
        assert.equal(k.asymmetricKeyType, 'rsa');
        assert.equal(k.asymmetricKeyDetails?.modulusLength, 2048);
        assert.equal(k.asymmetricKeyDetails?.publicExponent, 65537n);
      },
      'gen-rsa3072': (k) => {
        assert.equal(k.asymmetricKeyType, 'rsa');
        assert.equal(k.asymmetricKeyDetails?.modulusLength, 3072);
      },
      'gen-p256': (k) => {
        assert.equal(k.asymmetricKeyType, 'ec');
        assert.equal(k.asymmetricKeyDetails?.namedCurve, 'prime256v1');
      },
    };
    for (const [keyLabel, , keyId] of GENERATED) {
      const spki = generated.get(keyLabel) as Uint8Array;
      expectations[keyLabel](createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }));
      const byLabel = await readPublicKeySpki({
        libraryPath: token.libraryPath,
        tokenLabel: token.label,
        pin: token.pin,
        keyLabel,
      });
      const byId = await readPublicKeySpki({
        libraryPath: token.libraryPath,
        tokenLabel: token.label,
        pin: token.pin,
        keyId,
      });
      assert.deepEqual(Buffer.from(byLabel), Buffer.from(spki));
      assert.deepEqual(Buffer.from(byId), Buffer.from(spki));
    }
    // And signing with the private key verifies under that SPKI.
    const rsaSpki = generated.get('gen-rsa3072') as Uint8Array;
    const signer = await Pkcs11Signer.open({
      libraryPath: token.libraryPath,
      tokenLabel: token.label,
      pin: token.pin,
      keyId: 'a2',
      certificateChain: (await issueTestCertificate(rsaSpki)).chain,
    });
    try {
      const signature = await signer.sign(Buffer.from('3072'));
      assert.equal(signature.length, 384);
      assert.equal(
        cryptoVerify(
          'sha256',
          Buffer.from('3072'),
          createPublicKey({ key: Buffer.from(rsaSpki), format: 'der', type: 'spki' }),
          signature,
        ),
        true,
      );
    } finally {
      await signer.close();
    }
  });

  test('generating over an existing label or id is refused', async () => {
    const base = {
      libraryPath: token.libraryPath,
      tokenLabel: token.label,
      pin: token.pin,
      algorithm: 'ECDSA-P256' as const,
    };
    await assert.rejects(
      generateKeyPairOnToken({ ...base, keyLabel: 'gen-p256', keyId: 'f0' }),
      (e) => isCoreError(e, 'PKCS11_ERROR') && /already exists/.test(e.message),
    );
    await assert.rejects(
      generateKeyPairOnToken({ ...base, keyLabel: 'fresh', keyId: 'a3' }),
      (e) => isCoreError(e, 'PKCS11_ERROR') && /id a3/.test(e.message),
    );
    await assert.rejects(generateKeyPairOnToken({ ...base, keyLabel: 'bad', keyId: 'xyz' }), (e) =>
      isCoreError(e, 'PKCS11_ERROR'),
    );
  });

  test('makeKeyNonExtractable locks down an extractable, non-sensitive token key', async () => {
    let s = session(true);
    try {
      s.pkcs11.C_GenerateKeyPair(
        s.session,
        { mechanism: pkcs11js.CKM_EC_KEY_PAIR_GEN },
        [
          { type: pkcs11js.CKA_TOKEN, value: true },
          { type: pkcs11js.CKA_EC_PARAMS, value: Buffer.from('06082a8648ce3d030107', 'hex') },
          { type: pkcs11js.CKA_LABEL, value: 'loose' },
          { type: pkcs11js.CKA_ID, value: Buffer.from('c1', 'hex') },
        ],
        [
          { type: pkcs11js.CKA_TOKEN, value: true },
          { type: pkcs11js.CKA_PRIVATE, value: true },
          { type: pkcs11js.CKA_SENSITIVE, value: false },
          { type: pkcs11js.CKA_EXTRACTABLE, value: true },
          { type: pkcs11js.CKA_SIGN, value: true },
          { type: pkcs11js.CKA_LABEL, value: 'loose' },
          { type: pkcs11js.CKA_ID, value: Buffer.from('c1', 'hex') },
        ],
      );
      assert.ok(attribute(s, privateKey(s, 'loose'), pkcs11js.CKA_VALUE).length > 16, 'readable before');
    } finally {
      s.close();
    }
    await makeKeyNonExtractable(token, { keyLabel: 'loose', keyIdHex: 'c1' });
    s = session(true);
    try {
      assertCannotLeave(s, privateKey(s, 'loose'), 'EC', false);
    } finally {
      s.close();
    }
  });

  test('keys imported with softhsm2-util end up non-extractable and sign as the original key', async () => {
    const imports = [
      {
        keyLabel: 'imp-rsa',
        keyIdHex: 'b1',
        kind: 'RSA' as const,
        pair: generateKeyPairSync('rsa', { modulusLength: 2048 }),
      },
      {
        keyLabel: 'imp-p256',
        keyIdHex: 'b2',
        kind: 'EC' as const,
        pair: generateKeyPairSync('ec', { namedCurve: 'prime256v1' }),
      },
    ];
    for (const { keyLabel, keyIdHex, kind, pair } of imports) {
      const pkcs8PemPath = join(workDir, `${keyLabel}.pk8`);
      writeFileSync(pkcs8PemPath, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
      await importKeyToToken(token, { pkcs8PemPath, keyLabel, keyIdHex });
      rmSync(pkcs8PemPath);
      const s = session(true);
      try {
        assertCannotLeave(s, privateKey(s, keyLabel), kind, false);
      } finally {
        s.close();
      }
      const spki = pair.publicKey.export({ type: 'spki', format: 'der' });
      const signer = await Pkcs11Signer.open({
        libraryPath: token.libraryPath,
        tokenLabel: token.label,
        pin: token.pin,
        keyLabel,
        keyId: keyIdHex,
        certificateChain: (await issueTestCertificate(spki)).chain,
      });
      try {
        const signature = await signer.sign(Buffer.from(keyLabel));
        assert.equal(
          cryptoVerify('sha256', Buffer.from(keyLabel), { key: pair.publicKey, dsaEncoding: 'der' }, signature),
          true,
        );
      } finally {
        await signer.close();
      }
    }
  });
});
