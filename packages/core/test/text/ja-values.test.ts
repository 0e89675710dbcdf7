import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  addDaysIso,
  checkAmountOrder,
  checkDateOrder,
  addMonthsIso,
  detectTaxTreatment,
  parseJapaneseDate,
  parseJapaneseNumber,
  parseYenAmount,
} from '../../src/text/ja-values.ts';
// The web bundle imports the parsers through this subpath: it must resolve to the same module.
import { parseYenAmount as parseYenAmountFromSubpath } from '@inkan/core/text/ja-values';

test('amounts the issue lists as accepted', () => {
  for (const [input, expected] of [
    ['１，２３４，５６７円', 1_234_567],
    ['1,234,567', 1_234_567],
    ['¥1,234,567', 1_234_567],
    ['￥1,234,567', 1_234_567],
    ['1234567', 1_234_567],
    ['金1,200万円', 12_000_000],
    ['金壱百万円', 1_000_000],
    ['金壱百万円也', 1_000_000],
    ['一千二百万円', 12_000_000],
    ['金三千五百四十万円', 35_400_000],
    ['1億2,345万6,789円', 123_456_789],
    ['1,100,000円（税込）', 1_100_000],
    ['1,000,000円(税抜)', 1_000_000],
    ['0', 0],
    ['1,000,000,000,000,000', 1_000_000_000_000_000],
    ['１０００兆円', 1_000_000_000_000_000],
  ] as const) {
    const result = parseYenAmount(input);
    assert.deepEqual(result, { ok: true, value: expected }, input);
  }
  assert.deepEqual(parseYenAmountFromSubpath('¥1,234,567'), { ok: true, value: 1_234_567 });
});

test('amounts the issue lists as refused, each with its code and both languages', () => {
  for (const [input, code] of [
    ['-1', 'AMOUNT_NEGATIVE'],
    ['－１，０００円', 'AMOUNT_NEGATIVE'],
    ['¥-500', 'AMOUNT_NEGATIVE'],
    ['▲1,000', 'AMOUNT_NEGATIVE'],
    ['abc', 'AMOUNT_NOT_NUMERIC'],
    ['12a', 'AMOUNT_NOT_NUMERIC'],
    ['1,23,4', 'AMOUNT_NOT_NUMERIC'],
    ['円', 'AMOUNT_NOT_NUMERIC'],
    ['万円', 'AMOUNT_NOT_NUMERIC'],
    ['百千', 'AMOUNT_NOT_NUMERIC'],
    ['1.5', 'AMOUNT_NOT_INTEGER'],
    ['', 'AMOUNT_EMPTY'],
    ['   ', 'AMOUNT_EMPTY'],
    ['1,000,000,000,000,001', 'AMOUNT_TOO_LARGE'],
    ['99999999999999999999999', 'AMOUNT_TOO_LARGE'],
    ['1'.repeat(500), 'AMOUNT_NOT_NUMERIC'],
  ] as const) {
    const result = parseYenAmount(input);
    assert.equal(result.ok, false, input);
    if (!result.ok) {
      assert.equal(result.code, code, input);
      assert.match(result.message.ja, /[ぁ-んァ-ヶ一-龠]/u);
      assert.match(result.message.en, /^[\x20-\x7e]+$/u);
    }
  }
});

test('dates accepted: Western, 和暦, 元年, full-width and kanji digits', () => {
  for (const [input, expected] of [
    ['2026-04-01', '2026-04-01'],
    ['2026/4/1', '2026-04-01'],
    ['2026.04.01', '2026-04-01'],
    ['2026年4月1日', '2026-04-01'],
    ['２０２６年４月１日', '2026-04-01'],
    ['令和8年4月1日', '2026-04-01'],
    ['令和８年４月１日', '2026-04-01'],
    ['令和 8 年 4 月 1 日', '2026-04-01'],
    ['令和八年四月一日', '2026-04-01'],
    ['令和元年5月1日', '2019-05-01'],
    ['平成31年4月30日', '2019-04-30'],
    ['平成元年1月8日', '1989-01-08'],
    ['昭和64年1月7日', '1989-01-07'],
    ['R8.4.1', '2026-04-01'],
    ['H30/12/31', '2018-12-31'],
    ['二〇二六年十二月三十一日', '2026-12-31'],
    ['2028-02-29', '2028-02-29'],
  ] as const) {
    assert.deepEqual(parseJapaneseDate(input), { ok: true, value: expected }, input);
  }
});

test('dates refused with a stable code', () => {
  for (const [input, code] of [
    ['2026-02-30', 'DATE_NOT_IN_CALENDAR'],
    ['2027-02-29', 'DATE_NOT_IN_CALENDAR'],
    ['2026-13-01', 'DATE_NOT_IN_CALENDAR'],
    ['2026-04-00', 'DATE_NOT_IN_CALENDAR'],
    ['令和8年2月30日', 'DATE_NOT_IN_CALENDAR'],
    ['令和元年4月30日', 'DATE_OUT_OF_ERA'],
    ['平成31年5月1日', 'DATE_OUT_OF_ERA'],
    ['昭和64年1月8日', 'DATE_OUT_OF_ERA'],
    ['26-04-01', 'DATE_FORMAT'],
    ['tomorrow', 'DATE_FORMAT'],
    ['2026年4月', 'DATE_FORMAT'],
    ['', 'DATE_EMPTY'],
    ['1800-01-01', 'DATE_OUT_OF_RANGE'],
    ['9'.repeat(100), 'DATE_FORMAT'],
  ] as const) {
    const result = parseJapaneseDate(input);
    assert.equal(result.ok, false, input);
    if (!result.ok) assert.equal(result.code, code, input);
  }
});

test('era overflow (平成32年, written before the change of era) only when asked for', () => {
  assert.equal(parseJapaneseDate('平成32年3月31日').ok, false);
  assert.deepEqual(parseJapaneseDate('平成32年3月31日', { allowEraOverflow: true }), { ok: true, value: '2020-03-31' });
});

test('Japanese numbers', () => {
  assert.equal(parseJapaneseNumber('十二'), 12n);
  assert.equal(parseJapaneseNumber('二十'), 20n);
  assert.equal(parseJapaneseNumber('百五'), 105n);
  assert.equal(parseJapaneseNumber('一億二千万'), 120_000_000n);
  assert.equal(parseJapaneseNumber('拾'), 10n);
  assert.equal(parseJapaneseNumber('万億'), null);
  assert.equal(parseJapaneseNumber('一万一億'), null);
});

test('tax treatment and date arithmetic', () => {
  assert.equal(detectTaxTreatment('（税込）'), 'included');
  assert.equal(detectTaxTreatment('消費税及び地方消費税を含む'), 'included');
  assert.equal(detectTaxTreatment('消費税別'), 'excluded');
  assert.equal(detectTaxTreatment('別途消費税'), 'excluded');
  assert.equal(detectTaxTreatment('金100万円'), null);
  assert.equal(addMonthsIso('2027-03-31', -3), '2026-12-31');
  assert.equal(addMonthsIso('2026-03-31', -1), '2026-02-28');
  assert.equal(addMonthsIso('2026-01-15', 12), '2027-01-15');
  assert.equal(addDaysIso('2027-03-31', -30), '2027-03-01');
  assert.equal(addDaysIso('2026-03-01', -1), '2026-02-28');
});

test('ranges: 満了日 before 開始日 and max below min are refused, open ends pass', () => {
  const reversed = checkDateOrder('2026-04-01', '2026-03-31');
  assert.equal(reversed.ok, false);
  if (!reversed.ok) assert.equal(reversed.code, 'DATE_RANGE_REVERSED');
  assert.equal(checkDateOrder('2026-04-01', '2026-04-01').ok, true);
  assert.equal(checkDateOrder(null, '2026-04-01').ok, true);
  const amounts = checkAmountOrder(2_000, 1_000);
  assert.equal(amounts.ok, false);
  if (!amounts.ok) assert.equal(amounts.code, 'AMOUNT_RANGE_REVERSED');
  assert.equal(checkAmountOrder(1_000, null).ok, true);
});
