/**
 * SoftHSM2 fixtures for tests: a fresh token in a temp dir, key import, and a test certificate for a token key.
 *
 * SoftHSM reads SOFTHSM2_CONF once, when the library is C_Initialize'd, and the PKCS#11 module stays
 * initialised while any signer of the process is open. So: one token (one createSoftHsmToken call) per
 * test file — node:test runs each file in its own process — and create it before opening any signer.
 */
import { execFile } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as x509 from '@peculiar/x509';
import pkcs11js from 'pkcs11js';
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
export async function createSoftHsmToken(options: { label?: string; pin?: string; soPin?: string } = {}): Promise<SoftHsmToken> {
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
    await run('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', soPin], { env: { ...process.env, SOFTHSM2_CONF: confPath } });
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
export async function importKeyToToken(token: SoftHsmToken, options: { pkcs8PemPath: string; keyLabel: string; keyIdHex: string }): Promise<void> {
  await run('softhsm2-util', [
    '--import', options.pkcs8PemPath, '--token', token.label, '--label', options.keyLabel, '--id', options.keyIdHex, '--pin', token.pin,
  ], { env: { ...process.env, SOFTHSM2_CONF: token.confPath } });
  const session = openTokenSession({ libraryPath: token.libraryPath, tokenLabel: token.label, pin: token.pin, readWrite: true });
  try {
    const key = findObject(session, pkcs11js.CKO_PRIVATE_KEY, { keyLabel: options.keyLabel, keyId: Buffer.from(options.keyIdHex, 'hex') });
    if (key === undefined) throw new Error(`imported key ${options.keyLabel} not found on token ${token.label}`);
    const fixes: { type: number; value: boolean }[] = [];
    if (readBool(readAttribute(session, key, pkcs11js.CKA_EXTRACTABLE)) !== false) fixes.push({ type: pkcs11js.CKA_EXTRACTABLE, value: false });
    if (readBool(readAttribute(session, key, pkcs11js.CKA_SENSITIVE)) !== true) fixes.push({ type: pkcs11js.CKA_SENSITIVE, value: true });
    // PKCS#11 allows these one-way changes (extractable → not, non-sensitive → sensitive).
    if (fixes.length > 0) session.pkcs11.C_SetAttributeValue(session.session, key, fixes);
    assertNonExtractable(session, key);
  } finally {
    session.close();
  }
}

/** A test CA (P-256, in memory) and a leaf certificate it issues for a public key (SubjectPublicKeyInfo DER). */
export async function issueTestCertificate(publicKeySpki: Uint8Array, subject = 'CN=Inkan HSM test signer'): Promise<{ certificate: Uint8Array; chain: Uint8Array[] }> {
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const caKeys = await webcrypto.subtle.generateKey(algorithm, false, ['sign', 'verify']) as CryptoKeyPair;
  const notBefore = new Date(Date.now() - 60 * 60 * 1000);
  const notAfter = new Date(Date.now() + 365 * 24 * 60 * 60 * 1000);
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=Inkan HSM test CA',
    keys: caKeys,
    signingAlgorithm: algorithm,
    notBefore,
    notAfter,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const leaf = await x509.X509CertificateGenerator.create({
    subject,
    issuer: ca.subject,
    publicKey: publicKeySpki,
    signingKey: caKeys.privateKey,
    signingAlgorithm: algorithm,
    notBefore,
    notAfter,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
    ],
  });
  const certificate = new Uint8Array(leaf.rawData);
  return { certificate, chain: [certificate, new Uint8Array(ca.rawData)] };
}
