import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { isCoreError } from '../../src/errors.ts';
import { KeyFileSigner } from '../../src/keys/key-file-signer.ts';
import { createCadesSignature, OID, parseCmsSignature, verifyCmsSignature } from '../../src/cms/index.ts';
import { readFileSync } from 'node:fs';
import { readDer } from '../../src/asn1/der-reader.ts';
import { compareDer } from '../../src/asn1/der-writer.ts';
import { cmsVerifyArgs, flipByte, sha256, tempDir, writeBytes } from './helpers/fixtures.ts';
import { openssl } from './helpers/openssl.ts';
import { createSigner, createTestPki, type TestPki } from './helpers/test-pki.ts';

const temp = tempDir('cms-cades');
let pki: TestPki;
before(async () => {
  pki = await createTestPki(temp.dir);
});
after(() => temp.remove());

/** The attribute object names openssl prints under signedAttrs. */
function signedAttributeNames(printed: string): string[] {
  const section = printed.slice(
    printed.indexOf('signedAttrs:'),
    printed.indexOf('signatureAlgorithm:', printed.indexOf('signedAttrs:')),
  );
  return [...section.matchAll(/^\s+object: (.+?) \(/gm)].map((match) => match[1]);
}

for (const spec of ['rsa-2048', 'p-256'] as const) {
  describe(`CAdES detached with ${spec}`, () => {
    it('verifies with openssl cms, fails on one changed content byte, and parses back', async () => {
      const { signer } = await createSigner(pki, `signer-${spec}`, spec);
      const content = randomBytes(20_000);
      const cms = await createCadesSignature({ signer, contentDigest: sha256(content) });
      const contentFile = writeBytes(temp.dir, `content-${spec}.bin`, content);
      const signatureFile = writeBytes(temp.dir, `sig-${spec}.der`, cms);

      const good = await openssl(cmsVerifyArgs(signatureFile, contentFile, pki.root.certificatePath));
      assert.ok(good.ok, good.output);
      assert.match(good.output, /CMS Verification successful/);
      // -cades makes openssl also check the ESS signing-certificate-v2 against the signer certificate.
      const cades = await openssl(cmsVerifyArgs(signatureFile, contentFile, pki.root.certificatePath, ['-cades']));
      assert.match(cades.output, /CAdES Verification successful/);

      const tamperedFile = writeBytes(temp.dir, `tampered-${spec}.bin`, flipByte(content, 12_345));
      const bad = await openssl(cmsVerifyArgs(signatureFile, tamperedFile, pki.root.certificatePath));
      assert.equal(bad.ok, false);
      assert.match(bad.output, /content verify error|digest failure/i);

      const printed = await openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', signatureFile]);
      assert.ok(printed.ok, printed.output);
      const names = signedAttributeNames(printed.output);
      assert.equal(names.length, 4, names.join(', '));
      assert.ok(names.includes('contentType'));
      assert.ok(names.includes('messageDigest'));
      assert.ok(names.includes('id-smime-aa-signingCertificateV2'));
      assert.match(printed.output, /\(1\.2\.840\.113549\.1\.9\.52\)/); // CMSAlgorithmProtection (openssl 3.0 has no name for it)
      assert.doesNotMatch(printed.output, /signingTime/);
      assert.match(printed.output, /d\.signedData: \n\s+version: 1\n/);
      assert.match(printed.output, /eContent: <ABSENT>/);
      assert.match(
        printed.output,
        spec === 'rsa-2048'
          ? /signatureAlgorithm: \n\s+algorithm: sha256WithRSAEncryption/
          : /signatureAlgorithm: \n\s+algorithm: ecdsa-with-SHA256/,
      );

      const parsed = parseCmsSignature(cms);
      assert.equal(parsed.isDetached, true);
      assert.equal(parsed.encapsulatedContentTypeOid, OID.data);
      assert.equal(parsed.digestAlgorithmOid, OID.sha256);
      assert.equal(
        parsed.signatureAlgorithmOid,
        spec === 'rsa-2048' ? OID.sha256WithRsaEncryption : OID.ecdsaWithSha256,
      );
      assert.equal(parsed.certificates.length, 2);
      assert.deepEqual(parsed.signerCertificate, signer.certificateChain[0]);
      assert.equal(parsed.signedAttributes?.signingTime, undefined);
      assert.equal(parsed.signedAttributes?.algorithmProtectionMatches, true);
      assert.equal(parsed.signedAttributes?.signingCertificateV2?.hashAlgorithmOid, OID.sha256);
      // DER: signed attributes in SET OF order; ESSCertIDv2 starts with certHash (the SHA-256 default hashAlgorithm omitted).
      const attributes = readDer(parsed.signedAttributes!.raw)
        .children()
        .map((attribute) => attribute.raw);
      assert.deepEqual(attributes, [...attributes].sort(compareDer));
      const v2 = parsed.signedAttributes!.all.find((attribute) => attribute.typeOid === OID.signingCertificateV2)!;
      const essCertId = readDer(v2.values[0]).children()[0].children()[0].children();
      assert.equal(essCertId[0].tag, 0x04);
      assert.deepEqual(verifyCmsSignature(parsed, sha256(content)), {
        messageDigestMatches: true,
        signatureValid: true,
        signingCertificateMatches: true,
        problems: [],
      });
      const tampered = verifyCmsSignature(parsed, sha256(flipByte(content, 12_345)));
      assert.equal(tampered.messageDigestMatches, false);
      assert.equal(tampered.signatureValid, true);
    });
  });
}

describe('CAdES options', () => {
  it('adds signing-time only when asked, and openssl still verifies', async () => {
    const { signer } = await createSigner(pki, 'signer-time', 'rsa-2048');
    const content = randomBytes(1000);
    const signingTime = new Date(Date.UTC(2031, 4, 6, 7, 8, 9, 500));
    const cms = await createCadesSignature({ signer, contentDigest: sha256(content), signingTime });
    const signatureFile = writeBytes(temp.dir, 'sig-time.der', cms);
    const verified = await openssl(
      cmsVerifyArgs(signatureFile, writeBytes(temp.dir, 'content-time.bin', content), pki.root.certificatePath),
    );
    assert.ok(verified.ok, verified.output);
    const printed = await openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', signatureFile]);
    assert.equal(signedAttributeNames(printed.output).length, 5);
    assert.match(printed.output, /UTCTIME:May {2}6 07:08:09 2031 GMT/);
    assert.equal(parseCmsSignature(cms).signedAttributes?.signingTime?.toISOString(), '2031-05-06T07:08:09.000Z');
  });

  it('embeds only the signing certificate when includeChain is false', async () => {
    const { signer } = await createSigner(pki, 'signer-leaf-only', 'p-256');
    const content = randomBytes(1000);
    const cms = await createCadesSignature({ signer, contentDigest: sha256(content), includeChain: false });
    assert.deepEqual(parseCmsSignature(cms).certificates, [signer.certificateChain[0]]);
    const signatureFile = writeBytes(temp.dir, 'sig-leaf-only.der', cms);
    const contentFile = writeBytes(temp.dir, 'content-leaf-only.bin', content);
    // Without the intermediate openssl cannot build the path; given it separately, it verifies
    // (openssl 3.0 cms ignores -certfile for path building, so it goes in with the trust anchors).
    assert.equal((await openssl(cmsVerifyArgs(signatureFile, contentFile, pki.root.certificatePath))).ok, false);
    const anchors = writeBytes(
      temp.dir,
      'root-and-intermediate.pem',
      Buffer.concat([readFileSync(pki.root.certificatePath), readFileSync(pki.intermediate.certificatePath)]),
    );
    const withIntermediate = await openssl(cmsVerifyArgs(signatureFile, contentFile, anchors));
    assert.ok(withIntermediate.ok, withIntermediate.output);
  });

  it('rejects a content digest that is not 32 bytes', async () => {
    const { signer } = await createSigner(pki, 'signer-digest-length', 'rsa-2048');
    await assert.rejects(createCadesSignature({ signer, contentDigest: new Uint8Array(48) }), (error) =>
      isCoreError(error, 'CMS_INVALID'),
    );
  });

  it('refuses a key that does not belong to the certificate (SIGNER_FAILED)', async () => {
    const { signer } = await createSigner(pki, 'signer-mismatch', 'rsa-2048');
    const wrongKey = new KeyFileSigner(readFileSync(pki.tsa.keyPath, 'utf8'), signer.certificateChain);
    await assert.rejects(createCadesSignature({ signer: wrongKey, contentDigest: sha256(randomBytes(10)) }), (error) =>
      isCoreError(error, 'SIGNER_FAILED'),
    );
  });

  it('wraps a throwing signer in SIGNER_FAILED', async () => {
    const { signer } = await createSigner(pki, 'signer-throws', 'p-256');
    const broken = {
      keyAlgorithm: signer.keyAlgorithm,
      certificateChain: signer.certificateChain,
      sign: async () => {
        throw new Error('HSM offline');
      },
    };
    await assert.rejects(createCadesSignature({ signer: broken, contentDigest: sha256(randomBytes(10)) }), (error) =>
      isCoreError(error, 'SIGNER_FAILED'),
    );
  });
});
