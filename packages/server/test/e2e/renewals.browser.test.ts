/**
 * 長期保存（タイムスタンプ更新） in Debian's Chromium against a real server (buildApp listening, the built
 * UI, SQLite): one contract sealed by a TSA whose certificate ends in 20 days (INKAN_RENEWAL_MARGIN=30d:
 * due at once) and one sealed by the installation's TSA. After the daily job the page lists both files
 * of each with their next renewal, and the renewals done with their hashes; the register entry of the
 * renewed contract says 現在の版：第2版 and keeps the original hash. Screenshots at 1280×800 and 390×844
 * (renewals-*.png, register-archive-version-1280.png). A member's personal register: its 保管 copy of the
 * first contract and a personal import, timestamped by the same short-lived TSA, are renewed too and
 * listed on the personal renewals page (renewals-personal-1280.png).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { claimContract } from '../../src/domain/use-cases/claim-contract.ts';
import { importContract } from '../../src/domain/use-cases/import-contract.ts';
import { renewArchiveTimestamps, renewalDay } from '../../src/domain/use-cases/renew-archive-timestamps.ts';
import { DEFAULT_WEB_DIST } from '../../src/http/web/routes.ts';
import { startHarness, type Harness } from '../api/helpers/harness.ts';
import { assertNoHorizontalScroll, DESKTOP, PHONE } from '../helpers/browser.ts';
import { buildWebUi, openBrowserOn, type BrowserOnHarness } from '../helpers/browser-server.ts';
import { screenshotDir } from '../helpers/screenshot-dir.ts';
import { useShortLivedTsa } from '../helpers/short-lived-tsa.ts';
import { completeEnvelope, SIGNER } from '../verify/helpers/signed-envelope.ts';

const SCREENSHOTS = screenshotDir();

describe('the renewals page in a real browser', () => {
  let h: Harness;
  let ui: BrowserOnHarness;
  let renewedId: string;

  before(async () => {
    buildWebUi();
    h = await startHarness('sqlite', { webDistDir: DEFAULT_WEB_DIST, env: { INKAN_RENEWAL_MARGIN: '30d' } });
    const shortLived = await useShortLivedTsa(h.context.signing, { days: 20 });
    renewedId = (
      await completeEnvelope(h, {
        name: '庁舎清掃業務委託契約（2026年度）',
        documents: [{ filename: '業務委託契約書.pdf', data: await makePdf({ pages: 1, text: 'Cleaning' }) }],
      })
    ).id;
    // The viewer keeps the first contract (保管) and imports one of its own, in its personal register.
    const completion = (await h.mailsTo(SIGNER.email)).find((m) => m.subject === '電子署名完了のお知らせ');
    const token = /http:\/\/inkan\.test\/claim\/([A-Za-z0-9_-]+)/.exec(completion?.text_body ?? '')?.[1];
    assert.ok(token);
    await claimContract(h.context, { token, userId: h.org.viewer.id });
    await importContract(h.context, {
      scope: { kind: 'personal', userId: h.org.viewer.id },
      actor: { type: 'user', id: h.org.viewer.id },
      contract: { title: '賃貸借契約（自宅）' },
      document: { name: '賃貸借契約書.pdf', bytes: await makePdf({ pages: 1, text: 'Lease' }) },
    });
    shortLived.restore();
    await completeEnvelope(h, {
      name: '物品売買契約（公用車）',
      signer: { ...SIGNER, name: '佐藤 花子', email: 'hanako@dealer.example.jp' },
      documents: [{ filename: '売買契約書.pdf', data: await makePdf({ pages: 1, text: 'Vehicle' }) }],
    });
    const result = await renewArchiveTimestamps(h.context, { day: renewalDay(h.clock.now()) });
    // The organisation's 4 files; the viewer's 保管 copy (document, certificate) and import.
    assert.deepEqual(result, { recorded: 7, renewed: 5 });
    ui = await openBrowserOn(h);
  });

  after(async () => {
    await ui?.close();
    await h?.close();
  });

  const signedInPage = (viewport: typeof DESKTOP, label: string): Promise<Page> =>
    ui.signedInPage(h.org.viewer, viewport, label);

  for (const [viewport, suffix] of [
    [DESKTOP, '1280'],
    [PHONE, '390'],
  ] as const) {
    it(`lists upcoming and done renewals (${suffix})`, async () => {
      const page = await signedInPage(viewport, `renewals-${suffix}`);
      await page.goto('http://inkan.test/contracts');
      await page.getByRole('link', { name: '長期保存（タイムスタンプ更新）' }).click();
      await page.getByRole('heading', { name: '長期保存（タイムスタンプ更新）', level: 1 }).waitFor();
      await page.getByText('30日前に').waitFor();
      const upcoming = page.locator('section', { has: page.getByRole('heading', { name: '今後の更新' }) });
      const done = page.locator('section', { has: page.getByRole('heading', { name: '更新履歴' }) });
      // Four stored files: each contract's document and certificate; the renewed ones are at version 2.
      assert.equal(await upcoming.locator('tbody tr').count(), 4);
      assert.equal(await upcoming.getByText('第2版').count(), 2);
      assert.equal(await upcoming.getByText('第1版').count(), 2);
      assert.equal(await upcoming.getByText('要更新').count(), 0);
      assert.equal(await done.locator('tbody tr').count(), 2);
      assert.equal(await done.getByText('TSA証明書の期限前の更新').count(), 2);
      await done.getByText('庁舎清掃業務委託契約（2026年度）').first().waitFor();
      await assertNoHorizontalScroll(page);
      await page.screenshot({ path: join(SCREENSHOTS, `renewals-${suffix}.png`), fullPage: true });
    });
  }

  it('the register entry names the current version and keeps the original hash', async () => {
    const page = await signedInPage(DESKTOP, 'register-archive');
    const contract = await h.context.db
      .selectFrom('contracts')
      .select('id')
      .where('envelope_id', '=', renewedId)
      .executeTakeFirstOrThrow();
    const versions = await h.context.db
      .selectFrom('archive_versions')
      .select(['sha256', 'sha256_original'])
      .where('envelope_id', '=', renewedId)
      .where('subject_kind', '=', 'document')
      .where('current', '=', 1)
      .executeTakeFirstOrThrow();
    await page.goto(`http://inkan.test/contracts/${contract.id}`);
    await page.getByText('現在の版：第2版').first().waitFor();
    const note = page.locator('.archive-version').first();
    assert.match(await note.innerText(), new RegExp(`SHA-256 ${versions.sha256.slice(0, 16)}`));
    assert.match(await note.innerText(), new RegExp(`元の版 ${versions.sha256_original.slice(0, 16)}`));
    await note.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'register-archive-version-1280.png'), fullPage: true });
    assert.deepEqual(ui.problems, []);
  });

  it('the personal register has its own renewals: the 保管 copy and the import, renewed', async () => {
    const page = await signedInPage(DESKTOP, 'renewals-personal');
    await page.goto('http://inkan.test/contracts?scope=personal');
    await page.getByRole('link', { name: '長期保存（タイムスタンプ更新）' }).click();
    await page.waitForURL('http://inkan.test/contracts/renewals?scope=personal');
    const upcoming = page.locator('section', { has: page.getByRole('heading', { name: '今後の更新' }) });
    const done = page.locator('section', { has: page.getByRole('heading', { name: '更新履歴' }) });
    await upcoming.getByText('賃貸借契約（自宅）').waitFor();
    // Three files of the account: the copy's document and certificate, the import; none of the organisation's.
    assert.equal(await upcoming.locator('tbody tr').count(), 3);
    assert.equal(await upcoming.getByText('第2版').count(), 3);
    assert.equal(await upcoming.getByText('保管した写し：').count(), 2);
    assert.equal(await upcoming.getByText('取り込み：').count(), 1);
    assert.equal(await upcoming.getByText('物品売買契約（公用車）').count(), 0);
    assert.equal(await done.locator('tbody tr').count(), 3);
    await assertNoHorizontalScroll(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'renewals-personal-1280.png'), fullPage: true });
    // The copy's entry names its current version.
    await upcoming.getByRole('link', { name: '庁舎清掃業務委託契約（2026年度）' }).first().click();
    await page.getByText('現在の版：第2版').first().waitFor();
    assert.deepEqual(ui.problems, []);
  });
});
