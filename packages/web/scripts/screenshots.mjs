#!/usr/bin/env node
/* global document, window -- the functions passed to page.evaluate/addInitScript run in the browser */
// Takes screenshots of the UI against the DEV-ONLY MOCK (scripts/preview-mock.mjs) with Debian's
// Chromium, into packages/web/screenshots/. Fails on any console error or CSP violation, so that
// the pictures are of a page that really works under a strict CSP.
//
//   npm run build -w @inkan/web && node packages/web/scripts/screenshots.mjs
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startMockServer } from './preview-mock.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(here, '..', 'screenshots');
mkdirSync(outDir, { recursive: true });

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

const mock = await startMockServer();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});

const problems = [];

async function newPage(viewport, label) {
  const context = await browser.newContext({
    viewport,
    deviceScaleFactor: 1,
    locale: 'ja-JP',
    hasTouch: viewport === PHONE,
    isMobile: viewport === PHONE,
  });
  const page = await context.newPage();
  page.on('console', (msg) => {
    const text = msg.text();
    // 401 (the signer-session probe, a wrong code) and 410 (an expired link) are the UI working.
    if (/Failed to load resource: .* status of (401|410)/.test(text)) return;
    if (msg.type() === 'error' || /Content Security Policy/i.test(text))
      problems.push(`${label}: console ${msg.type()}: ${text}`);
  });
  page.on('pageerror', (err) => problems.push(`${label}: page error: ${err.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  return { context, page };
}

async function shot(page, name) {
  const file = join(outDir, `${name}.png`);
  await page.screenshot({ path: file });
  console.log(`  ${file}`);
}

/** Waits until the visible viewer has drawn a page (canvas sized and text layer filled). */
async function waitForRenderedPage(page) {
  await page.waitForFunction(() => {
    const panel = document.querySelector('[role="tabpanel"]:not([hidden])');
    const canvas = panel?.querySelector('canvas');
    const text = panel?.querySelector('.textLayer span');
    return !!canvas && canvas.width > 0 && !!text;
  });
}

async function signerFlow(viewport, suffix) {
  const { context, page } = await newPage(viewport, `signer-${suffix}`);
  await page.goto(`${mock.url}/s/demo-${suffix}`);
  await page.getByLabel('アクセスコード').waitFor();
  await shot(page, `signer-access-code-${suffix}`);

  await page.getByLabel('アクセスコード').fill('0000');
  await page.getByRole('button', { name: '次へ' }).click();
  await page.getByRole('alert').filter({ hasText: 'あと4回' }).waitFor();
  await shot(page, `signer-access-code-wrong-${suffix}`);

  await page.getByLabel('アクセスコード').fill('1234');
  await page.getByRole('button', { name: '次へ' }).click();
  await page.getByRole('tab').nth(1).waitFor();
  await waitForRenderedPage(page);
  await shot(page, `signer-review-${suffix}`);

  await page.getByRole('tab', { name: /秘密保持契約書/ }).click();
  await waitForRenderedPage(page);
  await page.getByRole('button', { name: '次のページ' }).click();
  await page.locator('[role="tabpanel"]:not([hidden]) .viewer__page', { hasText: '2 / 2' }).waitFor();
  await waitForRenderedPage(page);
  await shot(page, `signer-review-tab2-${suffix}`);

  await page.getByRole('button', { name: '完了する' }).click();
  await page.getByRole('dialog').waitFor();
  await shot(page, `signer-confirm-${suffix}`);

  // Two clicks in the same task, before React can re-render the button as disabled: the mock
  // counts the sign requests and exactly one must arrive.
  await page.getByRole('button', { name: '署名手続きを完了する' }).evaluate((button) => {
    button.click();
    button.click();
  });
  await page.getByRole('heading', { name: '署名が完了しました' }).waitFor();
  await shot(page, `signer-done-${suffix}`);
  const calls = mock.signCalls.get(`demo-${suffix}`);
  if (calls !== 1) problems.push(`signer-${suffix}: a double click sent ${calls} sign requests`);
  await context.close();
}

console.log('screenshots →', outDir);
await signerFlow(DESKTOP, '1280');
await signerFlow(PHONE, '390');

{
  // English, chosen with the switch on the access-code page.
  const { context, page } = await newPage(PHONE, 'signer-en');
  await page.goto(`${mock.url}/s/demo-en`);
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByLabel('Access code').fill('1234');
  await page.getByRole('button', { name: 'Next' }).click();
  await waitForRenderedPage(page);
  await shot(page, 'signer-review-en-390');
  await page.getByRole('button', { name: 'Finish' }).click();
  await page.getByRole('dialog').waitFor();
  await shot(page, 'signer-confirm-en-390');
  await context.close();
}

{
  const { context, page } = await newPage(PHONE, 'states');
  await page.goto(`${mock.url}/s/locked`);
  await page.getByRole('heading', { name: 'ロックされています' }).waitFor();
  await shot(page, 'signer-locked-390');
  // The organisation's own signer (auth 'login'): the mock is signed in, so the review opens at once.
  await page.goto(`${mock.url}/s/login-own-signer`);
  await page.getByRole('button', { name: '完了する' }).waitFor();
  await page.goto(`${mock.url}/d/expired`);
  await page.getByRole('heading', { name: /有効期限が切れています/ }).waitFor();
  await shot(page, 'download-expired-390');
  await context.close();
}

{
  const { context, page } = await newPage(DESKTOP, 'sender');
  await page.goto(`${mock.url}/d/demo`);
  await page
    .getByRole('link', { name: /ダウンロード/ })
    .first()
    .waitFor();
  await shot(page, 'download-1280');

  await page.goto(`${mock.url}/login`);
  await page.getByLabel('メールアドレス').waitFor();
  await shot(page, 'login-1280');

  await page.goto(`${mock.url}/envelopes`);
  await page.getByRole('table').waitFor();
  await shot(page, 'envelope-list-1280');

  await page.goto(`${mock.url}/envelopes/new`);
  await page.getByLabel('封筒名').fill('業務委託契約書（令和7年度 庁舎清掃業務）');
  await page.getByLabel('メッセージ').fill('内容をご確認のうえ、ご署名をお願いいたします。');
  await page.locator('input[type=file]').setInputFiles([
    { name: '業務委託契約書.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7\n%mock\n') },
    { name: '別紙_仕様書.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7\n%mock 2\n'.repeat(4000)) },
  ]);
  await page.getByLabel('氏名').fill('佐藤 一郎');
  await page.getByLabel('メールアドレス').fill('sato@test-kogyo.example');
  await page.getByRole('button', { name: '署名者 1 のコードを自動生成' }).click();
  await page.getByRole('button', { name: /署名者を追加/ }).click();
  await page.getByLabel('氏名').nth(1).fill('山田 花子');
  await page.getByLabel('メールアドレス').nth(1).fill('not-an-email');
  await page.getByLabel('本人確認').nth(1).selectOption('login');
  // The form checks itself before 送信内容の確認 (nothing is sent from this page).
  await page.getByRole('button', { name: '送信内容の確認', exact: true }).click();
  await page.getByText('入力内容を確認してください。').waitFor();
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, 'envelope-new-1280');
  await page.setViewportSize({ width: 1280, height: 2000 });
  await shot(page, 'envelope-new-full-1280');
  await page.setViewportSize(DESKTOP);

  await page.goto(`${mock.url}/envelopes/${mock.envelopeIds[0]}`);
  await page.getByRole('heading', { name: '履歴' }).waitFor();
  await page.locator('.timeline__item').first().waitFor();
  await shot(page, 'envelope-page-1280');

  await page
    .getByRole('button', { name: /ロックを解除/ })
    .first()
    .click();
  await page.getByRole('dialog').waitFor();
  await shot(page, 'envelope-unlock-1280');
  await page.keyboard.press('Escape');

  // English switch, remembered across pages.
  await page.getByRole('button', { name: 'English' }).click();
  await page.goto(`${mock.url}/envelopes`);
  await page.getByRole('heading', { name: 'Envelopes' }).waitFor();
  await shot(page, 'envelope-list-en-1280');
  await context.close();
}

{
  const { context, page } = await newPage(PHONE, 'sender-phone');
  await page.goto(`${mock.url}/envelopes`);
  await page.locator('tbody tr').first().waitFor();
  await shot(page, 'envelope-list-390');
  await context.close();
}

await browser.close();
await mock.close();
if (problems.length > 0) {
  console.error(`\n${problems.length} problem(s):\n${problems.join('\n')}`);
  process.exit(1);
}
console.log('no console errors, no CSP violations');
