/**
 * The /verify page in Debian's Chromium (playwright-core) against a real server (buildApp listening on
 * a port, the built web UI, SQLite): a PDF signed and sealed by this Inkan shows 有効, a tampered copy
 * 無効, the pyHanko form override 無効 with its attack pattern, pyHanko's B-LTA file 信頼できない発行元,
 * an oversized file the limit; drag and drop works; the certificate lookup shows masked e-mails; the
 * English switch works. Screenshots go to packages/web/screenshots/verify-*.png (1280×800 and 390×844).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { corpusPath } from '../../../core/test/helpers/corpus.ts';
import { DEFAULT_WEB_DIST } from '../../src/http/web/routes.ts';
import { REPO_ROOT } from '../helpers/run-inkan.ts';
import { startHarness, type Harness } from '../api/helpers/harness.ts';
import { completeEnvelope, SIGNER, tamperedCopy, type SignedEnvelope } from './helpers/signed-envelope.ts';
import { screenshotDir } from '../helpers/screenshot-dir.ts';
import { BROWSER_ARGS, DESKTOP, newWatchedPage, PHONE } from '../helpers/browser.ts';

const SCREENSHOTS = screenshotDir();

describe('the /verify page in a real browser', () => {
  let h: Harness;
  let dir: string;
  let baseUrl: string;
  let browser: Browser;
  let envelope: SignedEnvelope;
  const files: Record<'signed' | 'tampered' | 'sneaky' | 'foreign' | 'huge', string> = {
    signed: '',
    tampered: '',
    sneaky: '',
    foreign: '',
    huge: '',
  };
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];

  before(async () => {
    // The page is part of the built UI: build it when the sources are newer (fast when they are not).
    execFileSync(process.execPath, [join(REPO_ROOT, 'packages/web/scripts/build-web.mjs')], { stdio: 'inherit' });
    dir = mkdtempSync(join(tmpdir(), 'inkan-verify-ui-'));
    h = await startHarness('sqlite', { webDistDir: DEFAULT_WEB_DIST, env: { INKAN_MAX_UPLOAD_MB: '1' } });
    envelope = await completeEnvelope(h);
    baseUrl = await h.app.listen({ port: 0, host: '127.0.0.1' });
    const write = (name: string, data: Uint8Array) => {
      const path = join(dir, name);
      writeFileSync(path, data);
      return path;
    };
    files.signed = write('業務委託契約書-署名済み.pdf', envelope.signedPdf);
    files.tampered = write('業務委託契約書-改ざん.pdf', tamperedCopy(envelope.signedPdf));
    files.sneaky = write(
      'form-update-override-appearance-stream-sneaky.pdf',
      readFileSync(corpusPath('pyhanko', 'suspicious', 'form-update-override-appearance-stream-sneaky.pdf')),
    );
    files.foreign = write(
      'pades-lta-dss-indirect-arrs-test.pdf',
      readFileSync(corpusPath('pyhanko', 'valid', 'pades-lta-dss-indirect-arrs-test.pdf')),
    );
    files.huge = write('大きすぎる.pdf', new Uint8Array(2 * 1024 * 1024).fill(0x25));
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: BROWSER_ARGS });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh context that records console errors, page errors and CSP violations. */
  async function openVerifyPage(
    viewport: { width: number; height: number },
    label: string,
    path = '/verify',
  ): Promise<Page> {
    // The oversized upload's 413 and the unknown ID's 404 are the page working as designed.
    const { context, page } = await newWatchedPage(browser, {
      viewport,
      label,
      problems,
      expected: [/Failed to load resource: .* status of (413|404)/],
    });
    contexts.push(context);
    await page.goto(`${baseUrl}${path}`);
    await page.getByRole('heading', { level: 1, name: '電子署名の検証' }).waitFor();
    return page;
  }

  /** Picks a file with the page's file input and waits for its verdict (each file has its own name). */
  async function verifyFile(page: Page, path: string): Promise<string> {
    await page.locator('[data-testid="verify-file-input"]').setInputFiles(path);
    const name = path.split('/').pop()!;
    await page.waitForFunction(
      (fileName) => (document.querySelector('.verify-verdict__facts')?.textContent ?? '').includes(fileName),
      name,
    );
    return (await page.locator('#verify-verdict-title').textContent()) ?? '';
  }

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: join(SCREENSHOTS, `verify-${name}.png`), fullPage: true });

  for (const [viewport, suffix] of [
    [DESKTOP, '1280'],
    [PHONE, '390'],
  ] as const) {
    it(`shows a valid, a tampered and an attacked PDF (${suffix})`, async () => {
      const page = await openVerifyPage(viewport, `files-${suffix}`);
      await assertVisible(page.getByText('ファイルは検証のためだけに読み込まれ、サーバーには保存されません。'));
      await shot(page, `start-${suffix}`);

      assert.equal(await verifyFile(page, files.signed), '有効');
      const cards = page.locator('.verify-sig');
      assert.equal(await cards.count(), 2);
      const first = cards.nth(0);
      await assertVisible(first.getByText(SIGNER.name, { exact: true }).first());
      assert.match(
        (await first.locator('.verify-sig__summary').textContent()) ?? '',
        /このInkanのルート証明書までたどれます/,
      );
      assert.match((await first.textContent()) ?? '', /PAdES B-LTA/);
      assert.match((await first.textContent()) ?? '', /タイムスタンプで証明/);
      assert.match((await first.locator('.verify-sig__facts').textContent()) ?? '', /有効（TOTAL-PASSED）/);
      assert.equal(await page.locator('.verify-attacks').count(), 0);
      // The focus lands on the verdict.
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'verify-verdict-title');
      await shot(page, `valid-${suffix}`);

      assert.equal(await verifyFile(page, files.tampered), '無効');
      assert.match(
        (await page.locator('.verify-sig').first().textContent()) ?? '',
        /署名の後に文書が改ざんされています/,
      );
      assert.match(
        (await page.locator('.verify-sig').first().locator('.verify-sig__facts').textContent()) ?? '',
        /無効（TOTAL-FAILED）HASH_FAILURE署名された内容とファイルの内容が一致しません。/,
      );
      await shot(page, `tampered-${suffix}`);

      assert.equal(await verifyFile(page, files.sneaky), '無効');
      const attacks = page.locator('.verify-attacks');
      await assertVisible(attacks);
      assert.match((await attacks.textContent()) ?? '', /シャドウ攻撃/);
      await assertVisible(page.locator('.verify-change--forbidden').first());
      assert.match(
        (await page.locator('.verify-change--forbidden').first().textContent()) ?? '',
        /表示内容（外観）の差し替え/,
      );
      await shot(page, `attack-${suffix}`);

      assert.equal(await verifyFile(page, files.foreign), '信頼できない発行元');
      assert.match(
        (await page.locator('.verify-sig').first().textContent()) ?? '',
        /不明（既知の発行元につながりません）/,
      );
      assert.match((await page.locator('.verify-sig').first().textContent()) ?? '', /NO_CERTIFICATE_CHAIN_FOUND/);
      if (suffix === '1280') await shot(page, `untrusted-${suffix}`);
    });
  }

  it('accepts a dropped file, refuses an oversized one with the limit, and switches to English', async () => {
    const page = await openVerifyPage(DESKTOP, 'drop');
    const bytes = [...envelope.signedPdf];
    const dataTransfer = await page.evaluateHandle((data) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(data)], 'dropped.pdf', { type: 'application/pdf' }));
      return transfer;
    }, bytes);
    await page.dispatchEvent('.verify-drop', 'drop', { dataTransfer });
    await page.locator('#verify-verdict-title', { hasText: '有効' }).waitFor();
    assert.match((await page.locator('.verify-verdict__facts').textContent()) ?? '', /dropped\.pdf/);

    await page.locator('[data-testid="verify-file-input"]').setInputFiles(files.huge);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.equal((await alert.textContent())?.trim(), 'ファイルが大きすぎます。1 MBまでのファイルを検証できます。');

    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Verify electronic signatures' }).waitFor();
    assert.equal(await verifyFile(page, files.signed), 'Valid');
    assert.match((await page.locator('.verify-sig__summary').first().textContent()) ?? '', /^Signed by 山田 太郎/);
    await shot(page, 'valid-en-1280');
  });

  for (const [viewport, suffix] of [
    [DESKTOP, '1280'],
    [PHONE, '390'],
  ] as const) {
    it(`looks up a certificate ID and shows masked e-mails (${suffix})`, async () => {
      const page = await openVerifyPage(viewport, `certificate-${suffix}`);
      // Keyboard: the arrow key moves to the second tab.
      await page.getByRole('tab', { name: 'PDFファイルを検証' }).focus();
      await page.keyboard.press('ArrowRight');
      assert.equal(await page.getByRole('tab', { name: '締結証明書IDで照会' }).getAttribute('aria-selected'), 'true');

      await page.getByRole('textbox', { name: '締結証明書ID' }).fill('IK-2222-3333-4444');
      await page.getByRole('button', { name: '照会する' }).click();
      await page.getByRole('alert').filter({ hasText: 'この締結証明書IDの契約は見つかりませんでした' }).waitFor();

      await page.getByRole('textbox', { name: '締結証明書ID' }).fill(envelope.certificateId.toLowerCase());
      await page.getByRole('button', { name: '照会する' }).click();
      const result = page.locator('.verify-certificate');
      await result.waitFor();
      const text = (await result.textContent()) ?? '';
      assert.ok(text.includes(envelope.certificateId), text);
      assert.ok(text.includes(envelope.name));
      assert.ok(text.includes('t***@contractor.example.jp'));
      assert.ok(!text.includes(SIGNER.email), 'the full address is not shown');
      for (const d of envelope.documents) assert.ok(text.includes(d.sha256Original) && text.includes(d.name));
      await shot(page, `certificate-${suffix}`);
    });
  }

  it('opens /verify?id=… on the certificate tab with the ID looked up', async () => {
    const page = await openVerifyPage(
      PHONE,
      'certificate-link',
      `/verify?id=${encodeURIComponent(envelope.certificateId)}`,
    );
    await page.locator('.verify-certificate').waitFor();
    assert.equal(await page.getByRole('tab', { name: '締結証明書IDで照会' }).getAttribute('aria-selected'), 'true');
  });

  it('logged no console error, page error or CSP violation', () => {
    assert.deepEqual(problems, []);
  });
});

async function assertVisible(locator: { isVisible(): Promise<boolean>; waitFor(): Promise<void> }): Promise<void> {
  await locator.waitFor();
  assert.ok(await locator.isVisible());
}
