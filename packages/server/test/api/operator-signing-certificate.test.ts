// The operator's trusted signing certificate (issue 13 part 4): INKAN_SIGNING_P12 with a password file,
// and a key in the HSM (SoftHSM2) named by INKAN_SIGNING_PKCS11_KEY_LABEL with its chain in
// INKAN_SIGNING_CHAIN; INKAN_SIGNING_MODE=organization signs every organisation's envelopes with it, and
// the result is trusted with only the external root. Bad operator settings stop the start, naming the variable.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyPdf } from '@inkan/core';
import { makeExternalCa, makePkcs12, type ExternalCa } from '../../../core/test/helpers/external-ca.ts';
import { createSoftHsmToken, importKeyToToken, type SoftHsmToken } from '../../../core/test/helpers/softhsm.ts';
import { createNssDb, pdfsig } from '../../../core/test/helpers/validators.ts';
import { loadConfig } from '../../src/config/config.ts';
import { openSigningServices } from '../../src/signing-services.ts';
import { asSession, signIn } from './helpers/admin-session.ts';
import { startHarness, type Harness } from './helpers/harness.ts';
import { signEnvelope, startExternalTsa, type ExternalTsa } from './helpers/trusted-signing.ts';

let work: string;
let ca: ExternalCa;
let tsa: ExternalTsa;
let token: SoftHsmToken;
let chainPath: string;

before(async () => {
  // The token first: SoftHSM reads SOFTHSM2_CONF when the library is first initialised.
  token = await createSoftHsmToken({ label: 'inkan-operator' });
  work = mkdtempSync(join(tmpdir(), 'inkan-operator-'));
  ca = await makeExternalCa(join(work, 'ca'), { key: 'ec', leafName: 'Inkan Test Operator' });
  tsa = await startExternalTsa(ca);
  chainPath = join(work, 'chain.pem');
  writeFileSync(
    chainPath,
    [ca.leaf.pemPath, ca.intermediate.certificate.pemPath, ca.rootPemPath].map((p) => readFileSync(p, 'utf8')).join(''),
  );
});

after(async () => {
  await tsa?.close();
  await ca?.close();
  token?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

async function assertTrustedOnlyByExternalRoot(bytes: Uint8Array, commonName: string): Promise<void> {
  const report = await verifyPdf(bytes, { trustAnchors: [ca.rootDer] });
  assert.equal(report.exitCode, 0, report.summary + JSON.stringify(report.signatures.map((s) => s.problems)));
  const signatures = report.signatures.filter((s) => s.type === 'signature');
  assert.equal(signatures.length, 2);
  assert.ok(signatures.every((s) => s.signer?.commonName === commonName));
  assert.match(signatures[0].claimed.reason ?? '', /^署名者: 山田 太郎（メール認証・アクセスコード）/);
  const nss = await createNssDb(ca.rootPemPath, { parentDir: work });
  const poppler = await pdfsig(bytes, { nssDir: nss, ocsp: true });
  assert.equal(poppler.signatures[0].validation, 'Signature is Valid.', poppler.raw);
  assert.equal(poppler.signatures[0].certificate, 'Certificate is Trusted.', poppler.raw);
}

describe('operator signing certificate', () => {
  it('INKAN_SIGNING_P12 (password in a file) with INKAN_SIGNING_MODE=organization', async () => {
    const p12 = makePkcs12(work, 'operator', {
      keyPath: ca.leaf.keyPath,
      certificatePath: ca.leaf.pemPath,
      chain: [ca.intermediate.certificate.pemPath, ca.rootPemPath],
      password: 'operator-secret',
      encoding: '3des',
    });
    const p12Path = join(work, 'operator.p12');
    writeFileSync(p12Path, p12);
    const passwordPath = join(work, 'p12-password');
    writeFileSync(passwordPath, 'operator-secret\n');
    let h: Harness | undefined;
    try {
      h = await startHarness('sqlite', {
        env: {
          INKAN_TSA_URLS: tsa.url,
          INKAN_SIGNING_P12: p12Path,
          INKAN_SIGNING_P12_PASSWORD_FILE: passwordPath,
          INKAN_SIGNING_MODE: 'organization',
        },
      });
      const admin = await signIn(h, h.org.admin);
      const view = await asSession(h, admin, 'GET', '/api/v1/admin/signing-certificate');
      assert.equal(view.statusCode, 200, view.body);
      assert.equal(view.json().mode, 'organization');
      assert.equal(view.json().source, 'operator');
      assert.match(view.json().operator.subject, /CN=Inkan Test Operator/);
      assert.equal(view.json().uploaded, null);
      // /verify trusts the operator's CA beside the installation's own root.
      assert.equal(h.context.signing.trustAnchors.length, 2);
      assert.deepEqual(h.context.signing.trustAnchors[1], ca.rootDer);
      const { bytes } = await signEnvelope(h);
      await assertTrustedOnlyByExternalRoot(bytes, 'Inkan Test Operator');
      // An organisation may go back to witness signing on its own.
      const witness = await asSession(h, admin, 'PATCH', '/api/v1/admin/signing-certificate', { mode: 'witness' });
      assert.equal(witness.json().mode, 'witness');
    } finally {
      await h?.close();
    }
  });

  it('a key in the HSM (INKAN_SIGNING_PKCS11_KEY_LABEL) with its chain in INKAN_SIGNING_CHAIN', async () => {
    await importKeyToToken(token, {
      pkcs8PemPath: ca.leaf.keyPath,
      keyLabel: 'organisation-signing',
      keyIdHex: '0a01',
    });
    // The platform key of the same token (INKAN_PKCS11_KEY_LABEL), certified by the built-in CA.
    const platform = ca.issue('platform-key-holder', {
      notBefore: new Date(Date.now() - 3600_000),
      notAfter: new Date(Date.now() + 30 * 24 * 3600_000),
      extensions: ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature'],
      key: 'ec',
    });
    await importKeyToToken(token, { pkcs8PemPath: platform.keyPath, keyLabel: 'platform', keyIdHex: '0a02' });
    const env = {
      INKAN_TSA_URLS: tsa.url,
      INKAN_PKCS11_LIBRARY: token.libraryPath,
      INKAN_PKCS11_TOKEN: token.label,
      INKAN_PKCS11_PIN: token.pin,
      INKAN_PKCS11_KEY_LABEL: 'platform',
      INKAN_SIGNING_PKCS11_KEY_LABEL: 'organisation-signing',
      INKAN_SIGNING_CHAIN: chainPath,
      INKAN_SIGNING_MODE: 'organization',
    };
    let h: Harness | undefined;
    try {
      h = await startHarness('sqlite', { env });
      assert.equal(h.context.signing.operatorSigning?.kind, 'pkcs11');
      const { bytes } = await signEnvelope(h);
      await assertTrustedOnlyByExternalRoot(bytes, 'Inkan Test Operator');

      // A chain file whose certificate is not the HSM key's: the start stops and names the variable.
      const wrongChain = join(work, 'wrong-chain.pem');
      writeFileSync(wrongChain, readFileSync(platform.pemPath, 'utf8') + readFileSync(ca.rootPemPath, 'utf8'));
      const config = {
        ...h.context.config,
        operatorSigning: { kind: 'pkcs11' as const, keyLabel: 'organisation-signing', chainFile: wrongChain },
      };
      await assert.rejects(
        openSigningServices(config),
        /INKAN_SIGNING_PKCS11_KEY_LABEL: .*no certificate matches the private key/,
      );
    } finally {
      await h?.close();
    }
  });

  it('refuses incomplete operator settings at start', () => {
    const base = { INKAN_DATA_DIR: join(work, 'data') };
    assert.throws(() => loadConfig({ ...base, INKAN_SIGNING_P12: '/x.p12' }), /INKAN_SIGNING_P12_PASSWORD/);
    assert.throws(() => loadConfig({ ...base, INKAN_SIGNING_MODE: 'organization' }), /INKAN_SIGNING_MODE/);
    assert.throws(() => loadConfig({ ...base, INKAN_SIGNING_PKCS11_KEY_LABEL: 'k' }), /INKAN_SIGNING_PKCS11_KEY_LABEL/);
    assert.throws(() => loadConfig({ ...base, INKAN_SIGNING_MODE: 'sometimes' }), /INKAN_SIGNING_MODE/);
  });
});
