// `inkan verify` on B-T files of this installation: the revocation status its CA publishes as CRLs in
// the PKI directory needs no INKAN_MASTER_KEY; a revocation is reported; a published CRL that is gone,
// or that lacks a revocation recorded since, is never relied on (the CA answers with its keys, or the
// status stays unknown without them). A small file (read at once) and a large one (read in pieces,
// the revocation source prepared meanwhile) take the same answers.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SignatureReport, VerificationReport } from '@inkan/core';
import { CrlReason, loadBuiltinPki, parseMasterKey } from '@inkan/core/pki';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { READ_IN_PIECES_BYTES } from '../../src/cli/verify-file-command.ts';
import { runInkan } from '../helpers/run-inkan.ts';

describe('inkan verify with the CRLs the installation publishes', () => {
  let dir: string;
  let dataDir: string;
  let pkiDir: string;
  const masterKey = randomBytes(32).toString('hex');
  const files: string[] = [];

  /** The first signature's report of `inkan verify FILE --json`, with or without the master key. */
  const verify = async (file: string, withKey: boolean): Promise<SignatureReport> => {
    const run = await runInkan(['verify', file, '--json'], {
      dataDir,
      env: withKey ? { INKAN_MASTER_KEY: masterKey } : {},
    });
    assert.equal(run.stderr, '');
    const report = JSON.parse(run.stdout) as VerificationReport;
    assert.equal(run.code, report.exitCode);
    assert.equal(report.signatures.length, 1);
    return report.signatures[0];
  };
  /** Each file's verdict as [indication, subIndication, revocation status]. */
  const verdicts = (withKey: boolean) =>
    Promise.all(
      files.map(async (file) => {
        const s = await verify(file, withKey);
        return [s.indication, s.subIndication, s.revocation.status];
      }),
    );
  const each = (verdict: unknown[]) => files.map(() => verdict);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inkan-verify-builtin-crl-'));
    dataDir = join(dir, 'data');
    pkiDir = join(dataDir, 'pki');
    const env = { INKAN_MASTER_KEY: masterKey };
    const init = await runInkan(['init'], { dataDir, env });
    assert.equal(init.code, 0, init.stderr);
    const inputs = [
      ['small', await makePdf({ pages: 1 })],
      ['large', await makePdf({ pages: 1, padToBytes: READ_IN_PIECES_BYTES + 1024 * 1024 })],
    ] as const;
    for (const [name, bytes] of inputs) {
      const input = join(dir, `${name}.pdf`);
      const signed = join(dir, `${name}-signed.pdf`);
      writeFileSync(input, bytes);
      const sign = await runInkan(['sign', input, signed, '--name', `CRL ${name}`], { dataDir, env });
      assert.equal(sign.code, 0, sign.stderr);
      files.push(signed);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('passes without the master key: the published CRLs answer', async () => {
    assert.deepEqual(await verdicts(false), each(['TOTAL-PASSED', null, 'good']));
  });

  it('without published CRLs, only the CA with its keys answers', async () => {
    for (const name of ['root.crl', 'issuing.crl']) renameSync(join(pkiDir, name), join(dir, name));
    try {
      assert.deepEqual(await verdicts(false), each(['INDETERMINATE', 'TRY_LATER', 'missing']));
      assert.deepEqual(await verdicts(true), each(['TOTAL-PASSED', null, 'good']));
    } finally {
      for (const name of ['root.crl', 'issuing.crl']) renameSync(join(dir, name), join(pkiDir, name));
    }
  });

  it('reports a revoked certificate; a CRL published before the revocation is not relied on', async () => {
    const before = join(dir, 'issuing-before-revocation.crl');
    copyFileSync(join(pkiDir, 'issuing.crl'), before);
    // Revoked an hour back, before the signatures' timestamps: they cannot stand.
    const pki = await loadBuiltinPki({
      dir: pkiDir,
      masterKey: parseMasterKey(masterKey),
      now: () => new Date(Date.now() - 3600 * 1000),
    });
    const issued = readFileSync(join(pkiDir, 'issued.jsonl'), 'utf8').trim().split('\n');
    assert.equal(issued.length, files.length, 'one witness certificate per signed file');
    for (const line of issued)
      await pki.revoke((JSON.parse(line) as { serialHex: string }).serialHex, CrlReason.keyCompromise);
    assert.deepEqual(await verdicts(false), each(['TOTAL-FAILED', 'REVOKED', 'revoked']));

    // revoked.json names the certificates, the CRL does not: not current, whatever its nextUpdate says.
    copyFileSync(before, join(pkiDir, 'issuing.crl'));
    assert.deepEqual(await verdicts(false), each(['INDETERMINATE', 'TRY_LATER', 'missing']));
    assert.deepEqual(await verdicts(true), each(['TOTAL-FAILED', 'REVOKED', 'revoked']));
  });
});
