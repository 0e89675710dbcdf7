import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatJstUtc } from '../../src/certificate/format-time.ts';
import { wrapText } from '../../src/certificate/line-wrap.ts';
import { cachedAdvanceCount, TextMetrics } from '../../src/certificate/text-metrics.ts';
import { loadJapaneseFont, releaseJapaneseFonts } from '../../src/font/japanese-font.ts';

// A fixed-pitch measure keeps the expectations readable: every character is 1 wide.
const mono = (s: string): number => Array.from(s).length;

describe('line wrapping', () => {
  test('Latin breaks at spaces and drops the space at the break', () => {
    assert.deepEqual(wrapText('the quick brown fox jumps', 10, mono), ['the quick', 'brown fox', 'jumps']);
  });

  test('Japanese breaks between any characters', () => {
    assert.deepEqual(wrapText('電子契約サービスの記録', 4, mono), ['電子契約', 'サービス', 'の記録']);
  });

  test('kinsoku: no closing punctuation or small kana at a line start, no opening bracket at a line end', () => {
    assert.deepEqual(wrapText('完了しました。次へ', 6, mono), ['完了しまし', 'た。次へ']);
    assert.deepEqual(wrapText('ああああ（株）', 5, mono), ['ああああ', '（株）']);
    assert.deepEqual(wrapText('ちょっと', 2, mono), ['ちょ', 'っと']);
  });

  test('kinsoku next to characters outside the BMP (surrogate pairs) glues whole characters', () => {
    // '）' may not start a line: it stays with 𠮷 (one character, two UTF-16 units).
    assert.deepEqual(wrapText('ああ𠮷）いい', 3, mono), ['ああ', '𠮷）い', 'い']);
    // '（' may not end a line: it goes down with the 𠮷 after it.
    assert.deepEqual(wrapText('いいい（𠮷', 4, mono), ['いいい', '（𠮷']);
    // A unit ending in 𠮷 is not taken for an opening bracket.
    assert.deepEqual(wrapText('ab𠮷 cd', 3, mono), ['ab𠮷', 'cd']);
  });

  test('a SHA-256 wider than the line breaks anywhere and nothing is lost', () => {
    const hex = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
    const lines = wrapText(`SHA-256: ${hex}`, 30, mono);
    assert.deepEqual(lines.map(mono), [8, 30, 30, 4]);
    assert.equal(lines.join(''), `SHA-256:${hex}`);
  });

  test('an over-long address breaks after a separator in the second half of the line', () => {
    assert.deepEqual(wrapText('taro.yamada@sample-shoji.example.co.jp', 20, mono), [
      'taro.yamada@sample-',
      'shoji.example.co.jp',
    ]);
    assert.deepEqual(wrapText('2001:db8:85a3:8d3:1319:8a2e:370:7348', 20, mono), [
      '2001:db8:85a3:8d3:',
      '1319:8a2e:370:7348',
    ]);
  });

  test('newlines force breaks; empty text is one empty line', () => {
    assert.deepEqual(wrapText('a b\nc', 10, mono), ['a b', 'c']);
    assert.deepEqual(wrapText('', 10, mono), ['']);
  });

  test('with the real font, no line is wider than asked, for mixed text', () => {
    const metrics = new TextMetrics();
    const measure = (s: string): number => metrics.width(s, 'regular', 9);
    const text =
      '署名済みPDFを Adobe Acrobat Reader で開き、Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 （KHTML, like Gecko）を確認してください。';
    for (const width of [40, 90, 200]) {
      const lines = wrapText(text, width, measure);
      for (const line of lines) assert.ok(measure(line) <= width + 1e-9, `${line} at ${width}`);
      assert.equal(lines.join('').replace(/\s/g, ''), text.replace(/\s/g, ''));
    }
  });

  test('measured advances are shared by later renders and go with the font when it is released', () => {
    const text = '契約締結証明書 Inkan 2026-12-06';
    releaseJapaneseFonts();
    const first = new TextMetrics().width(text, 'regular', 9);
    const font = loadJapaneseFont('regular');
    const cached = cachedAdvanceCount(font);
    assert.equal(cached, new Set(Array.from(text)).size);
    // A second measurer (the next certificate) finds the same table and gets the same width.
    assert.equal(new TextMetrics().width(text, 'regular', 9), first);
    assert.equal(cachedAdvanceCount(font), cached);
    // Released: the next measurer parses the font again and starts a table of its own, with equal widths.
    releaseJapaneseFonts();
    const again = new TextMetrics().width(text, 'regular', 9);
    const reloaded = loadJapaneseFont('regular');
    assert.notEqual(reloaded, font);
    assert.equal(again, first);
    assert.equal(cachedAdvanceCount(reloaded), cached);
    // Bold has its own advances.
    assert.notEqual(new TextMetrics().width(text, 'bold', 9), first);
  });

  test('cleaning: controls become spaces, invisible characters go, missing glyphs become 〓', () => {
    const metrics = new TextMetrics();
    assert.equal(metrics.clean('山田\t太郎\r\n様\u200B\uFE0F😀'), '山田 太郎 様〓');
    assert.equal(metrics.clean('𠮷野家 髙橋'), '𠮷野家 髙橋');
  });
});

describe('time formatting', () => {
  test('JST with UTC time beside it', () => {
    assert.equal(formatJstUtc(new Date('2026-11-25T09:04:05Z')), '2026-11-25 18:04:05 JST (09:04:05 UTC)');
  });
  test('the UTC date is given when it is not the JST date', () => {
    assert.equal(formatJstUtc(new Date('2026-11-24T18:30:00Z')), '2026-11-25 03:30:00 JST (2026-11-24 18:30:00 UTC)');
  });
});
