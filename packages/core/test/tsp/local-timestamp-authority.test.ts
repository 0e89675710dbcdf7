import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { isCoreError } from '../../src/errors.ts';
import type { Signer } from '../../src/signer.ts';
import { LocalTimestampAuthority, createTimestampResponder, parseTimestampToken } from '../../src/tsp/index.ts';
import { createTsaFixture, hex, openssl, type TsaFixture } from './tsa-fixture.ts';

let f: TsaFixture;
before(async () => {
  f = await createTsaFixture();
});
after(() => f?.cleanup());

const digest = () => new Uint8Array(createHash('sha256').update(randomBytes(16)).digest());

describe('LocalTimestampAuthority', () => {
  for (const kind of ['rsa', 'ecdsa'] as const) {
    it(`${kind}: returns a token over the digest that openssl verifies`, async () => {
      const id = f[kind];
      const tsa = new LocalTimestampAuthority(
        createTimestampResponder({ certificate: id.certDer, chain: [f.rootDer], signer: id.signer }),
      );
      const d = digest();
      const token = await tsa.timestamp(d);
      const verify = await openssl([
        'ts',
        '-verify',
        '-digest',
        hex(d),
        '-in',
        f.write(`local-${kind}.tst`, token),
        '-token_in',
        '-CAfile',
        f.rootPath,
        '-untrusted',
        id.certPath,
      ]);
      assert.equal(verify.code, 0, verify.stderr);
      assert.match(verify.stdout.toString(), /Verification: OK/);
      const parsed = parseTimestampToken(token);
      assert.deepEqual(parsed.messageImprint.digest, d);
      assert.notEqual(parsed.nonce, undefined);
    });
  }

  it('refuses a TSA certificate whose timeStamping EKU is not critical', async () => {
    const id = f.nonCriticalEku;
    const tsa = new LocalTimestampAuthority(createTimestampResponder({ certificate: id.certDer, signer: id.signer }));
    await assert.rejects(
      tsa.timestamp(digest()),
      (e) => isCoreError(e, 'TSA_BAD_RESPONSE') && /extendedKeyUsage is not critical/.test(e.message),
    );
  });

  it('refuses tokens signed by a key that is not the certificate’s', async () => {
    const tsa = new LocalTimestampAuthority(
      createTimestampResponder({ certificate: f.ecdsa.certDer, signer: f.rsa.signer }),
    );
    await assert.rejects(
      tsa.timestamp(digest()),
      (e) => isCoreError(e, 'TSA_BAD_RESPONSE') && /token signature/.test(e.message),
    );
  });

  it('passes on the responder’s refusals as TSA_REJECTED', async () => {
    const responder = createTimestampResponder({ certificate: f.rsa.certDer, signer: f.rsa.signer });
    const wrongPolicy = new LocalTimestampAuthority(responder, { policyOid: '1.2.3.4' });
    await assert.rejects(
      wrongPolicy.timestamp(digest()),
      (e) => isCoreError(e, 'TSA_REJECTED') && /unacceptedPolicy/.test(e.message),
    );
    const broken: Signer = {
      keyAlgorithm: 'RSA',
      certificateChain: [f.rsa.certDer],
      sign: () => Promise.reject(new Error('no key')),
    };
    const failing = new LocalTimestampAuthority(
      createTimestampResponder({ certificate: f.rsa.certDer, signer: broken }),
    );
    await assert.rejects(
      failing.timestamp(digest()),
      (e) => isCoreError(e, 'TSA_REJECTED') && /systemFailure/.test(e.message),
    );
    await assert.rejects(new LocalTimestampAuthority(responder).timestamp(new Uint8Array(20)), (e) =>
      isCoreError(e, 'TSA_REJECTED'),
    );
  });
});
