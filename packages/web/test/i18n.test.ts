// The two UI languages stay in step: same keys, same placeholders, nothing left empty.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { en, ja } from '@inkan/core/messages';
import { acceptLanguage, translate } from '../src/i18n/translate.ts';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
/**
 * Entries whose English names a detail the Japanese leaves out on purpose: the seal image's reason is the
 * signing core's English sentence, so the Japanese keeps its fixed guidance; the Japanese subject of the
 * completion mail is the fixed 電子署名完了のお知らせ of PRODUCT.md.
 */
const ENGLISH_ONLY_PLACEHOLDERS: Record<string, string[]> = {
  'error.IMAGE_INVALID.reason': ['reason'],
  'mail.completion.subject': ['envelope'],
};

test('English has exactly the Japanese keys, with the same placeholders', () => {
  assert.deepEqual(Object.keys(en).sort(), Object.keys(ja).sort());
  for (const key of Object.keys(ja) as (keyof typeof ja)[]) {
    assert.ok(ja[key].trim().length > 0, `ja ${key} is empty`);
    assert.ok(en[key].trim().length > 0, `en ${key} is empty`);
    const englishOnly = ENGLISH_ONLY_PLACEHOLDERS[key] ?? [];
    assert.deepEqual(
      placeholders(en[key]).filter((name) => !englishOnly.includes(name!)),
      placeholders(ja[key]),
      `placeholders differ for ${key}`,
    );
  }
});

test('the contractual Japanese labels are the ones of the product', () => {
  assert.equal(ja['signer.code.label'], 'アクセスコード');
  assert.equal(ja['signer.code.next'], '次へ');
  assert.equal(ja['signer.review.complete'], '完了する');
  assert.equal(ja['signer.review.decline'], '拒否する');
  assert.equal(ja['signer.confirm.submit'], '署名手続きを完了する');
  assert.equal(ja['download.button'], 'ダウンロード');
  assert.equal(ja['new.saveDraft'], '下書き保存');
  assert.equal(ja['new.recipient.generate'], '生成');
  assert.deepEqual(
    ['draft', 'notified', 'viewed', 'signed', 'declined', 'locked'].map(
      (s) => ja[`status.recipient.${s}` as keyof typeof ja],
    ),
    ['下書き', '送信済み', '閲覧済み', '署名済み', '拒否', 'ロック中'],
  );
});

test('translate fills placeholders and leaves unknown ones visible', () => {
  assert.equal(
    translate('ja', 'error.ACCESS_CODE_WRONG.remaining', { n: 3 }),
    'アクセスコードが正しくありません。あと3回間違えるとロックされます。',
  );
  assert.equal(translate('en', 'common.pages', {}), '{n} pages');
  assert.equal(acceptLanguage('ja'), 'ja, en;q=0.5');
  assert.equal(acceptLanguage('en'), 'en, ja;q=0.5');
});
