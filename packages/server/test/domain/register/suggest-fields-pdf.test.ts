// End to end from a PDF: contract texts laid out as A4 pages with Noto Sans JP (lines wrapped at the
// page width, as a real PDF's text layer has them), the text layer read back by poppler's pdftotext,
// (the whole font is embedded: fontkit's subsetter fails on Noto Sans JP), then the suggestions compared with the labels of the same texts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { suggestContractFields } from '../../../src/domain/register/suggest-fields.ts';
import { textToPdf } from '../../helpers/contract-pdf.ts';
import { CONTRACTS_DIR } from './suggestion-accuracy.ts';

const execFileAsync = promisify(execFile);
const SAMPLES = ['01-gyomu-itaku.txt', '06-chintai-jimusho.txt', '18-itaku-zenkaku.txt', '26-itaku-kansuji.txt'];

test('suggestions from the text layer of generated PDFs match the labels of their texts', async () => {
  const labels = JSON.parse(readFileSync(join(CONTRACTS_DIR, 'labels.json'), 'utf8')).contracts;
  const dir = mkdtempSync(join(tmpdir(), 'inkan-suggest-pdf-'));
  try {
    for (const file of SAMPLES) {
      const pdfPath = join(dir, file.replace(/\.txt$/u, '.pdf'));
      writeFileSync(pdfPath, await textToPdf(readFileSync(join(CONTRACTS_DIR, file), 'utf8')));
      const { stdout: extracted } = await execFileAsync('pdftotext', ['-enc', 'UTF-8', pdfPath, '-']);
      // The layout wraps lines: the test is only meaningful if sentences really are broken across lines.
      const nonEmptyLines = (text: string) => text.split('\n').filter((line) => line.trim().length > 0).length;
      assert.ok(nonEmptyLines(extracted) > nonEmptyLines(readFileSync(join(CONTRACTS_DIR, file), 'utf8')), file);
      const suggestions = suggestContractFields(extracted);
      const expected = labels[file];
      const amount = suggestions.find((suggestion) => suggestion.field === 'amount');
      assert.deepEqual(
        amount && { yen: amount.value.yen, tax: amount.value.tax, basis: amount.value.basis },
        expected.amount,
        `${file} amount`,
      );
      assert.equal(
        suggestions.find((suggestion) => suggestion.field === 'startDate')?.value,
        expected.startDate,
        `${file} start`,
      );
      assert.equal(
        suggestions.find((suggestion) => suggestion.field === 'endDate')?.value,
        expected.endDate,
        `${file} end`,
      );
      const parties = suggestions.find((suggestion) => suggestion.field === 'parties');
      assert.deepEqual(parties?.value, expected.parties, `${file} parties`);
      for (const suggestion of suggestions) {
        assert.equal(extracted.slice(suggestion.source.start, suggestion.source.end), suggestion.source.sentence);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
