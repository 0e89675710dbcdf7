import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  createCadesSignature,
  DEFAULT_TIMESTAMP_TOKEN_ALLOWANCE,
  estimateCadesSize,
  parseCmsSignature,
} from '../../src/cms/index.ts';
import { sha256, tempDir } from './helpers/fixtures.ts';
import { OpensslTimestampAuthority } from './helpers/openssl-tsa.ts';
import { createSigner, createTestPki, type TestPki } from './helpers/test-pki.ts';

const temp = tempDir('cms-size');
let pki: TestPki;
let tsa: OpensslTimestampAuthority;
before(async () => {
  pki = await createTestPki(temp.dir);
  tsa = await new OpensslTimestampAuthority(pki).init(pki);
});
after(() => temp.remove());

// The only slack without a timestamp is the optional signing-time attribute (≈ 30 bytes) and ECDSA's variable length.
const SLACK = 64;

describe('estimateCadesSize', () => {
  for (const spec of ['rsa-2048', 'rsa-3072', 'p-256'] as const) {
    it(`${spec}: an upper bound with and without a timestamp, tight apart from the token allowance`, async () => {
      const { signer } = await createSigner(pki, `size-${spec}`, spec);
      const withoutTimestamp = estimateCadesSize(signer, false);
      const withTimestamp = estimateCadesSize(signer, true);
      // The token attribute costs its allowance plus the framing (attribute, [1] SET, longer outer lengths).
      const framing = withTimestamp - withoutTimestamp - DEFAULT_TIMESTAMP_TOKEN_ALLOWANCE;
      assert.ok(framing > 0 && framing <= 40, `framing ${framing}`);

      // ECDSA signatures vary in length: sign several times to meet the longer ones.
      for (let round = 0; round < (spec === 'p-256' ? 12 : 2); round++) {
        const plain = await createCadesSignature({ signer, contentDigest: sha256(randomBytes(64)) });
        assert.ok(plain.length <= withoutTimestamp, `${plain.length} > ${withoutTimestamp}`);
        assert.ok(
          withoutTimestamp - plain.length <= SLACK,
          `estimate ${withoutTimestamp} wastes ${withoutTimestamp - plain.length} bytes`,
        );
        const timed = await createCadesSignature({
          signer,
          contentDigest: sha256(randomBytes(64)),
          signingTime: new Date(Date.UTC(2099, 11, 31, 23, 59, 59)),
        });
        assert.ok(timed.length <= withoutTimestamp, `with signing-time ${timed.length} > ${withoutTimestamp}`);
      }
      const stamped = await createCadesSignature({
        signer,
        contentDigest: sha256(randomBytes(64)),
        timestampAuthority: tsa,
      });
      const token = parseCmsSignature(stamped).signatureTimestampToken;
      assert.ok(token && token.length < DEFAULT_TIMESTAMP_TOKEN_ALLOWANCE);
      assert.ok(stamped.length <= withTimestamp, `${stamped.length} > ${withTimestamp}`);
      assert.ok(withTimestamp - stamped.length <= DEFAULT_TIMESTAMP_TOKEN_ALLOWANCE - token.length + SLACK);
    });
  }

  it('a larger allowance is honoured', async () => {
    const { signer } = await createSigner(pki, 'size-allowance', 'p-256');
    assert.equal(
      estimateCadesSize(signer, true, 20_000) - estimateCadesSize(signer, true),
      20_000 - DEFAULT_TIMESTAMP_TOKEN_ALLOWANCE,
    );
  });
});
