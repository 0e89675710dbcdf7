/**
 * 保管 and the register end to end (issue 7's proof), as people use it: the real `inkan serve` (child
 * process, SQLite, jobs in its worker thread), mail over real SMTP, Debian's Chromium through the built UI.
 *
 * The sender sends a Japanese contract PDF (text layer in Noto Sans JP); the signer signs, gets the
 * completion mail and presses Inkanで保管; without an account the claim page sends them through
 * アカウント登録 (mail 「【Inkan】アカウント登録のご案内」 → アカウント登録手続きへ → アカウントを登録してログイン) and
 * back; Inkanで保管 lands on the register entry, where they accept the suggested 契約金額 and 契約満了日,
 * find the contract by an amount range and an end-date range, and download the certificate of
 * completion. After INKAN_CLAIM_TTL (2 days here) on the server's controlled clock the same link shows the
 * page naming the sender to contact.
 * Screenshots at 1280×800 and 390×844 go to the screenshot folder (e2e-register-*.png).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { textToPdf } from '../helpers/contract-pdf.ts';
import { runInkan } from '../helpers/run-inkan.ts';
import { DESKTOP, PHONE } from '../helpers/browser.ts';
import { screenshotDir } from '../helpers/screenshot-dir.ts';
import { diagnostics, failedJobs, waitOrExplain } from './helpers/inkan-process.ts';
import {
  launchWatchedBrowser,
  startServedInkan,
  type ServedInkan,
  type WatchedBrowser,
} from '../helpers/browser-server.ts';
import { urlsIn, type SmtpSink } from './helpers/smtp-sink.ts';

const ORGANIZATION = '株式会社みなと商事';
const ENVELOPE = 'システム開発支援業務委託契約';
const CONTRACT_TEXT = new URL('../fixtures/contracts/01-gyomu-itaku.txt', import.meta.url);
const SENDER = { email: 'keiyaku@minato.example.jp', name: '港 一郎', password: 'correct horse battery staple' };
const SIGNER = {
  name: '青木 遥',
  email: 'aoki@blueline.example.jp',
  code: '4821',
  password: 'blue line tech 2026 spring',
};
const SCREENSHOTS = screenshotDir();
const JOB_TIMEOUT = { timeoutMs: 60_000, intervalMs: 25 };

describe('保管 and the contract register in a real browser, with real SMTP', () => {
  let dir: string;
  let dataDir: string;
  let baseUrl: string;
  let env: Record<string, string>;
  let smtp: SmtpSink;
  let app: ServedInkan | undefined;
  let ui: WatchedBrowser | undefined;
  let db: Database.Database;
  let loginLink: string;
  let pdfPath: string;
  let claimUrl = '';
  let clockFile: string;
  let signer: Page;

  before(async () => {
    app = await startServedInkan({
      prefix: 'inkan-e2e-register-',
      organization: { name: ORGANIZATION, slug: 'minato' },
      admin: { email: SENDER.email, name: SENDER.name },
      env: { INKAN_CLAIM_TTL: '2d' },
      clock: true,
    });
    ({ dir, dataDir, baseUrl, env, smtp, db, loginLink, clockFile } = app);
    mkdirSync(join(dir, 'upload'));
    pdfPath = join(dir, 'upload', '業務委託契約書.pdf');
    writeFileSync(pdfPath, await textToPdf(readFileSync(CONTRACT_TEXT, 'utf8')));
    ui = await launchWatchedBrowser();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  after(async () => {
    await ui?.close();
    // stop() asserts a clean exit on SIGTERM: a server that does not stop cleanly is a defect of its own.
    await app?.stop();
  });

  const explain = () =>
    `${diagnostics(db, [app!.server])}\nSMTP: ${smtp.messages.map((m) => `${m.to} ${m.subject}`).join(' | ')}`;

  async function newPage(viewport: { width: number; height: number }, label: string): Promise<Page> {
    // 401 (session probes before sign-in) and 410 (the expired claim link) are the UI working as designed.
    return ui!.newPage(viewport, label, [/Failed to load resource: .* status of (401|410)/]);
  }

  // Phone pictures show the whole page (the results are below the fold at 390×844).
  const shot = (page: Page, name: string) =>
    page.screenshot({ path: join(SCREENSHOTS, `e2e-register-${name}.png`), fullPage: name.endsWith('-390') });

  /** Waits until the entry's PDF viewer has drawn its page (canvas sized, text layer filled); returns that text. */
  async function renderedPdfText(page: Page): Promise<string> {
    const handle = await page.waitForFunction(() => {
      const canvas = document.querySelector('#document canvas') as HTMLCanvasElement | null;
      const text = document.querySelector('#document .textLayer');
      return canvas && canvas.width > 0 && text && text.querySelector('span') ? (text.textContent ?? '') : null;
    });
    return (await handle.jsonValue()) as string;
  }

  test('the sender sends the contract; the signer signs', async () => {
    const page = await newPage(DESKTOP, 'sender');
    await page.goto(loginLink);
    await page.getByLabel('新しいパスワード').fill(SENDER.password);
    await page.getByRole('button', { name: '設定して続ける' }).click();
    await page.waitForURL(`${baseUrl}/envelopes`);
    await page.goto(`${baseUrl}/envelopes/new`);
    await page.getByLabel('封筒名').fill(ENVELOPE);
    await page.locator('input[type=file]').setInputFiles([pdfPath]);
    await page.getByText('業務委託契約書.pdf').first().waitFor();
    await page.getByLabel('氏名').nth(0).fill(SIGNER.name);
    await page.getByLabel('メールアドレス').nth(0).fill(SIGNER.email);
    await page.getByLabel('アクセスコード', { exact: true }).nth(0).fill(SIGNER.code);
    // 送信内容の確認 first (issue 11 part 5), then 送信する.
    await page.getByRole('button', { name: '送信内容の確認', exact: true }).click();
    await page.getByRole('button', { name: '送信する', exact: true }).click();
    await page.getByText('署名依頼を送信しました。').waitFor();
    await page.context().close();

    const [request] = await waitOrExplain(
      () => (smtp.to(SIGNER.email).length > 0 ? smtp.to(SIGNER.email) : null),
      { ...JOB_TIMEOUT, what: 'the request mail' },
      explain,
    );
    const signUrl = urlsIn(request.text).find((u) => u.startsWith(`${baseUrl}/s/`))!;
    const signing = await newPage(DESKTOP, 'signer signing');
    await signing.goto(signUrl);
    await signing.getByLabel('アクセスコード', { exact: true }).fill(SIGNER.code);
    await signing.getByRole('button', { name: '次へ' }).click();
    await signing.getByRole('heading', { name: ENVELOPE }).waitFor();
    await signing.getByRole('button', { name: '完了する', exact: true }).click();
    await signing.getByTestId('confirm-sign').click();
    await signing.getByRole('heading', { name: '署名が完了しました' }).waitFor();
    await signing.context().close();
  });

  test('the completion mail offers ダウンロード and Inkanで保管', async () => {
    const [mail] = await waitOrExplain(
      () => {
        const found = smtp.to(SIGNER.email).filter((m) => m.subject === '電子署名完了のお知らせ');
        return found.length > 0 ? found : null;
      },
      { ...JOB_TIMEOUT, what: 'the completion mail' },
      explain,
    );
    assert.ok(mail.text.includes('ダウンロード') && mail.text.includes('Inkanで保管'), mail.text);
    const claims = urlsIn(mail.text).filter((u) => u.startsWith(`${baseUrl}/claim/`));
    assert.equal(claims.length, 1, mail.text);
    assert.ok(mail.html.includes(claims[0]), 'the HTML part links the same claim URL');
    claimUrl = claims[0];
  });

  test('without an account the claim page names the envelope and sender and offers ログイン / アカウント登録 (390×844)', async () => {
    signer = await newPage(PHONE, 'signer');
    await signer.goto(claimUrl);
    await signer.getByRole('heading', { name: ENVELOPE }).waitFor();
    await signer.getByText(ORGANIZATION, { exact: false }).first().waitFor();
    await signer.getByRole('link', { name: 'ログイン' }).waitFor();
    await shot(signer, 'claim-390');
    const signup = signer.getByRole('link', { name: 'アカウント登録' });
    assert.equal(await signup.getAttribute('href'), `/signup?next=${encodeURIComponent(new URL(claimUrl).pathname)}`);
    await signup.click();
    await signer.waitForURL(/\/signup\?next=/);
  });

  test('sign-up through the mail comes back to the claim; Inkanで保管 lands on the register entry', async () => {
    await signer.getByLabel('メールアドレス').fill(SIGNER.email);
    await signer.getByRole('button', { name: '登録手続きのメールを送信' }).click();
    await signer.getByRole('heading', { level: 1, name: 'メールを送信しました' }).waitFor();
    const [mail] = await waitOrExplain(
      () => {
        const found = smtp.to(SIGNER.email).filter((m) => m.subject === '【Inkan】アカウント登録のご案内');
        return found.length > 0 ? found : null;
      },
      { ...JOB_TIMEOUT, what: 'the sign-up mail' },
      explain,
    );
    // Open the HTML mail in the browser and press its button, as the person would.
    await signer.setContent(mail.html);
    await signer.getByRole('link', { name: 'アカウント登録手続きへ' }).click();
    await signer.waitForURL(/\/signup\/complete\?token=/);
    assert.equal(await signer.getByLabel('メールアドレス').inputValue(), SIGNER.email);
    await signer.getByLabel('氏名（必須）').fill(SIGNER.name);
    await signer.getByLabel('パスワード').fill(SIGNER.password);
    await signer.getByRole('button', { name: 'アカウントを登録してログイン' }).click();
    await signer.waitForURL(claimUrl);
    await signer.getByRole('button', { name: 'Inkanで保管' }).click();
    // A claim goes to the personal register (the URL says so: links and reloads stay there).
    // The claim copies the signed PDF into the account's register on the server: slow on a loaded machine.
    await signer.waitForURL(new RegExp(`^${baseUrl}/contracts/[^/?]+\\?scope=personal$`), { timeout: 90_000 });
    await signer.getByRole('heading', { name: ENVELOPE }).waitFor();
    await signer.context().close();
  });

  test('the entry suggests 契約金額 and 契約満了日 from the PDF with their sentences; accepting saves each with a history row (1280×800)', async () => {
    // The signer's session moves to a desktop-sized context: sign in there.
    const page = await newPage(DESKTOP, 'signer desktop');
    await page.goto(`${baseUrl}/login?next=${encodeURIComponent('/contracts')}`);
    await page.getByLabel('メールアドレス').fill(SIGNER.email);
    await page.getByLabel('パスワード').fill(SIGNER.password);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.waitForURL(`${baseUrl}/contracts`);
    await page.getByRole('link', { name: ENVELOPE }).click();
    await page.waitForURL(new RegExp(`^${baseUrl}/contracts/[^/?]+$`));
    const amount = page.locator('[data-field="amount"]');
    await amount.getByText('¥6,600,000（税抜）').waitFor();
    await amount.getByText('本業務の委託料は、金6,600,000円（消費税別）とする。').waitFor();
    const end = page.locator('[data-field="endDate"]');
    await end.getByText('2027年3月31日', { exact: true }).waitFor();
    await end.getByText(/自2026年4月1日 至2027年3月31日/).waitFor();
    // The signed PDF is shown beside the suggestions (pdf.js, its text layer holds the contract's words).
    assert.match(await renderedPdfText(page), /システム開発支援業務委託契約書/);
    await shot(page, 'entry-1280');
    await page.getByRole('button', { name: '契約金額の候補を採用' }).click();
    await page.getByRole('button', { name: '契約金額の候補は採用済み' }).waitFor();
    await page.getByRole('button', { name: '契約満了日の候補を採用' }).click();
    await page.getByRole('button', { name: '契約満了日の候補は採用済み' }).waitFor();
    const history = page.locator('.history-table tbody tr');
    await waitOrExplain(
      async () => (await history.count()) >= 2 || null,
      { ...JOB_TIMEOUT, what: 'two history rows' },
      explain,
    );
    const rows = db.prepare('select field, new_value from contract_history order by created_at').all() as Array<{
      field: string;
      new_value: string;
    }>;
    // One row per changed field: the amount (with the tax treatment it stated) and the end date.
    assert.deepEqual(rows.map((r) => r.field).sort(), ['amount', 'endOn', 'tax']);
    const stored = db.prepare("select amount, end_on, tax from contracts where source = 'claim'").get() as {
      amount: number;
      end_on: string;
      tax: string;
    };
    assert.deepEqual(stored, { amount: 6_600_000, end_on: '2027-03-31', tax: 'excluded' });
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'entry-accepted-1280');
    await page.setViewportSize(PHONE);
    await waitOrExplain(
      async () => (await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)) || null,
      { ...JOB_TIMEOUT, what: 'the entry to fit 390 px' },
      explain,
    );
    await shot(page, 'entry-390');
    await page.setViewportSize(DESKTOP);

    // Found by an amount range and an end-date range (typed the Japanese way), and not by others.
    await page.goto(`${baseUrl}/contracts`);
    await page.getByLabel('日付の種類').selectOption('end');
    await page.getByLabel('開始日').fill('令和9年3月1日');
    await page.getByLabel('終了日').fill('2027-04-30');
    await page.getByLabel('下限（円）').fill('６，０００，０００');
    await page.getByLabel('上限（円）').fill('¥7,000,000');
    await page.getByRole('button', { name: '検索', exact: true }).click();
    await page.waitForURL(/amountMin=/);
    await page.getByRole('link', { name: ENVELOPE }).waitFor();
    await shot(page, 'search-1280');
    await page.setViewportSize(PHONE);
    await waitOrExplain(
      async () => (await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)) || null,
      { ...JOB_TIMEOUT, what: 'the search page to fit 390 px' },
      explain,
    );
    await shot(page, 'search-390');
    await page.setViewportSize(DESKTOP);
    await page.getByLabel('上限（円）').fill('6,599,999');
    await page.getByRole('button', { name: '検索', exact: true }).click();
    await page.getByText('条件に一致する契約はありません。').waitFor();
    await page.getByLabel('上限（円）').fill('-1');
    await page.getByRole('button', { name: '検索', exact: true }).click();
    await page.getByText('金額にマイナスは指定できません。').waitFor();

    // The certificate of completion, any time.
    await page.goto(`${baseUrl}/contracts`);
    await page.getByRole('link', { name: ENVELOPE }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: '締結証明書（PDF）' }).click(),
    ]);
    const path = join(dir, 'certificate.pdf');
    await download.saveAs(path);
    assert.equal(readFileSync(path).subarray(0, 5).toString('latin1'), '%PDF-');
    await page.context().close();
  });

  test('the organisation imports a paper contract, gives it a 担当者 and a custom field, finds it by them in 詳細検索, and sees its deadline (1280×800, 390×844)', async () => {
    // A second member, so that 担当者 lists the organisation's people (not only 自分).
    const member = await runInkan(
      ['member', 'add', '--org', 'minato', '--email', 'tanaka@minato.example.jp', '--name', '田中 花子'],
      { dataDir, env },
    );
    assert.equal(member.code, 0, member.stderr);
    const page = await newPage(DESKTOP, 'sender register');
    await page.goto(`${baseUrl}/login?next=${encodeURIComponent('/contracts/import')}`);
    await page.getByLabel('メールアドレス').fill(SENDER.email);
    await page.getByLabel('パスワード').fill(SENDER.password);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.waitForURL(`${baseUrl}/contracts/import`);
    // The organisation's own field (an administrator defines it; the API is the place for that).
    const defined = await page.evaluate(async () => {
      const session = (await (await fetch('/api/session')).json()) as { csrfToken: string };
      const res = await fetch('/api/v1/contracts/fields', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: JSON.stringify({ key: 'dept', label: '所管部署', type: 'choice', choices: ['総務部', '営業部'] }),
      });
      return res.status;
    });
    assert.equal(defined, 201);

    // Import: a paper contract's scan with its fields, typed the Japanese way. Its end date is 20 days
    // after the server's today (the deadline list counts days on the server's clock, still real time here).
    const endOn = new Date(Date.now() + 9 * 3600_000 + 20 * 86_400_000).toISOString().slice(0, 10);
    await page.reload();
    await page.getByLabel('契約書（PDF）').setInputFiles([pdfPath]);
    await page.getByLabel('件名').fill('清掃業務委託契約（紙の原本）');
    await page.getByLabel('取引先').fill('株式会社クリーンみなと');
    await page.getByLabel('締結日').fill('令和8年4月1日');
    await page.getByLabel('契約金額（円）').fill('１，２００，０００円');
    await page.getByLabel('契約満了日').fill(endOn);
    await shot(page, 'import-1280');
    await page.setViewportSize(PHONE);
    await waitOrExplain(
      async () => (await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)) || null,
      { ...JOB_TIMEOUT, what: 'the import page to fit 390 px' },
      explain,
    );
    await shot(page, 'import-390');
    await page.setViewportSize(DESKTOP);
    await page.getByRole('button', { name: 'インポートする' }).click();
    await page.waitForURL(new RegExp(`^${baseUrl}/contracts/[^/?]+$`));
    await page.getByRole('heading', { name: '清掃業務委託契約（紙の原本）' }).waitFor();
    const imported = db
      .prepare(
        "select id, source, amount, signed_on, imported_at from contracts where title = '清掃業務委託契約（紙の原本）'",
      )
      .get() as { id: string; source: string; amount: number; signed_on: string; imported_at: string | null };
    assert.equal(imported.source, 'import');
    assert.equal(imported.amount, 1_200_000);
    assert.equal(imported.signed_on, '2026-04-01');
    assert.ok(imported.imported_at);

    // 担当者 (a member, by name) and the custom field, saved from the entry page.
    const tanaka = db.prepare("select id from users where email = 'tanaka@minato.example.jp'").get() as { id: string };
    await page.getByLabel('担当者').selectOption({ label: '田中 花子' });
    await page.getByLabel('所管部署').selectOption('営業部');
    await page.getByRole('button', { name: '保存する' }).click();
    await page.getByText('保存しました。変更は履歴に記録されます。').waitFor();
    assert.equal(
      (
        db.prepare('select assignee_user_id from contracts where id = ?').get(imported.id) as {
          assignee_user_id: string;
        }
      ).assignee_user_id,
      tanaka.id,
    );

    // 詳細検索: 担当者 lists the members; the custom field is a criterion; both together find the entry.
    await page.goto(`${baseUrl}/contracts`);
    await page.getByText('詳細検索').click();
    const owners = await page.getByLabel('担当者').locator('option').allTextContents();
    assert.deepEqual(owners, ['指定なし', '自分', '田中 花子']);
    await page.getByLabel('担当者').selectOption({ label: '田中 花子' });
    await page.getByLabel('所管部署').selectOption('営業部');
    await page.getByRole('button', { name: '検索', exact: true }).click();
    await page.waitForURL(/field\.dept=/);
    await page.getByRole('link', { name: '清掃業務委託契約（紙の原本）' }).waitFor();
    assert.equal(await page.locator('.register-table tbody tr').count(), 1);
    await shot(page, 'advanced-search-1280');
    await page.setViewportSize(PHONE);
    await waitOrExplain(
      async () => (await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)) || null,
      { ...JOB_TIMEOUT, what: 'the results to fit 390 px' },
      explain,
    );
    // Phone cards name each value: the dates say which date they are.
    const labels = await page
      .locator('.register-table tbody tr td')
      .evaluateAll((cells) => cells.map((cell) => getComputedStyle(cell, '::before').content));
    assert.ok(labels.includes('"締結日"') && labels.includes('"契約満了日"'), labels.join(' '));
    await shot(page, 'advanced-search-390');
    await page.setViewportSize(DESKTOP);
    await page.getByLabel('所管部署').selectOption('総務部');
    await page.getByRole('button', { name: '検索', exact: true }).click();
    await page.getByText('条件に一致する契約はありません。').waitFor();

    // The deadlines page lists it with its 契約満了日.
    await page.goto(`${baseUrl}/contracts/deadlines`);
    const row = page.locator('.register-table tbody tr', { hasText: '清掃業務委託契約（紙の原本）' });
    await row.waitFor();
    assert.match(await row.innerText(), /契約満了日/);
    await shot(page, 'deadlines-1280');
    await page.setViewportSize(PHONE);
    await shot(page, 'deadlines-390');
    await page.setViewportSize(DESKTOP);

    // A member's personal register is one tab away: the claimed and imported contracts of the account itself.
    await page.goto(`${baseUrl}/contracts`);
    await page.getByRole('link', { name: '個人の契約（保管・インポート）' }).click();
    await page.waitForURL(`${baseUrl}/contracts?scope=personal`);
    await page.getByText('条件に一致する契約はありません。').waitFor();
    await shot(page, 'personal-1280');
    await page.context().close();
  });

  test('after INKAN_CLAIM_TTL the claim link shows that the 保管可能期間 has passed and names the sender (1280×800)', async () => {
    // Time passes on the server's clock: 2 days and 1 minute, just past INKAN_CLAIM_TTL (nothing stored
    // is touched). The link still works until then; a fresh browser without a session opens it after.
    const claimApi = `${baseUrl}/api/claims/${new URL(claimUrl).pathname.split('/').pop()}`;
    assert.equal((await fetch(claimApi)).status, 200);
    writeFileSync(clockFile, String(2 * 86_400_000 + 60_000));
    await waitOrExplain(
      async () => (await fetch(claimApi)).status === 410 || null,
      { ...JOB_TIMEOUT, what: 'the claim link to expire on the server clock' },
      explain,
    );
    const page = await newPage(DESKTOP, 'expired');
    await page.goto(claimUrl);
    await page.getByRole('heading', { name: '保管可能期間が過ぎています' }).waitFor();
    await page.getByText(ORGANIZATION).waitFor();
    await page.getByText(SENDER.name).waitFor();
    await page.getByText(SENDER.email).waitFor();
    await shot(page, 'claim-expired-1280');
    await page.setViewportSize(PHONE);
    await shot(page, 'claim-expired-390');
  });

  test('no console errors, page errors or CSP violations; no failed jobs', () => {
    assert.deepEqual(ui!.problems, []);
    assert.deepEqual(failedJobs(db), []);
  });
});
