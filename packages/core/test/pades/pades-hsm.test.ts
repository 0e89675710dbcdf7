// The PAdES signing tests with the platform key in a SoftHSM2 token (one token for this file/process).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pkcs11js from 'pkcs11js';
import {
  createWitnessSigner,
  generateKeyPairOnToken,
  Pkcs11Signer,
  sealPdf,
  signPdf,
  stampCertificateId,
  verifyPdf,
} from '../../src/index.ts';
import { findObject, openTokenSession, readAttribute, readBool } from '../../src/pkcs11/pkcs11-module.ts';
import { assertAcceptedByValidators } from '../helpers/assert-validators.ts';
import { makePdf } from '../helpers/make-pdf.ts';
import { createPkiFixture, type PkiFixture } from '../helpers/pki-fixture.ts';
import { createSoftHsmToken, type SoftHsmToken } from '../helpers/softhsm.ts';

// SoftHSM reads SOFTHSM2_CONF once per process: one token and one CA serve both key types.
let token: SoftHsmToken;
let fixture: PkiFixture;
before(async () => {
  token = await createSoftHsmToken({ label: 'inkan-pades' });
  fixture = await createPkiFixture();
});
after(() => {
  fixture?.cleanup();
  token?.cleanup();
});

for (const algorithm of ['RSA-2048', 'ECDSA-P256'] as const) {
  describe(`PAdES with the platform key in SoftHSM2 (${algorithm})`, () => {
    let hsmSigner: Pkcs11Signer;
    const keyLabel = `platform-${algorithm}`;
    const keyId = algorithm === 'RSA-2048' ? 'b1' : 'b2';

    before(async () => {
      const { publicKeySpki } = await generateKeyPairOnToken({
        libraryPath: token.libraryPath,
        tokenLabel: token.label,
        pin: token.pin,
        keyLabel,
        keyId,
        algorithm,
      });
      // The built-in CA certifies the HSM key as the platform signing key.
      const certificate = await fixture.pki.issueSigningCertificate({
        publicKeySpki,
        subjectCommonName: 'Inkan Signing Service (HSM)',
        keyAlgorithm: algorithm === 'RSA-2048' ? 'RSA' : 'ECDSA-P256',
      });
      hsmSigner = await Pkcs11Signer.open({
        libraryPath: token.libraryPath,
        tokenLabel: token.label,
        pin: token.pin,
        keyLabel,
        certificateChain: [certificate, fixture.pki.issuingCertificate, fixture.pki.rootCertificate],
      });
    });
    after(async () => {
      await hsmSigner?.close();
    });

    test('three witness signatures by the HSM key, then seal: every validator accepts, B-LTA', async () => {
      let pdf = stampCertificateId(await makePdf({ pages: 2 }), { certificateId: 'IK-HSM-0001' });
      for (const who of [
        { name: '山田 太郎', email: 'taro@example.jp' },
        { name: '佐藤 花子', email: 'hanako@example.jp' },
        { name: '鈴木 一郎', email: 'ichiro@example.jp' },
      ]) {
        const signer = await createWitnessSigner(fixture.pki, who, hsmSigner);
        pdf = await signPdf(pdf, {
          signer,
          timestampAuthority: fixture.tsa,
          name: `${who.name} <${who.email}>`,
          reason: 'email + access code',
        });
      }
      const sealed = await sealPdf(pdf, fixture.sealOptions);
      await assertAcceptedByValidators(sealed, {
        signatures: 3,
        documentTimestamps: 1,
        nssDir: fixture.nssDir,
        rootPem: fixture.rootPem,
        untrustedPem: fixture.chainPem,
      });
      const report = await verifyPdf(sealed, { trustAnchors: [fixture.pki.rootCertificate] });
      assert.equal(report.exitCode, 0, report.summary);
      assert.deepEqual(
        report.signatures.slice(0, 3).map((s) => s.level),
        ['B-LTA', 'B-LTA', 'B-LTA'],
      );
    });

    test('the platform key cannot be extracted from the token', () => {
      const session = openTokenSession({ libraryPath: token.libraryPath, tokenLabel: token.label, pin: token.pin });
      try {
        const key = findObject(session, pkcs11js.CKO_PRIVATE_KEY, { keyLabel });
        assert.ok(key !== undefined);
        assert.equal(readBool(readAttribute(session, key, pkcs11js.CKA_EXTRACTABLE)), false);
        assert.equal(readBool(readAttribute(session, key, pkcs11js.CKA_SENSITIVE)), true);
        const secret = algorithm === 'RSA-2048' ? pkcs11js.CKA_PRIVATE_EXPONENT : pkcs11js.CKA_VALUE;
        assert.throws(
          () => session.pkcs11.C_GetAttributeValue(session.session, key, [{ type: secret }]),
          /CKR_ATTRIBUTE_SENSITIVE/,
        );
      } finally {
        session.close();
      }
    });
  });
}
