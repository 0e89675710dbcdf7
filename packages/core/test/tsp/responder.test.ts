import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import {
  INKAN_DEFAULT_TSA_POLICY,
  buildTimestampRequest,
  createTimestampResponder,
  parseTimestampResponse,
  parseTimestampToken,
} from '../../src/tsp/index.ts';
import type { Signer } from '../../src/signer.ts';
import { createTsaFixture, hex, openssl, opensslOk, type TsaFixture } from './tsa-fixture.ts';

let f: TsaFixture;
before(async () => {
  f = await createTsaFixture();
});
after(() => f?.cleanup());

function randomDigest(algorithm = 'sha256'): Buffer {
  return createHash(algorithm).update(randomBytes(32)).digest();
}

/** Random bytes whose first byte is 0x10–0x7f, so openssl prints them as the same hex (no sign byte, no dropped zero). */
function printableInteger(length: number): Uint8Array {
  const bytes = new Uint8Array(randomBytes(length));
  bytes[0] = 0x10 + (bytes[0] % 0x70);
  return bytes;
}

describe('timestamp responder, checked by openssl', () => {
  for (const kind of ['rsa', 'ecdsa'] as const) {
    it(`${kind}: openssl verifies the token and reads our policy, nonce and serial`, async () => {
      const id = f[kind];
      const serial = printableInteger(16);
      const responder = createTimestampResponder({
        certificate: id.certDer,
        chain: [f.rootDer],
        signer: id.signer,
        serialNumber: () => serial,
      });
      const digest = randomDigest();
      const nonce = printableInteger(12);
      const response = await responder.respond(buildTimestampRequest(digest, { nonce }));

      const text = (
        await opensslOk(['ts', '-reply', '-in', f.write(`${kind}-resp.der`, response), '-text'])
      ).toString();
      assert.match(text, /Status: Granted\./);
      assert.ok(text.includes(`Policy OID: ${INKAN_DEFAULT_TSA_POLICY}`), text);
      assert.ok(text.includes(`Nonce: 0x${hex(nonce).toUpperCase()}`), text);
      assert.ok(text.includes(`Serial number: 0x${hex(serial).toUpperCase()}`), text);
      assert.match(text, /Accuracy: 0x01 seconds/);

      const parsed = parseTimestampResponse(response);
      assert.equal(parsed.status, 0);
      assert.ok(parsed.token);
      const tokenPath = f.write(`${kind}-token.der`, parsed.token);
      const verify = await openssl([
        'ts',
        '-verify',
        '-digest',
        hex(digest),
        '-in',
        tokenPath,
        '-token_in',
        '-CAfile',
        f.rootPath,
        '-untrusted',
        id.certPath,
      ]);
      assert.equal(verify.code, 0, verify.stderr);
      assert.match(verify.stdout.toString(), /Verification: OK/);
      // The same check over another digest must fail: the verification above is not vacuous.
      const mismatch = await openssl([
        'ts',
        '-verify',
        '-digest',
        hex(randomDigest()),
        '-in',
        tokenPath,
        '-token_in',
        '-CAfile',
        f.rootPath,
        '-untrusted',
        id.certPath,
      ]);
      assert.notEqual(mismatch.code, 0);
      assert.match(mismatch.stderr + mismatch.stdout.toString(), /message imprint mismatch/);

      const token = parseTimestampToken(parsed.token);
      assert.deepEqual(token.messageImprint, {
        hashAlgorithmOid: '2.16.840.1.101.3.4.2.1',
        digest: new Uint8Array(digest),
      });
      assert.equal(token.nonce, BigInt(`0x${hex(nonce)}`));
      assert.equal(token.serialNumberHex, hex(serial));
      assert.equal(token.policyOid, INKAN_DEFAULT_TSA_POLICY);
      assert.deepEqual(token.accuracy, { seconds: 1, millis: undefined, micros: undefined });
      assert.match(token.tsaName ?? '', /CN=Inkan Test TSA/);
      assert.deepEqual(token.certificates, [id.certDer, f.rootDer]);
      assert.deepEqual(token.signerCertificate, id.certDer);
      assert.equal(await token.signatureProblem(), null);
    });
  }

  for (const hash of ['sha256', 'sha384', 'sha512'] as const) {
    it(`answers an openssl -${hash} query that openssl then verifies against the query`, async () => {
      const responder = createTimestampResponder({ certificate: f.ecdsa.certDer, signer: f.ecdsa.signer });
      const data = f.write(`data-${hash}.bin`, randomBytes(1000));
      const queryPath = f.write(`q-${hash}.tsq`, new Uint8Array(0));
      await opensslOk(['ts', '-query', '-data', data, `-${hash}`, '-cert', '-out', queryPath]);
      const response = await responder.respond(readFileSync(queryPath));
      const responsePath = f.write(`r-${hash}.tsr`, response);
      const verify = await openssl([
        'ts',
        '-verify',
        '-queryfile',
        queryPath,
        '-in',
        responsePath,
        '-CAfile',
        f.rootPath,
        '-untrusted',
        f.ecdsa.certPath,
      ]);
      assert.equal(verify.code, 0, verify.stderr);
      assert.match(verify.stdout.toString(), /Verification: OK/);
      const token = parseTimestampToken(parseTimestampResponse(response).token!);
      assert.deepEqual(
        token.messageImprint.digest,
        new Uint8Array(createHash(hash).update(readFileSync(data)).digest()),
      );
    });
  }

  it('leaves certificates out without certReq and echoes no nonce when none was sent', async () => {
    const responder = createTimestampResponder({
      certificate: f.rsa.certDer,
      chain: [f.rootDer],
      signer: f.rsa.signer,
    });
    const data = f.write('data-nocert.bin', randomBytes(100));
    const queryPath = f.write('q-nocert.tsq', new Uint8Array(0));
    await opensslOk(['ts', '-query', '-data', data, '-sha256', '-no_nonce', '-out', queryPath]);
    const response = await responder.respond(readFileSync(queryPath));
    const verify = await openssl([
      'ts',
      '-verify',
      '-queryfile',
      queryPath,
      '-in',
      f.write('r-nocert.tsr', response),
      '-CAfile',
      f.rootPath,
      '-untrusted',
      f.rsa.certPath,
    ]);
    assert.equal(verify.code, 0, verify.stderr);
    const token = parseTimestampToken(parseTimestampResponse(response).token!);
    assert.deepEqual(token.certificates, []);
    assert.equal(token.nonce, undefined);
    assert.equal(token.signerCertificate, undefined);
    assert.equal(await token.verifySignature(), false);
    assert.equal(await token.verifySignature(f.rsa.certDer), true);
    assert.equal(await token.verifySignature(f.ecdsa.certDer), false);
  });

  it('uses the injected clock at the chosen precision', async () => {
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 + 678);
    for (const [precision, expected] of [
      ['millisecond', at.getTime()],
      ['second', at.getTime() - 678],
    ] as const) {
      const responder = createTimestampResponder({
        certificate: f.rsa.certDer,
        signer: f.rsa.signer,
        now: () => at,
        precision,
      });
      const token = parseTimestampToken(
        parseTimestampResponse(await responder.respond(buildTimestampRequest(randomDigest()))).token!,
      );
      assert.equal(token.genTime.getTime(), expected);
    }
  });
});

describe('timestamp responder, refusing bad requests without throwing', () => {
  async function rejection(request: Uint8Array): Promise<{ failInfo?: string[]; text: string; statusText?: string }> {
    const responder = createTimestampResponder({ certificate: f.rsa.certDer, signer: f.rsa.signer });
    const response = await responder.respond(request);
    const parsed = parseTimestampResponse(response);
    assert.equal(parsed.status, 2);
    assert.equal(parsed.token, undefined);
    // openssl must read our rejection as one too.
    const text = (await opensslOk(['ts', '-reply', '-in', f.write('rejection.tsr', response), '-text'])).toString();
    assert.match(text, /Status: Rejected\./);
    return { failInfo: parsed.failInfo, text, statusText: parsed.statusText };
  }

  function request(fields: {
    oid?: string;
    params?: asn1js.AsnType;
    digest?: Uint8Array;
    version?: number;
    policy?: string;
    extensions?: pkijs.Extension[];
  }): Uint8Array {
    const req = new pkijs.TimeStampReq({
      version: fields.version ?? 1,
      messageImprint: new pkijs.MessageImprint({
        hashAlgorithm: new pkijs.AlgorithmIdentifier({
          algorithmId: fields.oid ?? '2.16.840.1.101.3.4.2.1',
          algorithmParams: fields.params,
        }),
        hashedMessage: new asn1js.OctetString({ valueHex: fields.digest ?? randomDigest() }),
      }),
      ...(fields.policy ? { reqPolicy: fields.policy } : {}),
      ...(fields.extensions ? { extensions: fields.extensions } : {}),
    });
    return new Uint8Array(req.toSchema().toBER());
  }

  it('garbage, empty input, trailing bytes and a non-request are badDataFormat', async () => {
    const good = buildTimestampRequest(randomDigest());
    for (const input of [new Uint8Array(randomBytes(64)), new Uint8Array(0), f.rootDer, new Uint8Array([...good, 0])]) {
      const { failInfo, text } = await rejection(input);
      assert.deepEqual(failInfo, ['badDataFormat']);
      assert.match(text, /the data submitted has the wrong format/);
    }
  });

  it('an openssl -sha1 query and non-NULL hash parameters are badAlg', async () => {
    const queryPath = f.write('q-sha1.tsq', new Uint8Array(0));
    await opensslOk(['ts', '-query', '-data', f.write('d.bin', 'x'), '-sha1', '-out', queryPath]);
    const sha1 = await rejection(readFileSync(queryPath));
    assert.deepEqual(sha1.failInfo, ['badAlg']);
    assert.match(sha1.text, /unrecognized or unsupported algorithm identifier/);
    assert.deepEqual((await rejection(request({ params: new asn1js.Integer({ value: 1 }) }))).failInfo, ['badAlg']);
  });

  it('an imprint whose length does not fit its algorithm is badDataFormat', async () => {
    assert.deepEqual((await rejection(request({ digest: new Uint8Array(20) }))).failInfo, ['badDataFormat']);
    assert.deepEqual((await rejection(request({ oid: '2.16.840.1.101.3.4.2.3', digest: randomDigest() }))).failInfo, [
      'badDataFormat',
    ]);
  });

  it('a policy we do not have is unacceptedPolicy; ours is granted', async () => {
    const queryPath = f.write('q-policy.tsq', new Uint8Array(0));
    await opensslOk([
      'ts',
      '-query',
      '-data',
      f.write('d.bin', 'x'),
      '-sha256',
      '-tspolicy',
      '1.2.3.4.5',
      '-out',
      queryPath,
    ]);
    const refused = await rejection(readFileSync(queryPath));
    assert.deepEqual(refused.failInfo, ['unacceptedPolicy']);
    assert.match(refused.text, /requested TSA policy is not supported/);
    const responder = createTimestampResponder({ certificate: f.rsa.certDer, signer: f.rsa.signer });
    assert.equal(
      parseTimestampResponse(await responder.respond(request({ policy: INKAN_DEFAULT_TSA_POLICY }))).status,
      0,
    );
  });

  it('version 2 is badRequest, extensions are unacceptedExtension', async () => {
    assert.deepEqual((await rejection(request({ version: 2 }))).failInfo, ['badRequest']);
    const extension = new pkijs.Extension({ extnID: '1.2.3.4', critical: false, extnValue: new asn1js.Null().toBER() });
    assert.deepEqual((await rejection(request({ extensions: [extension] }))).failInfo, ['unacceptedExtension']);
  });

  it('a failing signer gives a systemFailure response, not an exception', async () => {
    const broken: Signer = {
      keyAlgorithm: 'RSA',
      certificateChain: [f.rsa.certDer],
      sign: async () => Promise.reject(new Error('HSM unplugged')),
    };
    const responder = createTimestampResponder({ certificate: f.rsa.certDer, signer: broken });
    const parsed = parseTimestampResponse(await responder.respond(buildTimestampRequest(randomDigest())));
    assert.equal(parsed.status, 2);
    assert.deepEqual(parsed.failInfo, ['systemFailure']);
    assert.doesNotMatch(parsed.statusText ?? '', /HSM/);
  });
});
