/**
 * Senders' everyday tools in Debian's Chromium (issue 11 part 5) against a real server (buildApp
 * listening on a port, the built web UI, SQLite), at 1280×800 and 390×844: the sender creates an
 * envelope and lands on 送信内容の確認 instead of sending; shows an access code again through the
 * confirmation dialog (the log records it, without the code); edits the draft (name, order, a document
 * added and one removed); sends from the review screen; after a cancel, 修正して再送 opens a new
 * draft linked on both timelines. Unknown URLs show the 404 page (status 404) and a broken answer the
 * 500 page. Screenshots: packages/web/screenshots/sender-*.png.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { DEFAULT_WEB_DIST } from '../../src/http/web/routes.ts';
import { startHarness, type Harness } from '../api/helpers/harness.ts';
import { DESKTOP, PHONE } from '../helpers/browser.ts';
import {
  BASE_URL,
  buildWebUi,
  openBrowserOn,
  signInWithForm,
  type BrowserOnHarness,
} from '../helpers/browser-server.ts';
import { screenshotDir } from '../helpers/screenshot-dir.ts';

const SCREENSHOTS = screenshotDir();
const SIGNERS = [
  { name: '山田 太郎', email: 'yamada@example.jp', code: '2468' },
  { name: '佐藤 花子', email: 'sato@example.co.jp', code: '13579' },
];

describe("senders' tools in a real browser", () => {
  let h: Harness;
  const baseUrl = BASE_URL;
  let ui: BrowserOnHarness | undefined;
  let dir: string;
  let contractPdf: string;
  let annexPdf: string;
  let envelopeId: string;

  before(async () => {
    buildWebUi();
    dir = mkdtempSync(join(tmpdir(), 'inkan-sender-ui-'));
    contractPdf = join(dir, '業務委託契約書.pdf');
    annexPdf = join(dir, '別紙 仕様書.pdf');
    writeFileSync(contractPdf, await makePdf({ pages: 1, text: 'Contract' }));
    writeFileSync(annexPdf, await makePdf({ pages: 2, text: 'Annex' }));
    h = await startHarness('sqlite', { webDistDir: DEFAULT_WEB_DIST });
    ui = await openBrowserOn(h, { secure: true });
  });

  after(async () => {
    const problems = ui?.problems ?? [];
    await ui?.close();
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(problems, []);
  });

  const newPage = (viewport: { width: number; height: number }, label: string, expected: RegExp[] = []) =>
    ui!.newPage(viewport, label, expected);
  const signIn = (page: Page, next: string) => signInWithForm(page, h.org.admin, next);

  async function assertNoHorizontalScroll(page: Page, what: string): Promise<void> {
    const widths = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    assert.ok(widths.scroll <= widths.client + 1, `${what}: horizontal scroll ${JSON.stringify(widths)}`);
  }

  const envelopeJson = async (id: string) => (await h.api(h.org, 'GET', `/api/v1/envelopes/${id}`)).json();

  it('作成 → 送信内容の確認: nothing is sent before the review screen; a code is shown again after a confirmation', async () => {
    const page = await newPage(DESKTOP, 'sender-1280');
    await signIn(page, '/envelopes/new');
    await page.getByLabel('封筒名').fill('業務委託契約（確認画面つき）');
    await page.locator('input[type=file]').setInputFiles(contractPdf);
    await page.getByText('業務委託契約書.pdf').first().waitFor();
    await page.getByRole('button', { name: '署名者を追加' }).click();
    for (const [i, signer] of SIGNERS.entries()) {
      await page.getByLabel('氏名').nth(i).fill(signer.name);
      await page.getByLabel('メールアドレス').nth(i).fill(signer.email);
      await page.getByLabel('アクセスコード', { exact: true }).nth(i).fill(signer.code);
    }
    // The committed screenshots of the create page show its 送信内容の確認 button.
    await page.screenshot({ path: join(SCREENSHOTS, 'envelope-new-1280.png') });
    await page.screenshot({ path: join(SCREENSHOTS, 'envelope-new-full-1280.png'), fullPage: true });
    await page.getByRole('button', { name: '送信内容の確認', exact: true }).click();
    await page.waitForURL(/\/envelopes\/[0-9a-f-]{36}\/review$/);
    envelopeId = /envelopes\/([0-9a-f-]{36})\/review/.exec(page.url())![1]!;
    await page.getByRole('heading', { name: '送信内容の確認', level: 1 }).waitFor();
    assert.equal((await envelopeJson(envelopeId)).status, 'draft', 'not sent before the review');
    assert.equal((await h.mailsTo(SIGNERS[0].email)).length, 0);
    // Everything is listed: recipients in order with identity check and (hidden) code, fields, documents.
    const rows = page.locator('.recipient-row');
    assert.equal(await rows.count(), 2);
    assert.match(
      await rows.nth(0).innerText(),
      /1[\s\S]*山田 太郎[\s\S]*yamada@example\.jp[\s\S]*メール＋アクセスコード[\s\S]*設定済み（非表示）[\s\S]*入力項目[\s\S]*なし/,
    );
    assert.match(await rows.nth(1).innerText(), /2[\s\S]*佐藤 花子/);
    const body = await page.locator('main').innerText();
    assert.ok(!body.includes(SIGNERS[0].code) && !body.includes(SIGNERS[1].code), 'codes hidden until asked');
    await page.getByText('業務委託契約書.pdf').waitFor();
    await page.getByText('1ページ').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'sender-review-1280.png'), fullPage: true });

    // コードを表示: a confirmation first (closing it shows nothing and logs nothing), then the code.
    await page.getByRole('button', { name: `${SIGNERS[1].name} さんのアクセスコードを表示` }).click();
    const confirm = page.getByRole('dialog', { name: 'アクセスコードを表示しますか？' });
    await confirm.waitFor();
    assert.match(await confirm.innerText(), /操作ログに記録されます/);
    await page.screenshot({ path: join(SCREENSHOTS, 'sender-reveal-confirm-1280.png') });
    await confirm.getByRole('button', { name: 'キャンセル' }).click();
    await confirm.waitFor({ state: 'hidden' });
    const revealedEvents = () =>
      h.context.db.selectFrom('events').selectAll().where('action', '=', 'access_code.revealed').execute();
    assert.equal((await revealedEvents()).length, 0);
    await page.getByRole('button', { name: `${SIGNERS[1].name} さんのアクセスコードを表示` }).click();
    await confirm.getByRole('button', { name: '表示する' }).click();
    const shown = page.getByRole('dialog', { name: `${SIGNERS[1].name} さんのアクセスコード` });
    await shown.waitFor();
    assert.equal((await shown.locator('.revealed-code').innerText()).trim(), SIGNERS[1].code);
    await page.screenshot({ path: join(SCREENSHOTS, 'sender-reveal-code-1280.png') });
    await shown.getByRole('button', { name: '閉じる' }).click();
    await shown.waitFor({ state: 'hidden' });
    const [event] = await revealedEvents();
    assert.equal(event!.actor_type, 'user');
    assert.equal(event!.actor_id, h.org.admin.id);
    assert.equal(event!.ip, '127.0.0.1');
    assert.ok(!event!.details.includes(SIGNERS[1].code), 'the code is not in the log');
  });

  it('the draft is edited (name, order, documents) and sent from the review screen', async () => {
    const page = await newPage(DESKTOP, 'edit-1280');
    await signIn(page, `/envelopes/${envelopeId}`);
    await page.getByRole('button', { name: '送信内容の確認', exact: true }).waitFor();
    await page.locator('.fields__stage canvas').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'envelope-page-1280.png'), fullPage: true });
    await page.getByRole('button', { name: '編集', exact: true }).click();
    await page.waitForURL(`${baseUrl}/envelopes/${envelopeId}/edit`);
    await page.getByRole('heading', { name: '下書きの編集' }).waitFor();
    await page.getByLabel('封筒名').fill('業務委託契約（改訂）');
    // Signer 2 signs first now; codes left empty stay as they were.
    await page.getByRole('button', { name: '署名者 2 を上へ移動' }).click();
    await page.getByTestId('add-documents').setInputFiles(annexPdf);
    await page.getByText('別紙 仕様書.pdf を追加しました。').waitFor();
    await page.getByRole('button', { name: '業務委託契約書.pdf を削除' }).click();
    await page.getByText('業務委託契約書.pdf を削除しました。').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'sender-edit-1280.png'), fullPage: true });
    await page.getByRole('button', { name: '変更を保存' }).click();
    await page.waitForURL(`${baseUrl}/envelopes/${envelopeId}`);
    await page.getByText('下書きを保存しました。').waitFor();

    const edited = await envelopeJson(envelopeId);
    assert.equal(edited.name, '業務委託契約（改訂）');
    assert.deepEqual(
      edited.recipients.map((r: { name: string; order: number }) => [r.order, r.name]),
      [
        [1, SIGNERS[1].name],
        [2, SIGNERS[0].name],
      ],
    );
    assert.deepEqual(
      edited.documents.map((d: { name: string }) => d.name),
      ['別紙 仕様書.pdf'],
    );

    await page.getByRole('button', { name: '送信内容の確認', exact: true }).click();
    await page.waitForURL(`${baseUrl}/envelopes/${envelopeId}/review`);
    await page.getByRole('button', { name: '送信する', exact: true }).click();
    await page.waitForURL(`${baseUrl}/envelopes/${envelopeId}`);
    await page.getByText('署名依頼を送信しました。').waitFor();
    assert.equal((await envelopeJson(envelopeId)).status, 'sent');
    assert.equal(
      await page.getByRole('button', { name: '編集', exact: true }).count(),
      0,
      'a sent envelope has no 編集',
    );
    await h.runJobs();
    assert.equal((await h.mailsTo(SIGNERS[1].email)).length, 1, 'the new first signer got the request');
    // The kept code still works for the signer (checked against the hash).
    const mail = (await h.mailsTo(SIGNERS[1].email))[0]!;
    const token = /\/s\/([A-Za-z0-9_-]+)/.exec(mail.text_body)![1];
    const passed = await h.app.inject({
      method: 'POST',
      url: `/api/sign/${token}/access-code`,
      payload: { code: SIGNERS[1].code },
    });
    assert.equal(passed.statusCode, 200, passed.body);
  });

  it('修正して再送 after a cancel opens a new draft, linked on both timelines', async () => {
    const canceled = await h.api(h.org, 'POST', `/api/v1/envelopes/${envelopeId}/cancel`);
    assert.equal(canceled.statusCode, 200, canceled.body);
    const page = await newPage(DESKTOP, 'resubmit-1280');
    await signIn(page, `/envelopes/${envelopeId}`);
    await page.getByRole('button', { name: '修正して再送' }).click();
    await page.waitForURL(/\/envelopes\/[0-9a-f-]{36}\/edit$/);
    const newId = /envelopes\/([0-9a-f-]{36})\/edit/.exec(page.url())![1]!;
    assert.notEqual(newId, envelopeId);
    await page.getByText('元の封筒をもとに新しい下書きを作成しました。').waitFor();
    assert.equal(await page.getByLabel('封筒名').inputValue(), '業務委託契約（改訂）');
    await page.getByRole('link', { name: '編集をやめる' }).click();
    await page.waitForURL(`${baseUrl}/envelopes/${newId}`);
    await page.getByRole('link', { name: '元の封筒' }).click();
    await page.waitForURL(`${baseUrl}/envelopes/${envelopeId}`);
    await page.getByText('修正して再送（新しい下書きを作成）').waitFor();
    await page.getByRole('link', { name: '作成した封筒' }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'sender-timeline-1280.png'), fullPage: true });
  });

  it('the review, edit and reveal screens fit a 390 phone', async () => {
    const created = await h.api(h.org, 'POST', `/api/v1/envelopes/${envelopeId}/duplicate`, {});
    assert.equal(created.statusCode, 201, created.body);
    const copyId = created.json().id as string;
    // The copy belongs to the API key; the admin's own copy (made in the UI) is the one whose codes they see.
    const page = await newPage(PHONE, 'phone-390');
    await signIn(page, `/envelopes/${envelopeId}`);
    await page.getByRole('button', { name: '複製', exact: true }).click();
    await page.getByText('複製して新しい下書きを作成しました。').waitFor();
    const ownId = /envelopes\/([0-9a-f-]{36})$/.exec(page.url())![1]!;
    assert.notEqual(ownId, copyId);
    await page.goto(`${baseUrl}/envelopes/${ownId}/review`);
    await page.getByRole('heading', { name: '送信内容の確認', level: 1 }).waitFor();
    await assertNoHorizontalScroll(page, 'review 390');
    await page.screenshot({ path: join(SCREENSHOTS, 'sender-review-390.png'), fullPage: true });
    await page.getByRole('button', { name: `${SIGNERS[0].name} さんのアクセスコードを表示` }).click();
    await page.getByRole('button', { name: '表示する' }).click();
    await page.locator('.revealed-code').waitFor();
    assert.equal((await page.locator('.revealed-code').innerText()).trim(), SIGNERS[0].code);
    await page.screenshot({ path: join(SCREENSHOTS, 'sender-reveal-code-390.png') });
    await page.getByRole('button', { name: '閉じる' }).click();
    // Not the sender: the API key's copy offers no コードを表示.
    await page.goto(`${baseUrl}/envelopes/${copyId}/review`);
    await page.getByRole('heading', { name: '送信内容の確認', level: 1 }).waitFor();
    assert.equal(await page.getByRole('button', { name: /アクセスコードを表示/ }).count(), 0);
    await page.goto(`${baseUrl}/envelopes/${ownId}/edit`);
    await page.getByRole('heading', { name: '下書きの編集' }).waitFor();
    await assertNoHorizontalScroll(page, 'edit 390');
    await page.screenshot({ path: join(SCREENSHOTS, 'sender-edit-390.png'), fullPage: true });
  });

  it('unknown URLs get the 404 page; a broken answer gets the 500 page', async () => {
    for (const [viewport, size] of [
      [DESKTOP, '1280'],
      [PHONE, '390'],
    ] as const) {
      const page = await newPage(viewport, `errors-${size}`, [
        /status of 40[14]/,
        /Inkan UI error/,
        /is not iterable|Cannot read properties of undefined/,
        /The above error occurred/,
      ]);
      const response = await page.goto(`${baseUrl}/no-such-page`);
      assert.equal(response?.status(), 404);
      await page.getByRole('heading', { name: 'ページが見つかりません' }).first().waitFor();
      await page.getByRole('link', { name: 'ヘルプを見る' }).waitFor();
      await assertNoHorizontalScroll(page, `404 ${size}`);
      await page.screenshot({ path: join(SCREENSHOTS, `sender-404-${size}.png`), fullPage: true });
      await page.getByRole('link', { name: 'トップへ' }).click();
      await page.waitForURL(/\/login/);
      const api = await page.request.get(`${ui!.loopbackUrl}/api/v1/no-such-thing`, {
        headers: { accept: 'text/html' },
      });
      assert.equal(api.status(), 404);
      assert.equal((await api.json()).error.code, 'NOT_FOUND');

      // The server answers something the page cannot draw: the error page, not a blank screen.
      await signIn(page, '/envelopes');
      await page.route(`**/api/v1/envelopes/${envelopeId}`, (route) =>
        route.fulfill({ status: 200, contentType: 'application/json', body: '{"id":"x","status":"sent"}' }),
      );
      await page.goto(`${baseUrl}/envelopes/${envelopeId}`);
      await page.getByRole('heading', { name: '問題が発生しました' }).first().waitFor();
      await page.getByRole('button', { name: '再読み込み' }).waitFor();
      await page.screenshot({ path: join(SCREENSHOTS, `sender-500-${size}.png`), fullPage: true });
    }
  });
});
