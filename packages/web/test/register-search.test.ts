// The register search form: URL round trip, validation with the shared parsers, the API query.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSearch, EMPTY_SEARCH, searchFromParams, searchToParams } from '../src/lib/register-search.ts';

test('a search survives the trip through the page URL', () => {
  const search = {
    ...EMPTY_SEARCH,
    dateField: 'end' as const,
    dateFrom: '令和8年4月1日',
    amountMin: '１，０００万円',
    counterparty: 'みなと',
    tag: '重要',
  };
  assert.deepEqual(searchFromParams(searchToParams(search)), search);
  assert.equal(searchToParams(EMPTY_SEARCH).toString(), '');
});

test('amounts and dates are read as the server reads them and become the API query', () => {
  const checked = checkSearch(
    {
      ...EMPTY_SEARCH,
      dateField: 'end',
      dateFrom: '令和8年4月1日',
      dateTo: '2027/3/31',
      amountMin: '¥1,000,000',
      amountMax: '１，２３４，５６７円',
      counterparty: ' みなと ',
    },
    'ja',
  );
  assert.equal(checked.ok, true);
  if (checked.ok) {
    assert.equal(
      checked.query.toString(),
      new URLSearchParams({
        endFrom: '2026-04-01',
        endTo: '2027-03-31',
        amountMin: '1000000',
        amountMax: '1234567',
        counterparty: 'みなと',
        sort: '-signedOn',
      }).toString(),
    );
  }
});

test('bad input gets a message per field in the UI language, and no query', () => {
  const checked = checkSearch({ ...EMPTY_SEARCH, dateFrom: '2026-02-30', amountMin: '-5', amountMax: 'abc' }, 'ja');
  assert.equal(checked.ok, false);
  if (!checked.ok) {
    assert.equal(checked.errors.dateFrom, '存在しない日付です。');
    assert.equal(checked.errors.amountMin, '金額にマイナスは指定できません。');
    assert.match(checked.errors.amountMax!, /数字/u);
  }
  const reversed = checkSearch(
    { ...EMPTY_SEARCH, dateFrom: '2026-04-01', dateTo: '2026-03-01', amountMin: '200', amountMax: '100' },
    'en',
  );
  assert.equal(reversed.ok, false);
  if (!reversed.ok) {
    assert.equal(reversed.errors.dateTo, 'The end date must be on or after the start date.');
    assert.equal(reversed.errors.amountMax, 'The maximum amount must be at least the minimum amount.');
  }
});
