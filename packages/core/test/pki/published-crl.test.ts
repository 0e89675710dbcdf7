// The CRLs the built-in CA publishes in its PKI directory (root.crl, issuing.crl) for verification
// without keys: written at init and on revocation, judged by openssl, and trusted by readPublishedCrls
// only while current, complete against revoked.json and signed by the CA asked about.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  certificateSerialHex,
  CrlReason,
  initBuiltinPki,
  loadBuiltinPki,
  PUBLISHED_CRL_FILES,
  readPublishedCrls,
  type BuiltinPki,
} from '../../src/pki/index.ts';
import { openssl, tempDir } from './pki-fixtures.ts';

const DAY = 24 * 3600 * 1000;

describe('CRLs published by the built-in PKI', () => {
  const tmp = tempDir('published-crl');
  const dir = tmp.path;
  let pki: BuiltinPki;
  const published = (at = new Date()) => readPublishedCrls(dir, 'revoked.json', at);
  const serialText = (der: Uint8Array) => new X509Certificate(der).serialNumber.toUpperCase();

  before(async () => {
    await initBuiltinPki({ dir, publicUrl: 'http://127.0.0.1:9' });
    pki = await loadBuiltinPki({ dir });
    writeFileSync(join(dir, 'chain.pem'), pki.rootPem() + pki.issuingPem());
  });
  after(() => tmp.cleanup());

  it('init publishes both CAs’ CRLs, which openssl verifies and which are current for a week', async () => {
    const root = await openssl(['crl', '-in', 'root.crl', '-inform', 'DER', '-CAfile', 'root.pem', '-noout'], dir);
    assert.match(root.output, /verify OK/);
    const issuing = await openssl(
      ['crl', '-in', 'issuing.crl', '-inform', 'DER', '-CAfile', 'chain.pem', '-noout', '-text'],
      dir,
    );
    assert.match(issuing.output, /verify OK/);
    assert.match(issuing.stdout, /No Revoked Certificates/);

    const now = await published();
    assert.deepEqual([...now.usable].sort(), ['issuing', 'root']);
    assert.deepEqual(now.forIssuer(pki.rootCertificate), new Uint8Array(readFileSync(join(dir, 'root.crl'))));
    assert.deepEqual(now.forIssuer(pki.issuingCertificate), new Uint8Array(readFileSync(join(dir, 'issuing.crl'))));
    // Not a CA of this PKI's CRLs: no answer.
    assert.equal(now.forIssuer(pki.signingCertificate), null);
    // Past nextUpdate, or before thisUpdate (beyond the clock skew): not current, so not usable.
    assert.equal((await published(new Date(Date.now() + 8 * DAY))).usable.size, 0);
    assert.equal((await published(new Date(Date.now() - DAY))).forIssuer(pki.rootCertificate), null);
  });

  it('a tampered or missing file is not usable', async () => {
    const saved = readFileSync(join(dir, 'issuing.crl'));
    try {
      const tampered = Buffer.from(saved);
      tampered[tampered.length - 1] ^= 1; // the last byte of the signature
      writeFileSync(join(dir, 'issuing.crl'), tampered);
      const crls = await published();
      assert.equal(crls.forIssuer(pki.issuingCertificate), null, 'a CRL whose signature fails');
      assert.notEqual(crls.forIssuer(pki.rootCertificate), null);
      writeFileSync(join(dir, 'issuing.crl'), 'not a CRL');
      assert.deepEqual([...(await published()).usable], ['root']);
    } finally {
      writeFileSync(join(dir, 'issuing.crl'), saved);
    }
  });

  it('revoke() publishes the CA’s CRL again, listing the certificate; a CRL without it is not usable', async () => {
    const before = join(dir, 'issuing-before.crl');
    copyFileSync(join(dir, 'issuing.crl'), before);
    await pki.revoke(certificateSerialHex(pki.signingCertificate), CrlReason.keyCompromise);
    const text = await openssl(
      ['crl', '-in', 'issuing.crl', '-inform', 'DER', '-CAfile', 'chain.pem', '-noout', '-text'],
      dir,
    );
    assert.match(text.output, /verify OK/);
    assert.match(text.stdout, new RegExp(`Serial Number: ${serialText(pki.signingCertificate)}`));
    assert.match(text.stdout, /Key Compromise/);
    assert.notEqual((await published()).forIssuer(pki.issuingCertificate), null);

    // The process stopped between revoked.json and the CRL: the older CRL lacks the revocation.
    copyFileSync(before, join(dir, 'issuing.crl'));
    const stale = await published();
    assert.deepEqual([...stale.usable], ['root']);
    assert.equal(stale.forIssuer(pki.issuingCertificate), null);
    // refreshPublishedCrls() mends it, and leaves the root's current CRL alone.
    const rootBefore = readFileSync(join(dir, 'root.crl'));
    assert.deepEqual(await pki.refreshPublishedCrls(), ['issuing']);
    assert.ok(readFileSync(join(dir, 'root.crl')).equals(rootBefore));
    const mended = await published();
    assert.deepEqual([...mended.usable].sort(), ['issuing', 'root']);
    assert.deepEqual(await pki.refreshPublishedCrls(), [], 'nothing to publish while both are current');
  });

  it('refreshPublishedCrls() publishes a CRL that has less than half its week left', async () => {
    const later = await loadBuiltinPki({ dir, now: () => new Date(Date.now() + 4 * DAY) });
    assert.deepEqual(await later.refreshPublishedCrls(), ['root', 'issuing']);
    // Made at the later clock: current then, still listing the revocation.
    const crls = await published(new Date(Date.now() + 10 * DAY));
    assert.deepEqual([...crls.usable].sort(), ['issuing', 'root']);
    const text = await openssl(['crl', '-in', 'issuing.crl', '-inform', 'DER', '-noout', '-text'], dir);
    assert.match(text.stdout, new RegExp(`Serial Number: ${serialText(pki.signingCertificate)}`));
  });

  it('revoking the issuing CA publishes the root’s CRL listing it', async () => {
    await pki.revoke(certificateSerialHex(pki.issuingCertificate), CrlReason.cACompromise);
    const text = await openssl(
      ['crl', '-in', PUBLISHED_CRL_FILES.root, '-inform', 'DER', '-CAfile', 'root.pem', '-noout', '-text'],
      dir,
    );
    assert.match(text.output, /verify OK/);
    assert.match(text.stdout, new RegExp(`Serial Number: ${serialText(pki.issuingCertificate)}`));
    assert.notEqual((await published()).forIssuer(pki.rootCertificate), null);
  });
});
