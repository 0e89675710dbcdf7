/**
 * Fields and seals end to end in Debian's Chromium (issue 11 part 4) against a real server (buildApp
 * listening on a port, the built web UI, SQLite): the sender signs in, places 署名/押印, テキスト, 日付
 * and チェックボックス fields for two counterparties on the draft's page preview and sends; signer 1
 * (desktop) cannot complete with the required text empty, fills it and signs; signer 2 (a 390×844
 * phone) ticks the required box and signs. Then pdftoppm of the signed page shows both 印影 (red pixels
 * inside each seal rectangle) and the values, pdfsig finds each signature valid and our verifier passes.
 * The organisation seal page uploads an image. Screenshots: packages/web/screenshots/fields-*.png.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { inflateSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { readSealImage, verifyPdf } from '@inkan/core';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { createNssDb, pdfsig, pdfText, runTool } from '../../../core/test/helpers/validators.ts';
import { DEFAULT_WEB_DIST } from '../../src/http/web/routes.ts';
import { colours, renderPage, squareSealPng } from '../helpers/field-pixels.ts';
import { linkIn, startHarness, type Harness } from '../api/helpers/harness.ts';
import { BROWSER_ARGS, DESKTOP, newWatchedPage, PHONE } from '../helpers/browser.ts';
import { REPO_ROOT } from '../helpers/run-inkan.ts';
import { screenshotDir } from '../helpers/screenshot-dir.ts';
import { waitFor } from '../helpers/wait-for.ts';

const SCREENSHOTS = screenshotDir();
const SIGNERS = [
  { name: '山田 太郎', email: 'yamada@example.jp', code: '2468' },
  { name: '佐藤 花子', email: 'sato@example.co.jp', code: '1357' },
];
type Rect = [number, number, number, number];
interface ApiField {
  id: string;
  recipientId: string;
  page: number;
  rect: Rect;
  kind: string;
  required: boolean;
  label: string | null;
}

/** Strongly red pixels of a canvas (run in the page). */
function redPixelsOfCanvas(canvas: HTMLCanvasElement): number {
  const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
  let red = 0;
  for (let i = 0; i < data.length; i += 4) if (data[i] > 150 && data[i + 1] < 100 && data[i + 2] < 100) red++;
  return red;
}

/** Strongly red and white pixels of a PNG screenshot (decoded by the core's PNG reader). */
function pixelsOfPng(png: Uint8Array): { red: number; white: number } {
  const image = readSealImage(png);
  const rgb = inflateSync(image.data);
  let red = 0;
  let white = 0;
  if (image.colorSpace !== 'DeviceRGB') return { red, white };
  for (let i = 0; i < rgb.length; i += 3) {
    if (rgb[i] > 150 && rgb[i + 1] < 100 && rgb[i + 2] < 100) red++;
    if (rgb[i] > 245 && rgb[i + 1] > 245 && rgb[i + 2] > 245) white++;
  }
  return { red, white };
}

describe('fields and seals in a real browser', () => {
  let h: Harness;
  let baseUrl: string;
  let browser: Browser;
  let envelopeId: string;
  let recipientIds: string[];
  let dir: string;
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];

  before(async () => {
    execFileSync(process.execPath, [join(REPO_ROOT, 'packages/web/scripts/build-web.mjs')], { stdio: 'inherit' });
    dir = mkdtempSync(join(tmpdir(), 'inkan-fields-ui-'));
    h = await startHarness('sqlite', { webDistDir: DEFAULT_WEB_DIST });
    baseUrl = await h.app.listen({ port: 0, host: '127.0.0.1' });
    const created = await h.createEnvelope(
      h.org,
      {
        name: '業務委託契約（入力項目つき）',
        recipients: SIGNERS.map((s, i) => ({ name: s.name, email: s.email, accessCode: s.code, order: i + 1 })),
      },
      [{ filename: '業務委託契約書.pdf', data: await makePdf({ pages: 2 }) }],
    );
    assert.equal(created.statusCode, 201, created.body);
    envelopeId = created.json().id;
    recipientIds = created.json().recipients.map((r: { id: string }) => r.id);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: BROWSER_ARGS });
  });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function newPage(viewport: { width: number; height: number }, label: string): Promise<Page> {
    // 401 is the signer page probing for a session before the access code: the UI working as designed.
    const { context, page } = await newWatchedPage(browser, {
      viewport,
      label,
      problems,
      expected: [/Failed to load resource: .* status of 401/],
    });
    contexts.push(context);
    return page;
  }

  async function signIn(page: Page, next: string): Promise<void> {
    await page.goto(`${baseUrl}/login?next=${encodeURIComponent(next)}`);
    await page.getByLabel('メールアドレス').fill(h.org.admin.email);
    await page.getByLabel('パスワード').fill(h.org.admin.password);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.waitForURL(`${baseUrl}${next}`);
  }

  /** Clicks the placement page at a fraction of its width and height. */
  async function clickPage(page: Page, fx: number, fy: number): Promise<void> {
    const canvas = page.locator('.fields__stage canvas');
    const box = (await canvas.boundingBox())!;
    await canvas.click({ position: { x: box.width * fx, y: box.height * fy } });
  }

  /** Red pixels of Chrome's PDF viewer showing `pdf` (served from a throwaway local server). */
  async function redPixelsInChromeViewer(pdf: Uint8Array): Promise<number> {
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/pdf' });
      response.end(Buffer.from(pdf));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const page = await newPage({ width: 1000, height: 1300 }, 'chrome-viewer');
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/signed.pdf`);
      let previous = -1;
      return await waitFor(
        async () => {
          const { red, white } = pixelsOfPng(await page.screenshot());
          // The viewer first shows an empty dark frame: wait for the white page, then for two equal counts.
          const stable = white > 200_000 && red === previous;
          previous = white > 200_000 ? red : -1;
          return stable ? { red } : undefined;
        },
        { what: "Chrome's PDF viewer to settle", intervalMs: 500 },
      ).then((r) => r.red);
    } finally {
      server.close();
    }
  }

  async function fieldsOf(): Promise<ApiField[]> {
    return (await h.api(h.org, 'GET', `/api/v1/envelopes/${envelopeId}/fields`)).json().items as ApiField[];
  }

  it('the sender places fields on the draft preview and sends (1280 and 390)', async () => {
    const page = await newPage(DESKTOP, 'sender-1280');
    await signIn(page, `/envelopes/${envelopeId}`);
    await page.getByRole('heading', { name: '入力項目（署名/押印・日付など）' }).waitFor();
    await page.locator('.fields__stage canvas').waitFor();
    await waitFor(async () => ((await page.locator('.fields__stage canvas').boundingBox())?.height ?? 0) > 100, {
      what: 'the page preview',
    });

    const recipient = page.getByLabel('入力する署名者', { exact: true });
    const kind = page.getByLabel('種類', { exact: true });
    // Signer 1: seal, required text 「会社名」, date — on page 1.
    await recipient.selectOption({ label: `1. ${SIGNERS[0].name}` });
    await kind.selectOption({ label: '署名/押印' });
    await clickPage(page, 0.62, 0.8);
    await kind.selectOption({ label: 'テキスト' });
    await page.getByLabel('項目名').fill('会社名');
    await clickPage(page, 0.3, 0.7);
    await kind.selectOption({ label: '日付' });
    await clickPage(page, 0.3, 0.76);
    // Signer 2: seal and a required checkbox 「同意する」.
    await recipient.selectOption({ label: `2. ${SIGNERS[1].name}` });
    await kind.selectOption({ label: '署名/押印' });
    await clickPage(page, 0.8, 0.8);
    await kind.selectOption({ label: 'チェックボックス' });
    await page.getByLabel('項目名').fill('同意する');
    await clickPage(page, 0.15, 0.85);
    assert.equal(await page.getByTestId('placed-field').count(), 5);
    await page.getByRole('button', { name: '配置を保存' }).click();
    await page.getByText('入力項目の配置を保存しました。').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'fields-place-1280.png'), fullPage: true });

    const fields = await fieldsOf();
    assert.deepEqual(
      fields.map((f) => [f.kind, recipientIds.indexOf(f.recipientId), f.page, f.required, f.label]),
      [
        ['seal', 0, 1, true, null],
        ['text', 0, 1, true, '会社名'],
        ['date', 0, 1, true, null],
        ['seal', 1, 1, true, null],
        ['checkbox', 1, 1, true, '同意する'],
      ],
    );
    // The click landed where the box is: 62 % across an A4 page (595 pt) is about 369 pt, 80 % down is about 168 pt up.
    const seal = fields[0].rect;
    assert.ok(Math.abs((seal[0] + seal[2]) / 2 - 595.28 * 0.62) < 6, JSON.stringify(seal));
    assert.ok(Math.abs((seal[1] + seal[3]) / 2 - 841.89 * 0.2) < 6, JSON.stringify(seal));

    // The same draft on a phone: the preview fits the width, nothing scrolls sideways.
    const phone = await newPage(PHONE, 'sender-390');
    await signIn(phone, `/envelopes/${envelopeId}`);
    await phone.locator('.fields__stage canvas').waitFor();
    await waitFor(async () => (await phone.getByTestId('placed-field').count()) === 5, { what: 'the placed fields' });
    const widths = await phone.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    assert.ok(widths.scroll <= widths.client + 1, `horizontal scroll: ${JSON.stringify(widths)}`);
    await phone.screenshot({ path: join(SCREENSHOTS, 'fields-place-390.png'), fullPage: true });

    // 送信内容の確認 first (issue 11 part 5), then 送信する.
    await page.getByRole('button', { name: '送信内容の確認', exact: true }).click();
    await page.getByRole('button', { name: '送信する', exact: true }).click();
    await page.getByText('送信済み').first().waitFor();
    await h.runJobs();
  });

  async function openAsSigner(
    index: number,
    viewport: { width: number; height: number },
    label: string,
  ): Promise<Page> {
    const page = await newPage(viewport, label);
    const mail = await waitFor(async () => (await h.mailsTo(SIGNERS[index].email))[0], { what: 'the request mail' });
    await page.goto(`${baseUrl}/s/${linkIn(mail.text_body, 's')}`);
    await page.getByLabel('アクセスコード', { exact: true }).fill(SIGNERS[index].code);
    await page.getByRole('button', { name: '次へ' }).click();
    await page.getByRole('heading', { name: '入力項目', exact: true }).waitFor();
    return page;
  }

  it('signer 1 must fill the required text, then signs (1280)', async () => {
    const page = await openAsSigner(0, DESKTOP, 'signer1-1280');
    await page.locator('.signer-fields canvas').waitFor();
    await page.getByRole('button', { name: '完了する', exact: true }).click();
    await page.getByText('必須の項目「会社名」を入力してください。').waitFor();
    assert.equal(await page.getByRole('dialog').count(), 0, 'no confirmation while a required field is empty');
    await page.getByLabel('会社名').fill('株式会社ブラウザ商事');
    await page.screenshot({ path: join(SCREENSHOTS, 'fields-signer-1280.png'), fullPage: true });
    await page.getByRole('button', { name: '完了する', exact: true }).click();
    await page.getByTestId('confirm-sign').click();
    await page.getByRole('heading', { name: '署名が完了しました' }).waitFor();
    await h.runJobs();
  });

  it('signer 2 ticks the required box on a phone and signs (390)', async () => {
    const page = await openAsSigner(1, PHONE, 'signer2-390');
    await page.locator('.signer-fields canvas').waitFor();
    // pdf.js draws the document as signer 1 left it: their red 印影 is on the page.
    await waitFor(
      () =>
        page
          .locator('.signer-fields canvas')
          .evaluate(redPixelsOfCanvas)
          .then((n) => n > 50),
      {
        what: "signer 1's seal rendered by pdf.js",
      },
    );
    const widths = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    assert.ok(widths.scroll <= widths.client + 1, `horizontal scroll: ${JSON.stringify(widths)}`);
    await page.getByTestId('signer-field-checkbox').check();
    await page.screenshot({ path: join(SCREENSHOTS, 'fields-signer-390.png'), fullPage: true });
    await page.getByRole('button', { name: '完了する', exact: true }).click();
    await page.getByTestId('confirm-sign').click();
    await page.getByRole('heading', { name: '署名が完了しました' }).waitFor();
    await h.runJobs();
  });

  it('the signed page shows both 印影 and the values; every signature is valid', async () => {
    const envelope = (await h.api(h.org, 'GET', `/api/v1/envelopes/${envelopeId}`)).json();
    assert.equal(envelope.status, 'completed');
    const file = new Uint8Array(
      (await h.api(h.org, 'GET', `/api/v1/envelopes/${envelopeId}/documents/${envelope.documents[0].id}`)).rawPayload,
    );
    const fields = await fieldsOf();
    const page1 = await renderPage(file, 1);
    for (const seal of fields.filter((f) => f.kind === 'seal'))
      assert.ok(colours(page1, seal.rect).red > 150, `red 印影 in ${JSON.stringify(seal.rect)}`);
    assert.ok(colours(page1, fields.find((f) => f.kind === 'checkbox')!.rect).dark > 10, 'the ticked box');
    const text = await pdfText(file, { page: 1 });
    assert.match(text, /株式会社ブラウザ商事/);
    assert.match(text, /\d{4}年\d{1,2}月\d{1,2}日/);

    const nssDir = await createNssDb(h.context.signing.pki.rootPem(), { parentDir: dir });
    const sig = await pdfsig(file, { nssDir });
    const signatures = sig.signatures.filter((s) => s.subFilter === 'ETSI.CAdES.detached');
    assert.equal(signatures.length, 2);
    for (const s of signatures) assert.equal(s.validation, 'Signature is Valid.');
    const report = await verifyPdf(file, {
      trustAnchors: h.context.signing.trustAnchors,
      revocationProvider: h.context.signing.pki.revocationProvider,
    });
    assert.equal(report.exitCode, 0, report.summary);

    // Chrome's own PDF viewer (PDFium) shows the seals too: far more red than the unsigned original
    // (whose few red pixels are the viewer's own chrome).
    const signedRed = await redPixelsInChromeViewer(file);
    const originalRed = await redPixelsInChromeViewer(await makePdf({ pages: 2 }));
    assert.ok(signedRed > originalRed + 500, `red in Chrome's PDF viewer: ${signedRed} vs ${originalRed}`);

    // The signed page as pdftoppm draws it, kept with the screenshots to look at.
    const path = join(dir, 'signed.pdf');
    writeFileSync(path, file);
    const run = await runTool('pdftoppm', [
      '-png',
      '-r',
      '100',
      '-f',
      '1',
      '-l',
      '1',
      '-singlefile',
      path,
      join(SCREENSHOTS, 'fields-signed-page'),
    ]);
    assert.equal(run.exitCode, 0, run.stderr);
  });

  it('the organisation seal page uploads an image (1280 and 390), without console errors', async () => {
    const page = await newPage(DESKTOP, 'seal-1280');
    await signIn(page, '/admin/seal');
    await page.getByRole('heading', { level: 1, name: '組織の印影（社印・角印）' }).waitFor();
    await page.getByText('印影の画像は設定されていません。', { exact: false }).waitFor();
    const png = join(dir, 'kakuin.png');
    writeFileSync(png, squareSealPng([200, 30, 40]));
    await page.getByTestId('seal-file').setInputFiles(png);
    await page.getByText('組織の印影を設定しました。').waitFor();
    await page.locator('.seal-settings__image').waitFor();
    await waitFor(
      () => page.locator('.seal-settings__image').evaluate((img: HTMLImageElement) => img.naturalWidth === 48),
      { what: `the uploaded image shown (${problems.join('; ')})` },
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'fields-org-seal-1280.png'), fullPage: true });
    const phone = await newPage(PHONE, 'seal-390');
    await signIn(phone, '/admin/seal');
    await phone.locator('.seal-settings__image').waitFor();
    await phone.screenshot({ path: join(SCREENSHOTS, 'fields-org-seal-390.png'), fullPage: true });
    assert.deepEqual(problems, []);
  });
});
