import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  addTimestampValidationData,
  createTimestampResponder,
  createWitnessSigner,
  KeyFileSigner,
  LocalTimestampAuthority,
  newestArchiveTimestamp,
  PdfDocument,
  renewPdf,
  sealPdf,
  signPdf,
} from '../../src/index.ts';
import { OID } from '../../src/asn1/oids.ts';
import { parseCertificate } from '../../src/x509/certificate.ts';
import { makePdf } from '../helpers/make-pdf.ts';
import { createPkiFixture, type PkiFixture } from '../helpers/pki-fixture.ts';

const DAY = 86_400_000;

describe('archive timestamps (LTA renewal)', () => {
  let fixture: PkiFixture;
  before(async () => {
    fixture = await createPkiFixture();
  });
  after(() => fixture.cleanup());

  test('a TSA certificate of the issuing CA: timeStamping EKU (critical), the validity asked for', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const der = await fixture.pki.issueTimestampCertificate({
      publicKeySpki: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
      subjectCommonName: 'Next TSA',
      keyAlgorithm: 'ECDSA-P256',
      validityDays: 10,
    });
    const certificate = parseCertificate(der);
    assert.deepEqual(certificate.extendedKeyUsage, [OID.kpTimeStamping]);
    assert.equal(certificate.extensions.get(OID.extKeyUsage)?.critical, true);
    const days = (certificate.notAfter.getTime() - Date.now()) / DAY;
    assert.ok(days > 9.9 && days <= 10, String(days));
  });

  test('reads the newest document timestamp; renewal adds one, and the validation data of it', async () => {
    const signer = await createWitnessSigner(fixture.pki, { name: '山田 太郎', email: 'taro@example.jp' });
    const signed = await signPdf(await makePdf({ pages: 1 }), {
      signer,
      timestampAuthority: fixture.tsa,
      name: '山田 太郎',
    });
    assert.equal(newestArchiveTimestamp(signed), null, 'a signature timestamp is no archive timestamp');
    const sealed = await sealPdf(signed, fixture.sealOptions);
    const first = newestArchiveTimestamp(sealed);
    assert.ok(first);
    assert.equal(first.documentTimestamps, 1);
    assert.equal(first.hash, 'sha256');
    assert.match(first.tsaSubject, /Timestamp Authority/);
    assert.equal(first.tsaNotAfter.getTime(), parseCertificate(fixture.pki.tsaCertificate).notAfter.getTime());

    // Renewed by another TSA: its certificate's end is what the file now says.
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const chain = [fixture.pki.issuingCertificate, fixture.pki.rootCertificate];
    const certificate = await fixture.pki.issueTimestampCertificate({
      publicKeySpki: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
      subjectCommonName: 'Second TSA',
      keyAlgorithm: 'RSA',
      validityDays: 30,
    });
    const second = new LocalTimestampAuthority(
      createTimestampResponder({ certificate, chain, signer: new KeyFileSigner(privateKey, [certificate, ...chain]) }),
    );
    const options = { ...fixture.sealOptions, timestampAuthority: second };
    const renewed = await renewPdf(sealed, options);
    const withData = await addTimestampValidationData(renewed, options);
    assert.equal(Buffer.compare(withData.subarray(0, renewed.length), renewed), 0, 'an incremental update');
    const info = newestArchiveTimestamp(withData);
    assert.ok(info);
    assert.equal(info.documentTimestamps, 2);
    assert.match(info.tsaSubject, /Second TSA/);
    // The DSS now holds a VRI entry for the new timestamp (one per signature and timestamp: 3).
    const doc = PdfDocument.load(withData);
    const dss = doc.dict(doc.catalog.get('DSS'));
    const vri = doc.dict(dss?.get('VRI'));
    assert.equal(vri?.entries.size, 3);
    await assert.rejects(addTimestampValidationData(signed, options), /no document timestamp/);
  });

  test('a file that is no PDF throws', () => {
    assert.throws(() => newestArchiveTimestamp(new TextEncoder().encode('not a pdf')));
  });
});
