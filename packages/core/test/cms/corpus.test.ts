import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { isCoreError } from '../../src/errors.ts';
import { hashNameOfOid, OID, parseCmsSignature, verifyCmsSignature } from '../../src/cms/index.ts';
import { indexOfBytes } from './helpers/fixtures.ts';
import { corpusPath } from '../helpers/corpus.ts';

const CORPUS = corpusPath('pyhanko');
const LTA = path.join(CORPUS, 'valid/pades-lta-dss-indirect-arrs-test.pdf');

interface PdfSignature {
  readonly byteRange: [number, number, number, number];
  readonly cms: Uint8Array;
}

/** Finds every /ByteRange and the /Contents hex string in its gap (a test-only regex reader, not a PDF parser). */
function signaturesIn(pdf: Buffer): PdfSignature[] {
  const text = pdf.toString('latin1');
  const out: PdfSignature[] = [];
  for (const match of text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)) {
    const byteRange = match.slice(1, 5).map(Number) as [number, number, number, number];
    const gap = text.slice(byteRange[0] + byteRange[1], byteRange[2]);
    const hex = /^\s*<([0-9A-Fa-f\s]*)>\s*$/.exec(gap);
    if (!hex) continue; // coverage anomalies: the gap is not exactly the /Contents string
    out.push({ byteRange, cms: new Uint8Array(Buffer.from(hex[1].replace(/\s+/g, ''), 'hex')) });
  }
  return out;
}

function byteRangeDigest(pdf: Buffer, [a, b, c, d]: readonly number[], hash: string): Uint8Array {
  return new Uint8Array(
    createHash(hash)
      .update(pdf.subarray(a, a + b))
      .update(pdf.subarray(c, c + d))
      .digest(),
  );
}

describe('CMS from pyHanko-made PDFs', () => {
  it('the PAdES B-LTA signature parses and verifies against its ByteRange digest', () => {
    const pdf = readFileSync(LTA);
    const signatures = signaturesIn(pdf);
    assert.equal(signatures.length, 2);

    const signature = parseCmsSignature(signatures[0].cms);
    assert.equal(signature.isDetached, true);
    assert.equal(signature.encapsulatedContentTypeOid, OID.data);
    const hash = hashNameOfOid(signature.digestAlgorithmOid);
    assert.ok(hash);
    const digest = byteRangeDigest(pdf, signatures[0].byteRange, hash);
    assert.deepEqual(verifyCmsSignature(signature, digest), {
      messageDigestMatches: true,
      signatureValid: true,
      signingCertificateMatches: true,
      problems: [],
    });
    const changed = Uint8Array.from(digest);
    changed[0] ^= 1;
    assert.equal(verifyCmsSignature(signature, changed).messageDigestMatches, false);

    // Its signature timestamp token is CMS with TSTInfo, over the hash of the signature value.
    assert.ok(signature.signatureTimestampToken);
    const token = parseCmsSignature(signature.signatureTimestampToken);
    assert.equal(token.isDetached, false);
    assert.equal(token.encapsulatedContentTypeOid, OID.tstInfo);
    const tokenHash = hashNameOfOid(token.digestAlgorithmOid);
    assert.ok(tokenHash && token.encapsulatedContent);
    const tokenCheck = verifyCmsSignature(
      token,
      new Uint8Array(createHash(tokenHash).update(token.encapsulatedContent).digest()),
    );
    assert.equal(tokenCheck.signatureValid && tokenCheck.messageDigestMatches, true, tokenCheck.problems.join('; '));
    indexOfBytes(token.encapsulatedContent, createHash('sha256').update(signature.signatureValue).digest()); // throws when absent

    // The document timestamp (ETSI.RFC3161) is a bare TimeStampToken over the second ByteRange.
    const documentTimestamp = parseCmsSignature(signatures[1].cms);
    assert.equal(documentTimestamp.encapsulatedContentTypeOid, OID.tstInfo);
    const documentHash = hashNameOfOid(documentTimestamp.digestAlgorithmOid);
    assert.ok(documentHash && documentTimestamp.encapsulatedContent);
    const documentCheck = verifyCmsSignature(
      documentTimestamp,
      new Uint8Array(createHash(documentHash).update(documentTimestamp.encapsulatedContent).digest()),
    );
    assert.equal(
      documentCheck.signatureValid && documentCheck.messageDigestMatches,
      true,
      documentCheck.problems.join('; '),
    );
    indexOfBytes(documentTimestamp.encapsulatedContent, byteRangeDigest(pdf, signatures[1].byteRange, 'sha256'));
  });

  it('every CMS in the corpus parses or fails with CMS_INVALID, and verification never throws', () => {
    let seen = 0;
    for (const folder of readdirSync(CORPUS, { withFileTypes: true }).filter((entry) => entry.isDirectory())) {
      for (const file of readdirSync(path.join(CORPUS, folder.name)).filter((name) => name.endsWith('.pdf'))) {
        const pdf = readFileSync(path.join(CORPUS, folder.name, file));
        for (const { cms, byteRange } of signaturesIn(pdf)) {
          seen++;
          try {
            const parsed = parseCmsSignature(cms);
            const hash = hashNameOfOid(parsed.digestAlgorithmOid) ?? 'sha256';
            verifyCmsSignature(parsed, byteRangeDigest(pdf, byteRange, hash));
          } catch (error) {
            assert.ok(isCoreError(error, 'CMS_INVALID'), `${folder.name}/${file}: ${String(error)}`);
          }
        }
      }
    }
    assert.ok(seen >= 3, `only ${seen} signatures found`);
  });
});
