import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CoreError, isCoreError } from '../../src/errors.ts';
import { createCadesSignature, OID, parseCmsSignature, verifyCmsSignature } from '../../src/cms/index.ts';
import { cmsVerifyArgs, flipByte, sha256, tempDir, writeBytes } from './helpers/fixtures.ts';
import { openssl } from './helpers/openssl.ts';
import { OpensslTimestampAuthority } from './helpers/openssl-tsa.ts';
import { createSigner, createTestPki, type TestPki } from './helpers/test-pki.ts';

const temp = tempDir('cms-tst');
let pki: TestPki;
let tsa: OpensslTimestampAuthority;
before(async () => {
  pki = await createTestPki(temp.dir);
  tsa = await new OpensslTimestampAuthority(pki).init(pki);
});
after(() => temp.remove());

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('signature timestamp (PAdES B-T)', () => {
  for (const spec of ['rsa-2048', 'p-256'] as const) {
    it(`${spec}: the token covers the signature value and verifies with openssl ts`, async () => {
      const { signer } = await createSigner(pki, `ts-signer-${spec}`, spec);
      const content = randomBytes(5000);
      const cms = await createCadesSignature({ signer, contentDigest: sha256(content), timestampAuthority: tsa });
      const signatureFile = writeBytes(temp.dir, `ts-sig-${spec}.der`, cms);

      // The unsigned attribute leaves the CMS signature intact.
      const cmsCheck = await openssl(
        cmsVerifyArgs(signatureFile, writeBytes(temp.dir, `ts-content-${spec}.bin`, content), pki.root.certificatePath),
      );
      assert.ok(cmsCheck.ok, cmsCheck.output);
      assert.match(
        (await openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', signatureFile])).output,
        /unsignedAttrs:\s+object: id-smime-aa-timeStampToken \(1\.2\.840\.113549\.1\.9\.16\.2\.14\)/,
      );

      const parsed = parseCmsSignature(cms);
      assert.ok(parsed.signatureTimestampToken);
      const tokenFile = writeBytes(temp.dir, `ts-token-${spec}.der`, parsed.signatureTimestampToken);
      const imprint = hex(sha256(parsed.signatureValue));
      const good = await openssl([
        'ts',
        '-verify',
        '-digest',
        imprint,
        '-in',
        tokenFile,
        '-token_in',
        '-CAfile',
        pki.root.certificatePath,
        '-untrusted',
        pki.tsa.certificatePath,
      ]);
      assert.ok(good.ok, good.output);
      assert.match(good.output, /Verification: OK/);
      const other = hex(sha256(flipByte(parsed.signatureValue, 0)));
      const bad = await openssl([
        'ts',
        '-verify',
        '-digest',
        other,
        '-in',
        tokenFile,
        '-token_in',
        '-CAfile',
        pki.root.certificatePath,
        '-untrusted',
        pki.tsa.certificatePath,
      ]);
      assert.equal(bad.ok, false);
      assert.match(bad.output, /message imprint mismatch/);

      // The token is CMS with encapsulated TSTInfo; the parser reads it and its signature checks out.
      const token = parseCmsSignature(parsed.signatureTimestampToken);
      assert.equal(token.isDetached, false);
      assert.equal(token.encapsulatedContentTypeOid, OID.tstInfo);
      assert.ok(token.encapsulatedContent);
      assert.equal(token.signedAttributes?.contentTypeOid, OID.tstInfo);
      assert.deepEqual(verifyCmsSignature(token, sha256(token.encapsulatedContent)), {
        messageDigestMatches: true,
        signatureValid: true,
        signingCertificateMatches: true,
        problems: [],
      });
      assert.deepEqual(token.signerCertificate, pki.tsa.certificate);
    });
  }

  it('rejects a token whose imprint is not the hash of the signature value (TSA_BAD_RESPONSE)', async () => {
    const { signer } = await createSigner(pki, 'ts-signer-wrong-imprint', 'rsa-2048');
    const before = tsa.issued;
    // A real token from the real TSA, but over some other digest.
    const misdirected = { timestamp: () => tsa.timestamp(sha256(randomBytes(8))) };
    await assert.rejects(
      createCadesSignature({ signer, contentDigest: sha256(randomBytes(10)), timestampAuthority: misdirected }),
      (error) => isCoreError(error, 'TSA_BAD_RESPONSE'),
    );
    assert.equal(tsa.issued, before + 1);
  });

  it('rejects a response that is not a timestamp token (TSA_BAD_RESPONSE)', async () => {
    const { signer } = await createSigner(pki, 'ts-signer-garbage', 'p-256');
    const garbage = { timestamp: async () => new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]) };
    await assert.rejects(
      createCadesSignature({ signer, contentDigest: sha256(randomBytes(10)), timestampAuthority: garbage }),
      (error) => isCoreError(error, 'TSA_BAD_RESPONSE'),
    );
  });

  it('lets TSA errors through unchanged', async () => {
    const { signer } = await createSigner(pki, 'ts-signer-down', 'p-256');
    const down = {
      timestamp: async (): Promise<Uint8Array> => {
        throw new CoreError('TSA_UNAVAILABLE', 'connection refused');
      },
    };
    await assert.rejects(
      createCadesSignature({ signer, contentDigest: sha256(randomBytes(10)), timestampAuthority: down }),
      (error) => isCoreError(error, 'TSA_UNAVAILABLE'),
    );
  });
});
