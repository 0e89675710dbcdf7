/**
 * 管理 → Webhook in Debian's Chromium against a real server (buildApp listening, the built UI, SQLite)
 * and a real receiver on loopback: the administrator adds an endpoint and sees the secret once, sends a
 * test and reads the receiver's answer, and the delivery log shows a delivered event and one being
 * retried after a 500, with 再送 on the delivered one. Screenshots at 1280×800 and 390×844
 * (webhooks-*.png), without horizontal scrolling on the phone.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { DEFAULT_WEB_DIST } from '../../src/http/web/routes.ts';
import { startHarness, type Harness } from '../api/helpers/harness.ts';
import { DESKTOP, PHONE } from '../helpers/browser.ts';
import { BASE_URL, buildWebUi, openBrowserOn, type BrowserOnHarness } from '../helpers/browser-server.ts';
import { screenshotDir } from '../helpers/screenshot-dir.ts';
import { startWebhookReceiver, verifyInkanSignature, type WebhookReceiver } from './webhook-receiver.ts';

const SCREENSHOTS = screenshotDir();

describe('the Webhook section in a real browser', () => {
  let h: Harness;
  let receiver: WebhookReceiver;
  let ui: BrowserOnHarness;
  const baseUrl = BASE_URL;

  before(async () => {
    buildWebUi();
    receiver = await startWebhookReceiver();
    h = await startHarness('sqlite', { webDistDir: DEFAULT_WEB_DIST, env: { INKAN_WEBHOOK_ALLOW_PRIVATE: 'true' } });
    ui = await openBrowserOn(h);
  });

  after(async () => {
    await ui?.close();
    await h?.close();
    await receiver?.close();
  });

  const adminPage = (viewport: typeof DESKTOP, label: string): Promise<Page> =>
    ui.signedInPage(h.org.admin, viewport, label);

  async function sendEnvelope(name: string): Promise<void> {
    const created = await h.createEnvelope(
      h.org,
      { name, recipients: [{ name: '山田 太郎', email: 'taro@example.jp', accessCode: '1234', order: 1 }] },
      [{ filename: '契約書.pdf', data: await makePdf({ pages: 1 }) }],
    );
    assert.equal(created.statusCode, 201, created.body);
    const sent = await h.api(h.org, 'POST', `/api/v1/envelopes/${created.json().id as string}/send`);
    assert.equal(sent.statusCode, 200, sent.body);
  }

  it('adds an endpoint, shows the secret once, sends a test and shows the delivery log (1280×800)', async () => {
    const page = await adminPage(DESKTOP, 'webhooks-1280');
    await page.goto(`${baseUrl}/admin/webhooks`);
    await page.getByRole('heading', { name: 'Webhook', exact: true }).waitFor();
    await page.getByLabel('送信先URL').fill(`${receiver.url}/inkan`);
    await page.getByLabel('説明（任意）').fill('基幹システム（契約管理）');
    await page.getByLabel('文書を閲覧').uncheck();
    await page.getByRole('button', { name: '追加する' }).click();
    const secretCard = page.getByTestId('webhook-secret');
    await secretCard.waitFor();
    const secret = (await secretCard.locator('code').innerText()).trim();
    assert.match(secret, /^whsec_[A-Za-z0-9_-]{43}$/);
    const endpoint = page.getByTestId('webhook-endpoint');
    await endpoint.waitFor();
    assert.ok(!(await endpoint.innerText()).includes('文書を閲覧'), 'unchecked event not subscribed');

    await endpoint.getByRole('button', { name: '送信テスト' }).click();
    await page.getByText('送信テストに成功しました。応答: 200').waitFor();
    const ping = receiver.received.at(-1)!;
    assert.equal(ping.json.type, 'ping');
    assert.ok(verifyInkanSignature(secret, ping.headers['inkan-signature'] as string, ping.body));

    // One delivered envelope event, one that the receiver refuses (retried later).
    await sendEnvelope('業務委託契約書（A社）');
    await h.runner.idle();
    receiver.plan.set('/inkan', [500]);
    await sendEnvelope('秘密保持契約書（B社）');
    await h.runner.idle();
    await page.getByRole('button', { name: '閉じる' }).click();
    await page.reload();
    const rows = page.getByTestId('webhook-delivery');
    await rows.nth(2).waitFor();
    const texts = await rows.allInnerTexts();
    assert.equal(texts.length, 3);
    assert.match(texts[0]!, /封筒を送信[\s\S]*送信待ち・再試行中[\s\S]*HTTP 500/);
    assert.match(texts[1]!, /封筒を送信[\s\S]*送信済み[\s\S]*HTTP 200[\s\S]*再送/);
    assert.match(texts[2]!, /送信テスト[\s\S]*送信済み/);
    await page.screenshot({ path: join(SCREENSHOTS, 'webhooks-1280.png'), fullPage: true });

    await rows.nth(1).getByRole('button', { name: '再送' }).click();
    await page.getByText('再送を受け付けました。').waitFor();
    assert.equal(await page.getByTestId('webhook-delivery').count(), 4);
  });

  it('the same section on a phone (390×844) fits the width; no console problems', async () => {
    const page = await adminPage(PHONE, 'webhooks-390');
    await page.goto(`${baseUrl}/admin/webhooks`);
    await page.getByTestId('webhook-endpoint').waitFor();
    await page.getByTestId('webhook-delivery').first().waitFor();
    const widths = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    assert.ok(widths.scroll <= widths.client + 1, `horizontal scroll: ${JSON.stringify(widths)}`);
    await page.screenshot({ path: join(SCREENSHOTS, 'webhooks-390.png'), fullPage: true });
    assert.deepEqual(ui.problems, []);
  });
});
