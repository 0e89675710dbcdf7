import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createWitnessSigner, type Signer } from '@inkan/core';
import { createPkiFixture, type PkiFixture } from '../../../core/test/helpers/pki-fixture.ts';
import { cachedCertificateIdentities, certificateIdentity, keyUseDetails } from '../../src/domain/key-use.ts';

function expected(der: Uint8Array): { serial: string; sha256: string; subject: string } {
  const x = new X509Certificate(der);
  return {
    serial: x.serialNumber.toLowerCase(),
    sha256: x.fingerprint256.replace(/:/g, '').toLowerCase(),
    subject: x.subject.replace(/\n/g, ', '),
  };
}

describe('certificate identities of key.used (cached by content)', () => {
  let fixture: PkiFixture;
  const witnesses: Signer[] = [];
  before(async () => {
    fixture = await createPkiFixture();
    for (let i = 0; i < 70; i++)
      witnesses.push(await createWitnessSigner(fixture.pki, { name: `署名者 ${i}`, email: `s${i}@example.jp` }));
  });
  after(() => fixture.cleanup());

  test('each certificate gets its own identity, the same on a second read', () => {
    const platform = fixture.pki.signingSigner.certificateChain[0];
    assert.deepEqual(certificateIdentity(platform), expected(platform));
    for (const w of witnesses.slice(0, 3)) {
      const der = w.certificateChain[0];
      assert.deepEqual(certificateIdentity(der), expected(der));
      assert.deepEqual(certificateIdentity(der), expected(der));
    }
    assert.notEqual(certificateIdentity(witnesses[0].certificateChain[0]).serial, certificateIdentity(platform).serial);
  });

  test('a caller changing the identity it got does not change the next answer', () => {
    const der = witnesses[1].certificateChain[0];
    const first = certificateIdentity(der);
    first.subject = 'CN=mallory';
    first.serial = '00';
    assert.deepEqual(certificateIdentity(der), expected(der));
  });

  test('the same bytes in a new array are found by content; the cache stays bounded', () => {
    const der = witnesses[2].certificateChain[0];
    assert.deepEqual(certificateIdentity(new Uint8Array(der)), expected(der));
    for (const w of witnesses) certificateIdentity(w.certificateChain[0]);
    assert.ok(cachedCertificateIdentities() <= 64, `${cachedCertificateIdentities()} cached`);
    // The oldest were dropped and are read again correctly.
    assert.deepEqual(certificateIdentity(witnesses[0].certificateChain[0]), expected(witnesses[0].certificateChain[0]));
  });

  test('keyUseDetails names the platform key and, for witness signing, the certificate used', () => {
    const platform = fixture.pki.signingSigner;
    const details = keyUseDetails({
      platformSigner: platform,
      signedWith: witnesses[3],
      purpose: 'recipient-signature',
    });
    const key = expected(platform.certificateChain[0]);
    const certificate = expected(witnesses[3].certificateChain[0]);
    assert.deepEqual(details.key, {
      certificateSerial: key.serial,
      certificateSha256: key.sha256,
      subject: key.subject,
    });
    assert.deepEqual(details.certificate, certificate);
    const own = keyUseDetails({ platformSigner: platform, signedWith: platform, purpose: 'seal' });
    assert.equal(own.certificate, undefined);
  });
});
