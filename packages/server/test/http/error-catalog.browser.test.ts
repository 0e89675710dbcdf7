/**
 * One wording for an API error in the real UI (issue 11 part 8): in Debian's Chromium against a real
 * server (SQLite, the built web UI), a wrong password at /login shows the catalog's INVALID_CREDENTIALS
 * entry — the same text the server put in its error body — in Japanese, and in English once the user picks
 * English. Screenshots at 1280×800 and 390×844 (error-catalog-*.png).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { en, errorText, ja } from '@inkan/core/messages';
import { DEFAULT_WEB_DIST } from '../../src/http/web/routes.ts';
import { REPO_ROOT } from '../helpers/run-inkan.ts';
import { startHarness, type Harness } from '../api/helpers/harness.ts';
import { screenshotDir } from '../helpers/screenshot-dir.ts';
import { assertNoHorizontalScroll, BROWSER_ARGS, DESKTOP, newWatchedPage, PHONE } from '../helpers/browser.ts';

const SCREENSHOTS = screenshotDir();

describe('API errors in the browser read as the catalog', () => {
  let h: Harness;
  let browser: Browser;
  let baseUrl: string;
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];

  before(async () => {
    execFileSync(process.execPath, [join(REPO_ROOT, 'packages/web/scripts/build-web.mjs')], { stdio: 'inherit' });
    h = await startHarness('sqlite', { webDistDir: DEFAULT_WEB_DIST });
    baseUrl = await h.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: BROWSER_ARGS });
  });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await h?.close();
  });

  async function newPage(label: string): Promise<Page> {
    const { context, page } = await newWatchedPage(browser, {
      viewport: DESKTOP,
      label,
      problems,
      // The 401 of the wrong password typed on purpose.
      expected: [/Failed to load resource: .* status of 401/],
    });
    contexts.push(context);
    return page;
  }

  async function shoot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(SCREENSHOTS, `error-catalog-${name}-1280.png`), fullPage: true });
    await page.setViewportSize(PHONE);
    await assertNoHorizontalScroll(page);
    await page.screenshot({ path: join(SCREENSHOTS, `error-catalog-${name}-390.png`), fullPage: true });
    await page.setViewportSize(DESKTOP);
  }

  /** Signs in with a wrong password and returns the alert's text and the server's own message. */
  async function wrongPassword(page: Page, labels: { email: string; password: string; submit: string }) {
    await page.getByLabel(labels.email).fill(h.org.admin.email);
    await page.getByLabel(labels.password, { exact: true }).fill('not-the-password-1234');
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/session') && r.request().method() === 'POST');
    await page.getByRole('button', { name: labels.submit, exact: true }).click();
    const body = (await (await answer).json()) as { error: { code: string; message: string } };
    const alert = page.getByRole('alert');
    await alert.waitFor();
    return { shown: (await alert.textContent())!.trim(), server: body.error };
  }

  it('a wrong password shows the INVALID_CREDENTIALS entry of the catalog, in Japanese then in English', async () => {
    const page = await newPage('login');
    await page.goto(`${baseUrl}/login`);
    const japanese = await wrongPassword(page, {
      email: ja['login.email'],
      password: ja['login.password'],
      submit: ja['login.submit'],
    });
    assert.equal(japanese.server.code, 'INVALID_CREDENTIALS');
    assert.equal(japanese.server.message, errorText('ja', 'INVALID_CREDENTIALS'));
    assert.equal(japanese.shown, errorText('ja', 'INVALID_CREDENTIALS'));
    await shoot(page, 'login-ja');

    await page.getByRole('group', { name: ja['lang.label'] }).getByRole('button', { name: en['lang.en'] }).click();
    await page.reload(); // the choice is remembered; the reload clears the Japanese message
    await page.getByRole('button', { name: en['login.submit'], exact: true }).waitFor();
    const english = await wrongPassword(page, {
      email: en['login.email'],
      password: en['login.password'],
      submit: en['login.submit'],
    });
    assert.equal(english.server.message, errorText('en', 'INVALID_CREDENTIALS'));
    assert.equal(english.shown, en['error.INVALID_CREDENTIALS']);
    await shoot(page, 'login-en');
    assert.deepEqual(problems, []);
  });
});
