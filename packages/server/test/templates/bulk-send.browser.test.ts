/**
 * Templates and bulk send in Debian's Chromium against a real server (SQLite, the built web UI), at
 * 1280×800 and 390×844: a draft becomes a template (テンプレートとして保存), its 件名 gets a placeholder,
 * a CSV of 10 rows with one bad address is validated (the report names row and column, nothing is
 * sent), the 9 valid rows are sent (progress bar while the jobs run, then per-row links and the
 * results CSV), and テンプレートから作成 opens 送信内容の確認. Screenshots: bulk-*.png in the screenshot dir.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { DEFAULT_WEB_DIST } from '../../src/http/web/routes.ts';
import { startHarness, type Harness } from '../api/helpers/harness.ts';
import { assertNoHorizontalScroll, BROWSER_ARGS, DESKTOP, newWatchedPage, PHONE } from '../helpers/browser.ts';
import { REPO_ROOT } from '../helpers/run-inkan.ts';
import { screenshotDir } from '../helpers/screenshot-dir.ts';

const SCREENSHOTS = screenshotDir();

describe('templates and bulk send in a real browser', () => {
  let h: Harness;
  let baseUrl: string;
  let browser: Browser;
  let dir: string;
  let csvPath: string;
  let templateUrl: string;
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];

  before(async () => {
    execFileSync(process.execPath, [join(REPO_ROOT, 'packages/web/scripts/build-web.mjs')], { stdio: 'inherit' });
    dir = mkdtempSync(join(tmpdir(), 'inkan-bulk-ui-'));
    const rows = ['取引先:氏名,取引先:メールアドレス,取引先:アクセスコード,控え:氏名,控え:メールアドレス,会社名'];
    for (let i = 1; i <= 10; i++)
      rows.push(
        `取引先 ${i},${i === 4 ? 'broken-address' : `ui-signer-${i}@example.jp`},,控え,cc-ui@example.jp,株式会社サンプル${i}`,
      );
    csvPath = join(dir, '一括送信.csv');
    writeFileSync(csvPath, `\uFEFF${rows.join('\r\n')}\r\n`);
    h = await startHarness('sqlite', { webDistDir: DEFAULT_WEB_DIST });
    baseUrl = await h.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: BROWSER_ARGS });
  });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(problems, []);
  });

  async function newPage(viewport: { width: number; height: number }, label: string) {
    const { context, page } = await newWatchedPage(browser, { viewport, label, problems, expected: [] });
    contexts.push(context);
    return page;
  }

  async function signIn(page: Page, next: string): Promise<void> {
    await page.goto(`${baseUrl}/login?next=${encodeURIComponent(next)}`);
    await page.getByLabel('メールアドレス').fill(h.org.admin.email);
    await page.getByLabel('パスワード').fill(h.org.admin.password);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.waitForURL(`${baseUrl}${next}`);
  }

  it('template → bulk CSV → report → send → progress → results (1280)', async () => {
    const pdf = await makePdf({ pages: 1, text: 'Bulk contract' });
    const draft = await h.createEnvelope(
      h.org,
      {
        name: '秘密保持契約書',
        recipients: [
          { name: '見本', email: 'sample@example.jp', order: 1 },
          { name: '控え', email: 'cc@example.jp', role: 'cc' },
        ],
      },
      [{ filename: '秘密保持契約書.pdf', data: pdf }],
    );
    assert.equal(draft.statusCode, 201, draft.body);

    const page = await newPage(DESKTOP, 'bulk-1280');
    await signIn(page, '/templates');
    await page.getByText('テンプレートはまだありません').waitFor();
    await page.getByLabel('元にする下書き').selectOption({ label: '秘密保持契約書' });
    await page.getByLabel('テンプレート名').fill('秘密保持契約（一括）');
    await page.getByRole('button', { name: 'テンプレートとして保存' }).click();
    await page.waitForURL(/\/templates\/[0-9a-f-]{36}$/);
    templateUrl = page.url();

    // Roles named after the CSV's columns, and a placeholder in the 件名.
    await page.getByLabel('署名者（署名順 1）').fill('取引先');
    await page.getByLabel('受信者（CC）').fill('控え');
    await page.getByLabel('件名（封筒名）').fill('秘密保持契約書（{{会社名}}）');
    await page.getByRole('button', { name: '変更を保存' }).click();
    await page.getByText('テンプレートを保存しました。').waitFor();
    await page
      .getByText('取引先:氏名,取引先:メールアドレス,取引先:アクセスコード,控え:氏名,控え:メールアドレス,会社名')
      .waitFor();

    // Step 1: the report, before anything is sent.
    await page.getByTestId('bulk-csv').setInputFiles(csvPath);
    await page.getByText('10 行中 9 行を送信できます（エラー 1 行）。').waitFor();
    const errorTable = page.getByRole('table', { name: '検証エラー' });
    assert.match(await errorTable.innerText(), /4\s+取引先:メールアドレス\s+メールアドレスの形式が正しくありません。/);
    assert.equal((await h.context.db.selectFrom('envelopes').select('id').execute()).length, 1, 'nothing made yet');
    await page.locator('#tpl-bulk').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'bulk-report-1280.png'), fullPage: true });

    // Step 2: send; the progress bar shows while the worker runs the jobs, then the results.
    await page.getByRole('button', { name: 'エラーのない 9 件を送信' }).click();
    await page.getByText('9 件中 0 件 処理済み（失敗 0 件）').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'bulk-progress-1280.png'), fullPage: true });
    await h.runJobs();
    const results = page.getByRole('table', { name: '送信結果' });
    await results.waitFor();
    assert.equal(await results.getByRole('link').count(), 9);
    await results.getByRole('link', { name: '秘密保持契約書（株式会社サンプル10）' }).waitFor();
    const progress = page.getByRole('progressbar', { name: '送信の進捗' });
    assert.equal(await progress.getAttribute('value'), '9');
    await page.screenshot({ path: join(SCREENSHOTS, 'bulk-results-1280.png'), fullPage: true });
    const href = await page.getByRole('link', { name: '結果をCSVでダウンロード' }).getAttribute('href');
    const csv = await page.evaluate(async (url) => (await fetch(url!)).text(), href);
    assert.equal(csv.trim().split('\r\n').length, 10);
    assert.equal((await h.mailsTo('ui-signer-1@example.jp')).length, 1);
    assert.equal((await h.mailsTo('ui-signer-4@example.jp')).length, 0);
  });

  it('テンプレートから作成 opens 送信内容の確認; the template page fits a phone (390)', async () => {
    const page = await newPage(PHONE, 'bulk-390');
    const path = new URL(templateUrl).pathname;
    await signIn(page, path);
    await page.getByRole('heading', { name: '秘密保持契約（一括）', level: 1 }).waitFor();
    await assertNoHorizontalScroll(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'bulk-template-390.png'), fullPage: true });
    await page.getByLabel('氏名').first().fill('山田 太郎');
    await page.getByLabel('メールアドレス').first().fill('yamada@example.jp');
    await page.getByLabel('氏名').nth(1).fill('控え 花子');
    await page.getByLabel('メールアドレス').nth(1).fill('hanako@example.jp');
    await page.getByLabel('{{会社名}}').fill('株式会社山田');
    await page.getByRole('button', { name: '下書きを作成して確認へ' }).click();
    await page.waitForURL(/\/envelopes\/[0-9a-f-]{36}\/review$/);
    await page.getByRole('heading', { name: '送信内容の確認', level: 1 }).waitFor();
    await page.getByText('秘密保持契約書（株式会社山田）').first().waitFor();
    await assertNoHorizontalScroll(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'bulk-use-review-390.png'), fullPage: true });
  });
});
