/**
 * テンプレートの入力項目 (session 18) in Debian's Chromium against a real server (the built UI, SQLite), at
 * 1280×800 and 390×844: on the template page the administrator places a field for a role on the
 * template's own PDF (the draft's field placer), moves one (移動, then a click), removes one and saves; the
 * template then holds exactly those fields, per role. A member who did not make the template sees them
 * read-only. Screenshots: templates-fields-*.png.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { DEFAULT_WEB_DIST } from '../../src/http/web/routes.ts';
import { addMember, asSession, signIn as apiSignIn, type TestSession } from '../api/helpers/admin-session.ts';
import { startHarness, type Harness } from '../api/helpers/harness.ts';
import { assertNoHorizontalScroll, DESKTOP, PHONE } from '../helpers/browser.ts';
import { BASE_URL, buildWebUi, openBrowserOn, type BrowserOnHarness } from '../helpers/browser-server.ts';
import { screenshotDir } from '../helpers/screenshot-dir.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { templateFromDraft, type TemplateJson } from './helpers/template-from-draft.ts';

const SCREENSHOTS = screenshotDir();

describe('template fields in a real browser', () => {
  let h: Harness;
  let ui: BrowserOnHarness;
  let admin: TestSession;
  let templateId: string;

  before(async () => {
    buildWebUi();
    h = await startHarness('sqlite', { webDistDir: DEFAULT_WEB_DIST });
    ui = await openBrowserOn(h);
    admin = await apiSignIn(h, h.org.admin);
    const made = await templateFromDraft(h, admin, {
      pdf: await makePdf({ pages: 2, text: 'Template contract' }),
      recipients: [
        { name: '見本 太郎', email: 'sample@example.jp', accessCode: '1234', order: 1 },
        { name: '見本 花子', email: 'sample2@example.jp', accessCode: '5678', order: 2 },
      ],
      roleNames: ['委託者', '受託者'],
    });
    templateId = made.id;
  });

  after(async () => {
    await ui?.close();
    await h?.close();
    assert.deepEqual(ui?.problems ?? [], []);
  });

  const stored = async () =>
    (await asSession(h, admin, 'GET', `/api/v1/templates/${templateId}`)).json() as TemplateJson;

  async function pagePreview(page: Page) {
    await page.getByRole('heading', { name: '入力項目（役割ごと）' }).waitFor();
    const canvas = page.locator('.fields__stage canvas');
    await canvas.waitFor();
    await waitFor(async () => ((await canvas.boundingBox())?.height ?? 0) > 100, { what: 'the page preview' });
    return canvas;
  }

  async function clickPage(page: Page, fx: number, fy: number) {
    const canvas = page.locator('.fields__stage canvas');
    const box = (await canvas.boundingBox())!;
    await canvas.click({ position: { x: box.width * fx, y: box.height * fy } });
  }

  it('places a field for a role, moves one, removes one and saves (1280); read-only for a member (390)', async () => {
    const page = await ui.signedInPage(h.org.admin, DESKTOP, 'admin-1280');
    await page.goto(`${BASE_URL}/templates/${templateId}`);
    await pagePreview(page);
    await waitFor(async () => (await page.getByTestId('placed-field').count()) === 1, { what: 'the saved field' });
    const roles = (await stored()).roles;

    // A seal for 受託者 on page 1, then a text field for 受託者 on page 2.
    await page.getByLabel('入力する役割', { exact: true }).selectOption({ label: '2. 受託者' });
    await page.getByLabel('種類', { exact: true }).selectOption({ label: '署名/押印' });
    await clickPage(page, 0.8, 0.8);
    assert.equal(await page.getByTestId('placed-field').count(), 2);
    await page.getByRole('button', { name: '次へ' }).click();
    await page.getByText('2 / 2 ページ').waitFor();
    await page.getByLabel('種類', { exact: true }).selectOption({ label: 'テキスト' });
    await page.getByLabel('項目名').fill('住所');
    await clickPage(page, 0.3, 0.5);
    assert.equal(await page.getByTestId('placed-field').count(), 1, 'page 2 shows its own field');

    // 移動: the 委託者 seal (saved on page 1) goes to page 2, bottom left.
    const items = page.locator('.fields__item');
    await items.nth(0).getByRole('button', { name: '移動' }).click();
    await page.getByText('1 / 2 ページ').waitFor();
    await page.getByText('ページをクリックすると「署名/押印」（委託者）をそこへ移動します。').waitFor();
    await page.getByRole('button', { name: '次へ' }).click();
    await clickPage(page, 0.2, 0.85);
    assert.equal(await page.getByTestId('placed-field').count(), 2, 'moved to page 2');
    // 削除: the text field.
    await items.nth(2).getByRole('button', { name: '削除' }).click();
    assert.equal(await items.count(), 2);
    await page.screenshot({ path: join(SCREENSHOTS, 'templates-fields-1280.png'), fullPage: true });
    await page.getByRole('button', { name: '配置を保存' }).click();
    await page.getByText('テンプレートの入力項目を保存しました。').waitFor();

    const after = await stored();
    assert.deepEqual(
      after.fields.map((f) => [f.roleId, f.page, f.kind]),
      [
        [roles[0].id, 2, 'seal'],
        [roles[1].id, 1, 'seal'],
      ],
    );
    const moved = after.fields[0].rect;
    assert.ok(moved[0] < 200 && moved[1] < 250, `the moved seal is bottom left: ${JSON.stringify(moved)}`);
    assert.ok(
      Math.abs(moved[2] - moved[0] - 60) < 0.02 && Math.abs(moved[3] - moved[1] - 60) < 0.02,
      `moving keeps the size: ${JSON.stringify(moved)}`,
    );
    await waitFor(async () => (await page.getByText('入力欄 1 個').count()) === 2, { what: 'the role counts' });

    // A member who did not make the template: the fields, read-only, on a phone.
    const member = await addMember(h, h.org, 'member', '閲覧 担当');
    const phone = await ui.signedInPage(member, PHONE, 'member-390');
    await phone.goto(`${BASE_URL}/templates/${templateId}`);
    await pagePreview(phone);
    await phone.getByText('このテンプレートの入力項目を変更できるのは、管理者と作成者だけです。').waitFor();
    assert.equal(await phone.getByRole('button', { name: '配置を保存' }).count(), 0);
    assert.equal(await phone.locator('.fields__item').count(), 2);
    await assertNoHorizontalScroll(phone);
    await phone.screenshot({ path: join(SCREENSHOTS, 'templates-fields-390.png'), fullPage: true });
  });
});
