// Tests of the test tooling itself: the validator wrappers must report what the real tools say
// (on the shared corpus and on freshly signed files), and the PDF factory must make what it claims.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, sign as cryptoSign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDF, type Signer as LibpdfSigner } from '@libpdf/core';
import {
  createNssDb,
  extractSignatureTimestampToken,
  extractSignatures,
  makeOpensslPki,
  mutoolVerify,
  opensslCmsVerify,
  opensslTsVerify,
  pdfInfo,
  pdfsig,
  pdfText,
  pdftotextBbox,
  qpdfCheck,
  runTool,
  timestampImprintHex,
  type OpensslPki,
} from './validators.ts';
import { makeBrokenXrefPdf, makeEncryptedPdf, makePdf, makeZeroPagePdf, truncate } from './make-pdf.ts';
import { corpusPath } from './corpus.ts';

const CORPUS = corpusPath('pyhanko');
const LTA = join(CORPUS, 'valid/pades-lta-dss-indirect-arrs-test.pdf');
const SNEAKY = join(CORPUS, 'suspicious/form-update-override-appearance-stream-sneaky.pdf');
const anomaly = (name: string) => join(CORPUS, 'coverage-anomalies', `${name}.pdf`);
const sha256Hex = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
// The pyHanko test PKI was valid when its sample was signed; its leaf has expired since.
const LTA_SIGNED_AT = new Date('2020-11-01T01:00:00Z');

describe('pdfsig wrapper on the corpus', () => {
  it('reports the B-LTA sample: a valid CAdES signature and an unverified document timestamp', async () => {
    const result = await pdfsig(LTA);
    assert.equal(result.exitCode, 0);
    assert.equal(result.signatures.length, 2);
    const [sig, ts] = result.signatures;
    assert.equal(sig.index, 1);
    assert.equal(sig.signerName, 'Alice');
    assert.equal(sig.subFilter, 'ETSI.CAdES.detached');
    assert.equal(sig.validation, 'Signature is Valid.');
    assert.equal(sig.certificate, 'Certificate has Expired');
    assert.deepEqual(sig.signedRanges, [
      [0, 2905],
      [25421, 25853],
    ]);
    assert.equal(sig.totalDocumentSigned, false);
    assert.equal(ts.signerName, 'Time Stamping Authority');
    assert.equal(ts.signatureType, 'unknown');
    assert.equal(ts.subFilter, undefined);
    assert.equal(ts.validation, 'Signature has not yet been verified.');
  });

  it('gives the coverage anomalies the verdicts FIELD-NOTES describe (poppler misses three)', async () => {
    const verdicts: Record<string, string> = {};
    for (const name of ['base', 'one-byterange', 'signature-gap-too-big', 'tail-uncovered', 'weird-byterange']) {
      const result = await pdfsig(anomaly(name));
      assert.equal(result.exitCode, 0, `${name}: pdfsig exits 0 whatever it finds`);
      assert.equal(result.signatures.length, 1, name);
      assert.equal(result.signatures[0].totalDocumentSigned, false, name);
      verdicts[name] = result.signatures[0].validation;
    }
    assert.deepEqual(verdicts, {
      base: 'Unknown Validation Failure.',
      'one-byterange': 'Signature is Valid.',
      'signature-gap-too-big': 'Signature is Valid.',
      'tail-uncovered': 'Signature is Valid.',
      'weird-byterange': 'Signature is Valid.',
    });
    assert.deepEqual((await pdfsig(anomaly('weird-byterange'))).signatures[0].signedRanges, [
      [0, 10],
      [20, 50],
    ]);
  });

  it('marks only the last revision as "Total document signed"', async () => {
    const result = await pdfsig(SNEAKY);
    assert.deepEqual(
      result.signatures.map((s) => [s.validation, s.totalDocumentSigned]),
      [
        ['Signature is Valid.', false],
        ['Signature is Valid.', true],
      ],
    );
  });

  it('exits 2 with no signatures on an unsigned file', async () => {
    const result = await pdfsig(await makePdf());
    assert.equal(result.exitCode, 2);
    assert.deepEqual(result.signatures, []);
    assert.match(result.raw, /does not contain any signatures/);
  });
});

describe('mutool wrapper on the corpus', () => {
  it('catches two coverage anomalies and calls two others merely edited', async () => {
    const messages: Record<string, string> = {};
    for (const name of ['base', 'one-byterange', 'signature-gap-too-big', 'tail-uncovered', 'weird-byterange']) {
      const result = await mutoolVerify(anomaly(name));
      assert.equal(result.exitCode, 0);
      assert.equal(result.signatures.length, 1, name);
      messages[name] = result.signatures[0].message;
    }
    assert.equal(messages['one-byterange'], 'edited');
    assert.equal(messages['tail-uncovered'], 'edited');
    assert.match(messages['signature-gap-too-big'], /^Verification error: /);
    assert.match(messages['weird-byterange'], /^Verification error: /);
    assert.match(messages.base, /Signature information missing/);
  });

  it('tells the earlier signature of a two-revision file from the last one', async () => {
    const result = await mutoolVerify(SNEAKY);
    assert.deepEqual(
      result.signatures.map((s) => [s.index, s.message]),
      [
        [1, 'edited'],
        [2, 'unchanged'],
      ],
    );
    assert.equal(result.signatures[0].certificateError, 'Self-signed certificate in chain.');
  });
});

describe('extractSignatures (independent byte scanner)', () => {
  it('finds every signature of the corpus files with its ByteRange and /Contents', () => {
    const counts = Object.fromEntries(
      [
        LTA,
        SNEAKY,
        ...['base', 'one-byterange', 'signature-gap-too-big', 'tail-uncovered', 'weird-byterange'].map(anomaly),
      ].map((f) => [f.slice(CORPUS.length + 1), extractSignatures(readFileSync(f)).length]),
    );
    assert.deepEqual(counts, {
      'valid/pades-lta-dss-indirect-arrs-test.pdf': 2,
      'suspicious/form-update-override-appearance-stream-sneaky.pdf': 2,
      'coverage-anomalies/base.pdf': 1,
      'coverage-anomalies/one-byterange.pdf': 1,
      'coverage-anomalies/signature-gap-too-big.pdf': 1,
      'coverage-anomalies/tail-uncovered.pdf': 1,
      'coverage-anomalies/weird-byterange.pdf': 1,
    });
  });

  it('reads the B-LTA sample like pdfsig does, and trims the padding by the DER length', () => {
    const bytes = readFileSync(LTA);
    const [sig, ts] = extractSignatures(bytes);
    assert.deepEqual(sig.byteRange, [0, 2905, 25421, 432]);
    assert.equal(sig.type, 'Sig');
    assert.equal(sig.subFilter, 'ETSI.CAdES.detached');
    assert.equal(ts.type, 'DocTimeStamp');
    assert.equal(ts.subFilter, 'ETSI.RFC3161');
    for (const s of [sig, ts]) {
      assert.equal(s.gapMatchesContents, true);
      assert.equal(s.derComplete, true);
      assert.equal(s.paddingIsZero, true);
      assert.equal(s.contents[0], 0x30);
      assert.ok(s.contents.length < (s.contentsEnd - s.contentsStart - 2) / 2, 'placeholder padding was cut');
      assert.equal(s.signedBytes.length, s.byteRange[1] + s.byteRange[3]);
      assert.equal(s.coversToEndOfFile, false); // DSS and later revisions follow
    }
  });

  it('flags the coverage anomalies in its own fields', () => {
    const one = (name: string) => extractSignatures(readFileSync(anomaly(name)))[0];
    assert.equal(one('base').derComplete, false); // the /Contents is not a CMS SEQUENCE
    assert.deepEqual(one('one-byterange').byteRange, [0, 690]);
    assert.equal(one('one-byterange').gapMatchesContents, false);
    assert.equal(one('signature-gap-too-big').gapMatchesContents, false);
    assert.equal(one('tail-uncovered').gapMatchesContents, true);
    assert.equal(one('tail-uncovered').coversToEndOfFile, false);
    assert.equal(one('weird-byterange').gapMatchesContents, false);
    assert.equal(one('weird-byterange').signedBytes.length, 40);
  });
});

describe('openssl wrappers on the B-LTA sample', () => {
  let dir: string;
  let rootPem: string;
  const [sig, docTs] = extractSignatures(readFileSync(LTA));
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inkan-validators-'));
    // The sample embeds its whole chain; take the self-signed root out of the CMS with openssl itself.
    writeFileSync(join(dir, 'sig.der'), sig.contents);
    const certs = await runTool('openssl', ['pkcs7', '-inform', 'DER', '-in', join(dir, 'sig.der'), '-print_certs']);
    const blocks = certs.stdout.split(/\n(?=subject=)/);
    const root = blocks.find((b) => /subject=.*CN = Root CA/.test(b) && /issuer=.*CN = Root CA/.test(b));
    assert.ok(root !== undefined, 'the sample carries its root');
    rootPem = root.slice(root.indexOf('-----BEGIN'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('verifies the CAdES signature over its ByteRange bytes, and rejects a changed byte', async () => {
    const ok = await opensslCmsVerify({
      cmsDer: sig.contents,
      content: sig.signedBytes,
      rootPem,
      atTime: LTA_SIGNED_AT,
    });
    assert.equal(ok.ok, true, ok.output);
    const changed = new Uint8Array(sig.signedBytes);
    changed[100] ^= 0x01;
    const bad = await opensslCmsVerify({ cmsDer: sig.contents, content: changed, rootPem, atTime: LTA_SIGNED_AT });
    assert.equal(bad.ok, false);
    assert.match(bad.output, /content verify error|verification failure/);
  });

  it('refuses the chain today (the leaf has expired) but checks the signature alone without a root', async () => {
    const today = await opensslCmsVerify({ cmsDer: sig.contents, content: sig.signedBytes, rootPem });
    assert.equal(today.ok, false);
    assert.match(today.output, /expired/);
    const noChain = await opensslCmsVerify({ cmsDer: sig.contents, content: sig.signedBytes });
    assert.equal(noChain.ok, true, noChain.output);
  });

  it('pulls the signature timestamp token whose imprint is SHA-256 of the signature value', async () => {
    const { tokenDer, signatureValue, signatureValueSha256Hex } = extractSignatureTimestampToken(sig.contents);
    assert.ok(tokenDer !== null);
    assert.equal(signatureValue.length, 256); // RSA-2048
    assert.equal(await timestampImprintHex(tokenDer), signatureValueSha256Hex);
    const ok = await opensslTsVerify({ tokenDer, digestHex: signatureValueSha256Hex, rootPem, atTime: LTA_SIGNED_AT });
    assert.equal(ok.ok, true, ok.output);
    const wrong = await opensslTsVerify({
      tokenDer,
      digestHex: sha256Hex(sig.signedBytes),
      rootPem,
      atTime: LTA_SIGNED_AT,
    });
    assert.equal(wrong.ok, false);
    assert.match(wrong.output, /message imprint mismatch/);
  });

  it('verifies the document timestamp against SHA-256 of its ByteRange bytes', async () => {
    assert.equal(extractSignatureTimestampToken(docTs.contents).tokenDer, null); // a TST carries no nested token
    const digestHex = sha256Hex(docTs.signedBytes);
    assert.equal(await timestampImprintHex(docTs.contents), digestHex);
    const ok = await opensslTsVerify({ tokenDer: docTs.contents, digestHex, rootPem, atTime: LTA_SIGNED_AT });
    assert.equal(ok.ok, true, ok.output);
  });
});

describe('validators on a freshly signed file (openssl PKI, signed by @libpdf/core)', () => {
  let dir: string;
  let pki: OpensslPki;
  let nssDir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inkan-validators-'));
    pki = await makeOpensslPki(dir);
    nssDir = await createNssDb(pki.rootPemPath, { parentDir: dir });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function signWithLibpdf(pdf: Uint8Array): Promise<Uint8Array> {
    const key = createPrivateKey(pki.leafKeyPem);
    const signer: LibpdfSigner = {
      certificate: pki.leafDer,
      certificateChain: [pki.rootDer],
      keyType: 'RSA',
      signatureAlgorithm: 'RSASSA-PKCS1-v1_5',
      sign: async (data) => cryptoSign('sha256', data, key),
    };
    const doc = await PDF.load(pdf);
    return (await doc.sign({ signer, reason: 'validator self-test' })).bytes;
  }

  for (const useObjectStreams of [false, true]) {
    it(`all validators agree on a good signature (object streams ${useObjectStreams ? 'on' : 'off'})`, async () => {
      const signed = await signWithLibpdf(await makePdf({ pages: 2, useObjectStreams }));
      const trusted = await pdfsig(signed, { nssDir, ocsp: true }); // no OCSP URL in the certificate: nothing is fetched
      assert.equal(trusted.signatures.length, 1);
      assert.equal(trusted.signatures[0].validation, 'Signature is Valid.');
      assert.equal(trusted.signatures[0].certificate, 'Certificate is Trusted.');
      assert.equal(trusted.signatures[0].totalDocumentSigned, true);
      assert.equal(trusted.signatures[0].signerName, 'Inkan Test Signer');
      assert.deepEqual(
        (await mutoolVerify(signed)).signatures.map((s) => s.message),
        ['unchanged'],
      );
      const [x] = extractSignatures(signed);
      assert.equal(x.gapMatchesContents, true);
      assert.equal(x.coversToEndOfFile, true);
      const cms = await opensslCmsVerify({ cmsDer: x.contents, content: x.signedBytes, rootPem: pki.rootPem });
      assert.equal(cms.ok, true, cms.output);
      assert.equal((await qpdfCheck(signed)).ok, true);
    });
  }

  it('shows poppler 22.12 quirks: -no-ocsp garbles a trusted chain; a missing root is "isn\'t Trusted"', async () => {
    const signed = await signWithLibpdf(await makePdf());
    // pdfsig reads a stale NSS error after a successful check when OCSP is disabled.
    assert.equal(
      (await pdfsig(signed, { nssDir })).signatures[0].certificate,
      'Unknown issue with Certificate or corrupted data.',
    );
    const emptyDb = await createNssDb([], { parentDir: dir });
    assert.equal(
      (await pdfsig(signed, { nssDir: emptyDb })).signatures[0].certificate,
      "Certificate issuer isn't Trusted.",
    );
  });

  it('all validators see one flipped byte inside the signed range', async () => {
    const signed = await signWithLibpdf(await makePdf());
    const tampered = new Uint8Array(signed);
    // Move /CreationDate from 2024 to 2025: still a well-formed PDF, but no longer the signed bytes.
    const at = Buffer.from(signed).indexOf('(D:2024') + 6;
    assert.ok(at > 6 && at < extractSignatures(signed)[0].byteRange[1], 'the date lies in the signed range');
    tampered[at] = '5'.charCodeAt(0);
    assert.equal((await pdfsig(tampered, { nssDir, ocsp: true })).signatures[0].validation, 'Digest Mismatch.');
    assert.deepEqual(
      (await mutoolVerify(tampered)).signatures.map((s) => s.message),
      ['invalid'],
    );
    const [x] = extractSignatures(tampered);
    assert.equal(
      (await opensslCmsVerify({ cmsDer: x.contents, content: x.signedBytes, rootPem: pki.rootPem })).ok,
      false,
    );
  });

  it('createNssDb trusts a root given as a path, as PEM text or as DER', async () => {
    for (const root of [pki.rootPemPath, pki.rootPem, pki.rootDer]) {
      const db = await createNssDb(root, { parentDir: dir });
      const list = await runTool('certutil', ['-L', '-d', `sql:${db}`]);
      assert.match(list.stdout, /^root\s+CT,C,C\s*$/m);
    }
  });
});

describe('makePdf and the broken variants', () => {
  it('makes a classic-xref PDF that qpdf accepts, with "Page N" text', async () => {
    const pdf = await makePdf({ pages: 1, title: 'Kontrakt' });
    const text = Buffer.from(pdf).toString('latin1');
    assert.match(text, /\nxref\n0 \d+\n/);
    assert.doesNotMatch(text, /\/ObjStm/);
    const check = await qpdfCheck(pdf);
    assert.equal(check.ok, true, check.output);
    const info = await pdfInfo(pdf);
    assert.equal(info.pages, 1);
    assert.equal(info.encrypted, false);
    assert.equal(info.fields.Title, 'Kontrakt');
    assert.match(await pdfText(pdf), /Page 1/);
  });

  it('makes object streams and an xref stream on request', async () => {
    const pdf = await makePdf({ pages: 3, useObjectStreams: true });
    const text = Buffer.from(pdf).toString('latin1');
    assert.match(text, /\/Type\s*\/ObjStm/);
    assert.match(text, /\/Type\s*\/XRef/);
    assert.doesNotMatch(text, /\nxref\n/);
    assert.equal((await qpdfCheck(pdf)).ok, true);
    assert.equal((await pdfInfo(pdf)).pages, 3);
    assert.match(await pdfText(pdf, { page: 3 }), /Page 3/);
  });

  it('places the text where pdftotext -bbox finds it on an A4 page', async () => {
    const pdf = await makePdf({ pages: 2, text: 'Hello contract' });
    const page2 = await pdftotextBbox(pdf, 2);
    assert.ok(Math.abs(page2.width - 595.28) < 0.01 && Math.abs(page2.height - 841.89) < 0.01);
    assert.deepEqual(
      page2.words.map((w) => w.text),
      ['Page', '2', 'Hello', 'contract'],
    );
    for (const w of page2.words)
      assert.ok(w.xMin >= 0 && w.xMax <= page2.width && w.yMin >= 0 && w.yMax <= page2.height && w.xMin < w.xMax);
    const page = page2.words.find((w) => w.text === 'Page')!;
    assert.ok(Math.abs(page.xMin - 72) < 0.5, `"Page" starts 1 inch from the left, got ${page.xMin}`);
  });

  it('pads a file to the requested size with incompressible bytes', async () => {
    const target = 2 * 1024 * 1024;
    const pdf = await makePdf({ pages: 2, padToBytes: target });
    assert.ok(Math.abs(pdf.length - target) < 8 * 1024, `got ${pdf.length} bytes`);
    assert.equal((await qpdfCheck(pdf)).ok, true);
    assert.equal((await pdfInfo(pdf)).pages, 2);
  });

  it('makes 100 pages that pdfinfo counts', async () => {
    assert.equal((await pdfInfo(await makePdf({ pages: 100 }))).pages, 100);
  });

  it('makes an AES-256 encrypted PDF that pdfinfo reports as encrypted', async () => {
    const pdf = await makeEncryptedPdf();
    const locked = await pdfInfo(pdf);
    assert.notEqual(locked.exitCode, 0);
    assert.match(locked.raw, /Incorrect password/);
    const opened = await pdfInfo(pdf, { password: 'user' });
    assert.equal(opened.encrypted, true);
    assert.match(opened.fields.Encrypted, /AES-256/);
    assert.equal((await qpdfCheck(pdf, { password: 'user' })).ok, true);
  });

  it('truncates, breaks the xref and empties the page tree in the ways qpdf notices', async () => {
    const pdf = await makePdf();
    assert.equal(truncate(pdf, 100).length, 100);
    assert.equal(truncate(pdf, -10).length, pdf.length - 10);
    const cut = await qpdfCheck(truncate(pdf, Math.floor(pdf.length / 2)));
    assert.equal(cut.ok, false);
    assert.equal(cut.exitCode, 2);

    const broken = await qpdfCheck(await makeBrokenXrefPdf());
    assert.equal(broken.ok, false);
    assert.equal(broken.exitCode, 3);
    assert.match(broken.output, /reconstruct cross-reference table/);

    const zero = makeZeroPagePdf();
    assert.equal((await qpdfCheck(zero)).ok, true, 'zero pages is well-formed syntax');
    assert.match((await pdfInfo(zero)).raw, /Invalid page count 0/);
    const dir = mkdtempSync(join(tmpdir(), 'inkan-validators-'));
    try {
      writeFileSync(join(dir, 'zero.pdf'), zero);
      assert.equal((await runTool('qpdf', ['--show-npages', join(dir, 'zero.pdf')])).stdout.trim(), '0');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('runTool', () => {
  it('rejects when the tool does not exist instead of reporting an exit code', async () => {
    await assert.rejects(runTool('inkan-no-such-tool', []), /ENOENT/);
  });
});
