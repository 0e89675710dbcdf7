/**
 * The administration area in Debian's Chromium (playwright-core) against a real server (buildApp on a
 * port, the built web UI, SQLite, the outbox mailer): an administrator uploads the logo (組織情報),
 * invites a member (メンバー); the invitee opens the mail's link, sets name and password, enables an
 * authenticator app (codes computed here by RFC 6238), signs out and signs in with password + code. Then
 * APIキー (created, shown once), メール設定 (送信テスト shows where the mail went), 証明書の添付, セッション
 * (ending the member's session signs them out), and step-up before an admin change once the
 * administrator has a second factor. A member name carrying an XSS payload is shown as text. Screenshots
 * of every admin screen at 1280×800 and 390×844 (admin-*.png).
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
import { makePng } from '../helpers/png.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { BROWSER_ARGS, DESKTOP, newWatchedPage, PHONE } from '../helpers/browser.ts';
import { totpAt } from '../helpers/totp.ts';

const SCREENSHOTS = screenshotDir();
const XSS_NAME = '新人 花子 <img src=x onerror="window.__xss=1">';

describe('organisation administration in a real browser', () => {
  let h: Harness;
  let browser: Browser;
  const baseUrl = 'http://inkan.test';
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];
  const invitee = { email: 'hanako@example.jp', password: 'hanako の長いパスワード 2026' };
  let adminPage: Page;
  let memberPage: Page;

  before(async () => {
    execFileSync(process.execPath, [join(REPO_ROOT, 'packages/web/scripts/build-web.mjs')], { stdio: 'inherit' });
    h = await startHarness('sqlite', { webDistDir: DEFAULT_WEB_DIST });
    const listening = new URL(await h.app.listen({ port: 0, host: '127.0.0.1' }));
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        ...BROWSER_ARGS,
        `--host-resolver-rules=MAP inkan.test 127.0.0.1:${listening.port}`,
        `--unsafely-treat-insecure-origin-as-secure=${baseUrl}`,
      ],
    });
  });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await h?.close();
    assert.deepEqual(problems, [], 'no console errors, page errors or CSP violations');
  });

  async function newPage(label: string): Promise<Page> {
    const { context, page } = await newWatchedPage(browser, {
      viewport: DESKTOP,
      label,
      problems,
      expected: [
        /Cross-Origin-Opener-Policy header has been ignored/,
        /Failed to load resource: .* status of (40[13]|415)/,
      ],
    });
    page.on('dialog', (dialog) => {
      problems.push(`${label}: a dialog opened: ${dialog.message()}`);
      void dialog.dismiss();
    });
    contexts.push(context);
    return page;
  }

  /** Screenshots at both sizes, full page; no horizontal scrolling on the phone. */
  async function shoot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(SCREENSHOTS, `admin-${name}-1280.png`), fullPage: true });
    await page.setViewportSize(PHONE);
    const widths = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    await page.screenshot({ path: join(SCREENSHOTS, `admin-${name}-390.png`), fullPage: true });
    await page.setViewportSize(DESKTOP);
    assert.ok(widths.scroll <= widths.client + 1, `${name}: horizontal scroll on a phone: ${JSON.stringify(widths)}`);
  }

  async function passwordSignIn(page: Page, email: string, password: string): Promise<void> {
    await page.goto(`${baseUrl}/login`);
    await page.getByLabel('メールアドレス').fill(email);
    await page.getByLabel('パスワード').fill(password);
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
  }

  it('組織情報: the administrator reaches 管理 from the menu and uploads a logo shown at once', async () => {
    adminPage = await newPage('admin');
    await passwordSignIn(adminPage, h.org.admin.email, h.org.admin.password);
    await adminPage.waitForURL(/\/envelopes$/);
    await adminPage.getByRole('link', { name: '管理', exact: true }).click();
    await adminPage.waitForURL(/\/admin\/organization$/);
    await adminPage.getByRole('heading', { name: '組織情報' }).waitFor();
    const nav = adminPage.getByRole('navigation', { name: '管理メニュー' });
    for (const label of ['組織情報', 'メンバー', 'APIキー', 'メール設定', '証明書の添付', 'セッション'])
      await nav.getByRole('link', { name: label }).waitFor();
    await adminPage.getByLabel('送信者の連絡先').fill('契約課 03-1234-5678');
    await adminPage.getByRole('button', { name: '保存する' }).click();
    await adminPage.getByText('保存しました。').waitFor();
    const png = makePng(240, 64, (x, y) => (y < 32 ? [31, 78, 140] : [x, 120, 60]));
    await adminPage.getByTestId('logo-input').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: png });
    await adminPage.getByRole('img', { name: '組織のロゴ' }).waitFor();
    await waitFor(() =>
      adminPage
        .getByRole('img', { name: '組織のロゴ' })
        .evaluate((img) => (img as HTMLImageElement).naturalWidth === 240),
    );
    // A file that is not an image is refused with the server's Japanese sentence.
    await adminPage
      .getByTestId('logo-input')
      .setInputFiles({ name: 'x.png', mimeType: 'image/png', buffer: Buffer.from('not a png') });
    await adminPage.getByText('ロゴにはPNGまたはJPEG形式の画像を指定してください。').waitFor();
    await shoot(adminPage, 'organization');
  });

  it('メンバー → invitation mail → the invitee sets a password, enables TOTP, signs out and signs in with a code', async () => {
    await adminPage.goto(`${baseUrl}/admin/members`);
    await adminPage.getByLabel('メールアドレス').fill(invitee.email);
    await adminPage.getByLabel('権限', { exact: true }).selectOption('member');
    await adminPage.getByRole('button', { name: '招待メールを送る' }).click();
    await adminPage.getByText(`${invitee.email} に招待メールを送りました。`).waitFor();
    await adminPage.getByRole('heading', { name: '招待中' }).waitFor();
    await h.runJobs();
    const [mail] = await h.mailsTo(invitee.email);
    assert.ok(mail, 'the invitation mail is in the outbox');
    assert.match(
      mail.html_body,
      new RegExp(`<img src="http://inkan\\.test/api/public/organizations/${h.org.id}/logo\\?v=\\d+"`),
      'the logo is in the mail',
    );
    const link = /http:\/\/inkan\.test\/invitation\?token=[A-Za-z0-9_-]+/.exec(mail.text_body)![0];

    memberPage = await newPage('invitee');
    await memberPage.goto(link);
    await memberPage.getByRole('heading', { name: '組織への招待' }).waitFor();
    await memberPage.getByText(`「${h.org.name}」にメンバーとして招待されています（${invitee.email}）。`).waitFor();
    await shoot(memberPage, 'invitation');
    await memberPage.getByLabel('氏名').fill(XSS_NAME);
    await memberPage.getByLabel('パスワード（10文字以上）').fill(invitee.password);
    await memberPage.getByRole('button', { name: 'パスワードを設定して参加する' }).click();
    await memberPage.waitForURL(/\/envelopes$/);

    await memberPage.goto(`${baseUrl}/account`);
    await memberPage.getByRole('button', { name: '認証アプリを設定する' }).click();
    const secret = (await memberPage.getByTestId('totp-secret').textContent())!.trim();
    await memberPage.getByLabel('確認コード（6桁）').fill(totpAt(secret, h.clock.now()));
    await memberPage.getByRole('button', { name: '確認して有効にする' }).click();
    await memberPage.getByTestId('recovery-codes').waitFor();
    await memberPage.getByRole('button', { name: 'ログアウト' }).click();
    await memberPage.waitForURL(/\/login$/);
    h.clock.advance(30_000); // the confirming code's step is spent
    await passwordSignIn(memberPage, invitee.email, invitee.password);
    await memberPage.getByRole('heading', { name: '2段階認証' }).waitFor();
    await memberPage.getByLabel('確認コード（6桁）').fill(totpAt(secret, h.clock.now()));
    await memberPage.getByRole('button', { name: '確認してログイン' }).click();
    await memberPage.waitForURL(/\/envelopes$/);
    assert.equal(await memberPage.getByRole('link', { name: '管理', exact: true }).count(), 0, 'members see no 管理');

    // The administrator sees the new member with a second factor; the payload is text, not markup.
    await adminPage.reload();
    const row = adminPage.locator(`tr[data-member="${invitee.email}"]`);
    await row.waitFor();
    assert.equal(await row.locator('.admin-strong').first().textContent(), XSS_NAME);
    assert.equal(await row.getByText('設定済み').count(), 1);
    assert.equal(await adminPage.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    await shoot(adminPage, 'members');
  });

  it('セッション: the administrator ends the member’s session and the member is signed out', async () => {
    await adminPage.goto(`${baseUrl}/admin/sessions`);
    await adminPage.getByRole('heading', { name: 'ログイン中のセッション' }).waitFor();
    const row = adminPage.locator('tr', { hasText: invitee.email });
    await row.waitFor();
    await shoot(adminPage, 'sessions');
    await row.getByRole('button', { name: '終了する' }).click();
    await adminPage.getByText('1件のセッションを終了しました。').waitFor();
    await memberPage.goto(`${baseUrl}/envelopes`);
    await memberPage.waitForURL(/\/login\?next=/);
  });

  it('APIキー: a key with scopes is shown once; メール設定: 送信テスト shows where the mail went; 証明書の添付', async () => {
    await adminPage.goto(`${baseUrl}/admin/api-keys`);
    await adminPage.getByLabel('キーの名前').fill('会計システム連携');
    await adminPage.getByRole('checkbox', { name: /register/ }).check();
    await adminPage.getByRole('button', { name: '作成する' }).click();
    const shown = (await adminPage.getByTestId('created-key').locator('code').textContent())!;
    assert.match(shown, /^inkan_[A-Za-z0-9_-]{43}$/);
    await adminPage.getByRole('cell', { name: '会計システム連携' }).waitFor();
    await shoot(adminPage, 'api-keys');
    const check = await h.app.inject({
      method: 'GET',
      url: '/api/v1/contracts',
      headers: { authorization: `Bearer ${shown}` },
    });
    assert.equal(check.statusCode, 200, 'the key shown works');
    await adminPage.reload();
    await adminPage.getByRole('cell', { name: '会計システム連携' }).waitFor();
    assert.equal(await adminPage.getByText(shown).count(), 0, 'shown once: not after a reload');

    await adminPage.goto(`${baseUrl}/admin/mail`);
    await adminPage.getByLabel('差出人名（From）').fill('テスト市役所 契約課');
    await adminPage.getByLabel('返信先（Reply-To）').fill('keiyaku@example.jp');
    await adminPage.getByRole('button', { name: '保存する' }).click();
    await adminPage.getByText('保存しました。').waitFor();
    await adminPage.getByRole('button', { name: 'テストメールを送信' }).click();
    const result = adminPage.getByTestId('mail-test-result');
    await result.waitFor();
    assert.match((await result.textContent())!, /への送信をサーバーが受け付けました。[\s\S]*outbox/);
    await shoot(adminPage, 'mail');

    await adminPage.goto(`${baseUrl}/admin/certificate`);
    const box = adminPage.getByRole('checkbox', { name: '締結完了メールに契約締結証明書を添付する' });
    const before = await box.isChecked();
    await box.click();
    await adminPage.getByText('保存しました。').waitFor();
    assert.equal(await box.isChecked(), !before);
    await shoot(adminPage, 'certificate');
  });

  it('a sign-in return URL to another site is ignored: the user stays on this site', async () => {
    const page = await newPage('redirect');
    for (const next of ['https://evil.example/', '//evil.example/x', '/\\evil.example']) {
      await page.goto(`${baseUrl}/login?next=${encodeURIComponent(next)}`);
      await page.getByLabel('メールアドレス').fill(h.org.viewer.email);
      await page.getByLabel('パスワード').fill(h.org.viewer.password);
      await page.getByRole('button', { name: 'ログイン', exact: true }).click();
      await page.waitForURL(/^http:\/\/inkan\.test\/envelopes$/);
      await page.getByRole('button', { name: 'ログアウト' }).click();
      await page.waitForURL(/\/login$/);
    }
  });

  it('with a second factor, an admin change asks for step-up first, then goes through', async () => {
    await adminPage.goto(`${baseUrl}/account`);
    await adminPage.getByRole('button', { name: '認証アプリを設定する' }).click();
    const secret = (await adminPage.getByTestId('totp-secret').textContent())!.trim();
    await adminPage.getByLabel('確認コード（6桁）').fill(totpAt(secret, h.clock.now()));
    await adminPage.getByRole('button', { name: '確認して有効にする' }).click();
    await adminPage.getByTestId('recovery-codes').waitFor();
    // Eleven minutes later the enrolment no longer counts as a recent second factor.
    h.clock.advance(11 * 60_000);
    await adminPage.goto(`${baseUrl}/admin/sessions`);
    await adminPage.getByLabel('操作がない状態でログアウトするまで（分）').fill('45');
    await adminPage.getByRole('button', { name: '保存する' }).click();
    await adminPage.getByText('この操作の前に、二要素認証でもう一度本人確認をしてください', { exact: false }).waitFor();
    await shoot(adminPage, 'step-up');
    await adminPage.getByLabel('確認コードまたはリカバリーコード').fill(totpAt(secret, h.clock.now()));
    await adminPage.getByRole('button', { name: '本人確認する' }).click();
    await adminPage.getByText('本人確認ができました。もう一度操作してください。').waitFor();
    await adminPage.getByRole('button', { name: '保存する' }).click();
    await adminPage.getByText('保存しました。').waitFor();
    const settings = await h.context.db
      .selectFrom('organizations')
      .select('session_idle_minutes')
      .where('id', '=', h.org.id)
      .executeTakeFirstOrThrow();
    assert.equal(settings.session_idle_minutes, 45);
  });
});
