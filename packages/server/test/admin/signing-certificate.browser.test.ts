/**
 * 署名用証明書 (/admin/signing) in Debian's Chromium against a real server (the built UI, SQLite): the
 * administrator uploads a PKCS#12 of an external CA (a wrong password first: the server's Japanese
 * message), sees the certificate's subject, issuer, root and validity, and switches to 組織の証明書で署名.
 * Screenshots at 1280×800 and 390×844 (signing-certificate-*.png).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { makeExternalCa, makePkcs12, type ExternalCa } from '../../../core/test/helpers/external-ca.ts';
import { DEFAULT_WEB_DIST } from '../../src/http/web/routes.ts';
import { startHarness, type Harness } from '../api/helpers/harness.ts';
import {
  addSessionCookies,
  assertNoHorizontalScroll,
  BROWSER_ARGS,
  DESKTOP,
  newWatchedPage,
  PHONE,
} from '../helpers/browser.ts';
import { REPO_ROOT } from '../helpers/run-inkan.ts';
import { screenshotDir } from '../helpers/screenshot-dir.ts';

const SCREENSHOTS = screenshotDir();

describe('the signing certificate section in a real browser', () => {
  let h: Harness;
  let baseUrl: string;
  let browser: Browser;
  let work: string;
  let ca: ExternalCa;
  let p12Path: string;
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];

  before(async () => {
    execFileSync(process.execPath, [join(REPO_ROOT, 'packages/web/scripts/build-web.mjs')], { stdio: 'inherit' });
    work = mkdtempSync(join(tmpdir(), 'inkan-signing-ui-'));
    ca = await makeExternalCa(join(work, 'ca'), { key: 'ec', leafName: 'Tesuto City Contracts Division' });
    p12Path = join(work, 'organisation.p12');
    writeFileSync(
      p12Path,
      makePkcs12(work, 'organisation', {
        keyPath: ca.leaf.keyPath,
        certificatePath: ca.leaf.pemPath,
        chain: [ca.intermediate.certificate.pemPath, ca.rootPemPath],
        password: 'correct horse',
      }),
    );
    h = await startHarness('sqlite', { webDistDir: DEFAULT_WEB_DIST });
    const listening = new URL(await h.app.listen({ port: 0, host: '127.0.0.1' }));
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
    await ca?.close();
    rmSync(work, { recursive: true, force: true });
  });

  async function signedInPage(viewport: typeof DESKTOP, label: string): Promise<Page> {
    const session = await h.app.inject({ method: 'POST', url: '/api/session', payload: h.org.admin });
    assert.equal(session.statusCode, 200, session.body);
    const { context, page } = await newWatchedPage(browser, {
      viewport,
      label,
      problems,
      // The wrong password is a 400 the page shows as a message.
      expected: [/Cross-Origin-Opener-Policy header has been ignored/, /status of 400/],
    });
    contexts.push(context);
    await addSessionCookies(context, session.cookies, 'inkan.test');
    return page;
  }

  it('uploads the PKCS#12 (a wrong password first) and switches to the organisation certificate (1280)', async () => {
    const page = await signedInPage(DESKTOP, 'signing-1280');
    await page.goto(`${baseUrl}/admin/signing`);
    await page.getByRole('heading', { name: '署名用証明書', level: 1 }).waitFor();
    await page.getByText('証明書はまだ登録されていません。').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'signing-certificate-empty-1280.png'), fullPage: true });

    await page.locator('#signing-file').setInputFiles(p12Path);
    await page.getByLabel('パスワード').fill('wrong');
    await page.getByRole('button', { name: 'アップロードして検証' }).click();
    await page.getByText('PKCS#12 ファイルのパスワードが違います。').waitFor();
    assert.equal((await h.context.db.selectFrom('signing_certificates').selectAll().execute()).length, 0);

    await page.locator('#signing-file').setInputFiles(p12Path);
    await page.getByLabel('パスワード').fill('correct horse');
    await page.getByRole('button', { name: 'アップロードして検証' }).click();
    await page.getByText('証明書を登録しました。').waitFor();
    await page.getByText('CN=Tesuto City Contracts Division', { exact: false }).waitFor();
    assert.match(await page.locator('.signing-facts').innerText(), /Inkan Test Public Root CA/);

    await page.getByRole('radio', { name: /組織の証明書で署名/ }).check();
    await page.getByRole('button', { name: '保存する', exact: true }).click();
    await page.getByText('保存しました').first().waitFor();
    const row = await h.context.db.selectFrom('signing_certificates').selectAll().executeTakeFirstOrThrow();
    assert.equal(row.mode, 'organization');
    assert.equal(row.source, 'upload');
    await assertNoHorizontalScroll(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'signing-certificate-1280.png'), fullPage: true });
  });

  it('shows the certificate and the mode on a phone (390)', async () => {
    const page = await signedInPage(PHONE, 'signing-390');
    await page.goto(`${baseUrl}/admin/signing`);
    await page.getByText('CN=Tesuto City Contracts Division', { exact: false }).waitFor();
    assert.equal(await page.getByRole('radio', { name: /組織の証明書で署名/ }).isChecked(), true);
    await assertNoHorizontalScroll(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'signing-certificate-390.png'), fullPage: true });
    assert.deepEqual(problems, []);
  });
});
