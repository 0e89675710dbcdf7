/**
 * Sign-in security in Debian's Chromium against a real server (buildApp on a port, the built UI,
 * SQLite) and real identity providers on loopback ports: the administrator fills セキュリティ設定 (IP
 * allow-list pre-filled with the current address; OIDC connection) and signs out; a person signs in
 * with シングルサインオンを使う（SSO） through `oidc-provider`'s login form, then through a samlify SAML
 * IdP (its form posts the signed response to our ACS); a refused single sign-on shows its clear page;
 * a member outside the organisation's IP allow-list sees the refusal page. Screenshots at 1280×800 and
 * 390×844 (sso-*.png).
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
import { BROWSER_ARGS, DESKTOP, newWatchedPage, PHONE } from '../helpers/browser.ts';
import { startOidcProvider, type OidcTestProvider } from './helpers/oidc-idp.ts';
import { SamlTestIdp } from './helpers/saml-idp.ts';
import { asSession, passwordSession } from './helpers/sso-test-kit.ts';
import { TestDnsServer } from '../helpers/dns-server.ts';

const SCREENSHOTS = screenshotDir();
const BASE = 'http://inkan.test';

describe('sign-in security in a real browser', () => {
  let h: Harness;
  let browser: Browser;
  let oidc: OidcTestProvider;
  let saml: SamlTestIdp;
  let domain: string;
  let dns: TestDnsServer;
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];

  before(async () => {
    execFileSync(process.execPath, [join(REPO_ROOT, 'packages/web/scripts/build-web.mjs')], { stdio: 'inherit' });
    dns = await TestDnsServer.create();
    h = await startHarness('sqlite', { webDistDir: DEFAULT_WEB_DIST, env: { INKAN_DNS_SERVERS: dns.address } });
    domain = h.org.admin.email.split('@')[1]!;
    const listening = new URL(await h.app.listen({ port: 0, host: '127.0.0.1' }));
    oidc = await startOidcProvider({
      redirectUri: `${BASE}/sso/oidc/callback`,
      accounts: { alice: { email: `alice@${domain}`, name: 'Alice 山田' } },
    });
    saml = new SamlTestIdp();
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [...BROWSER_ARGS, `--host-resolver-rules=MAP inkan.test 127.0.0.1:${listening.port}`],
    });
  });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await oidc?.close();
    await saml?.close();
    await dns?.stop();
    await h?.close();
  });

  async function newPage(label: string, expected: RegExp[] = []): Promise<Page> {
    const { context, page } = await newWatchedPage(browser, {
      viewport: DESKTOP,
      label,
      problems,
      expected: [/Cross-Origin-Opener-Policy header has been ignored/, ...expected],
    });
    contexts.push(context);
    return page;
  }

  async function shoot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(SCREENSHOTS, `sso-${name}-1280.png`), fullPage: true });
    await page.setViewportSize(PHONE);
    const widths = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    await page.screenshot({ path: join(SCREENSHOTS, `sso-${name}-390.png`), fullPage: true });
    await page.setViewportSize(DESKTOP);
    assert.ok(widths.scroll <= widths.client + 1, `${name}: horizontal scroll on a phone: ${JSON.stringify(widths)}`);
  }

  it('the administrator sets up OIDC on セキュリティ設定, and a member signs in through the provider', async () => {
    // 409: the lock-out list saved on purpose; the provider's development login page asks for a web font.
    const page = await newPage('oidc', [/status of 409/, /status of 422/, /net::ERR_NAME_NOT_RESOLVED/]);
    await page.goto(`${BASE}/login`);
    await page.getByLabel('メールアドレス').fill(h.org.admin.email);
    await page.getByLabel('パスワード').fill(h.org.admin.password);
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.waitForURL(/\/envelopes$/);
    // 管理 (the administration area), then its セキュリティ設定 section.
    await page.getByRole('link', { name: '管理', exact: true }).click();
    await page.getByRole('link', { name: 'セキュリティ設定' }).click();
    await page.waitForURL(/\/admin\/security$/);
    await page.getByRole('heading', { name: 'IP制限' }).waitFor();
    assert.equal(await page.getByTestId('current-address').textContent(), '127.0.0.1');
    assert.equal(await page.getByLabel('許可するアドレス（1行に1つ。CIDR形式可）').inputValue(), '127.0.0.1\n');
    // A list without the current address: the warning, and the server's refusal if saved anyway.
    await page.getByLabel('許可するアドレス（1行に1つ。CIDR形式可）').fill('10.0.0.0/8');
    await page.getByText('警告：このリストには現在のアドレス（127.0.0.1）が含まれていません').waitFor();
    await page.getByRole('button', { name: 'IP制限を保存' }).click();
    await page.getByText('締め出されます').waitFor();
    await shoot(page, 'admin-ip-warning');
    await page.getByLabel('許可するアドレス（1行に1つ。CIDR形式可）').fill('');

    await page.getByLabel('表示名').fill('社内 IdP');
    await page.getByLabel('Issuer URL').fill(oidc.issuer);
    await page.getByLabel('クライアントID').fill(oidc.clientId);
    await page.getByLabel('クライアントシークレット').fill(oidc.clientSecret);
    assert.equal(await page.getByLabel('ドメイン（1行に1つ）').inputValue(), domain);
    await page.getByRole('button', { name: 'シングルサインオンを保存' }).click();
    await page.getByText('シングルサインオンの設定を保存しました。').waitFor();
    await page.getByText(`${BASE}/sso/oidc/callback`).waitFor();
    // The claim waits for its TXT record: 未確認, the record to publish, and 確認 against a real DNS server.
    const claim = page.getByTestId(`domain-claim-${domain}`);
    await claim.getByText('未確認').waitFor();
    assert.equal(await claim.getByTestId('txt-name').textContent(), `_inkan.${domain}`);
    const value = (await claim.getByTestId('txt-value').textContent()) ?? '';
    assert.match(value, /^inkan-domain-verification=[A-Za-z0-9_-]{43}$/);
    await dns.start([domain], {});
    await claim.getByRole('button', { name: '確認', exact: true }).click();
    await claim.getByText(`TXT レコード「_inkan.${domain}」が見つかりません`).waitFor();
    await shoot(page, 'admin-domain-pending');
    await dns.start([domain], { [`_inkan.${domain}`]: [value] });
    await claim.getByRole('button', { name: '確認', exact: true }).click();
    await claim.getByText('確認済み').waitFor();
    await shoot(page, 'admin-security');
    await page.getByRole('button', { name: 'ログアウト' }).click();
    await page.waitForURL(/\/login$/);

    await page.getByLabel('メールアドレス').fill(`alice@${domain}`);
    await shoot(page, 'login');
    await page.getByRole('button', { name: 'シングルサインオンを使う（SSO）' }).click();
    await page.waitForURL((url) => url.origin === oidc.issuer);
    await page.locator('input[name="login"]').fill('alice');
    await page.locator('input[name="password"]').fill('any password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.waitForURL(/inkan\.test\/envelopes$/);
    await page.getByText('Alice 山田').waitFor();
  });

  it('signs a member in through a SAML IdP (signed assertion posted to the ACS)', async () => {
    const admin = await passwordSession(h, h.org.admin);
    const view = await asSession(h, admin, 'GET', '/api/v1/organization/security');
    const id = view.json<{ sso: { id: string } }>().sso.id;
    const sp = { entityId: `${BASE}/sso/saml/metadata/${id}`, acsUrl: `${BASE}/sso/saml/acs` };
    const ssoUrl = await saml.serve(sp);
    const saved = await asSession(h, admin, 'PUT', '/api/v1/organization/security/sso', {
      protocol: 'saml',
      name: 'SAML IdP',
      enabled: true,
      saml: { idpEntityId: saml.entityId, idpSsoUrl: ssoUrl, idpCertificate: saml.certificatePem },
      jitEnabled: true,
      defaultRole: 'viewer',
      enforced: false,
      breakGlassUserId: null,
      domains: [domain],
    });
    assert.equal(saved.statusCode, 200, saved.body);

    const page = await newPage('saml');
    await page.goto(`${BASE}/login`);
    await page.getByLabel('メールアドレス').fill(`hanako@${domain}`);
    await page.getByRole('button', { name: 'シングルサインオンを使う（SSO）' }).click();
    await page.waitForURL((url) => url.href.startsWith(ssoUrl));
    await page.getByLabel('IdP e-mail').fill(`hanako@${domain}`);
    await page.getByRole('button', { name: 'IdP sign in' }).click();
    await page.getByRole('button', { name: 'Continue to Inkan' }).click();
    await page.waitForURL(/inkan\.test\/envelopes$/);
    await page.getByText('hanako', { exact: true }).waitFor();
    const me = await page.evaluate(() => fetch('/api/session').then((r) => r.json()));
    assert.equal((me as { user: { email: string; role: string } }).user.email, `hanako@${domain}`);
    assert.equal((me as { user: { role: string } }).user.role, 'viewer');
  });

  it('shows a clear page for a refused single sign-on and for an address outside the IP allow-list', async () => {
    const page = await newPage('refusals', [/Failed to load resource: .* status of 40[03]/]);
    // Coming back to the SAML finish without having started (or with a stale sign-in).
    await page.goto(`${BASE}/sso/saml/finish`);
    await page.getByRole('heading', { name: 'ログインできませんでした' }).waitFor();
    await page.getByText('Sign-in refused.').waitFor();
    await shoot(page, 'refused');

    // A member signs in, then the organisation limits access to another address.
    await page.goto(`${BASE}/login`);
    await page.getByLabel('メールアドレス').fill(h.org.viewer.email);
    await page.getByLabel('パスワード').fill(h.org.viewer.password);
    await page.getByRole('button', { name: 'ログイン', exact: true }).click();
    await page.waitForURL(/\/envelopes$/);
    await h.context.db
      .updateTable('organizations')
      .set({ ip_allow_list: JSON.stringify(['127.0.0.2/32']) })
      .where('id', '=', h.org.id)
      .execute();
    await page.goto(`${BASE}/envelopes`);
    await page.getByRole('heading', { name: 'このネットワークからは利用できません' }).waitFor();
    assert.match((await page.getByTestId('ip-refused').textContent()) ?? '', /127\.0\.0\.1/);
    await shoot(page, 'ip-refused');
    await page.getByRole('button', { name: 'ログアウト' }).last().click();
    await page.waitForURL(/\/login$/);
    await h.context.db.updateTable('organizations').set({ ip_allow_list: '[]' }).where('id', '=', h.org.id).execute();
  });

  it('saw no console errors, page errors or CSP violations', () => {
    assert.deepEqual(problems, []);
  });
});
