// `inkan verify FILE` on files large enough to be read in pieces and hashed as they come in
// (cli/read-file.ts, from READ_IN_PIECES_BYTES on): the report's file hash, the digest check of
// the signed bytes (one byte changed in them) and the installation's CA answering for revocation (its
// keys opened while the file is read) come out as for a small file read at once.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { VerificationReport } from '@inkan/core';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { extractSignatures } from '../../../core/test/helpers/validators.ts';
import { READ_IN_PIECES_BYTES } from '../../src/cli/verify-file-command.ts';
import { runInkan, type InkanRun } from '../helpers/run-inkan.ts';

function reportOf(run: InkanRun): VerificationReport {
  assert.equal(run.stderr, '');
  const report = JSON.parse(run.stdout) as VerificationReport;
  assert.equal(run.code, report.exitCode);
  return report;
}

describe('inkan verify on a file read in pieces', () => {
  let dir: string;
  let dataDir: string;
  let signed: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inkan-verify-large-'));
    dataDir = join(dir, 'data');
    const input = join(dir, 'large.pdf');
    writeFileSync(input, await makePdf({ pages: 1, padToBytes: READ_IN_PIECES_BYTES + 1024 * 1024 }));
    signed = join(dir, 'large-signed.pdf');
    const init = await runInkan(['init'], { dataDir });
    assert.equal(init.code, 0, init.stderr);
    const sign = await runInkan(['sign', input, signed, '--name', 'Large File'], { dataDir });
    assert.equal(sign.code, 0, sign.stderr);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reports the file hash and a valid, trusted B-T signature whose status the installation CA answers', async () => {
    const bytes = readFileSync(signed);
    assert.ok(bytes.length >= READ_IN_PIECES_BYTES, `${bytes.length} bytes are read in pieces`);
    const report = reportOf(await runInkan(['verify', signed, '--json'], { dataDir }));
    assert.equal(report.exitCode, 0, JSON.stringify(report.signatures[0]?.problems));
    assert.equal(report.file.size, bytes.length);
    assert.equal(report.file.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.equal(report.file.revisions, 2);
    const [signature] = report.signatures;
    assert.deepEqual(signature.integrity, {
      coverageOk: true,
      digestAlgorithm: 'sha256',
      digestMatches: true,
      signatureValid: true,
      signingCertificateMatches: true,
    });
    assert.equal(signature.status, 'valid');
    assert.equal(signature.level, 'B-T');
    assert.equal(signature.coversWholeFile, true);
    assert.equal(signature.revocation.status, 'good');
    assert.equal(signature.revocation.source, 'online');
  });

  it('a byte changed in the signed part: digest mismatch, invalid (exit 1), and the hash of the changed file', async () => {
    const bytes = readFileSync(signed);
    const [{ byteRange }] = extractSignatures(bytes);
    // The middle of the file is pad image data: changing it keeps the PDF readable.
    const at = Math.floor(bytes.length / 2);
    assert.ok(at < byteRange[1], 'the changed byte is signed');
    bytes[at] ^= 0xff;
    const tampered = join(dir, 'large-tampered.pdf');
    writeFileSync(tampered, bytes);
    const report = reportOf(await runInkan(['verify', tampered, '--json'], { dataDir }));
    assert.equal(report.exitCode, 1);
    assert.equal(report.file.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.equal(report.signatures[0].status, 'invalid');
    assert.equal(report.signatures[0].integrity.digestMatches, false);
    assert.equal(report.signatures[0].integrity.coverageOk, true);
  });

  it('the text report of the same file, and a missing file (exit 2)', async () => {
    const text = await runInkan(['verify', signed], { dataDir });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /VALID — TOTAL-PASSED/);
    assert.match(text.stdout, /Result: All 1 signature\(s\) are valid and trusted\./);
    const missing = await runInkan(['verify', join(dir, 'missing.pdf')], { dataDir });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^inkan: cannot read .*missing\.pdf: ENOENT/);
  });
});
