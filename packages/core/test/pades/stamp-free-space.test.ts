// The 締結証明書ID line finds free space at the bottom-left instead of overprinting what the document
// already prints there (issue 11 part 4), checked with `pdftotext -bbox`: on a page whose footer
// occupies the corner the ID's words overlap none of the footer's; on a plain page it stays in the corner.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PDFDocument, PageSizes, StandardFonts, degrees } from '@cantoo/pdf-lib';
import { stampCertificateId } from '../../src/index.ts';
import { pdftotextBbox, type BboxWord } from '../helpers/validators.ts';

const FOOTER = ['Confidential - Example Corporation', 'Form 12-B rev. 3 (printed 2026)'];

/** An A4 page with two footer lines at the very bottom-left (y = 14 and 26 pt), like many forms print. */
async function pageWithFooter(rotate = 0): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage(PageSizes.A4);
  page.drawText('Agreement', { x: 72, y: 760, size: 24, font });
  page.drawText(FOOTER[0], { x: 14, y: 26, size: 9, font });
  page.drawText(FOOTER[1], { x: 14, y: 14, size: 9, font });
  if (rotate) page.setRotation(degrees(rotate));
  return doc.save();
}

function overlaps(a: BboxWord, b: BboxWord): boolean {
  return a.xMin < b.xMax && a.xMax > b.xMin && a.yMin < b.yMax && a.yMax > b.yMin;
}

async function idAndFooterWords(pdf: Uint8Array): Promise<{ id: BboxWord[]; footer: BboxWord[]; height: number }> {
  const { words, height } = await pdftotextBbox(pdf, 1);
  const id = words.filter((w) => w.text.includes('締結証明書ID') || w.text.startsWith('IKN-'));
  const footerWords = new Set(FOOTER.join(' ').split(' '));
  const footer = words.filter((w) => footerWords.has(w.text) && !id.includes(w));
  return { id, footer, height };
}

describe('the ID line keeps off existing text', () => {
  test('moves up above a footer at the bottom-left, still near the bottom-left corner', async () => {
    const stamped = stampCertificateId(await pageWithFooter(), { certificateId: 'IKN-FREE-0001' });
    const { id, footer, height } = await idAndFooterWords(stamped);
    assert.ok(id.length >= 2, `the ID line is on the page: ${JSON.stringify(id)}`);
    assert.ok(footer.length >= 8, 'the footer words are found');
    for (const w of id) for (const f of footer) assert.ok(!overlaps(w, f), `${w.text} overlaps ${f.text}`);
    assert.ok(Math.min(...id.map((w) => w.xMin)) < 30, 'still at the left edge');
    for (const w of id) assert.ok(w.yMax > height - 120, 'still in the bottom part of the page');
  });

  test('control: without avoidance the same stamp overprints the footer (the check above can fail)', async () => {
    const stamped = stampCertificateId(await pageWithFooter(), { certificateId: 'IKN-FREE-0002', avoidText: false });
    const { id, footer } = await idAndFooterWords(stamped);
    assert.ok(id.some((w) => footer.some((f) => overlaps(w, f))));
  });

  test('on a rotated page the free line is found in the viewed bottom-left too', async () => {
    const stamped = stampCertificateId(await pageWithFooter(90), { certificateId: 'IKN-FREE-0003' });
    const { id, footer } = await idAndFooterWords(stamped);
    assert.ok(id.length >= 2);
    for (const w of id) for (const f of footer) assert.ok(!overlaps(w, f), `${w.text} overlaps ${f.text}`);
  });

  test('a page with a free corner keeps the ID in the corner', async () => {
    const doc = await PDFDocument.create({ updateMetadata: false });
    doc.addPage(PageSizes.A4);
    const stamped = stampCertificateId(await doc.save(), { certificateId: 'IKN-FREE-0004' });
    const { id, height } = await idAndFooterWords(stamped);
    assert.ok(id.length >= 2);
    for (const w of id) assert.ok(w.yMax > height - 20, `bottom line: ${JSON.stringify(w)}`);
  });
});
