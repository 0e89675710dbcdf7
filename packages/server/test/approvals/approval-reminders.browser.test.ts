/**
 * 稟議 follow-ups (session 18) in Debian's Chromium against a real server (the built UI, SQLite), at
 * 1280×800 and 390×844: the envelope list's 承認待ち tab counts the envelopes waiting for the signed-in
 * member's approval and lists them above the envelopes awaiting approval; the sender's リマインド button on the
 * envelope page mails the current approver (refused within the hour, then sent an hour later: controlled
 * clock); the approval page shows the recipients and documents as 送信内容の確認 does.
 * Screenshots: approvals-tab-*.png, approvals-remind-*.png, approvals-page-shared-*.png.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { DEFAULT_WEB_DIST } from '../../src/http/web/routes.ts';
import { addMember, asSession, signIn as apiSignIn, type TestSession } from '../api/helpers/admin-session.ts';
import { multipart, startHarness, type Harness } from '../api/helpers/harness.ts';
import { assertNoHorizontalScroll, DESKTOP, PHONE } from '../helpers/browser.ts';
import { BASE_URL, buildWebUi, openBrowserOn, type BrowserOnHarness } from '../helpers/browser-server.ts';
import { screenshotDir } from '../helpers/screenshot-dir.ts';

const SCREENSHOTS = screenshotDir();
const HOUR = 3_600_000;

describe('稟議: the 承認待ち tab and リマインド in a real browser', () => {
  let h: Harness;
  let ui: BrowserOnHarness;
  let approver: { id: string; email: string; password: string };
  let sender: { id: string; email: string; password: string };
  let senderSession: TestSession;
  const envelopeIds: string[] = [];

  before(async () => {
    buildWebUi();
    h = await startHarness('sqlite', { webDistDir: DEFAULT_WEB_DIST });
    ui = await openBrowserOn(h);
    approver = await addMember(h, h.org, 'member', '課長 一郎');
    sender = await addMember(h, h.org, 'member', '送信 花子');
    const admin = await apiSignIn(h, h.org.admin);
    const route = await asSession(h, admin, 'POST', '/api/v1/approval-routes', {
      name: '契約稟議',
      steps: [{ mode: 'all', approverIds: [approver.id] }],
    });
    assert.equal(route.statusCode, 201, route.body);
    senderSession = await apiSignIn(h, sender);
    // Two envelopes of the sender's wait for the approver.
    for (const name of ['業務委託契約（稟議）', '秘密保持契約（稟議）']) {
      const body = multipart([
        {
          name: 'envelope',
          contentType: 'application/json',
          value: JSON.stringify({
            name,
            message: 'ご確認をお願いします。',
            recipients: [{ name: '取引先 太郎', email: 'torihiki@example.com', accessCode: '2468', order: 1 }],
          }),
        },
        { name: 'documents', filename: `${name}.pdf`, data: await makePdf({ pages: 1, text: 'Contract' }) },
      ]);
      const created = await h.app.inject({
        method: 'POST',
        url: '/api/v1/envelopes',
        payload: body.payload,
        headers: { ...body.headers, cookie: senderSession.cookie, 'x-csrf-token': senderSession.csrf },
      });
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().id as string;
      const sent = await asSession(h, senderSession, 'POST', `/api/v1/envelopes/${id}/send`, {
        approvalRouteId: route.json().id,
      });
      assert.equal(sent.json().status, 'pending_approval', sent.body);
      envelopeIds.push(id);
    }
    await h.runJobs();
  });

  after(async () => {
    await ui?.close();
    await h?.close();
    assert.deepEqual(ui?.problems ?? [], []);
  });

  it('the approver’s 承認待ち tab: the count, the envelopes to decide on, then the approval page', async () => {
    for (const [viewport, size] of [
      [DESKTOP, '1280'],
      [PHONE, '390'],
    ] as const) {
      const page = await ui.signedInPage(approver, viewport, `approver-${size}`);
      await page.goto(`${BASE_URL}/envelopes`);
      const count = page.getByTestId('approval-count');
      await count.waitFor();
      assert.equal(await count.innerText(), '2');
      assert.equal(await count.getAttribute('aria-label'), 'あなたの承認を待っている封筒（2件）');
      await page
        .locator('.filter-tabs')
        .getByRole('link', { name: /承認待ち/ })
        .click();
      await page.waitForURL(`${BASE_URL}/envelopes?status=pending_approval`);
      await page.getByRole('heading', { name: 'あなたの承認を待っている封筒' }).waitFor();
      const inbox = page.getByTestId('approval-inbox');
      await inbox.waitFor();
      assert.match(await inbox.innerText(), /業務委託契約（稟議）[\s\S]*秘密保持契約（稟議）/);
      await page.getByRole('heading', { name: '承認を待っている封筒', exact: true }).waitFor();
      // The organisation's envelopes awaiting approval, in the table below.
      await page.locator('.envelope-table').getByRole('link', { name: '業務委託契約（稟議）' }).waitFor();
      await assertNoHorizontalScroll(page);
      await page.screenshot({ path: join(SCREENSHOTS, `approvals-tab-${size}.png`), fullPage: true });

      // The approval page shows the review page's sections: recipients with their identity check, documents.
      await inbox.getByRole('link', { name: '確認する' }).first().click();
      await page.waitForURL(new RegExp(`${BASE_URL}/approvals/`));
      const recipients = page.locator('section[aria-labelledby="review-recipients"]');
      await recipients.waitFor();
      assert.match(await recipients.innerText(), /取引先 太郎[\s\S]*torihiki@example.com[\s\S]*本人確認/);
      assert.match(await recipients.innerText(), /ご確認をお願いします。/);
      const documents = page.locator('section[aria-labelledby="review-documents"]');
      assert.match(await documents.innerText(), /業務委託契約（稟議）\.pdf|秘密保持契約（稟議）\.pdf/);
      assert.match(
        (await documents.getByRole('link').first().getAttribute('href')) ?? '',
        /^\/api\/v1\/envelopes\/[^/]+\/documents\//,
      );
      await assertNoHorizontalScroll(page);
      await page.screenshot({ path: join(SCREENSHOTS, `approvals-page-shared-${size}.png`), fullPage: true });
    }
  });

  it('the sender’s リマインド: refused within the hour of the request, sent an hour later', async () => {
    const [id] = envelopeIds;
    const page = await ui.signedInPage(sender, DESKTOP, 'sender-1280', [/status of 429/]);
    await page.goto(`${BASE_URL}/envelopes/${id}`);
    const card = page.getByTestId('approval-card');
    await card.waitFor();
    await card.getByRole('button', { name: 'いまの承認者にリマインドメールを送る' }).click();
    await card.getByText('リマインドは送ったばかりです。しばらく時間をおいてから送ってください。').waitFor();
    const reminders = async () =>
      (await h.mailsTo(approver.email)).filter((m) => m.subject.startsWith('【リマインド】承認依頼'));
    assert.equal((await reminders()).length, 0);

    h.clock.advance(HOUR);
    await card.getByRole('button', { name: 'いまの承認者にリマインドメールを送る' }).click();
    await page.getByText('承認者 課長 一郎 さんにリマインドメールを送りました。').waitFor();
    await h.runJobs();
    const sent = await reminders();
    assert.equal(sent.length, 1);
    assert.match(sent[0].text_body, new RegExp(`/approvals/${id}`));
    await page.getByText('承認者にリマインド').first().waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'approvals-remind-1280.png'), fullPage: true });

    const phone = await ui.signedInPage(sender, PHONE, 'sender-390');
    await phone.goto(`${BASE_URL}/envelopes/${id}`);
    await phone
      .getByTestId('approval-card')
      .getByRole('button', { name: 'いまの承認者にリマインドメールを送る' })
      .waitFor();
    await assertNoHorizontalScroll(phone);
    await phone.screenshot({ path: join(SCREENSHOTS, 'approvals-remind-390.png'), fullPage: true });
  });
});
