// The certificate's fonts in two parts per weight (issue 10): a subset of the labels every certificate
// draws, made once per process and embedded as the same bytes, and a subset of the certificate's own
// characters. Characters must draw where one subset per weight would have drawn them, and extract.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { A4, buildTextPdf, PageCanvas, type SharedGlyphs } from '../../src/certificate/pdf-builder.ts';
import { certificateSharedGlyphs } from '../../src/certificate/render-completion-certificate.ts';
import { TextMetrics } from '../../src/certificate/text-metrics.ts';
import { loadJapaneseFont, releaseJapaneseFonts } from '../../src/font/japanese-font.ts';
import { renderCompletionCertificate } from '../../src/index.ts';
import { pdfInfo, pdfText, pdftotextBbox, qpdfCheck, runTool, withTempDir } from '../helpers/validators.ts';
import { sampleCertificateData } from './sample-certificate-data.ts';

const squeeze = (text: string): string => text.replace(/\s+/g, '');

/** The object streams of a PDF that hold font programs, as the bytes written (still compressed). */
function fontFileStreams(pdf: Uint8Array): string[] {
  const text = Buffer.from(pdf).toString('latin1');
  const out: string[] = [];
  for (const match of text.matchAll(/\/Length1 \d+[^>]*>>\s*stream\r?\n/g)) {
    const length = Number(/\/Length (\d+)/.exec(match[0])?.[1]);
    const start = (match.index ?? 0) + match[0].length;
    out.push(text.slice(start, start + length));
  }
  return out;
}

function certificateWithNames(names: { party: string; sender: string; envelope: string }) {
  const data = sampleCertificateData();
  data.parties[0] = { ...data.parties[0], name: names.party };
  data.sender = { ...data.sender, name: names.sender };
  data.envelope = { ...data.envelope, name: names.envelope };
  return data;
}

describe('certificate fonts: a shared subset and a subset of its own per weight', () => {
  test('two certificates with different names in one process: each valid, each with its own names', async () => {
    const first = certificateWithNames({ party: '醍醐 麒麟児', sender: '纐纈 薫', envelope: '鑑定業務委託契約' });
    const second = certificateWithNames({ party: '鷲尾 巌', sender: '櫻井 翔太', envelope: '包括的覚書（第三期）' });
    const a = renderCompletionCertificate(first);
    const b = renderCompletionCertificate(second);
    for (const [pdf, data, other] of [
      [a, first, second],
      [b, second, first],
    ] as const) {
      const check = await qpdfCheck(pdf);
      assert.equal(check.ok, true, check.output);
      const text = squeeze(await pdfText(pdf));
      for (const name of [data.parties[0].name, data.sender.name, data.envelope.name])
        assert.ok(text.includes(squeeze(name)), `${name} is extracted`);
      assert.ok(!text.includes(squeeze(other.parties[0].name)), "not the other certificate's name");
      await withTempDir(async (dir) => {
        writeFileSync(join(dir, 'c.pdf'), pdf);
        const run = await runTool('pdftoppm', ['-r', '30', '-png', join(dir, 'c.pdf'), join(dir, 'p')]);
        assert.equal(run.exitCode, 0, run.stderr);
        assert.equal(run.stderr, '', 'poppler reports no syntax or font error');
      });
    }
    // The shared subsets are the very same bytes in both; the certificates' own subsets differ.
    const streamsA = fontFileStreams(a);
    const streamsB = fontFileStreams(b);
    assert.equal(streamsA.length, 4);
    assert.equal(streamsB.length, 4);
    const common = streamsA.filter((s) => streamsB.includes(s));
    assert.equal(common.length, 2, 'the regular and the bold shared subsets');
  });

  test('caches give what no cache gives: the same bytes after other certificates and after the fonts are released', () => {
    const data = certificateWithNames({ party: '髙﨑 邊見', sender: '齋藤 澤瀉', envelope: '𠮷野家 業務契約' });
    const warm = Buffer.from(renderCompletionCertificate(data));
    renderCompletionCertificate(sampleCertificateData());
    assert.deepEqual(Buffer.from(renderCompletionCertificate(data)), warm, 'after another certificate');
    releaseJapaneseFonts();
    assert.deepEqual(Buffer.from(renderCompletionCertificate(data)), warm, 'with fonts parsed anew');
  });

  test('a line mixing shared and own characters is drawn where one subset would draw it', async () => {
    const style = { weight: 'regular', size: 11, gray: 0 } as const;
    const texts = ['署名者 醍醐 麒麟児 (signer) 𠮷野家', '鑑定 IK-7F3A 纐纈', 'ASCII only, shared'];
    const pdfWith = (sharedGlyphs: SharedGlyphs | undefined): Uint8Array => {
      const page = new PageCanvas(A4.width, A4.height);
      texts.forEach((text, i) => page.text(60, 700 - i * 30, text, style));
      return buildTextPdf({
        pages: [page],
        info: { title: 't', producer: 'p', creationDate: new Date(0) },
        sharedGlyphs,
      });
    };
    const split = pdfWith({ regular: certificateSharedGlyphs().regular });
    const single = pdfWith(undefined);
    const [wordsSplit, wordsSingle] = [(await pdftotextBbox(split)).words, (await pdftotextBbox(single)).words];
    assert.deepEqual(
      wordsSplit.map((w) => [w.text, w.xMin.toFixed(2), w.xMax.toFixed(2), w.yMax.toFixed(2)]),
      wordsSingle.map((w) => [w.text, w.xMin.toFixed(2), w.xMax.toFixed(2), w.yMax.toFixed(2)]),
    );
    assert.equal(squeeze(await pdfText(split)), squeeze(texts.join('')));
    // The widths the layout measured are the widths drawn: the last word ends where the metrics say.
    const metrics = new TextMetrics();
    const last = wordsSplit.find((w) => w.text === '纐纈');
    assert.ok(last);
    assert.ok(Math.abs(last.xMax - (60 + metrics.width(texts[1], 'regular', 11))) < 0.05);
    assert.equal((await pdfInfo(split)).pages, 1);
  });

  test('the shared characters cover the labels and ASCII, and every one has a glyph', () => {
    const shared = certificateSharedGlyphs();
    for (const weight of ['regular', 'bold'] as const) {
      const chars = shared[weight] ?? '';
      for (const expected of ['A', 'z', '0', '@', '~', ' '])
        assert.ok(chars.includes(expected), `${weight} ${expected}`);
      assert.ok(loadJapaneseFont(weight).hasGlyphsFor(chars));
    }
    assert.ok(shared.bold?.includes('契約の概要'[0]) && shared.regular?.includes('締'), 'labels of both weights');
    assert.ok(!(shared.regular ?? '').includes('醍'), 'no character of any caller');
  });
});
