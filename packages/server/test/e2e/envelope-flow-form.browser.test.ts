/**
 * The create form's flow parts in Debian's Chromium, at 1280×800 and 390×844, against a real server
 * (buildApp on a port, the built web UI, SQLite): 役割 受信者 (CC) hides the code fields and shows a CC
 * badge, 前の署名者と同時に署名 gives two signers the same order; 送信 stores orders 1, 1 and a CC; the
 * envelope page shows the CC tag and リマインド, which says "too soon" right after sending and mails the
 * a new link an hour later (controlled clock). Screenshots: packages/web/screenshots/flow-*.png.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { DEFAULT_WEB_DIST } from '../../src/http/web/routes.ts';
import { linkIn, startHarness, type Harness } from '../api/helpers/harness.ts';
import { DESKTOP, PHONE } from '../helpers/browser.ts';
import { buildWebUi, openBrowserOn, signInWithForm, type BrowserOnHarness } from '../helpers/browser-server.ts';
import { screenshotDir } from '../helpers/screenshot-dir.ts';

const SCREENSHOTS = screenshotDir();
const HOUR = 3_600_000;

describe('the create form: CC recipients and parallel signers in a real browser', () => {
  let h: Harness;
  let ui: BrowserOnHarness | undefined;
  let dir: string;
  let pdfPath: string;

  before(async () => {
    buildWebUi();
    dir = mkdtempSync(join(tmpdir(), 'inkan-flow-ui-'));
    pdfPath = join(dir, '売買契約書.pdf');
    writeFileSync(pdfPath, await makePdf({ pages: 1, text: 'Sales contract' }));
    h = await startHarness('sqlite', { webDistDir: DEFAULT_WEB_DIST });
    ui = await openBrowserOn(h, { secure: true });
  });

  after(async () => {
    await ui?.close();
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function newPage(viewport: { width: number; height: number }, label: string): Promise<Page> {
    // REMINDER_TOO_SOON answers 429: the page shows it; the browser logs the status as an error.
    return ui!.newPage(viewport, label, [/Failed to load resource: .* status of 429/]);
  }

  const signIn = (page: Page, next: string) => signInWithForm(page, h.org.admin, next);

  for (const [viewport, size] of [
    [DESKTOP, '1280'],
    [PHONE, '390'],
  ] as const) {
    it(`two parallel signers and a CC, sent from the form; リマインド on the envelope page (${size})`, async () => {
      const page = await newPage(viewport, `sender-${size}`);
      await signIn(page, '/envelopes/new');
      const name = `売買契約（並行署名・CC）${size}`;
      await page.getByLabel('封筒名').fill(name);
      await page.locator('input[type=file]').setInputFiles([pdfPath]);
      await page.getByText('売買契約書.pdf').first().waitFor();
      await page.getByRole('button', { name: '署名者を追加' }).click();
      await page.getByRole('button', { name: '署名者を追加' }).click();
      const people = [
        { name: '山田 太郎', email: `yamada-${size}@example.jp` },
        { name: '佐藤 花子', email: `sato-${size}@example.jp` },
        { name: '経理部', email: `keiri-${size}@example.jp` },
      ];
      for (const [i, p] of people.entries()) {
        await page.getByLabel('氏名').nth(i).fill(p.name);
        await page.getByLabel('メールアドレス').nth(i).fill(p.email);
      }
      // The first card has no signer above: it offers no parallel option.
      assert.equal(await page.getByLabel(/前の署名者と同時に署名する/).count(), 2);
      await page
        .getByLabel(/前の署名者と同時に署名する/)
        .first()
        .check();
      await page.getByLabel('役割').nth(2).selectOption({ label: '受信者 (CC)' });
      // A CC has neither authentication nor access code; the two signers keep theirs.
      assert.equal(await page.getByLabel('アクセスコード', { exact: true }).count(), 2);
      assert.equal(await page.getByLabel('本人確認', { exact: true }).count(), 2);
      await page.getByText('署名はしません。全員の署名が完了したときに').waitFor();
      const badges = await page.locator('.recipient-card .order-badge').allTextContents();
      assert.deepEqual(
        badges.map((b) => b.trim()),
        ['1', '1', 'CC'],
      );
      await page.getByLabel('アクセスコード', { exact: true }).nth(0).fill('2468');
      await page.getByLabel('アクセスコード', { exact: true }).nth(1).fill('1357');
      await page.locator('#recipients-title').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SCREENSHOTS, `flow-new-${size}.png`), fullPage: true });

      // 送信内容の確認 first (issue 11 part 5), then 送信する.
      await page.getByRole('button', { name: '送信内容の確認', exact: true }).click();
      await page.getByRole('button', { name: '送信する', exact: true }).click();
      await page.getByText('署名依頼を送信しました。').waitFor();
      const envelopeId = /\/envelopes\/([0-9a-f-]{36})$/.exec(page.url())?.[1];
      assert.ok(envelopeId, page.url());
      const stored = (await h.api(h.org, 'GET', `/api/v1/envelopes/${envelopeId}`)).json();
      assert.deepEqual(
        stored.recipients.map((r: { email: string; order: number; role: string }) => [r.email, r.order, r.role]),
        [
          [people[0].email, 1, 'signer'],
          [people[1].email, 1, 'signer'],
          [people[2].email, 0, 'cc'],
        ],
      );
      await h.runJobs();
      assert.equal((await h.mailsTo(people[0].email)).length, 1, 'both parallel signers are asked at once');
      assert.equal((await h.mailsTo(people[1].email)).length, 1);
      assert.equal((await h.mailsTo(people[2].email)).length, 0, 'the CC waits for the completion mail');

      // The envelope page: the CC tag, 同時に署名, and リマインド for each signer.
      await page.reload();
      await page.getByText('受信者 (CC)・署名なし').waitFor();
      assert.equal(await page.getByText('同時に署名', { exact: true }).count(), 2);
      const remind = page.getByRole('button', { name: `${people[0].name} 様にリマインドメールを送る` });
      await remind.click();
      await page.getByText('リマインドは送ったばかりです').waitFor();
      h.clock.advance(2 * HOUR);
      await remind.click();
      await page
        .getByText(`${people[0].name} 様にリマインドメールを送りました（前回のURLも引き続き使えます）。`)
        .waitFor();
      await page.screenshot({ path: join(SCREENSHOTS, `flow-envelope-${size}.png`), fullPage: true });
      await h.runJobs();
      const mails = await h.mailsTo(people[0].email);
      assert.equal(mails.length, 2);
      assert.match(mails[1].subject, /^【リマインド】/);
      assert.notEqual(linkIn(mails[1].text_body, 's'), linkIn(mails[0].text_body, 's'), 'a new link');
      assert.deepEqual(ui!.problems, []);
    });
  }
});
