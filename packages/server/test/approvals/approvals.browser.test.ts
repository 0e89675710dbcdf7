/**
 * 稟議 (issue 13 part 3) in Debian's Chromium against a real server (buildApp on a port, the built web UI,
 * SQLite), at 1280×800 and 390×844: an administrator builds an approval route (全員承認 then いずれか1名) in
 * the route editor; the sender chooses it on 送信内容の確認 and the envelope waits in 承認待ち (nothing to
 * the counterparty); the first approver finds it in 承認待ち一覧 and approves with a comment; the second
 * sends it back (差し戻し) on a phone, the reason required; the sender sees the reason; after a second
 * submission the last approval sends it and the counterparty's request goes out.
 * Screenshots: approvals-*.png in the screenshot folder.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { DEFAULT_WEB_DIST } from '../../src/http/web/routes.ts';
import { addMember, asSession, signIn as apiSignIn } from '../api/helpers/admin-session.ts';
import { multipart, startHarness, type Harness } from '../api/helpers/harness.ts';
import { assertNoHorizontalScroll, BROWSER_ARGS, DESKTOP, newWatchedPage, PHONE } from '../helpers/browser.ts';
import { REPO_ROOT } from '../helpers/run-inkan.ts';
import { screenshotDir } from '../helpers/screenshot-dir.ts';

const SCREENSHOTS = screenshotDir();
const COUNTERPARTY = 'torihiki@example.com';

describe('稟議 in a real browser', () => {
  let h: Harness;
  let baseUrl: string;
  let browser: Browser;
  let approverA: { id: string; email: string; password: string };
  let approverB: { id: string; email: string; password: string };
  let envelopeId: string;
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];

  before(async () => {
    execFileSync(process.execPath, [join(REPO_ROOT, 'packages/web/scripts/build-web.mjs')], { stdio: 'inherit' });
    h = await startHarness('sqlite', { webDistDir: DEFAULT_WEB_DIST });
    baseUrl = await h.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: BROWSER_ARGS });
    approverA = await addMember(h, h.org, 'member', '課長 一郎');
    approverB = await addMember(h, h.org, 'member', '部長 二郎');
    // The sender's draft (the administrator is the sender here), created through the API.
    const session = await apiSignIn(h, h.org.admin);
    const body = multipart([
      {
        name: 'envelope',
        contentType: 'application/json',
        value: JSON.stringify({
          name: '業務委託契約（稟議つき）',
          message: 'ご確認をお願いします。',
          recipients: [{ name: '取引先 太郎', email: COUNTERPARTY, accessCode: '2468', order: 1 }],
        }),
      },
      { name: 'documents', filename: '業務委託契約書.pdf', data: await makePdf({ pages: 1, text: 'Contract' }) },
    ]);
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/envelopes',
      payload: body.payload,
      headers: { ...body.headers, cookie: session.cookie, 'x-csrf-token': session.csrf },
    });
    assert.equal(created.statusCode, 201, created.body);
    envelopeId = created.json().id;
  });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await h?.close();
    assert.deepEqual(problems, []);
  });

  async function newPage(viewport: { width: number; height: number }, label: string, expected: RegExp[] = []) {
    const { context, page } = await newWatchedPage(browser, { viewport, label, problems, expected });
    contexts.push(context);
    return page;
  }

  async function signIn(page: Page, who: { email: string; password: string }, next: string): Promise<void> {
    await page.goto(`${baseUrl}/login?next=${encodeURIComponent(next)}`);
    await page.getByLabel('メールアドレス').fill(who.email);
    await page.getByLabel('パスワード').fill(who.password);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.waitForURL(`${baseUrl}${next}`);
  }

  const status = async () => (await h.api(h.org, 'GET', `/api/v1/envelopes/${envelopeId}`)).json().status;

  it('the whole route: editor, submission, inbox, approval, 差し戻し with a reason, resubmission, send', async () => {
    // 1. The administrator builds the route.
    const admin = await newPage(DESKTOP, 'admin-1280');
    await signIn(admin, h.org.admin, '/admin/approvals');
    await admin.getByRole('heading', { name: '承認ルート', level: 1 }).waitFor();
    await admin.getByRole('button', { name: '新しい承認ルート' }).click();
    await admin.getByLabel('ルート名').fill('契約稟議（課長→部長）');
    await admin.getByLabel('承認方法').first().selectOption('all');
    await admin
      .getByLabel('承認者 1')
      .first()
      .selectOption({ label: `課長 一郎 (${approverA.email})` });
    await admin.getByRole('button', { name: 'ステップを追加' }).click();
    await admin.getByLabel('承認方法').nth(1).selectOption('any');
    await admin
      .getByLabel('承認者 1')
      .nth(1)
      .selectOption({ label: `部長 二郎 (${approverB.email})` });
    await admin.screenshot({ path: join(SCREENSHOTS, 'approvals-route-editor-1280.png'), fullPage: true });
    await admin.getByRole('button', { name: '承認ルートを保存' }).click();
    await admin.getByTestId('approval-route').first().waitFor();
    assert.match(
      await admin.getByTestId('approval-route').first().innerText(),
      /契約稟議（課長→部長）[\s\S]*ステップ 1 · 全員承認（順番に）: 課長 一郎[\s\S]*ステップ 2 · いずれか1名: 部長 二郎/,
    );
    await admin.screenshot({ path: join(SCREENSHOTS, 'approvals-routes-1280.png'), fullPage: true });

    // 2. The sender chooses it on 送信内容の確認: the envelope waits, nothing goes to the counterparty.
    await admin.goto(`${baseUrl}/envelopes/${envelopeId}/review`);
    await admin.getByLabel('承認ルート').selectOption({ label: '契約稟議（課長→部長）' });
    await admin.screenshot({ path: join(SCREENSHOTS, 'approvals-review-1280.png'), fullPage: true });
    await admin.getByRole('button', { name: '承認を依頼する' }).click();
    await admin.waitForURL(`${baseUrl}/envelopes/${envelopeId}`);
    await admin.getByText('承認を依頼しました。').waitFor();
    await admin.getByTestId('approval-card').waitFor();
    assert.equal(await status(), 'pending_approval');
    await h.runJobs();
    assert.equal((await h.mailsTo(COUNTERPARTY)).length, 0, 'nothing to the counterparty while waiting');
    const mailsToA = await h.mailsTo(approverA.email);
    assert.equal(mailsToA.length, 1);
    assert.match(mailsToA[0].text_body, new RegExp(`/approvals/${envelopeId}`));
    assert.equal((await h.mailsTo(approverB.email)).length, 0, 'step 2 waits for step 1');
    await admin.screenshot({ path: join(SCREENSHOTS, 'approvals-envelope-waiting-1280.png'), fullPage: true });

    // 3. The first approver: 承認待ち一覧 → approval page → 承認 with a comment.
    const a = await newPage(DESKTOP, 'approver-a-1280');
    await signIn(a, approverA, '/approvals');
    await a.getByTestId('approval-inbox').waitFor();
    assert.match(await a.getByTestId('approval-inbox').innerText(), /業務委託契約（稟議つき）[\s\S]*ステップ 1/);
    await a.screenshot({ path: join(SCREENSHOTS, 'approvals-inbox-1280.png'), fullPage: true });
    await a.getByRole('link', { name: '確認する' }).click();
    await a.waitForURL(`${baseUrl}/approvals/${envelopeId}`);
    await a.getByLabel('コメント（任意）').fill('金額・契約期間を確認しました。');
    await a.screenshot({ path: join(SCREENSHOTS, 'approvals-page-1280.png'), fullPage: true });
    await a.getByRole('button', { name: '承認する' }).click();
    await a.getByText('承認しました。').waitFor();
    await a.getByText('この封筒で、いまあなたの承認は必要ありません。').waitFor();
    await h.runJobs();
    assert.equal((await h.mailsTo(approverB.email)).length, 1);
    assert.equal((await h.mailsTo(COUNTERPARTY)).length, 0);

    // 4. The second approver on a phone: the inbox, then 差し戻し (the reason is required).
    const b = await newPage(PHONE, 'approver-b-390');
    await signIn(b, approverB, '/approvals');
    await b.getByTestId('approval-inbox').waitFor();
    await assertNoHorizontalScroll(b);
    await b.screenshot({ path: join(SCREENSHOTS, 'approvals-inbox-390.png'), fullPage: true });
    await b.getByRole('link', { name: '確認する' }).click();
    await b.waitForURL(`${baseUrl}/approvals/${envelopeId}`);
    await b.getByText('金額・契約期間を確認しました。').waitFor();
    await assertNoHorizontalScroll(b);
    await b.screenshot({ path: join(SCREENSHOTS, 'approvals-page-390.png'), fullPage: true });
    await b.getByRole('button', { name: '差し戻す' }).click();
    await b.getByText('差し戻しの理由を入力してください。').waitFor();
    assert.equal(await status(), 'pending_approval', 'no reason, nothing happened');
    await b.getByLabel('差し戻しの理由（必須）').fill('支払条件を月末締め翌月末払いに直してください。');
    await b.getByRole('button', { name: '差し戻す' }).click();
    await b.getByText('差し戻しました。送信者にメールでお知らせします。').waitFor();
    assert.equal(await status(), 'draft');
    await h.runJobs();
    const notice = (await h.mailsTo(h.org.admin.email)).filter((m) => m.subject.startsWith('差し戻し'));
    assert.equal(notice.length, 1);
    assert.match(notice[0].text_body, /支払条件を月末締め翌月末払いに直してください。/);

    // 5. The sender sees the reason on the envelope page (phone), and submits again.
    const senderPhone = await newPage(PHONE, 'sender-390');
    await signIn(senderPhone, h.org.admin, `/envelopes/${envelopeId}`);
    await senderPhone.getByText('支払条件を月末締め翌月末払いに直してください。').waitFor();
    await assertNoHorizontalScroll(senderPhone);
    await senderPhone.screenshot({ path: join(SCREENSHOTS, 'approvals-envelope-rejected-390.png'), fullPage: true });
    await admin.goto(`${baseUrl}/envelopes/${envelopeId}/review`);
    await admin.getByLabel('承認ルート').selectOption({ label: '契約稟議（課長→部長）' });
    await admin.getByRole('button', { name: '承認を依頼する' }).click();
    await admin.waitForURL(`${baseUrl}/envelopes/${envelopeId}`);
    await h.runJobs();

    // 6. Both approve again; the last approval sends it to the counterparty.
    const session = await apiSignIn(h, approverA);
    const approved = await asSession(h, session, 'POST', `/api/v1/envelopes/${envelopeId}/approvals/approve`, {});
    assert.equal(approved.statusCode, 200, approved.body);
    await h.runJobs();
    await b.goto(`${baseUrl}/approvals/${envelopeId}`);
    await b.getByRole('button', { name: '承認する' }).click();
    await b.getByText('承認しました。').waitFor();
    assert.equal(await status(), 'sent');
    await h.runJobs();
    assert.equal((await h.mailsTo(COUNTERPARTY)).length, 1, 'the signing request goes out once approved');

    await admin.goto(`${baseUrl}/envelopes/${envelopeId}`);
    await admin.getByTestId('approval-card').waitFor();
    assert.match(
      await admin.getByTestId('approval-card').innerText(),
      /2回目の申請[\s\S]*承認[\s\S]*1回目の申請[\s\S]*差し戻し/,
    );
    await admin.getByText('承認を依頼（稟議）').first().waitFor();
    await admin.screenshot({ path: join(SCREENSHOTS, 'approvals-envelope-sent-1280.png'), fullPage: true });
  });
});
