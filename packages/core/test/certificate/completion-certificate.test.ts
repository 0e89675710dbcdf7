import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CoreError,
  renderCompletionCertificate,
  sealPdf,
  signPdf,
  verifyPdf,
  type CompletionCertificateData,
} from '../../src/index.ts';
import { assertAcceptedByValidators } from '../helpers/assert-validators.ts';
import { createPkiFixture, type PkiFixture } from '../helpers/pki-fixture.ts';
import { pdfInfo, pdfText, pdftotextBbox, qpdfCheck, runTool, type BboxWord } from '../helpers/validators.ts';
import { SAMPLE_CERTIFICATE_ID, sampleCertificateData } from './sample-certificate-data.ts';

const MARGIN = (20 * 72) / 25.4;
const A4 = { width: 595.28, height: 841.89 };
const squeeze = (text: string): string => text.replace(/\s+/g, '');

/**
 * The words of the value column (right of the 132 pt label column) between running header and
 * footer, page after page in reading order: a value that crosses pages reads as one.
 */
async function valueColumnText(pdf: Uint8Array, pageCount: number): Promise<string> {
  let text = '';
  for (let page = 1; page <= pageCount; page++) {
    const { words, height } = await pdftotextBbox(pdf, page);
    const body = words.filter((w) => w.xMin >= MARGIN + 132 && w.yMin > MARGIN + 14 && w.yMax < height - MARGIN - 14);
    body.sort((a, b) => a.yMax - b.yMax || a.xMin - b.xMin);
    text += body.map((w) => w.text).join(' ');
  }
  return text;
}

/**
 * The em box of a word (top-left origin): pdftotext's box spans the font's ascent (1.16 em) and
 * descent (0.288 em); the glyphs themselves sit in 0.88 em above and 0.12 em below the baseline.
 */
function emBox(w: BboxWord): { left: number; right: number; top: number; bottom: number } {
  const size = (w.yMax - w.yMin) / 1.448;
  const baseline = w.yMax - 0.288 * size;
  return { left: w.xMin, right: w.xMax, top: baseline - 0.88 * size, bottom: baseline + 0.12 * size };
}

async function pdffonts(pdf: Uint8Array): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'inkan-cert-fonts-'));
  try {
    writeFileSync(join(dir, 'c.pdf'), pdf);
    const run = await runTool('pdffonts', [join(dir, 'c.pdf')]);
    assert.equal(run.exitCode, 0, run.stderr);
    return run.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('certificate of completion (rendering)', () => {
  let data: CompletionCertificateData;
  let pdf: Uint8Array;
  let pages: number;
  before(async () => {
    data = sampleCertificateData();
    pdf = renderCompletionCertificate(data);
    const info = await pdfInfo(pdf);
    assert.equal(info.exitCode, 0, info.raw);
    pages = info.pages ?? 0;
  });

  test('qpdf finds no error; pdfinfo: A4 portrait, several pages, title and producer', async () => {
    const check = await qpdfCheck(pdf);
    assert.equal(check.ok, true, check.output);
    const info = await pdfInfo(pdf);
    assert.match(info.fields['Page size'], /^595\.28 x 841\.89 pts \(A4\)/);
    assert.equal(info.fields.Title, '契約締結証明書');
    assert.equal(info.fields.Producer, 'Inkan');
    assert.ok(pages >= 3, `25 events paginate: ${pages} pages`);
    assert.ok(Buffer.from(pdf.subarray(0, 15)).toString('latin1').startsWith('%PDF-1.7\n%'));
    assert.ok(pdf[10] > 127 && pdf[11] > 127 && pdf[12] > 127 && pdf[13] > 127, 'binary comment after the header');
  });

  test('pdffonts: the regular and bold subsets are embedded with ToUnicode', async () => {
    const out = await pdffonts(pdf);
    const rows = out
      .split('\n')
      .slice(2)
      .filter((l) => l.trim() !== '');
    // Per weight, the subset of the labels every certificate shares and the certificate's own (its names).
    assert.equal(rows.length, 4, out);
    const names = rows.map((r) => r.split(/\s+/)[0]);
    assert.deepEqual(
      names.map((n) => n.replace(/^[A-Z]{6}\+/, '')).sort(),
      ['NotoSansJP-Bold', 'NotoSansJP-Bold', 'NotoSansJP-Regular', 'NotoSansJP-Regular'],
      'subset tags',
    );
    assert.equal(new Set(names).size, 4, 'each subset has a tag of its own');
    for (const row of rows) assert.match(row, /CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/, row);
  });

  test('pdftotext extracts the title, every party, every hash, every event, the user agents and the URL', async () => {
    const text = await pdfText(pdf);
    const flat = squeeze(text);
    assert.match(text, /契約締結証明書/);
    for (const p of data.parties) {
      assert.ok(text.includes(p.name), `party ${p.name}`);
      assert.ok(flat.includes(squeeze(p.email)), `e-mail ${p.email}`);
      if (p.userAgent) assert.ok(flat.includes(squeeze(p.userAgent)), 'the whole user agent, wrapped');
    }
    for (const d of data.documents) {
      assert.ok(flat.includes(squeeze(d.name)), `document ${d.name}`);
      assert.ok(flat.includes(d.sha256Original), `original hash of ${d.name}`);
      assert.ok(flat.includes(d.sha256Signed), `signed hash of ${d.name}`);
    }
    for (const e of data.events) assert.ok(flat.includes(squeeze(e.action)), `event ${e.action}`);
    assert.ok(flat.includes('https://inkan.example.lg.jp/verify'));
    assert.match(text, /2026-11-24 10:15:00 JST \(01:15:00 UTC\)/, 'JST with UTC beside it');
    assert.match(text, /2026-11-25 01:27:02 JST \(2026-11-24 16:27:02 UTC\)/, 'the UTC date when it differs');
    assert.match(text, /Adobe Acrobat Reader/);
  });

  test('every page carries the certificate ID and "n / N" in its footer, and nothing else is there', async () => {
    for (let page = 1; page <= pages; page++) {
      const { words, height } = await pdftotextBbox(pdf, page);
      const footer = words.filter((w) => w.yMin > height - MARGIN - 14);
      const footerText = footer.map((w) => w.text).join(' ');
      assert.match(
        footerText,
        new RegExp(`締結証明書ID / Certificate ID: ${SAMPLE_CERTIFICATE_ID}`),
        `page ${page}: ${footerText}`,
      );
      assert.ok(footerText.endsWith(`${page} / ${pages}`), `page ${page}: ${footerText}`);
    }
  });

  test('all text lies inside the 20 mm margins and no two words overlap', async () => {
    for (let page = 1; page <= pages; page++) {
      const { words, width, height } = await pdftotextBbox(pdf, page);
      assert.ok(words.length > 20, `page ${page} has text`);
      assert.equal(width, A4.width);
      assert.equal(height, A4.height);
      const boxes = words.map((w) => ({ w, b: emBox(w) }));
      for (const { w, b } of boxes) {
        assert.ok(
          b.left >= MARGIN - 0.01 && b.right <= A4.width - MARGIN + 0.01,
          `page ${page}: "${w.text}" x ${b.left}–${b.right}`,
        );
        assert.ok(
          b.top >= MARGIN - 0.01 && b.bottom <= A4.height - MARGIN + 0.01,
          `page ${page}: "${w.text}" y ${b.top}–${b.bottom}`,
        );
      }
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i].b;
          const c = boxes[j].b;
          const dx = Math.min(a.right, c.right) - Math.max(a.left, c.left);
          const dy = Math.min(a.bottom, c.bottom) - Math.max(a.top, c.top);
          assert.ok(dx <= 0.3 || dy <= 0.3, `page ${page}: "${boxes[i].w.text}" overlaps "${boxes[j].w.text}"`);
        }
      }
    }
  });

  test('pdftoppm renders every page without a complaint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inkan-cert-png-'));
    try {
      writeFileSync(join(dir, 'c.pdf'), pdf);
      const run = await runTool('pdftoppm', ['-r', '40', '-png', join(dir, 'c.pdf'), join(dir, 'p')]);
      assert.equal(run.exitCode, 0, run.stderr);
      assert.equal(run.stderr, '', 'poppler reports no syntax or font error');
      const pngs = readdirSync(dir).filter((f) => f.endsWith('.png'));
      assert.equal(pngs.length, pages);
      for (const png of pngs) assert.ok(readFileSync(join(dir, png)).length > 5000, `${png} is not blank`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the same data gives the same bytes', () => {
    assert.deepEqual(Buffer.from(renderCompletionCertificate(sampleCertificateData())), Buffer.from(pdf));
  });

  test('values too long for a page continue on the next page; unprintable characters become 〓', async () => {
    const long = sampleCertificateData();
    const hugeAgent = Array.from({ length: 260 }, (_, i) => `Token${i}/1.${i} (segment-${i}; x64)`).join(' ');
    long.parties[0] = {
      ...long.parties[0],
      name: `${'長い名前の株式会社'.repeat(40)}\u0007\uFE0F😀`,
      userAgent: hugeAgent,
    };
    long.documents[0] = { ...long.documents[0], name: `${'とても長い文書名'.repeat(30)}.pdf` };
    long.events = long.events.concat(long.events, long.events);
    const out = renderCompletionCertificate(long);
    const check = await qpdfCheck(out);
    assert.equal(check.ok, true, check.output);
    const info = await pdfInfo(out);
    const values = squeeze(await valueColumnText(out, info.pages ?? 0));
    assert.ok(values.includes(squeeze(hugeAgent)), 'the whole over-long user agent is there, across pages');
    assert.ok(
      values.includes(`${'長い名前の株式会社'.repeat(40)}〓`),
      'the emoji became 〓, the bell a space, the variation selector nothing',
    );
    assert.ok(values.includes(`${'とても長い文書名'.repeat(30)}.pdf`));
    assert.match(
      await pdfText(out),
      /ユーザーエージェント（続き）/,
      'the continued value is labelled on the next page',
    );
    assert.ok((info.pages ?? 0) > pages, 'more pages');
    const last = squeeze(await pdfText(out, { page: info.pages }));
    assert.ok(last.includes(`${info.pages}/${info.pages}`));
  });

  test('empty lists still give a complete certificate', async () => {
    const empty = { ...sampleCertificateData(), documents: [], parties: [], events: [] };
    const out = renderCompletionCertificate(empty);
    assert.equal((await qpdfCheck(out)).ok, true);
    const text = await pdfText(out);
    assert.match(text, /（なし）/);
    assert.match(text, /（記録なし）/);
  });

  test('invalid data is refused with CERTIFICATE_INVALID_DATA', () => {
    const cases: Array<(d: CompletionCertificateData) => void> = [
      (d) => (d.certificateId = 'ID with spaces'),
      (d) => (d.certificateId = ''),
      (d) => (d.issuedAt = new Date(Number.NaN)),
      (d) => (d.events[3].at = new Date('not a date')),
      (d) => (d.documents[1].sha256Signed = 'abc'),
      (d) => (d.documents[0].pages = 1.5),
    ];
    for (const mutate of cases) {
      const d = sampleCertificateData();
      mutate(d);
      assert.throws(
        () => renderCompletionCertificate(d),
        (e: unknown) => e instanceof CoreError && e.code === 'CERTIFICATE_INVALID_DATA',
      );
    }
  });
});

describe('certificate of completion (signed and sealed by the platform)', () => {
  let fixture: PkiFixture;
  before(async () => {
    fixture = await createPkiFixture();
  });
  after(() => fixture.cleanup());

  test('signPdf + sealPdf: accepted by pdfsig, mutool and openssl; the verifier says B-LTA', async () => {
    const certificate = renderCompletionCertificate(sampleCertificateData());
    const signed = await signPdf(certificate, {
      signer: fixture.pki.signingSigner,
      timestampAuthority: fixture.tsa,
      name: 'Inkan',
      reason: `契約締結証明書 ${SAMPLE_CERTIFICATE_ID}`,
    });
    const sealed = await sealPdf(signed, fixture.sealOptions);
    await assertAcceptedByValidators(sealed, {
      signatures: 1,
      documentTimestamps: 1,
      nssDir: fixture.nssDir,
      rootPem: fixture.rootPem,
      untrustedPem: fixture.chainPem,
    });
    const report = await verifyPdf(sealed, { trustAnchors: [fixture.pki.rootCertificate] });
    assert.equal(report.exitCode, 0, report.summary);
    assert.deepEqual(
      report.signatures.map((s) => s.type),
      ['signature', 'document-timestamp'],
    );
    assert.equal(report.signatures[0].level, 'B-LTA');
    assert.equal(report.signatures[0].laterChanges.allowed, true);
    // Signing appended revisions; the certificate's text is untouched.
    assert.match(await pdfText(sealed, { page: 1 }), /契約締結証明書/);
  });
});
