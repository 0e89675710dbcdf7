import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  createWitnessSigner,
  CoreError,
  renewPdf,
  sealPdf,
  signPdf,
  stampCertificateId,
  verifyPdf,
  type Signer,
} from '../../src/index.ts';
import { assertAcceptedByValidators } from '../helpers/assert-validators.ts';
import { makePdf } from '../helpers/make-pdf.ts';
import { createPkiFixture, type PkiFixture } from '../helpers/pki-fixture.ts';
import {
  extractSignatures,
  mutoolVerify,
  opensslCmsVerify,
  pdfsig,
  pdfText,
  pdftotextBbox,
} from '../helpers/validators.ts';

/** True when `prefix` is the start of `whole`, byte for byte. */
function isPrefix(prefix: Uint8Array, whole: Uint8Array): boolean {
  return whole.length >= prefix.length && Buffer.compare(whole.subarray(0, prefix.length), prefix) === 0;
}

const SIGNERS = [
  { name: '山田 太郎', email: 'taro@example.jp' },
  { name: '佐藤 花子', email: 'hanako@example.co.jp' },
  { name: '東京都 契約課', email: 'keiyaku@example.lg.jp' },
];

async function signAll(fixture: PkiFixture, pdf: Uint8Array, count: number): Promise<Uint8Array> {
  let out = pdf;
  for (const who of SIGNERS.slice(0, count)) {
    const signer = await createWitnessSigner(fixture.pki, who);
    out = await signPdf(out, {
      signer,
      timestampAuthority: fixture.tsa,
      name: `${who.name} <${who.email}>`,
      reason: 'email + access code',
      location: 'envelope env_0123',
    });
  }
  return out;
}

describe('stamp with the ID alphabet', () => {
  test('draws the same text, and two IDs share one font subset covering the whole alphabet', async () => {
    const alphabet = 'IK-23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
    const original = await makePdf({ pages: 1 });
    const baseFonts: string[] = [];
    for (const id of ['IK-2345-6789-ABCD', 'IK-WXYZ-PQRS-JKLM']) {
      const stamped = stampCertificateId(original, { certificateId: id, idAlphabet: alphabet });
      assert.match(await pdfText(stamped, { page: 1 }), new RegExp(`締結証明書ID: ${id}`));
      const tail = Buffer.from(stamped.subarray(original.length)).toString('latin1');
      const name = /\/BaseFont\s*\/([A-Z]{6}\+NotoSansJP-Regular)/.exec(tail)?.[1];
      assert.ok(name, 'the stamp embeds a Noto Sans JP subset');
      baseFonts.push(name);
    }
    // The subset tag is a hash of the glyph set: equal tags, one subset for every ID.
    assert.equal(baseFonts[0], baseFonts[1]);
    // Without the alphabet each ID gets a subset of its own characters.
    const own = stampCertificateId(original, { certificateId: 'IK-2345-6789-ABCD' });
    const ownName = /\/BaseFont\s*\/([A-Z]{6}\+NotoSansJP-Regular)/.exec(
      Buffer.from(own.subarray(original.length)).toString('latin1'),
    )?.[1];
    assert.ok(ownName);
    assert.notEqual(ownName, baseFonts[0]);
  });
});

for (const variant of [
  { label: 'classic xref table, RSA-2048', useObjectStreams: false, key: 'RSA-2048' as const },
  { label: 'xref stream and object streams, ECDSA P-256', useObjectStreams: true, key: 'ECDSA-P256' as const },
]) {
  describe(`PAdES signing (${variant.label})`, () => {
    let fixture: PkiFixture;
    let original: Uint8Array;
    let prepared: Uint8Array;
    before(async () => {
      fixture = await createPkiFixture(variant.key);
      original = await makePdf({ pages: 3, useObjectStreams: variant.useObjectStreams });
      prepared = stampCertificateId(original, { certificateId: 'IK-2026-7F3A-92KD' });
    });
    after(() => fixture.cleanup());

    test('prepare stamps the certificate ID bottom-left on page 1, extractable, by incremental update', async () => {
      assert.ok(isPrefix(original, prepared), 'the original bytes are a prefix');
      const text = await pdfText(prepared, { page: 1 });
      assert.match(text, /締結証明書ID: IK-2026-7F3A-92KD/);
      const page = await pdftotextBbox(prepared, 1);
      const id = page.words.find((w) => w.text === 'IK-2026-7F3A-92KD');
      assert.ok(id, 'the ID is a word on page 1');
      assert.ok(id.xMin < page.width * 0.25, `left (${id.xMin} of ${page.width})`);
      assert.ok(id.yMax > page.height * 0.9, `bottom (${id.yMax} of ${page.height})`);
      assert.doesNotMatch(await pdfText(prepared, { page: 2 }), /締結証明書ID/);
    });

    test('one signer: B-T signature accepted by pdfsig, mutool, openssl and the verifier', async () => {
      const signed = await signAll(fixture, prepared, 1);
      assert.ok(isPrefix(prepared, signed));
      await assertAcceptedByValidators(signed, {
        signatures: 1,
        documentTimestamps: 0,
        nssDir: fixture.nssDir,
        rootPem: fixture.rootPem,
        untrustedPem: fixture.chainPem,
      });
      const report = await verifyPdf(signed, {
        trustAnchors: [fixture.pki.rootCertificate],
        revocationProvider: fixture.pki.revocationProvider,
      });
      assert.equal(report.exitCode, 0, report.summary);
      const [s] = report.signatures;
      assert.equal(s.level, 'B-T');
      assert.equal(s.signer?.commonName, '山田 太郎');
      assert.equal(s.signer?.email, 'taro@example.jp');
      assert.equal(s.claimed.reason, 'email + access code');
      assert.equal(s.claimed.location, 'envelope env_0123');
      assert.equal(s.claimed.name, '山田 太郎 <taro@example.jp>');
      assert.ok(s.timestamp?.trusted);
    });

    test('three signers then seal: three valid signatures and a document timestamp, B-LTA; renew adds another', async () => {
      const signed = await signAll(fixture, prepared, 3);
      const sealed = await sealPdf(signed, fixture.sealOptions);
      await assertAcceptedByValidators(sealed, {
        signatures: 3,
        documentTimestamps: 1,
        nssDir: fixture.nssDir,
        rootPem: fixture.rootPem,
        untrustedPem: fixture.chainPem,
      });
      const report = await verifyPdf(sealed, { trustAnchors: [fixture.pki.rootCertificate] });
      assert.equal(report.exitCode, 0, JSON.stringify(report.signatures.map((s) => s.problems)));
      assert.deepEqual(
        report.signatures.map((s) => s.type),
        ['signature', 'signature', 'signature', 'document-timestamp'],
      );
      assert.deepEqual(
        report.signatures.slice(0, 3).map((s) => s.level),
        ['B-LTA', 'B-LTA', 'B-LTA'],
      );
      assert.deepEqual(
        report.signatures.slice(0, 3).map((s) => s.signer?.commonName),
        SIGNERS.map((s) => s.name),
      );
      for (const s of report.signatures.slice(0, 3)) {
        assert.equal(s.revocation.status, 'good');
        assert.equal(s.revocation.complete, true);
        assert.equal(s.laterChanges.allowed, true);
      }
      const page = await pdftotextBbox(sealed, 1);
      assert.ok(page.words.some((w) => w.text === 'IK-2026-7F3A-92KD' && w.yMax > page.height * 0.9));

      const renewed = await renewPdf(sealed, fixture.sealOptions);
      assert.ok(isPrefix(sealed, renewed));
      await assertAcceptedByValidators(renewed, {
        signatures: 3,
        documentTimestamps: 2,
        nssDir: fixture.nssDir,
        rootPem: fixture.rootPem,
        untrustedPem: fixture.chainPem,
      });
      const renewedReport = await verifyPdf(renewed, { trustAnchors: [fixture.pki.rootCertificate] });
      assert.equal(renewedReport.exitCode, 0, renewedReport.summary);
      assert.equal(renewedReport.signatures.filter((s) => s.type === 'document-timestamp').length, 2);
      assert.ok(renewedReport.signatures.every((s) => s.status === 'valid'));
    });

    test('one byte changed inside a signed range fails pdfsig, mutool, openssl and the verifier', async () => {
      const signed = await signAll(fixture, prepared, 1);
      const [sig] = extractSignatures(signed);
      const tampered = Uint8Array.from(signed);
      // A byte of page content inside the first signed range: "Page 1" becomes "Page 2".
      const at = Buffer.from(tampered).indexOf('Page 1');
      const target = at >= 0 && at < sig.byteRange[1] ? at + 5 : 200;
      tampered[target] ^= 0x01;

      const poppler = await pdfsig(tampered, { nssDir: fixture.nssDir });
      assert.notEqual(poppler.signatures[0].validation, 'Signature is Valid.', poppler.raw);
      const mupdf = await mutoolVerify(tampered);
      assert.notEqual(mupdf.signatures[0]?.message, 'unchanged', mupdf.raw);
      assert.notEqual(mupdf.signatures[0]?.message, 'edited', mupdf.raw);
      const [tsig] = extractSignatures(tampered);
      const cms = await opensslCmsVerify({
        cmsDer: tsig.contents,
        content: tsig.signedBytes,
        rootPem: fixture.rootPem,
        untrustedPem: fixture.chainPem,
      });
      assert.equal(cms.ok, false, cms.output);
      const report = await verifyPdf(tampered, { trustAnchors: [fixture.pki.rootCertificate] });
      assert.equal(report.exitCode, 1);
      assert.equal(report.signatures[0].integrity.digestMatches, false);
      assert.equal(report.signatures[0].status, 'invalid');
    });

    test('without the root as trust anchor the verifier says untrusted (exit 1)', async () => {
      const signed = await signAll(fixture, prepared, 1);
      const report = await verifyPdf(signed);
      assert.equal(report.exitCode, 1);
      assert.equal(report.signatures[0].status, 'untrusted');
    });
  });
}

describe('bad input to prepare, sign and verify', () => {
  let fixture: PkiFixture;
  let signer: Signer;
  before(async () => {
    fixture = await createPkiFixture();
    signer = fixture.pki.signingSigner;
  });
  after(() => fixture.cleanup());

  const cases: Array<{ label: string; make: () => Promise<Uint8Array>; code: string }> = [
    { label: 'not a PDF', make: async () => Buffer.from('hello, this is not a PDF at all\n'), code: 'PDF_NOT_A_PDF' },
    { label: 'empty file', make: async () => new Uint8Array(0), code: 'PDF_NOT_A_PDF' },
    { label: 'truncated', make: async () => (await makePdf({ pages: 2 })).subarray(0, 700), code: 'PDF_TRUNCATED' },
    {
      label: 'encrypted',
      make: async () => (await import('../helpers/make-pdf.ts')).makeEncryptedPdf(),
      code: 'PDF_ENCRYPTED',
    },
    {
      label: 'broken xref',
      make: async () => (await import('../helpers/make-pdf.ts')).makeBrokenXrefPdf(),
      code: 'PDF_BROKEN_XREF',
    },
    {
      label: 'zero pages',
      make: async () => (await import('../helpers/make-pdf.ts')).makeZeroPagePdf(),
      code: 'PDF_NO_PAGES',
    },
  ];
  for (const c of cases) {
    test(`${c.label} → CoreError ${c.code} from stamp and sign; verify exit 2`, async () => {
      const input = await c.make();
      assert.throws(
        () => stampCertificateId(input, { certificateId: 'X-1' }),
        (e: unknown) => e instanceof CoreError && e.code === c.code,
      );
      await assert.rejects(signPdf(input, { signer }), (e: unknown) => e instanceof CoreError && e.code === c.code);
      const report = await verifyPdf(input);
      assert.equal(report.exitCode, 2);
    });
  }
});
