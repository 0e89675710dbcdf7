// The register entry form: suggestions fill it, the shared parsers check it, the PATCH holds only changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContractEntry, FieldSuggestion } from '../src/api/register-types.ts';
import { applySuggestion, checkContractForm, formFromEntry } from '../src/lib/contract-form.ts';

const entry: ContractEntry = {
  id: 'c1',
  scope: 'organization',
  source: 'envelope',
  envelopeId: 'e1',
  certificateId: null,
  title: '業務委託契約書',
  counterparties: ['株式会社みなと商事'],
  signedOn: '2026-03-20',
  startOn: null,
  endOn: null,
  noticeOn: null,
  amount: null,
  currency: 'JPY',
  tax: null,
  autoRenew: false,
  renewalMonths: null,
  contractType: null,
  referenceNumber: null,
  owner: null,
  memo: '',
  status: 'active',
  tags: [],
  watchers: [],
  fields: {},
  imported: false,
  importedAt: null,
  createdAt: '2026-03-20T00:00:00Z',
  updatedAt: '2026-03-20T00:00:00Z',
  shreddedAt: null,
  documents: [],
  history: [],
};
const source = { sentence: 's', start: 0, end: 1 };
const reason = { ja: 'r', en: 'r' };

test('accepting suggestions fills the form; the PATCH holds only the accepted changes', () => {
  let form = formFromEntry(entry);
  const amount: FieldSuggestion = {
    field: 'amount',
    value: { yen: 6_600_000, currency: 'JPY', tax: 'excluded', basis: 'total', context: '委託料' },
    confidence: 0.9,
    source,
    reason,
  };
  const end: FieldSuggestion = { field: 'endDate', value: '2027-03-31', confidence: 0.9, source, reason };
  form = applySuggestion(applySuggestion(form, amount), end);
  assert.equal(form.amount, '6,600,000');
  const checked = checkContractForm(form, entry, 'ja');
  assert.deepEqual(checked, { ok: true, patch: { endOn: '2027-03-31', amount: 6_600_000, tax: 'excluded' } });
  assert.deepEqual(checkContractForm(formFromEntry(entry), entry, 'ja'), { ok: true, patch: {} });
});

test('typed values in Japanese forms are accepted; bad ones are refused with a message, nothing to send', () => {
  const form = {
    ...formFromEntry(entry),
    startOn: '令和8年4月1日',
    endOn: '２０２７年３月３１日',
    amount: '¥1,234,567',
  };
  assert.deepEqual(checkContractForm(form, entry, 'ja'), {
    ok: true,
    patch: { startOn: '2026-04-01', endOn: '2027-03-31', amount: 1_234_567 },
  });
  const bad = checkContractForm({ ...form, startOn: '2026-02-30', amount: '-1' }, entry, 'ja');
  assert.deepEqual(bad, {
    ok: false,
    errors: { startOn: '存在しない日付です。', amount: '金額にマイナスは指定できません。' },
  });
  const reversed = checkContractForm({ ...form, startOn: '2027-04-01', endOn: '2027-03-31' }, entry, 'en');
  assert.deepEqual(reversed, { ok: false, errors: { endOn: 'The end date must be on or after the start date.' } });
});

test('organisation-defined fields: numbers and dates read like the others, only changes sent, bad ones refused', () => {
  const fields = [
    { key: 'budget', label: '予算', type: 'number' as const, choices: [] },
    { key: 'review_on', label: '見直し日', type: 'date' as const, choices: [] },
    { key: 'dept', label: '部署', type: 'choice' as const, choices: ['営業部', '総務部'] },
  ];
  const withFields = { ...entry, fields: { dept: '営業部' } };
  const form = {
    ...formFromEntry(withFields),
    custom: { budget: '１，０００万円', review_on: '令和8年10月1日', dept: '営業部' },
  };
  assert.deepEqual(checkContractForm(form, withFields, 'ja', fields), {
    ok: true,
    patch: { fields: { budget: '10000000', review_on: '2026-10-01' } },
  });
  const cleared = checkContractForm({ ...form, custom: { ...form.custom, dept: '' } }, withFields, 'ja', fields);
  assert.deepEqual(cleared.ok && cleared.patch.fields, { budget: '10000000', review_on: '2026-10-01', dept: null });
  const bad = checkContractForm(
    { ...form, custom: { ...form.custom, review_on: '2026-02-30' } },
    withFields,
    'en',
    fields,
  );
  assert.deepEqual(bad, { ok: false, errors: { 'custom.review_on': 'This date does not exist.' } });
});
