/**
 * Second factors in Debian's Chromium (playwright-core) against a real server (buildApp on a port, the
 * built web UI, SQLite): sign in → /account → 認証アプリを設定する (the code computed here by RFC 6238 from
 * the key shown on the page) → recovery codes shown → sign out → sign in with password + code; a passkey
 * registered and used for a passwordless sign-in through Chromium's virtual authenticator (DevTools
 * WebAuthn domain); an organisation's "MFA required" policy holding a member at /account/security until
 * enrolment. Screenshots at 1280×800 and 390×844 (mfa-*.png).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { DEFAULT_WEB_DIST } from '../../src/http/web/routes.ts';
import { startHarness, type Harness } from '../api/helpers/harness.ts';
import { screenshotDir } from '../helpers/screenshot-dir.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { DESKTOP, PHONE } from '../helpers/browser.ts';
import {
  BASE_URL,
  buildWebUi,
  openBrowserOn,
  submitSignInForm,
  type BrowserOnHarness,
} from '../helpers/browser-server.ts';
import { totpAt } from '../helpers/totp.ts';

const SCREENSHOTS = screenshotDir();

describe('second factors in a real browser', () => {
  let h: Harness;
  let ui: BrowserOnHarness | undefined;
  const baseUrl = BASE_URL;

  before(async () => {
    buildWebUi();
    h = await startHarness('sqlite', { webDistDir: DEFAULT_WEB_DIST });
    // WebAuthn needs a secure context and an RP ID that is a domain: http://inkan.test (the public URL)
    // resolves to this server and is treated as secure, as https would be in production.
    ui = await openBrowserOn(h, { secure: true });
  });

  after(async () => {
    await ui?.close();
    await h?.close();
  });

  async function newPage(label: string): Promise<Page> {
    // 401: the wrong code typed on purpose at the second step.
    return ui!.newPage(DESKTOP, label, [/Failed to load resource: .* status of 401/]);
  }

  /** Screenshots at both sizes, full page. */
  async function shoot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(SCREENSHOTS, `mfa-${name}-1280.png`), fullPage: true });
    await page.setViewportSize(PHONE);
    const widths = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    await page.screenshot({ path: join(SCREENSHOTS, `mfa-${name}-390.png`), fullPage: true });
    await page.setViewportSize(DESKTOP);
    assert.ok(widths.scroll <= widths.client + 1, `${name}: horizontal scroll on a phone: ${JSON.stringify(widths)}`);
  }

  const passwordSignIn = (page: Page, email: string, password: string) => submitSignInForm(page, { email, password });

  async function signOut(page: Page): Promise<void> {
    await page.getByRole('button', { name: 'ログアウト' }).click();
    await page.waitForURL(/\/login$/);
  }

  it('enables an authenticator app on /account, signs out, and signs in with the password and a code', async () => {
    const page = await newPage('totp');
    await passwordSignIn(page, h.org.admin.email, h.org.admin.password);
    await page.waitForURL(/\/envelopes$/);
    await page.goto(`${baseUrl}/account`);
    await page.getByRole('button', { name: '認証アプリを設定する' }).click();
    const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.equal(await page.locator('.qr-code svg').count(), 1, 'the QR code is drawn on the page');
    await shoot(page, 'totp-setup');
    await page.getByLabel('確認コード（6桁）').fill(totpAt(secret, h.clock.now()));
    await page.getByRole('button', { name: '確認して有効にする' }).click();
    await page.getByTestId('recovery-codes').waitFor();
    assert.equal(await page.getByTestId('recovery-codes').locator('li').count(), 10);
    await page.getByText('有効', { exact: true }).waitFor();
    await shoot(page, 'recovery-codes');

    await signOut(page);
    h.clock.advance(30_000); // the confirming code's step is spent
    await passwordSignIn(page, h.org.admin.email, h.org.admin.password);
    await page.getByRole('heading', { name: '2段階認証' }).waitFor();
    assert.match(page.url(), /\/login$/, 'no session before the second factor');
    await page.getByLabel('確認コード（6桁）').fill('000000' === totpAt(secret, h.clock.now()) ? '111111' : '000000');
    await page.getByRole('button', { name: '確認してログイン' }).click();
    await page.getByRole('alert').waitFor();
    assert.match((await page.getByRole('alert').textContent())!, /確認コードが正しくない/);
    await shoot(page, 'second-step-error');
    await page.getByLabel('確認コード（6桁）').fill(totpAt(secret, h.clock.now()));
    await page.getByRole('button', { name: '確認してログイン' }).click();
    await page.waitForURL(/\/envelopes$/);
  });

  it('registers a passkey with the virtual authenticator and signs in with it alone (passwordless)', async () => {
    const page = await newPage('passkey');
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    await passwordSignIn(page, h.other.admin.email, h.other.admin.password);
    await page.waitForURL(/\/envelopes$/);
    await page.goto(`${baseUrl}/account`);
    await page.getByLabel('パスキーの名前（任意）').fill('テスト端末');
    await page.getByRole('button', { name: 'パスキーを登録' }).click();
    await page.getByText('パスキーを登録しました。').waitFor();
    await page.getByText('テスト端末').waitFor();
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    assert.equal(credentials.length, 1);
    assert.equal(credentials[0]!.isResidentCredential, true);
    const stored = await h.context.db
      .selectFrom('passkeys')
      .selectAll()
      .where('user_id', '=', h.other.admin.id)
      .execute();
    assert.equal(stored.length, 1);
    assert.equal(
      stored[0]!.id,
      credentials[0]!.credentialId.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'),
    );
    await shoot(page, 'passkey-added');

    await signOut(page);
    await page.getByRole('button', { name: 'パスキーを使う（パスワード不要）' }).click();
    await page.waitForURL(/\/envelopes$/);
    const used = await h.context.db
      .selectFrom('events')
      .select(['action', 'details'])
      .where('actor_id', '=', h.other.admin.id)
      .where('action', '=', 'session.signed-in')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    assert.equal(JSON.parse(used.details!).method, 'passkey');

    // Password sign-in now asks for the second factor; the passkey answers it.
    await signOut(page);
    await passwordSignIn(page, h.other.admin.email, h.other.admin.password);
    await page.getByRole('button', { name: 'パスキーで確認' }).click();
    await page.waitForURL(/\/envelopes$/);
    const second = await h.context.db
      .selectFrom('events')
      .select('details')
      .where('actor_id', '=', h.other.admin.id)
      .where('action', '=', 'session.signed-in')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    assert.equal(JSON.parse(second.details!).method, 'password+passkey');
  });

  it('"MFA required": a member without a second factor lands on /account/security and nothing else opens until enrolment', async () => {
    await h.context.db.updateTable('organizations').set({ mfa_required: 1 }).where('id', '=', h.org.id).execute();
    const page = await newPage('policy');
    await passwordSignIn(page, h.org.viewer.email, h.org.viewer.password);
    await page.waitForURL(/\/account\/security$/);
    await page.getByText('ご所属の組織では二要素認証が必須です。').waitFor();
    await shoot(page, 'policy-enrolment');
    await page.goto(`${baseUrl}/envelopes`);
    await page.waitForURL(/\/account\/security$/);

    await page.getByRole('button', { name: '認証アプリを設定する' }).click();
    const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
    await page.getByLabel('確認コード（6桁）').fill(totpAt(secret, h.clock.now()));
    await page.getByRole('button', { name: '確認して有効にする' }).click();
    await page.waitForURL(/\/account$/);
    await page.goto(`${baseUrl}/envelopes`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    assert.match(page.url(), /\/envelopes$/);
    await waitFor(async () => (await page.locator('.alert--error').count()) === 0, { what: 'no error on /envelopes' });
    await h.context.db.updateTable('organizations').set({ mfa_required: 0 }).where('id', '=', h.org.id).execute();
  });

  it('had no console errors, page errors or CSP violations', () => {
    assert.deepEqual(ui!.problems, []);
  });
});
