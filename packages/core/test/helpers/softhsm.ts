/**
 * SoftHSM2 fixtures for tests: a fresh token in a temp dir, key import, and a test certificate for a token key.
 *
 * SoftHSM reads SOFTHSM2_CONF once, when the library is C_Initialize'd, and the PKCS#11 module stays
 * initialised while any signer of the process is open. So: one token (one createSoftHsmToken call) per
 * test file — node:test runs each file in its own process — and create it before opening any signer.
 */
import { execFile } from 'node:child_process';
import { createPublicKey, randomBytes, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pkcs11js from 'pkcs11js';
import { Pkcs11AesKeys } from '../../src/pkcs11/pkcs11-aes-keys.ts';
import { assertNonExtractable } from '../../src/pkcs11/pkcs11-keys.ts';
import { findObject, openTokenSession, readAttribute, readBool } from '../../src/pkcs11/pkcs11-module.ts';

const run = promisify(execFile);

export const SOFTHSM_LIBRARY = '/usr/lib/softhsm/libsofthsm2.so';

/** A fresh, initialised SoftHSM2 token living in its own temp dir. */
export interface SoftHsmToken {
  confPath: string;
  tokenDir: string;
  libraryPath: string;
  label: string;
  pin: string;
  soPin: string;
  /** Removes the temp dir and restores SOFTHSM2_CONF; close every signer first. */
  cleanup(): void;
}

/** Creates a token in a new temp dir and points SOFTHSM2_CONF at it (before any C_Initialize of this process). */
export async function createSoftHsmToken(
  options: { label?: string; pin?: string; soPin?: string } = {},
): Promise<SoftHsmToken> {
  const label = options.label ?? 'inkan';
  const pin = options.pin ?? '1234';
  const soPin = options.soPin ?? '5678';
  const dir = mkdtempSync(join(tmpdir(), 'inkan-softhsm-'));
  const tokenDir = join(dir, 'tokens');
  mkdirSync(tokenDir);
  const confPath = join(dir, 'softhsm2.conf');
  writeFileSync(confPath, `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  const previous = process.env.SOFTHSM2_CONF;
  process.env.SOFTHSM2_CONF = confPath;
  const cleanup = (): void => {
    if (previous === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = previous;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', soPin], {
      env: { ...process.env, SOFTHSM2_CONF: confPath },
    });
  } catch (error) {
    cleanup();
    throw error;
  }
  return { confPath, tokenDir, libraryPath: SOFTHSM_LIBRARY, label, pin, soPin, cleanup };
}

/**
 * Imports a PKCS#8 private key with softhsm2-util, then makes sure the private key is sensitive and
 * non-extractable (softhsm2-util 2.6 already imports it so; the check keeps that true for other versions).
 */
export async function importKeyToToken(
  token: SoftHsmToken,
  options: { pkcs8PemPath: string; keyLabel: string; keyIdHex: string },
): Promise<void> {
  await run(
    'softhsm2-util',
    [
      '--import',
      options.pkcs8PemPath,
      '--token',
      token.label,
      '--label',
      options.keyLabel,
      '--id',
      options.keyIdHex,
      '--pin',
      token.pin,
    ],
    { env: { ...process.env, SOFTHSM2_CONF: token.confPath } },
  );
  await makeKeyNonExtractable(token, { keyLabel: options.keyLabel, keyIdHex: options.keyIdHex });
}

/** Sets CKA_EXTRACTABLE=false and CKA_SENSITIVE=true on a private key of the token, then checks both took. */
export async function makeKeyNonExtractable(
  token: SoftHsmToken,
  options: { keyLabel: string; keyIdHex: string },
): Promise<void> {
  const session = openTokenSession({
    libraryPath: token.libraryPath,
    tokenLabel: token.label,
    pin: token.pin,
    readWrite: true,
  });
  try {
    const key = findObject(session, pkcs11js.CKO_PRIVATE_KEY, {
      keyLabel: options.keyLabel,
      keyId: Buffer.from(options.keyIdHex, 'hex'),
    });
    if (key === undefined) throw new Error(`key ${options.keyLabel} not found on token ${token.label}`);
    const fixes: { type: number; value: boolean }[] = [];
    if (readBool(readAttribute(session, key, pkcs11js.CKA_EXTRACTABLE)) !== false)
      fixes.push({ type: pkcs11js.CKA_EXTRACTABLE, value: false });
    if (readBool(readAttribute(session, key, pkcs11js.CKA_SENSITIVE)) !== true)
      fixes.push({ type: pkcs11js.CKA_SENSITIVE, value: true });
    // PKCS#11 allows these one-way changes (extractable → not, non-sensitive → sensitive).
    if (fixes.length > 0) session.pkcs11.C_SetAttributeValue(session.session, key, fixes);
    assertNonExtractable(session, key);
  } finally {
    session.close();
  }
}

/**
 * A throwaway test CA (P-256, made by openssl) and a leaf certificate it issues, with `openssl x509 -new -force_pubkey`,
 * for a public key that lives in the token (SubjectPublicKeyInfo DER). Returns DER, leaf first.
 */
export async function issueTestCertificate(
  publicKeySpki: Uint8Array,
  subject = '/CN=Inkan HSM test signer',
): Promise<{ certificate: Uint8Array; chain: Uint8Array[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'inkan-hsm-cert-'));
  try {
    const file = (name: string): string => join(dir, name);
    await run('openssl', [
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-out',
      file('ca.key'),
    ]);
    await run('openssl', [
      'req',
      '-x509',
      '-new',
      '-key',
      file('ca.key'),
      '-subj',
      '/CN=Inkan HSM test CA',
      '-days',
      '365',
      '-sha256',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-out',
      file('ca.pem'),
    ]);
    writeFileSync(
      file('pub.pem'),
      createPublicKey({ key: Buffer.from(publicKeySpki), format: 'der', type: 'spki' }).export({
        type: 'spki',
        format: 'pem',
      }),
    );
    writeFileSync(
      file('leaf.ext'),
      [
        'basicConstraints = critical, CA:FALSE',
        'keyUsage = critical, digitalSignature, nonRepudiation',
        'subjectKeyIdentifier = hash',
        'authorityKeyIdentifier = keyid',
        '',
      ].join('\n'),
    );
    await run('openssl', [
      'x509',
      '-new',
      '-force_pubkey',
      file('pub.pem'),
      '-subj',
      subject,
      '-CA',
      file('ca.pem'),
      '-CAkey',
      file('ca.key'),
      '-set_serial',
      `0x${randomBytes(12).toString('hex')}`,
      '-days',
      '365',
      '-sha256',
      '-extfile',
      file('leaf.ext'),
      '-out',
      file('leaf.pem'),
    ]);
    const certificate = new Uint8Array(new X509Certificate(readFileSync(file('leaf.pem'))).raw);
    const caCertificate = new Uint8Array(new X509Certificate(readFileSync(file('ca.pem'))).raw);
    return { certificate, chain: [certificate, caCertificate] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether the token holds an AES key-encryption key labelled `label` (opened in a session of its own). */
export function tokenHasAesKey(token: SoftHsmToken, label: string): boolean {
  const keys = Pkcs11AesKeys.open({ libraryPath: token.libraryPath, tokenLabel: token.label, pin: token.pin });
  try {
    return keys.has(label);
  } finally {
    keys.close();
  }
}
