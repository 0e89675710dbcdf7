import assert from 'node:assert/strict';
import { createHash, createPrivateKey, randomBytes, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { isCoreError } from '../../src/errors.ts';
import { signingCertificateV2Attribute } from '../../src/tsp/ess.ts';
import {
  buildTimestampRequest,
  createTimestampResponder,
  parseTimestampResponse,
  parseTimestampToken,
} from '../../src/tsp/index.ts';
import {
  OPENSSL_TSA_POLICY,
  createTsaFixture,
  hex,
  openssl,
  opensslReply,
  writeOpensslTsaConfig,
  type TsaFixture,
} from './tsa-fixture.ts';

let f: TsaFixture;
let config: string;
before(async () => {
  f = await createTsaFixture();
  config = writeOpensslTsaConfig(f);
});
after(() => f?.cleanup());

const digest = () => createHash('sha256').update(randomBytes(16)).digest();

async function ourToken(d: Uint8Array): Promise<Uint8Array> {
  const responder = createTimestampResponder({ certificate: f.ecdsa.certDer, signer: f.ecdsa.signer });
  return parseTimestampResponse(await responder.respond(buildTimestampRequest(d))).token!;
}

async function opensslVerifies(token: Uint8Array, d: Uint8Array, certPath: string): Promise<boolean> {
  const result = await openssl([
    'ts',
    '-verify',
    '-digest',
    hex(d),
    '-in',
    f.write('check.tst', token),
    '-token_in',
    '-CAfile',
    f.rootPath,
    '-untrusted',
    certPath,
  ]);
  return result.code === 0 && result.stdout.toString().includes('Verification: OK');
}

describe('parseTimestampToken', () => {
  it('throws CMS_INVALID on anything that is not a timestamp token', async () => {
    const data = new pkijs.ContentInfo({
      contentType: '1.2.840.113549.1.7.1',
      content: new asn1js.OctetString({ valueHex: new Uint8Array(4) }),
    });
    const response = parseTimestampResponse(
      await createTimestampResponder({ certificate: f.rsa.certDer, signer: f.rsa.signer }).respond(
        buildTimestampRequest(digest()),
      ),
    );
    const inputs = [
      new Uint8Array(0),
      new Uint8Array(randomBytes(100)),
      f.rootDer,
      new Uint8Array(data.toSchema().toBER()),
      response.token!.subarray(0, 200),
    ];
    for (const input of inputs) {
      assert.throws(
        () => parseTimestampToken(input),
        (e) => isCoreError(e, 'CMS_INVALID'),
      );
    }
  });

  for (const [section, label] of [
    ['tsa_default', 'SHA-1 ESSCertID (v1)'],
    ['tsa_ess_sha512', 'ESSCertIDv2 with SHA-512'],
  ] as const) {
    it(`reads and verifies a token issued by openssl with ${label}`, async () => {
      const d = createHash('sha384').update(randomBytes(16)).digest();
      const response = await opensslReply(
        f,
        config,
        buildTimestampRequest(d, { hashAlgorithm: 'SHA-384', nonce: new Uint8Array([0x42, 1, 2, 3, 4, 5, 6, 7]) }),
        section,
      );
      const parsed = parseTimestampResponse(response);
      assert.equal(parsed.status, 0);
      const token = parseTimestampToken(parsed.token!);
      assert.equal(token.policyOid, OPENSSL_TSA_POLICY);
      assert.equal(token.messageImprint.hashAlgorithmOid, '2.16.840.1.101.3.4.2.2');
      assert.deepEqual(token.messageImprint.digest, new Uint8Array(d));
      assert.equal(token.nonce, 0x4201020304050607n);
      assert.deepEqual(token.accuracy, { seconds: 1, millis: 500, micros: undefined });
      assert.equal(token.ordering, true);
      assert.match(token.tsaName ?? '', /CN=Inkan Test TSA RSA/);
      assert.deepEqual(token.signerCertificate, f.rsa.certDer);
      assert.equal(await token.signatureProblem(), null);
    });
  }

  it('a changed TSTInfo fails the message digest check, here and in openssl', async () => {
    const d = digest();
    const token = await ourToken(d);
    const at = Buffer.from(token).indexOf(Buffer.from(d));
    assert.ok(at > 0);
    const tampered = new Uint8Array(token);
    tampered[at] ^= 0x01;
    const changedDigest = new Uint8Array(d);
    changedDigest[0] ^= 0x01;
    assert.equal(await opensslVerifies(token, d, f.ecdsa.certPath), true);
    assert.equal(await opensslVerifies(tampered, changedDigest, f.ecdsa.certPath), false);
    const parsed = parseTimestampToken(tampered);
    assert.equal(await parsed.verifySignature(), false);
    assert.equal(await parsed.signatureProblem(), 'message digest mismatch');
  });

  it('a validly signed token whose ESSCertIDv2 names another certificate is refused, here and in openssl', async () => {
    const d = digest();
    const contentInfo = new pkijs.ContentInfo({ schema: asn1js.fromBER(new Uint8Array(await ourToken(d))).result });
    const signedData = new pkijs.SignedData({ schema: contentInfo.content });
    const signerInfo = signedData.signerInfos[0];
    // Our ESS attribute naming the RSA TSA certificate, read back with pkijs (an independent decoder).
    const other = new pkijs.Attribute({
      schema: asn1js.fromBER(new Uint8Array(signingCertificateV2Attribute(f.rsa.certDer))).result,
    });
    const attributes = signerInfo.signedAttrs!.attributes.map((a) =>
      a.type === '1.2.840.113549.1.9.16.2.47' ? other : a,
    );
    const encoded = attributes
      .map((a) => ({ a, der: Buffer.from(a.toSchema().toBER()) }))
      .sort((x, y) => Buffer.compare(x.der, y.der));
    signerInfo.signedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: encoded.map((e) => e.a) });
    const toSign = new asn1js.Set({ value: encoded.map((e) => e.a.toSchema()) }).toBER();
    // Re-signed with the real TSA key: only the certificate binding is wrong.
    const signature = sign('sha256', new Uint8Array(toSign), {
      key: createPrivateKey(readFileSync(f.ecdsa.keyPath)),
      dsaEncoding: 'der',
    });
    signerInfo.signature = new asn1js.OctetString({ valueHex: signature });
    const forged = new Uint8Array(
      new pkijs.ContentInfo({ contentType: contentInfo.contentType, content: signedData.toSchema(true) })
        .toSchema()
        .toBER(),
    );

    assert.equal(await opensslVerifies(forged, d, f.ecdsa.certPath), false);
    const parsed = parseTimestampToken(forged);
    assert.equal(
      await parsed.signatureProblem(),
      'the signing-certificate attribute names a different certificate than the signer certificate',
    );
  });
});
