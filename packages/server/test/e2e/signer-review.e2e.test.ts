/**
 * Issue 11 parts 1, 2, 3 and 7 in a real browser, with real SMTP: the real `inkan serve` (child
 * process, SQLite, jobs in its worker thread), Debian's Chromium through the built UI.
 *
 * The sender sets a telephone number on /account and sends a 23-page contract and a 1-page
 * specification to two signers. Each signer reviews the 23 pages by scrolling (1280×800 with the mouse
 * wheel, 390×844 as a phone) — pages are drawn as they come into view and far ones give their canvas
 * back; the tab gets ✓ 確認済み when its last page was in view; a reload comes back to the same page;
 * the document downloads before signing; zoom buttons work; the sender's contact is on the code, lock
 * and done pages and in every mail (Reply-To the sender); the second signer is locked, unlocked by the
 * sender and mailed (never the code); a later visit says 署名済み; the completion mail and the ダウンロード
 * page explain how to check the signatures; /help shows the FAQ, the Reader steps, the root
 * certificate's fingerprint and the support contact. Screenshots go to the screenshot folder
 * (e2e-signer-*.png).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { runInkan } from '../helpers/run-inkan.ts';
import { screenshotDir } from '../helpers/screenshot-dir.ts';
import { DESKTOP, PHONE } from '../helpers/browser.ts';
import { diagnostics, waitOrExplain } from './helpers/inkan-process.ts';
import {
  launchWatchedBrowser,
  startServedInkan,
  type ServedInkan,
  type WatchedBrowser,
} from '../helpers/browser-server.ts';
import { urlsIn, type ReceivedMail, type SmtpSink } from './helpers/smtp-sink.ts';

const ORGANIZATION = '北見市 総務部 契約課';
const ENVELOPE = '市道改良工事 請負契約（第23号）';
const SENDER = {
  email: 'keiyaku@city.kitami.example.jp',
  name: '契約 太郎',
  password: 'correct horse battery staple',
  phone: '0157-23-4567',
};
const CONTRACT = { file: '工事請負契約書（23ページ）.pdf', pages: 23 };
const SPEC = { file: '特記仕様書.pdf', pages: 1 };
const SIGNERS = [
  { name: '山本 建設 代表取締役 山本 一郎', email: 'ichiro@yamamoto-kensetsu.example.jp', code: '4821' },
  { name: '佐藤 工務店 佐藤 花子', email: 'hanako@sato-koumuten.example.jp', code: '7315' },
];
const SUPPORT = { email: 'support@inkan.city.kitami.example.jp', url: 'https://city.kitami.example.jp/inkan-help' };
const SCREENSHOTS = screenshotDir();
const JOB_TIMEOUT = { timeoutMs: 60_000, intervalMs: 25 };

describe('signer review, contact, trust and help in a real browser, with real SMTP', () => {
  let dir: string;
  let dataDir: string;
  let baseUrl: string;
  let env: Record<string, string>;
  let smtp: SmtpSink;
  let app: ServedInkan | undefined;
  let ui: WatchedBrowser | undefined;
  let db: Database.Database;
  let loginLink: string;
  let rootDer: Buffer;
  let senderPage: Page;
  const paths: string[] = [];
  const signUrls: string[] = [];

  before(async () => {
    app = await startServedInkan({
      prefix: 'inkan-e2e-signer-',
      organization: { name: ORGANIZATION, slug: 'kitami' },
      admin: { email: SENDER.email, name: SENDER.name },
      env: {
        INKAN_SUPPORT_EMAIL: SUPPORT.email,
        INKAN_SUPPORT_URL: SUPPORT.url,
      },
    });
    ({ dir, dataDir, baseUrl, env, smtp, db, loginLink } = app);
    const root = await runInkan(['pki', 'export-root'], { dataDir, env });
    assert.equal(root.code, 0, root.stderr);
    rootDer = Buffer.from(new X509Certificate(root.stdout).raw);
    mkdirSync(join(dir, 'upload'));
    for (const [doc, text] of [
      [CONTRACT, 'Road improvement works contract'],
      [SPEC, 'Special specifications'],
    ] as const) {
      const path = join(dir, 'upload', doc.file);
      writeFileSync(path, await makePdf({ pages: doc.pages, text }));
      paths.push(path);
    }
    ui = await launchWatchedBrowser();
  });

  after(async () => {
    await ui?.close();
    // stop() asserts a clean exit on SIGTERM: a server that does not stop cleanly is a defect of its own.
    await app?.stop();
  });

  const explain = () =>
    `${diagnostics(db, [app!.server])}\nSMTP: ${smtp.messages.map((m) => `${m.to} ${m.subject}`).join(' | ')}`;

  async function newPage(viewport: { width: number; height: number }, label: string): Promise<Page> {
    // 401 (the view probed before the code, wrong codes) and 423 (locked) are the UI working as designed.
    return ui!.newPage(viewport, label, [/Failed to load resource: .* status of (401|423)/]);
  }

  const shot = (page: Page, name: string, fullPage = false) =>
    page.screenshot({ path: join(SCREENSHOTS, `e2e-signer-${name}.png`), fullPage });

  /** The mails to an address with a subject matching, waited for. */
  async function mailsTo(address: string, subject: RegExp, count = 1): Promise<ReceivedMail[]> {
    return waitOrExplain(
      () => {
        const found = smtp.to(address).filter((m) => subject.test(m.subject));
        return found.length >= count ? found : null;
      },
      { ...JOB_TIMEOUT, what: `${count} mail(s) "${subject.source}" to ${address}` },
      explain,
    );
  }

  /** Checks the sender's contact block on a signer page. */
  async function expectContact(page: Page): Promise<void> {
    const card = page.getByTestId('sender-contact').first();
    await card.waitFor();
    const text = (await card.textContent()) ?? '';
    for (const part of [ORGANIZATION, SENDER.name, SENDER.email, SENDER.phone])
      assert.ok(text.includes(part), `contact shows ${part}: ${text}`);
    assert.equal(await card.getByRole('link', { name: SENDER.email }).getAttribute('href'), `mailto:${SENDER.email}`);
    assert.equal(
      await page
        .getByTestId('help-link')
        .first()
        .getAttribute('href')
        .then((h) => h?.split('#')[0]),
      '/help',
    );
  }

  /** State of the open tab's viewer: page boxes, those holding a drawn canvas, the page shown. */
  function viewerState(page: Page) {
    return page.evaluate(() => {
      const panel = document.querySelector('[role="tabpanel"]:not([hidden])')!;
      const boxes = Array.from(panel.querySelectorAll<HTMLElement>('.viewer__page-box'));
      return {
        pages: boxes.length,
        rendered: boxes.filter((b) => b.dataset.rendered === 'true').map((b) => Number(b.dataset.page)),
        withPixels: boxes
          .filter((b) => {
            const canvas = b.querySelector('canvas');
            return canvas !== null && canvas.width > 0;
          })
          .map((b) => Number(b.dataset.page)),
        indicator: panel.querySelector('[data-testid="viewer-page"]')?.textContent ?? '',
        firstWidth: boxes[0]?.getBoundingClientRect().width ?? 0,
        scrollY: window.scrollY,
      };
    });
  }

  /** Waits until page `n` of the open tab is drawn and its text layer holds "Page n". */
  async function waitDrawn(page: Page, n: number): Promise<void> {
    await page.waitForFunction((number) => {
      const panel = document.querySelector('[role="tabpanel"]:not([hidden])');
      const box = panel?.querySelector(`.viewer__page-box[data-page="${number}"]`);
      const canvas = box?.querySelector('canvas');
      return (
        canvas?.dataset.drawn === 'true' &&
        (box?.querySelector('.textLayer')?.textContent ?? '').includes(`Page ${number}`)
      );
    }, n);
  }

  /**
   * Scrolls the 23 pages down until the tab shows ✓ 確認済み, the way a reader does (the wheel at 1280,
   * a swipe-sized scroll on the phone); checks on the way that few pages hold a canvas at once.
   */
  async function scrollToTheEnd(page: Page, phone: boolean): Promise<number> {
    const tab = page.getByRole('tab', { name: new RegExp(CONTRACT.file.replace(/[()（）]/g, '.')) });
    let steps = 0;
    let mostRendered = 0;
    while ((await tab.getByTestId('tab-reviewed').count()) === 0) {
      assert.ok(steps < 200, 'the end of the document is reachable by scrolling');
      const before = await page.evaluate(() => window.scrollY);
      if (phone) await page.evaluate(() => window.scrollBy(0, Math.round(window.innerHeight * 0.8)));
      else await page.mouse.wheel(0, 600);
      await page.waitForFunction(
        (y) => window.scrollY !== y || window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 1,
        before,
      );
      const state = await viewerState(page);
      mostRendered = Math.max(mostRendered, state.rendered.length);
      steps++;
    }
    return mostRendered;
  }

  test('the sender adds a telephone number to the profile and sends the envelope', async () => {
    senderPage = await newPage(DESKTOP, 'sender');
    const page = senderPage;
    await page.goto(loginLink);
    await page.getByLabel('新しいパスワード').fill(SENDER.password);
    await page.getByRole('button', { name: '設定して続ける' }).click();
    await page.waitForURL(`${baseUrl}/envelopes`);
    await page.goto(`${baseUrl}/account`);
    await page.getByLabel(/電話番号/).fill('0157-23-4567');
    await page.getByRole('button', { name: '保存する' }).first().click();
    await page.getByText('プロフィールを保存しました。').waitFor();
    await shot(page, 'account-phone-1280');

    await page.goto(`${baseUrl}/envelopes/new`);
    await page.getByLabel('封筒名').fill(ENVELOPE);
    await page.locator('input[type=file]').setInputFiles(paths);
    await page.getByText(SPEC.file).first().waitFor();
    await page.getByRole('button', { name: '署名者を追加' }).click();
    for (const [i, signer] of SIGNERS.entries()) {
      await page.getByLabel('氏名').nth(i).fill(signer.name);
      await page.getByLabel('メールアドレス').nth(i).fill(signer.email);
      await page.getByLabel('アクセスコード', { exact: true }).nth(i).fill(signer.code);
    }
    // 送信内容の確認 first (issue 11 part 5), then 送信する.
    await page.getByRole('button', { name: '送信内容の確認', exact: true }).click();
    await page.getByRole('button', { name: '送信する', exact: true }).click();
    await page.getByText('署名依頼を送信しました。').waitFor();

    const [request] = await mailsTo(SIGNERS[0].email, /署名依頼が届いています/);
    // Reply-To the sender, From the no-reply address; the contact, help and support in the text.
    const replyTo = request.parsed.replyTo?.value[0];
    assert.equal(replyTo?.address, SENDER.email);
    assert.ok(replyTo?.name?.includes(SENDER.name), JSON.stringify(replyTo));
    assert.notEqual(request.from.address, SENDER.email);
    for (const part of [SENDER.name, SENDER.email, SENDER.phone, `${baseUrl}/help`, SUPPORT.email])
      assert.ok(request.text.includes(part), `request mail names ${part}:\n${request.text}`);
    assert.ok(request.html.includes(`href="${baseUrl}/help"`), 'the help page is a link in the HTML part');
    assert.ok(!request.text.includes(SIGNERS[0].code), 'never the access code');
    signUrls.push(urlsIn(request.text).find((u) => u.startsWith(`${baseUrl}/s/`))!);
  });

  test('1280×800: the code page names the sender; 23 pages reviewed by scrolling; reload keeps the place; download; zoom; sign', async () => {
    const page = await newPage(DESKTOP, 'signer 1');
    await page.goto(signUrls[0]);
    await page.getByLabel('アクセスコード', { exact: true }).waitFor();
    await expectContact(page);
    assert.ok(!(await page.content()).includes(CONTRACT.file), 'no document before the code');
    await shot(page, 'code-1280');
    await page.getByLabel('アクセスコード', { exact: true }).fill(SIGNERS[0].code);
    await page.getByRole('button', { name: '次へ' }).click();
    await page.getByRole('heading', { name: ENVELOPE }).waitFor();
    await waitDrawn(page, 1);
    let state = await viewerState(page);
    assert.equal(state.pages, 23, 'every page is laid out in one scroll');
    assert.ok(state.rendered.length <= 10, `few pages drawn at first: ${state.rendered.join(',')}`);
    assert.ok(!state.rendered.includes(23), 'the last page is not drawn before it comes near');
    assert.equal(state.indicator, '1 / 23');
    await shot(page, 'review-1280');

    const mostRendered = await scrollToTheEnd(page, false);
    assert.ok(mostRendered <= 10, `at most 10 pages hold a canvas at once (saw ${mostRendered})`);
    await waitDrawn(page, 23);
    state = await viewerState(page);
    assert.equal(state.indicator, '23 / 23');
    assert.ok(!state.withPixels.includes(1), 'page 1, far above, gave its canvas back');
    await shot(page, 'review-end-1280');

    // Back to page 12, then a reload: the same tab, page and ✓ mark.
    await page.evaluate(() =>
      document
        .querySelector('[role="tabpanel"]:not([hidden]) .viewer__page-box[data-page="12"]')!
        .scrollIntoView({ block: 'center' }),
    );
    await page.waitForFunction(
      () =>
        document.querySelector('[role="tabpanel"]:not([hidden]) [data-testid="viewer-page"]')?.textContent ===
        '12 / 23',
    );
    await page.reload();
    await page.getByRole('heading', { name: ENVELOPE }).waitFor();
    await page.waitForFunction(
      () =>
        document.querySelector('[role="tabpanel"]:not([hidden]) [data-testid="viewer-page"]')?.textContent ===
        '12 / 23',
    );
    await waitDrawn(page, 12);
    assert.equal(await page.getByTestId('tab-reviewed').count(), 1, 'the ✓ mark survives the reload');
    const stored = await page.evaluate(() => JSON.stringify(Object.entries(sessionStorage)));
    const linkToken = new URL(page.url()).pathname.split('/').pop()!;
    assert.ok(!stored.includes(SIGNERS[0].code) && !stored.includes(linkToken), `sessionStorage: ${stored}`);

    // Zoom: ＋ makes pages wider than fit; 幅に合わせる goes back.
    const fitWidth = (await viewerState(page)).firstWidth;
    await page.getByRole('button', { name: '拡大' }).click();
    await page.waitForFunction((w) => {
      const box = document.querySelector('[role="tabpanel"]:not([hidden]) .viewer__page-box');
      return (box?.getBoundingClientRect().width ?? 0) > w + 10;
    }, fitWidth);
    await page.getByRole('button', { name: '幅に合わせる' }).click();
    await page.waitForFunction((w) => {
      const box = document.querySelector('[role="tabpanel"]:not([hidden]) .viewer__page-box');
      return Math.abs((box?.getBoundingClientRect().width ?? 0) - w) < 2;
    }, fitWidth);

    // Download before signing: the file as reviewed, recorded in the operation log.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('review-download').first().click(),
    ]);
    assert.equal(download.suggestedFilename(), CONTRACT.file);
    const saved = readFileSync((await download.path())!);
    assert.equal(saved.subarray(0, 5).toString(), '%PDF-');
    await waitOrExplain(
      () =>
        (db.prepare("select count(*) as n from events where action = 'document.downloaded'").get() as { n: number })
          .n === 1 || null,
      { ...JOB_TIMEOUT, what: 'the download event' },
      explain,
    );

    // The one-page specification is reviewed as soon as it is shown.
    await page.getByRole('tab', { name: new RegExp(SPEC.file) }).click();
    await waitDrawn(page, 1);
    await page.getByTestId('tab-reviewed').nth(1).waitFor();
    await page.getByText('最後のページまで確認した文書: 2 / 2').waitFor();
    // Back to the contract: the place where it was left (the tabs share the window's scroll).
    await page.getByRole('tab', { name: /工事請負契約書/ }).click();
    await page.waitForFunction(
      () =>
        document.querySelector('[role="tabpanel"]:not([hidden]) [data-testid="viewer-page"]')?.textContent ===
        '12 / 23',
    );

    await page.getByRole('button', { name: '完了する', exact: true }).click();
    const dialog = page.getByRole('dialog');
    assert.equal(await dialog.getByText('確認済み').count(), 2, 'both documents marked reviewed in the confirmation');
    await page.getByTestId('confirm-sign').click();
    await page.getByRole('heading', { name: '署名が完了しました' }).waitFor();
    await expectContact(page);
    await shot(page, 'done-1280');

    // A later visit: 署名済み, waiting for the others, without the code and without the documents.
    await page.goto(signUrls[0]);
    await page.getByRole('heading', { name: '署名済みです' }).waitFor();
    await expectContact(page);
    assert.ok(!(await page.content()).includes(CONTRACT.file));
    await shot(page, 'waiting-1280');
  });

  test('390×844: locked, unlocked by the sender (mail without the code), 23 pages by scrolling at fit-to-width, sign', async () => {
    const [request] = await mailsTo(SIGNERS[1].email, /署名依頼が届いています/);
    signUrls.push(urlsIn(request.text).find((u) => u.startsWith(`${baseUrl}/s/`))!);
    const page = await newPage(PHONE, 'signer 2');
    await page.goto(signUrls[1]);
    const input = page.getByLabel('アクセスコード', { exact: true });
    await input.waitFor();
    await expectContact(page);
    await shot(page, 'code-390', true);
    for (let i = 0; i < 5; i++) {
      await input.fill('0000');
      await page.getByRole('button', { name: '次へ' }).click();
      if (i < 4)
        await page
          .getByRole('alert')
          .filter({ hasText: `あと${4 - i}回` })
          .waitFor();
    }
    await page.getByRole('heading', { name: 'ロックされています' }).waitFor();
    await expectContact(page);
    await shot(page, 'locked-390', true);

    // The sender unlocks (same code); the signer is mailed, without any code.
    const { envelopeId, recipientId } = db
      .prepare('select envelope_id as envelopeId, id as recipientId from recipients where email = ?')
      .get(SIGNERS[1].email) as { envelopeId: string; recipientId: string };
    const status = await senderPage.evaluate(
      async ({ envelopeId, recipientId }) => {
        const session = (await (await fetch('/api/session')).json()) as { csrfToken: string };
        const response = await fetch(`/api/v1/envelopes/${envelopeId}/recipients/${recipientId}/unlock`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
          body: '{}',
        });
        return response.status;
      },
      { envelopeId, recipientId },
    );
    assert.equal(status, 200);
    const [unlocked] = await mailsTo(SIGNERS[1].email, /ロック解除のお知らせ/);
    assert.equal(unlocked.parsed.replyTo?.value[0]?.address, SENDER.email);
    assert.ok(!unlocked.text.includes(SIGNERS[1].code) && !unlocked.html.includes(SIGNERS[1].code), 'never the code');
    assert.ok(unlocked.text.includes('アクセスコードは変わっていません'));

    await page.goto(signUrls[1]);
    await input.fill(SIGNERS[1].code);
    await page.getByRole('button', { name: '次へ' }).click();
    await page.getByRole('heading', { name: ENVELOPE }).waitFor();
    await waitDrawn(page, 1);
    const state = await viewerState(page);
    assert.equal(state.pages, 23);
    // Fit-to-width on the phone: the page takes the screen's width (no sideways scrolling).
    assert.ok(state.firstWidth >= 360 && state.firstWidth <= 390, `page width ${state.firstWidth}`);
    assert.ok(
      await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
      'no horizontal scroll at fit-to-width',
    );
    await shot(page, 'review-390');

    // Two fingers spread on the page zoom in (drawn again at the new scale); 幅に合わせる goes back.
    const cdp = await page.context().newCDPSession(page);
    const y = 600;
    const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', spread: number) =>
      cdp.send('Input.dispatchTouchEvent', {
        type,
        touchPoints:
          type === 'touchEnd'
            ? []
            : [
                { x: 195 - spread, y },
                { x: 195 + spread, y },
              ],
      });
    await touch('touchStart', 40);
    for (const spread of [60, 80, 100, 120]) await touch('touchMove', spread);
    await touch('touchEnd', 0);
    await page.waitForFunction((w) => {
      const box = document.querySelector('[role="tabpanel"]:not([hidden]) .viewer__page-box');
      return (box?.getBoundingClientRect().width ?? 0) > w * 2;
    }, state.firstWidth);
    await waitDrawn(page, 1);
    await shot(page, 'review-pinched-390');
    await page.getByRole('button', { name: '幅に合わせる' }).click();
    await page.waitForFunction((w) => {
      const box = document.querySelector('[role="tabpanel"]:not([hidden]) .viewer__page-box');
      return Math.abs((box?.getBoundingClientRect().width ?? 0) - w) < 2;
    }, state.firstWidth);
    await page.evaluate(() => window.scrollTo(0, 0));

    const mostRendered = await scrollToTheEnd(page, true);
    assert.ok(mostRendered <= 10, `at most 10 pages hold a canvas at once (saw ${mostRendered})`);
    await waitDrawn(page, 23);
    await shot(page, 'review-end-390');
    await page.getByRole('tab', { name: new RegExp(SPEC.file) }).click();
    await page.getByTestId('tab-reviewed').nth(1).waitFor();
    await page.getByRole('button', { name: '完了する', exact: true }).click();
    await page.getByTestId('confirm-sign').click();
    await page.getByRole('heading', { name: '署名が完了しました' }).waitFor();
    await expectContact(page);
    await shot(page, 'done-390', true);
  });

  test('the completion mail and the ダウンロード page explain how to check; the phone layout wraps names and hashes', async () => {
    const [completion] = await mailsTo(SIGNERS[1].email, /^電子署名完了のお知らせ$/);
    assert.ok(completion.text.includes(`「${ENVELOPE}」`), 'the envelope in the body');
    for (const part of [`${baseUrl}/verify`, `${baseUrl}/pki/ca/root.cer`, `${baseUrl}/help#adobe-reader`])
      assert.ok(completion.text.includes(part), `completion mail names ${part}`);
    assert.equal(completion.parsed.replyTo?.value[0]?.address, SENDER.email);
    const downloadUrl = urlsIn(completion.text).find((u) => u.startsWith(`${baseUrl}/d/`))!;

    for (const viewport of [DESKTOP, PHONE]) {
      const size = viewport === PHONE ? '390' : '1280';
      const page = await newPage(viewport, `download ${size}`);
      await page.goto(downloadUrl);
      await page.getByRole('heading', { name: ENVELOPE }).waitFor();
      const box = page.getByTestId('how-to-check');
      await box.getByRole('link', { name: /検証ページ/ }).waitFor();
      assert.equal(
        await box.getByRole('link', { name: 'ルート証明書（.cer）' }).getAttribute('href'),
        '/pki/ca/root.cer',
      );
      const layout = await page.evaluate(() => ({
        hashes: Array.from(document.querySelectorAll('[data-testid="hash-box"]')).map((e) => {
          const rect = e.getBoundingClientRect();
          return { height: rect.height, right: rect.right, lineHeight: parseFloat(getComputedStyle(e).lineHeight) };
        }),
        names: Array.from(document.querySelectorAll('.doc-list__name--wrap')).map(
          (e) => e.getBoundingClientRect().width,
        ),
        overflow: document.documentElement.scrollWidth > window.innerWidth,
      }));
      assert.equal(layout.overflow, false, 'nothing runs off the screen');
      assert.ok(layout.hashes.length >= 2);
      for (const hash of layout.hashes)
        assert.ok(hash.height <= hash.lineHeight * 3 + 12, `a SHA-256 takes at most 3 lines (${hash.height}px)`);
      for (const width of layout.names) assert.ok(width > 150, `file names get the row's width (${width}px)`);
      await shot(page, `download-${size}`, viewport === PHONE);
    }
  });

  test('/help: the FAQ for signers and senders, Reader steps, the root certificate fingerprint, the support contact', async () => {
    const fingerprint = new X509Certificate(rootDer).fingerprint256;
    for (const viewport of [DESKTOP, PHONE]) {
      const size = viewport === PHONE ? '390' : '1280';
      const page = await newPage(viewport, `help ${size}`);
      await page.goto(`${baseUrl}/help#adobe-reader`);
      await page.getByRole('heading', { name: '困ったときは', level: 1 }).waitFor();
      for (const topic of [
        'アクセスコードがわからない',
        'リンクの有効期限が切れた',
        'ロックされた',
        '署名済みの文書をダウンロードする',
        '署名を確認する（検証ページ）',
        'Adobe Acrobat Readerで署名を確認する',
        'Inkanで保管する',
        '送信時のエラー',
      ])
        await page.getByRole('heading', { name: topic }).waitFor();
      assert.equal(await page.locator('#adobe-reader ol li').count(), 8, 'the Reader steps');
      await page.waitForFunction(
        (value) => document.querySelector('[data-testid="root-fingerprint"]')?.textContent === value,
        fingerprint,
      );
      const support = page.getByTestId('support-contact');
      assert.equal(
        await support.getByRole('link', { name: SUPPORT.email }).getAttribute('href'),
        `mailto:${SUPPORT.email}`,
      );
      await support.getByRole('link', { name: SUPPORT.url }).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth), false);
      await shot(page, `help-${size}`, viewport === PHONE);
    }
  });

  test('no console errors, page errors or CSP violations', () => {
    assert.deepEqual(ui!.problems, []);
  });
});
