/**
 * The account pages in Debian's Chromium (playwright-core) against a real server (buildApp listening on
 * a port, the built web UI, SQLite) that mails over real SMTP (the smtp-server sink): /signup → the mail
 * 「【Inkan】アカウント登録のご案内」 opened in the browser → its button アカウント登録手続きへ → the form →
 * アカウントを登録してログイン → signed in, landing on the `next` path; then /login with `next`, and the
 * /account page. Screenshots at 1280×800 and 390×844 (account-*.png).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { DEFAULT_WEB_DIST } from '../../src/http/web/routes.ts';
import { REPO_ROOT } from '../helpers/run-inkan.ts';
import { startHarness, type Harness } from '../api/helpers/harness.ts';
import { screenshotDir } from '../helpers/screenshot-dir.ts';
import { startSmtpSink, type SmtpSink } from '../e2e/helpers/smtp-sink.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { BROWSER_ARGS, DESKTOP, newWatchedPage, PHONE } from '../helpers/browser.ts';

const SCREENSHOTS = screenshotDir();
const NEXT = '/account?from=claim';

describe('the account pages in a real browser', () => {
  let h: Harness;
  let smtp: SmtpSink;
  let baseUrl: string;
  let browser: Browser;
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];

  before(async () => {
    execFileSync(process.execPath, [join(REPO_ROOT, 'packages/web/scripts/build-web.mjs')], { stdio: 'inherit' });
    smtp = await startSmtpSink();
    h = await startHarness('sqlite', {
      webDistDir: DEFAULT_WEB_DIST,
      env: { INKAN_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` },
    });
    const listening = new URL(await h.app.listen({ port: 0, host: '127.0.0.1' }));
    // The mails link to INKAN_PUBLIC_URL (http://inkan.test): the browser resolves that name to this server.
    baseUrl = 'http://inkan.test';
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [...BROWSER_ARGS, `--host-resolver-rules=MAP inkan.test 127.0.0.1:${listening.port}`],
    });
  });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await h?.close();
    await smtp?.close();
  });

  async function newPage(viewport: typeof DESKTOP, label: string): Promise<Page> {
    const { context, page } = await newWatchedPage(browser, {
      viewport,
      label,
      problems,
      expected: [
        // The refused common password (400) is the page working as designed.
        /Failed to load resource: .* status of 400/,
        // http://inkan.test is not a "potentially trustworthy" origin as 127.0.0.1 is: Chromium says it ignores helmet's COOP header.
        /Cross-Origin-Opener-Policy header has been ignored/,
      ],
    });
    contexts.push(context);
    return page;
  }

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: join(SCREENSHOTS, `account-${name}.png`), fullPage: true });

  /** The page fits the viewport's width (no sideways scrolling on a phone). */
  async function assertNoHorizontalScroll(page: Page): Promise<void> {
    const widths = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    assert.ok(widths.scroll <= widths.client + 1, `horizontal scroll: ${JSON.stringify(widths)}`);
  }

  for (const [viewport, suffix] of [
    [DESKTOP, '1280'],
    [PHONE, '390'],
  ] as const) {
    it(`signs up through the mail and lands on next, then signs in again (${suffix})`, async () => {
      const email = `browser-${suffix}@example.jp`;
      const password = `ブラウザで登録 ${suffix} passphrase`;
      const page = await newPage(viewport, `signup-${suffix}`);
      await page.goto(`${baseUrl}/signup?next=${encodeURIComponent(NEXT)}`);
      await page.getByRole('heading', { level: 1, name: 'アカウント登録' }).waitFor();
      await assertNoHorizontalScroll(page);
      await shot(page, `signup-${suffix}`);
      await page.getByLabel('メールアドレス').fill(email);
      await page.getByRole('button', { name: '登録手続きのメールを送信' }).click();
      await page.getByRole('heading', { level: 1, name: 'メールを送信しました' }).waitFor();

      await h.runJobs();
      const mail = await waitFor(() => smtp.to(email)[0], { what: 'the sign-up mail over SMTP' });
      assert.equal(mail.subject, '【Inkan】アカウント登録のご案内');
      // Open the HTML mail in the browser and press its button, as the person would.
      await page.setContent(mail.html);
      await page.getByRole('link', { name: 'アカウント登録手続きへ' }).click();
      await page.waitForURL(/\/signup\/complete\?token=/);
      await page.getByRole('heading', { level: 1, name: 'アカウント登録' }).waitFor();
      assert.equal(await page.getByLabel('メールアドレス').inputValue(), email);
      await page.getByLabel('氏名（必須）').fill('山田 花子');
      await page.getByLabel('会社名・団体名（任意）').fill('株式会社ブラウザ');
      await page.getByLabel('パスワード').fill('1234567890');
      await page.getByRole('button', { name: 'アカウントを登録してログイン' }).click();
      await page.getByText('このパスワードはよく使われているため使えません').waitFor();
      await assertNoHorizontalScroll(page);
      await shot(page, `signup-complete-${suffix}`);
      await page.getByLabel('パスワード').fill(password);
      await page.getByRole('button', { name: 'アカウントを登録してログイン' }).click();
      await page.waitForURL(`${baseUrl}${NEXT}`);
      await page.getByRole('heading', { level: 1, name: 'アカウント' }).waitFor();
      await page.getByText(email, { exact: true }).waitFor();
      await page.getByText('この端末').waitFor();
      assert.equal(await page.getByLabel('会社名・団体名（任意）').inputValue(), '株式会社ブラウザ');
      await assertNoHorizontalScroll(page);
      await shot(page, `page-${suffix}`);

      // Signed out, /login with next: the links to sign-up and reset are there; sign-in returns to next.
      const login = await newPage(viewport, `login-${suffix}`);
      await login.goto(`${baseUrl}/login?next=${encodeURIComponent(NEXT)}`);
      await login.getByRole('heading', { level: 1, name: 'ログイン' }).waitFor();
      assert.equal(
        await login.getByRole('link', { name: '無料でアカウント登録' }).getAttribute('href'),
        `/signup?next=${encodeURIComponent(NEXT)}`,
      );
      assert.equal(
        await login.getByRole('link', { name: 'パスワードをお忘れの方' }).getAttribute('href'),
        '/password/forgot',
      );
      await assertNoHorizontalScroll(login);
      await shot(login, `login-${suffix}`);
      await login.getByLabel('メールアドレス').fill(email);
      await login.getByLabel('パスワード').fill(password);
      await login.getByRole('button', { name: 'ログイン' }).click();
      await login.waitForURL(`${baseUrl}${NEXT}`);
      // The first browser now sees two devices and can sign the other out.
      await page.reload();
      await page.getByRole('button', { name: 'ほかの端末をすべてログアウト' }).click();
      await page.getByText('1件のセッションを終了しました。').waitFor();
    });
  }

  it('reset by mail from /password/forgot, and the pages ran without console errors', async () => {
    const page = await newPage(DESKTOP, 'reset');
    await page.goto(`${baseUrl}/password/forgot`);
    await page.getByLabel('メールアドレス').fill('browser-1280@example.jp');
    await page.getByRole('button', { name: '再設定のメールを送信' }).click();
    await page.getByRole('heading', { level: 1, name: 'メールを確認してください' }).waitFor();
    await h.runJobs();
    const mail = await waitFor(
      () => smtp.to('browser-1280@example.jp').find((m) => m.subject === '【Inkan】パスワード再設定のご案内'),
      { what: 'the reset mail' },
    );
    await page.setContent(mail.html);
    await page.getByRole('link', { name: 'パスワードを再設定する' }).click();
    await page.waitForURL(/\/password\/reset\?token=/);
    await page.getByLabel('新しいパスワード', { exact: true }).fill('a brand new passphrase 1280');
    await page.getByRole('button', { name: 'パスワードを設定する' }).click();
    await page.getByRole('heading', { level: 1, name: 'パスワードを設定しました' }).waitFor();
    await shot(page, 'reset-done-1280');
    assert.deepEqual(problems, []);
  });
});
