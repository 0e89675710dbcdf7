/**
 * Batch verification for audits (issue 13 part 7): the real `inkan verify --batch` over a directory with
 * a signed PDF, a tampered copy, an unsigned PDF and a file that is no PDF (one in a subfolder), as CSV
 * and as JSON, in two worker threads; and over a register search of the organisation (`--register
 * --org`), on SQLite and PostgreSQL. Each report row is checked; the exit code is 1 when any file fails.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { runInkan } from '../helpers/run-inkan.ts';
import { startHarness, type Harness } from '../api/helpers/harness.ts';
import { completeEnvelope, tamperedCopy, type SignedEnvelope } from './helpers/signed-envelope.ts';

/** Parses the CLI's CSV (RFC 4180, CRLF, quoted fields) into objects by header. */
function parseCsv(text: string): Array<Record<string, string>> {
  const rows: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header!.map((name, i) => [name, r[i] ?? ''])));
}

for (const dialect of DIALECTS) {
  describe(`inkan verify --batch (${dialect})`, () => {
    let h: Harness;
    let dir: string;
    let envelope: SignedEnvelope;
    let cliEnv: Record<string, string>;

    before(async () => {
      h = await startHarness(dialect);
      envelope = await completeEnvelope(h);
      dir = mkdtempSync(join(tmpdir(), 'inkan-batch-'));
      writeFileSync(join(dir, 'root.pem'), h.context.signing.pki.rootPem());
      const files = join(dir, 'files');
      mkdirSync(join(files, 'sub'), { recursive: true });
      writeFileSync(join(files, '01-signed.pdf'), envelope.signedPdf);
      writeFileSync(join(files, '02-tampered.pdf'), tamperedCopy(envelope.signedPdf));
      writeFileSync(join(files, '03-unsigned.pdf'), await makePdf({ pages: 1 }));
      writeFileSync(join(files, 'sub', 'notes.txt'), 'not a PDF\n');
      cliEnv = {
        INKAN_ENV: 'test',
        INKAN_SIGNING_KEY_ALGORITHM: 'ECDSA-P256',
        ...(h.test.database.url ? { INKAN_DATABASE_URL: h.test.database.url } : {}),
      };
    });
    after(async () => {
      await h?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('reports one CSV row per file of a directory, in name order, and exits 1', async () => {
      const run = await runInkan(
        ['verify', '--batch', join(dir, 'files'), '--csv', '--jobs', '2', '--trust', join(dir, 'root.pem')],
        { dataDir: join(dir, 'no-data') },
      );
      assert.equal(run.code, 1, run.stderr);
      const rows = parseCsv(run.stdout);
      assert.deepEqual(
        rows.map((r) => [r.file, r.verdict, r.signatures, r.document_timestamps]),
        [
          ['01-signed.pdf', 'valid', '1', '1'],
          ['02-tampered.pdf', 'invalid', '1', '1'],
          ['03-unsigned.pdf', 'unsigned', '0', '0'],
          [join('sub', 'notes.txt'), 'unreadable', '0', '0'],
        ],
      );
      const [signed, tampered, , notPdf] = rows;
      assert.equal(signed!.signers, `${envelope.signer.name} <${envelope.signer.email}>`);
      assert.match(signed!.timestamps, /^signature \d{4}-\d\d-\d\dT[\d:.]+Z \| document \d{4}-/);
      assert.equal(signed!.errors, '');
      assert.match(tampered!.errors, /HASH_FAILURE/);
      assert.match(notPdf!.errors, /not a PDF/);
      assert.match(run.stderr, /4 file\(s\) in [\d.]+ s \([\d.]+ files\/s, 2 worker\(s\)\): 1 valid, 3 not/);
    });

    it('writes the same rows as one JSON array, and exits 0 when every file is valid', async () => {
      const run = await runInkan(
        ['verify', '--batch', join(dir, 'files'), '--json', '--jobs', '1', '--trust', join(dir, 'root.pem')],
        { dataDir: join(dir, 'no-data') },
      );
      assert.equal(run.code, 1, run.stderr);
      const rows = JSON.parse(run.stdout) as Array<{ file: string; verdict: string; sha256: string | null }>;
      assert.deepEqual(
        rows.map((r) => r.verdict),
        ['valid', 'invalid', 'unsigned', 'unreadable'],
      );
      assert.equal(rows[0]!.sha256?.length, 64);

      const good = join(dir, 'good');
      mkdirSync(good);
      writeFileSync(join(good, 'a.pdf'), envelope.signedPdf);
      const valid = await runInkan(['verify', '--batch', good, '--json', '--trust', join(dir, 'root.pem')], {
        dataDir: join(dir, 'no-data'),
      });
      assert.equal(valid.code, 0, valid.stderr);
      assert.deepEqual(
        (JSON.parse(valid.stdout) as Array<{ verdict: string }>).map((r) => r.verdict),
        ['valid'],
      );
    });

    it('verifies the documents of a register search (--register --org), and refuses bad usage', async () => {
      const run = await runInkan(
        [
          'verify',
          '--batch',
          '--register',
          '--org',
          h.org.slug,
          '--filter',
          'counterparty=山田',
          '--csv',
          '--jobs',
          '2',
        ],
        { dataDir: h.test.dataDir, env: cliEnv },
      );
      assert.equal(run.code, 0, run.stderr + run.stdout);
      const rows = parseCsv(run.stdout);
      assert.deepEqual(
        rows.map((r) => [r.file.split('/')[1], r.verdict]),
        [
          ['signed', 'valid'],
          ['signed', 'valid'],
          ['certificate', 'valid'],
        ],
      );
      const none = await runInkan(
        ['verify', '--batch', '--register', '--org', h.org.slug, '--filter', 'counterparty=該当なし', '--csv'],
        { dataDir: h.test.dataDir, env: cliEnv },
      );
      assert.equal(none.code, 0, none.stderr);
      assert.equal(parseCsv(none.stdout).length, 0);
      const usage = await runInkan(['verify', '--batch', '--csv', '--json', join(dir, 'files')], {
        dataDir: join(dir, 'no-data'),
      });
      assert.equal(usage.code, 2);
      assert.match(usage.stderr, /exclude each other/);
      const badJobs = await runInkan(['verify', '--batch', join(dir, 'files'), '--jobs', '0'], {
        dataDir: join(dir, 'no-data'),
      });
      assert.equal(badJobs.code, 2);
      assert.match(badJobs.stderr, /--jobs/);
    });
  });
}
