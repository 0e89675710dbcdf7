import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isCoreError } from '../../src/errors.ts';
import { KeyFileSigner } from '../../src/keys/key-file-signer.ts';
import {
  createCadesSignature,
  hashNameOfOid,
  OID,
  parseCmsSignature,
  verifyCmsSignature,
} from '../../src/cms/index.ts';
import { cmsVerifyArgs, flipByte, indexOfBytes, sha256, tempDir, writeBytes } from './helpers/fixtures.ts';
import { openssl, opensslOk } from './helpers/openssl.ts';
import {
  createSigner,
  createTestPki,
  generateKey,
  issueCertificate,
  randomSerial,
  type IssuedCertificate,
  type TestPki,
} from './helpers/test-pki.ts';

const temp = tempDir('cms-parse');
let pki: TestPki;
let rsa: { signer: KeyFileSigner; issued: IssuedCertificate };
let ec: { signer: KeyFileSigner; issued: IssuedCertificate };
let content: Uint8Array;
let contentFile: string;
before(async () => {
  pki = await createTestPki(temp.dir);
  rsa = await createSigner(pki, 'parse-rsa', 'rsa-2048');
  ec = await createSigner(pki, 'parse-ec', 'p-256');
  content = randomBytes(4096);
  contentFile = writeBytes(temp.dir, 'content.bin', content);
});
after(() => temp.remove());

/** What openssl says about `cms` over the shared content. */
async function opensslAccepts(cms: Uint8Array, name: string, extra: string[] = []): Promise<boolean> {
  const result = await openssl(
    cmsVerifyArgs(writeBytes(temp.dir, name, cms), contentFile, pki.root.certificatePath, extra),
  );
  return result.ok && /(CMS|CAdES) Verification successful/.test(result.output);
}

describe('parseCmsSignature + verifyCmsSignature agree with openssl', () => {
  for (const key of ['rsa', 'ec'] as const) {
    it(`${key}: good signature, wrong message digest, corrupted signature value`, async () => {
      const { signer } = key === 'rsa' ? rsa : ec;
      const good = await createCadesSignature({ signer, contentDigest: sha256(content) });
      assert.equal(await opensslAccepts(good, `good-${key}.der`), true);
      assert.deepEqual(verifyCmsSignature(parseCmsSignature(good), sha256(content)), {
        messageDigestMatches: true,
        signatureValid: true,
        signingCertificateMatches: true,
        problems: [],
      });

      const wrongDigest = await createCadesSignature({ signer, contentDigest: sha256(flipByte(content, 0)) });
      assert.equal(await opensslAccepts(wrongDigest, `wrong-digest-${key}.der`), false);
      const wrongDigestResult = verifyCmsSignature(parseCmsSignature(wrongDigest), sha256(content));
      assert.equal(wrongDigestResult.messageDigestMatches, false);
      assert.equal(wrongDigestResult.signatureValid, true);
      assert.match(wrongDigestResult.problems.join('\n'), /message digest does not match/);

      const parsedGood = parseCmsSignature(good);
      // Flip a byte in the middle of the signature value (for ECDSA: inside r, keeping the DER valid).
      const at = indexOfBytes(good, parsedGood.signatureValue) + 10;
      const corrupted = flipByte(good, at);
      assert.equal(await opensslAccepts(corrupted, `corrupted-${key}.der`), false);
      const corruptedResult = verifyCmsSignature(parseCmsSignature(corrupted), sha256(content));
      assert.equal(corruptedResult.signatureValid, false);
      assert.equal(corruptedResult.messageDigestMatches, true);
      assert.match(corruptedResult.problems.join('\n'), /signature value does not verify/);
    });
  }

  it('a signed attribute changed after signing breaks the signature', async () => {
    const good = await createCadesSignature({ signer: rsa.signer, contentDigest: sha256(content) });
    const essHash = parseCmsSignature(good).signedAttributes!.signingCertificateV2!.certHash;
    const tampered = flipByte(good, indexOfBytes(good, essHash));
    assert.equal(await opensslAccepts(tampered, 'tampered-attribute.der'), false);
    const result = verifyCmsSignature(parseCmsSignature(tampered), sha256(content));
    assert.equal(result.signatureValid, false);
    assert.equal(result.signingCertificateMatches, false);
  });

  it('a swapped signer certificate (same key, issuer and serial) fails the signing-certificate-v2 check', async () => {
    // Two certificates for one key with the same issuer and serial: the sid matches both and the
    // signature verifies with both; only ESSCertIDv2 tells them apart.
    const keyPath = await generateKey(temp.dir, 'swap', 'rsa-2048');
    const serial = randomSerial();
    const genuine = await issueCertificate(temp.dir, 'swap-genuine', keyPath, pki.intermediate, 'signer_ext', serial);
    const impostor = await issueCertificate(temp.dir, 'swap-impostr', keyPath, pki.intermediate, 'signer_ext', serial);
    assert.equal(genuine.certificate.length, impostor.certificate.length, 'precondition: same-length certificates');
    const signer = new KeyFileSigner(readFileSync(keyPath, 'utf8'), [
      genuine.certificate,
      pki.intermediate.certificate,
    ]);
    const cms = await createCadesSignature({ signer, contentDigest: sha256(content) });
    const swapped = Uint8Array.from(cms);
    swapped.set(impostor.certificate, indexOfBytes(cms, genuine.certificate));

    const parsed = parseCmsSignature(swapped);
    assert.deepEqual(parsed.signerCertificate, impostor.certificate);
    const result = verifyCmsSignature(parsed, sha256(content));
    assert.equal(result.signatureValid, true);
    assert.equal(result.messageDigestMatches, true);
    assert.equal(result.signingCertificateMatches, false);
    assert.match(result.problems.join('\n'), /signing-certificate attribute names a different certificate/);
    // openssl checks the ESS signing certificate only when told to (-cades); then it agrees.
    assert.equal(await opensslAccepts(swapped, 'swapped.der'), true);
    assert.equal(await opensslAccepts(swapped, 'swapped.der', ['-cades']), false);
    assert.equal(await opensslAccepts(cms, 'unswapped.der', ['-cades']), true);
  });
});

describe('CMS made by openssl cms -sign', () => {
  async function opensslSign(name: string, signer: IssuedCertificate, options: string[]): Promise<Uint8Array> {
    const out = path.join(temp.dir, `${name}.der`);
    await opensslOk([
      'cms',
      '-sign',
      '-binary',
      '-in',
      contentFile,
      '-signer',
      signer.certificatePath,
      '-inkey',
      signer.keyPath,
      '-certfile',
      pki.intermediate.certificatePath,
      '-outform',
      'DER',
      '-out',
      out,
      ...options,
    ]);
    return new Uint8Array(readFileSync(out));
  }

  function digestFor(oid: string, data: Uint8Array): Uint8Array {
    const hash = hashNameOfOid(oid);
    assert.ok(hash, `no hash for ${oid}`);
    return new Uint8Array(createHash(hash).update(data).digest());
  }

  for (const [md, ess, key] of [
    ['sha1', 'v1', 'rsa'],
    ['sha384', 'v2', 'rsa'],
    ['sha512', 'v2', 'rsa'],
    ['sha384', 'v2', 'ec'],
  ] as const) {
    it(`-cades -md ${md} (${key}): ESS ${ess} and the digest are honoured`, async () => {
      const cms = await opensslSign(`openssl-${md}-${key}`, (key === 'rsa' ? rsa : ec).issued, ['-cades', '-md', md]);
      const parsed = parseCmsSignature(cms);
      assert.equal(hashNameOfOid(parsed.digestAlgorithmOid), md);
      assert.ok(parsed.signedAttributes?.signingTime instanceof Date);
      assert.ok(
        ess === 'v1' ? parsed.signedAttributes?.signingCertificateV1 : parsed.signedAttributes?.signingCertificateV2,
      );
      assert.deepEqual(verifyCmsSignature(parsed, digestFor(parsed.digestAlgorithmOid, content)), {
        messageDigestMatches: true,
        signatureValid: true,
        signingCertificateMatches: true,
        problems: [],
      });
      const wrong = verifyCmsSignature(parsed, digestFor(parsed.digestAlgorithmOid, flipByte(content, 7)));
      assert.equal(wrong.messageDigestMatches, false);
    });
  }

  it('RSA-PSS: reported as unsupported, not thrown', async () => {
    const cms = await opensslSign('openssl-pss', rsa.issued, ['-keyopt', 'rsa_padding_mode:pss']);
    const parsed = parseCmsSignature(cms);
    assert.equal(parsed.signatureAlgorithmOid, OID.rsassaPss);
    assert.ok(parsed.signatureAlgorithmParameters);
    const result = verifyCmsSignature(parsed, sha256(content));
    assert.equal(result.signatureValid, false);
    assert.equal(result.messageDigestMatches, true);
    assert.match(result.problems.join('\n'), /RSASSA-PSS signatures are not supported/);
  });

  it('no signed attributes (-noattr): the RSA signature over the content digest is checked', async () => {
    const cms = await opensslSign('openssl-noattr', rsa.issued, ['-noattr']);
    const parsed = parseCmsSignature(cms);
    assert.equal(parsed.signedAttributes, undefined);
    const good = verifyCmsSignature(parsed, sha256(content));
    assert.equal(good.signatureValid, true);
    assert.equal(good.messageDigestMatches, true);
    assert.equal(good.signingCertificateMatches, false);
    const bad = verifyCmsSignature(parsed, sha256(flipByte(content, 1)));
    assert.equal(bad.signatureValid, false);
    assert.equal(bad.messageDigestMatches, false);
  });

  it('BER indefinite lengths (-stream) and a subjectKeyIdentifier sid (-keyid)', async () => {
    const cms = await opensslSign('openssl-stream-keyid', ec.issued, ['-stream', '-keyid', '-cades']);
    assert.equal(cms[1], 0x80, 'precondition: indefinite length');
    const parsed = parseCmsSignature(cms);
    assert.ok('subjectKeyIdentifier' in parsed.signerIdentifier);
    assert.deepEqual(parsed.signerCertificate, ec.issued.certificate);
    assert.equal(parsed.certificates.length, 2);
    assert.deepEqual(verifyCmsSignature(parsed, sha256(content)), {
      messageDigestMatches: true,
      signatureValid: true,
      signingCertificateMatches: true,
      problems: [],
    });
  });

  it('without -cades: no signing-certificate attribute is a problem, the rest verifies', async () => {
    const parsed = parseCmsSignature(await opensslSign('openssl-plain', rsa.issued, []));
    const result = verifyCmsSignature(parsed, sha256(content));
    assert.equal(result.signatureValid, true);
    assert.equal(result.messageDigestMatches, true);
    assert.equal(result.signingCertificateMatches, false);
    assert.match(result.problems.join('\n'), /no signing-certificate-v2/);
  });
});

describe('unparsable input', () => {
  it('throws CMS_INVALID for garbage, truncation, trailing data and non-SignedData', async () => {
    const cms = await createCadesSignature({ signer: rsa.signer, contentDigest: sha256(content) });
    const data = Uint8Array.from([0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01]); // ContentInfo(id-data)
    const inputs = [
      new Uint8Array(0),
      randomBytes(300),
      cms.subarray(0, cms.length - 1),
      Uint8Array.from([...cms, 0x01]),
      data,
      Uint8Array.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]),
    ];
    for (const input of inputs)
      assert.throws(
        () => parseCmsSignature(input),
        (error) => isCoreError(error, 'CMS_INVALID'),
      );
    // Zero padding after the DER, as in a PDF /Contents, is accepted.
    assert.equal(parseCmsSignature(Uint8Array.from([...cms, 0, 0, 0, 0])).signatureValue.length, 256);
  });

  it('never throws anything but CMS_INVALID on corrupted bytes', async () => {
    const cms = await createCadesSignature({ signer: ec.signer, contentDigest: sha256(content) });
    for (let index = 0; index < cms.length; index += 7) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const mutated = Uint8Array.from(cms);
        mutated[index] ^= mask;
        try {
          verifyCmsSignature(parseCmsSignature(mutated), sha256(content));
        } catch (error) {
          assert.ok(isCoreError(error, 'CMS_INVALID'), `byte ${index} ^ ${mask}: ${String(error)}`);
        }
      }
    }
  });
});
