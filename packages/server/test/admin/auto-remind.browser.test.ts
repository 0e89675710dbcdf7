/**
 * 自動リマインド (メール設定) in Debian's Chromium (playwright-core) against a real server (buildApp on a
 * port, the built web UI, SQLite): the administrator sees the organisation's interval (0 = off), a value
 * out of range (31) is refused with the reason next to the field and saves nothing, 3 is saved and shown again after a
 * reload, and the organisation's row holds it. Screenshots auto-remind-1280.png and auto-remind-390.png.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_WEB_DIST } from '../../src/http/web/routes.ts';
import { startHarness, type Harness } from '../api/helpers/harness.ts';
import { screenshotDir } from '../helpers/screenshot-dir.ts';
import { DESKTOP, PHONE } from '../helpers/browser.ts';
import {
  BASE_URL,
  buildWebUi,
  openBrowserOn,
  signInWithForm,
  type BrowserOnHarness,
} from '../helpers/browser-server.ts';

const SCREENSHOTS = screenshotDir();

describe('自動リマインド card in a real browser', () => {
  let h: Harness;
  let ui: BrowserOnHarness | undefined;
  const baseUrl = BASE_URL;

  before(async () => {
    buildWebUi();
    h = await startHarness('sqlite', { webDistDir: DEFAULT_WEB_DIST });
    ui = await openBrowserOn(h, { secure: true });
  });

  after(async () => {
    const problems = ui?.problems ?? [];
    await ui?.close();
    await h?.close();
    assert.deepEqual(problems, [], 'no console errors, page errors or CSP violations');
  });

  const storedDays = async () =>
    (
      await h.context.db
        .selectFrom('organizations')
        .select('auto_remind_days')
        .where('id', '=', h.org.id)
        .executeTakeFirstOrThrow()
    ).auto_remind_days;

  it('shows the interval, refuses 31 without saving, saves 3 and shows it after a reload', async () => {
    const page = await ui!.newPage(DESKTOP, 'admin');
    await signInWithForm(page, h.org.admin);

    await page.goto(`${baseUrl}/admin/mail`);
    const card = page.locator('form', { has: page.getByRole('heading', { name: '自動リマインド' }) });
    const days = card.getByLabel('間隔（日）');
    await days.waitFor();
    assert.equal(await days.inputValue(), '0', 'off by default');
    await card.getByText('0〜30 の整数。0 は自動リマインドなし。').waitFor();

    await days.fill('31');
    await card.getByRole('button', { name: '保存' }).click();
    await card.getByText('間隔は 0〜30 の整数（日）で入力してください。保存されていません。').waitFor();
    assert.equal(await days.getAttribute('aria-invalid'), 'true');
    await card.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'auto-remind-invalid-1280.png'), fullPage: true });
    assert.equal(await storedDays(), 0, 'nothing saved');

    await days.fill('3');
    await card.getByRole('button', { name: '保存' }).click();
    await card.getByText('保存しました。').waitFor();
    assert.equal(await card.getByText('保存されていません。', { exact: false }).count(), 0, 'the error is gone');
    assert.equal(await storedDays(), 3);
    await page.reload();
    await card.getByLabel('間隔（日）').waitFor();
    assert.equal(await card.getByLabel('間隔（日）').inputValue(), '3', 'shown again after a reload');

    await card.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'auto-remind-1280.png'), fullPage: true });
    await page.setViewportSize(PHONE);
    const widths = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    await page.screenshot({ path: join(SCREENSHOTS, 'auto-remind-390.png'), fullPage: true });
    assert.ok(widths.scroll <= widths.client + 1, `horizontal scroll on a phone: ${JSON.stringify(widths)}`);
  });
});
