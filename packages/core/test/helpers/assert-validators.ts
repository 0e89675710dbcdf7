import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  extractSignatures,
  extractSignatureTimestampToken,
  mutoolVerify,
  opensslCmsVerify,
  opensslTsVerify,
  pdfsig,
  qpdfCheck,
} from './validators.ts';

export interface ValidatorExpectations {
  /** Number of CAdES signatures, then document timestamps, in file order. */
  signatures: number;
  documentTimestamps: number;
  nssDir: string;
  rootPem: string;
  /** Certificates that complete chains for openssl (issuing CA). */
  untrustedPem: string;
}

/**
 * Checks a signed PDF with three independent validators and qpdf, parsing their output (they exit 0
 * even on failure): pdfsig trusts every signature, mutool sees each as valid (unchanged for the last
 * revision, "edits since signing" for earlier ones), and openssl verifies every CMS and timestamp token.
 */
export async function assertAcceptedByValidators(pdf: Uint8Array, expected: ValidatorExpectations): Promise<void> {
  const qpdf = await qpdfCheck(pdf);
  assert.equal(qpdf.ok, true, `qpdf --check: ${qpdf.output}`);

  const poppler = await pdfsig(pdf, { nssDir: expected.nssDir });
  assert.equal(poppler.signatures.length, expected.signatures + expected.documentTimestamps, poppler.raw);
  for (const s of poppler.signatures.slice(0, expected.signatures)) {
    assert.equal(s.validation, 'Signature is Valid.', `pdfsig #${s.index}: ${s.raw}`);
    assert.equal(s.certificate, 'Certificate is Trusted.', `pdfsig #${s.index}: ${s.raw}`);
    assert.equal(s.subFilter ?? s.signatureType, 'ETSI.CAdES.detached');
  }
  assert.equal(
    poppler.signatures.at(-1)?.totalDocumentSigned,
    true,
    'pdfsig: the last signature covers the whole file',
  );

  const mupdf = await mutoolVerify(pdf);
  assert.ok(mupdf.signatures.length >= expected.signatures, mupdf.raw);
  for (let i = 0; i < expected.signatures; i++) {
    const m = mupdf.signatures[i];
    const last = i === expected.signatures - 1 && expected.documentTimestamps === 0;
    assert.equal(m.message, last ? 'unchanged' : 'edited', `mutool #${i + 1}: ${m.raw}`);
  }

  const found = extractSignatures(pdf);
  assert.equal(found.length, expected.signatures + expected.documentTimestamps);
  for (const [i, sig] of found.entries()) {
    assert.equal(sig.gapMatchesContents, true, `signature ${i + 1}: ByteRange gap is the /Contents string`);
    assert.equal(sig.byteRange[0], 0);
    if (i < expected.signatures) {
      assert.equal(sig.subFilter, 'ETSI.CAdES.detached');
      const cms = await opensslCmsVerify({
        cmsDer: sig.contents,
        content: sig.signedBytes,
        rootPem: expected.rootPem,
        untrustedPem: expected.untrustedPem,
      });
      assert.equal(cms.ok, true, `openssl cms -verify, signature ${i + 1}: ${cms.output}`);
      const { tokenDer, signatureValueSha256Hex } = extractSignatureTimestampToken(sig.contents);
      assert.ok(tokenDer, `signature ${i + 1} carries a signature timestamp`);
      const ts = await opensslTsVerify({
        tokenDer,
        digestHex: signatureValueSha256Hex,
        rootPem: expected.rootPem,
        untrustedPem: expected.untrustedPem,
      });
      assert.equal(ts.ok, true, `openssl ts -verify, signature ${i + 1}: ${ts.output}`);
    } else {
      assert.equal(sig.subFilter, 'ETSI.RFC3161');
      const digestHex = createHash('sha256').update(sig.signedBytes).digest('hex');
      const ts = await opensslTsVerify({
        tokenDer: sig.contents,
        digestHex,
        rootPem: expected.rootPem,
        untrustedPem: expected.untrustedPem,
      });
      assert.equal(ts.ok, true, `openssl ts -verify, document timestamp ${i + 1}: ${ts.output}`);
    }
  }
}
