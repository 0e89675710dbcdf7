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

test('custom fields and a member as 担当者 survive the URL and become field.<key> and owner', () => {
  const definitions = [
    { key: 'dept', label: '所管部署', type: 'choice' as const, choices: ['総務部', '営業部'] },
    { key: 'budget', label: '予算', type: 'number' as const, choices: [] },
    { key: 'review', label: '審査日', type: 'date' as const, choices: [] },
  ];
  const search = {
    ...EMPTY_SEARCH,
    owner: '0197a0f2-0000-7000-8000-000000000001',
    fields: { dept: '営業部', budget: '１，０００万円', review: '令和8年4月1日' },
  };
  assert.deepEqual(searchFromParams(searchToParams(search)), search);
  const checked = checkSearch(search, 'ja', 'me-id', definitions);
  assert.equal(checked.ok, true);
  if (checked.ok) {
    assert.equal(checked.query.get('owner'), '0197a0f2-0000-7000-8000-000000000001');
    assert.equal(checked.query.get('field.dept'), '営業部');
    assert.equal(checked.query.get('field.budget'), '10000000');
    assert.equal(checked.query.get('field.review'), '2026-04-01');
  }
  const mine = checkSearch({ ...EMPTY_SEARCH, owner: 'me' }, 'ja', 'me-id');
  assert.equal(mine.ok && mine.query.get('owner'), 'me-id');
  // A bad value in a number or date field is refused with the field's own message; no query.
  const bad = checkSearch(
    { ...EMPTY_SEARCH, fields: { budget: 'abc', review: '2026-02-30' } },
    'en',
    null,
    definitions,
  );
  assert.equal(bad.ok, false);
  if (!bad.ok) {
    assert.ok(bad.errors['field.budget']);
    assert.ok(bad.errors['field.review']);
  }
});
