import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type FieldSuggestion, suggestContractFields } from '../../../src/domain/register/suggest-fields.ts';

function pick<F extends FieldSuggestion['field']>(suggestions: FieldSuggestion[], field: F) {
  return suggestions.find((suggestion) => suggestion.field === field) as
    Extract<FieldSuggestion, { field: F }> | undefined;
}

test('each suggestion quotes its sentence exactly, at the offsets given, also for full-width text', () => {
  const text =
    'ＡＢＣ株式会社（以下「甲」という。）とＤ合同会社（以下「乙」という。）は契約する。\n第２条　委託料は、金１，２３４，５６７円（税込）とする。\n契約期間は、令和元年５月１日から令和２年４月３０日までとする。';
  const suggestions = suggestContractFields(text);
  assert.deepEqual(
    suggestions.map((suggestion) => suggestion.field),
    ['amount', 'startDate', 'endDate', 'parties'],
  );
  for (const suggestion of suggestions) {
    assert.equal(text.slice(suggestion.source.start, suggestion.source.end), suggestion.source.sentence);
    assert.ok(suggestion.confidence > 0 && suggestion.confidence <= 1);
    assert.ok(suggestion.reason.ja.length > 0 && suggestion.reason.en.length > 0);
  }
  assert.deepEqual(pick(suggestions, 'amount')!.value, {
    yen: 1_234_567,
    currency: 'JPY',
    tax: 'included',
    basis: 'total',
    context: '委託料',
  });
  assert.equal(
    pick(suggestions, 'amount')!.source.sentence,
    '第２条　委託料は、金１，２３４，５６７円（税込）とする。',
  );
  assert.equal(pick(suggestions, 'startDate')!.value, '2019-05-01');
  assert.equal(pick(suggestions, 'endDate')!.value, '2020-04-30');
  assert.deepEqual(pick(suggestions, 'parties')!.value, { kou: 'ABC株式会社', otsu: 'D合同会社' });
});

test('the contract amount wins over 遅延損害金, 印紙, 敷金 and unit prices, whatever their order', () => {
  const text = [
    '収入印紙代として金4,000円を負担する。',
    '敷金は金900,000円とする。',
    '単価は1個あたり金1,280円とする。',
    '遅延損害金は1日につき金5,000円とする。',
    '賃料は月額金300,000円（消費税別）とする。',
  ].join('\n');
  const amount = pick(suggestContractFields(text), 'amount')!;
  assert.deepEqual(amount.value, { yen: 300_000, currency: 'JPY', tax: 'excluded', basis: 'monthly', context: '賃料' });
  assert.match(amount.reason.ja, /他の金額4件/u);
});

test('no suggestion when the text names no contract amount, term or parties', () => {
  const text =
    '第1条 単価は1ワードあたり金18円とする。\n第2条 遅延損害金は年14.6%とする。\n第3条 乙は2026年11月30日までに納品する。';
  assert.deepEqual(suggestContractFields(text), []);
  assert.deepEqual(suggestContractFields(''), []);
});

test('amounts in 漢数字 and 万 units', () => {
  for (const [sentence, yen] of [
    ['請負代金は金壱千弐百万円也とする。', 12_000_000],
    ['委託料の総額は、一千二百万円（消費税別）とする。', 12_000_000],
    ['売買代金は、金2,500万円とする。', 25_000_000],
    ['契約金額　金参阡弐百四拾萬円也', 32_400_000],
  ] as const) {
    assert.equal(pick(suggestContractFields(sentence), 'amount')?.value.yen, yen, sentence);
  }
});

test('term wordings: 自…至…, …から…まで, from a start for N years, from the signing date', () => {
  const cases: Array<[string, string, string]> = [
    ['工期　自 令和8年5月1日　至 令和8年9月30日', '2026-05-01', '2026-09-30'],
    ['契約期間は2026/4/1～2026/6/30とする。', '2026-04-01', '2026-06-30'],
    ['契約期間は令和8年3月1日から2年間とする。', '2026-03-01', '2028-02-29'],
    ['リース期間は、2026年4月1日を始期とする60か月とする。', '2026-04-01', '2031-03-31'],
    ['本契約の有効期間は、本契約締結日から2年間とする。\n\n2026年4月10日\n甲 …', '2026-04-10', '2028-04-09'],
    ['本契約の期間は、平成31年4月1日から平成32年3月31日までとする。', '2019-04-01', '2020-03-31'],
  ];
  for (const [text, start, end] of cases) {
    const suggestions = suggestContractFields(text);
    assert.equal(pick(suggestions, 'startDate')?.value, start, text);
    assert.equal(pick(suggestions, 'endDate')?.value, end, text);
  }
  // A delivery date is not a term.
  assert.equal(
    pick(suggestContractFields('乙は、2026年11月30日までに本件ソフトウェアを納入する。'), 'endDate'),
    undefined,
  );
});

test('自動更新 and 解約通知期限 with its date computed from the end date', () => {
  const text =
    '本契約の期間は2026年4月1日から2027年3月31日までとする。期間満了の3ヶ月前までに甲乙いずれからも書面による申出がないときは、本契約は同一条件でさらに1年間自動的に更新される。';
  const suggestions = suggestContractFields(text);
  assert.deepEqual(pick(suggestions, 'autoRenewal')!.value, { renews: true, periodMonths: 12 });
  assert.deepEqual(pick(suggestions, 'noticeDeadline')!.value, { amount: 3, unit: 'months', date: '2026-12-31' });
  const days = suggestContractFields(
    '契約期間は2026年6月1日から2027年5月31日までとする。期間満了日の60日前までに終了の通知がない場合、自動的に1年間更新する。',
  );
  assert.deepEqual(pick(days, 'noticeDeadline')!.value, { amount: 60, unit: 'days', date: '2027-04-01' });
  // Renewal by agreement, or no renewal at all, is no automatic renewal.
  for (const sentence of [
    '期間満了に際しては、甲乙協議のうえ本契約を更新することができる。',
    '本契約は更新されないものとする。',
  ]) {
    assert.equal(pick(suggestContractFields(sentence), 'autoRenewal'), undefined, sentence);
  }
  // A deadline for something other than ending the contract is not a notice deadline.
  assert.equal(
    pick(
      suggestContractFields('リース期間満了の3か月前までに甲に申し出ることにより、再リースを受けることができる。'),
      'noticeDeadline',
    ),
    undefined,
  );
});

test('huge or hostile input is bounded and never throws', () => {
  const noise = '金'.repeat(300_000) + '1'.repeat(100_000) + '円';
  assert.ok(Array.isArray(suggestContractFields(noise)));
  const manyDates = '契約期間は'.concat('2026年4月1日から'.repeat(20_000));
  assert.ok(Array.isArray(suggestContractFields(manyDates)));
  const manyAmounts = '代金は金1,000円とする。\n'.repeat(20_000);
  assert.equal(pick(suggestContractFields(manyAmounts), 'amount')?.value.yen, 1000);
});
