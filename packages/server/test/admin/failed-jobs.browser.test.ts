/**
 * The failed jobs page (/admin/jobs, 失敗した処理) in Debian's Chromium against a real server (buildApp
 * listening, the built UI, SQLite): a request mail whose job gave up (the real runner and retry policy,
 * with a retry window of one attempt) is listed with its last error for the administrator; 再実行 queues
 * it again and the list empties. A given-up webhook delivery is listed with its event and endpoint, and
 * 再実行 replays it. A viewer sees the notice that only administrators may look.
 * Screenshots at 1280×800 and 390×844 (failed-jobs-*.png).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { startJobRunner } from '../../src/adapters/jobs/db-job-queue.ts';
import { DEFAULT_WEB_DIST } from '../../src/http/web/routes.ts';
import { createWebhookEndpoint } from '../../src/domain/use-cases/manage-webhook-endpoints.ts';
import { jobRunnerPolicy } from '../../src/jobs/worker-thread.ts';
import { startHarness, type Harness } from '../api/helpers/harness.ts';
import { assertNoHorizontalScroll, DESKTOP, PHONE } from '../helpers/browser.ts';
import { BASE_URL, buildWebUi, openBrowserOn, type BrowserOnHarness } from '../helpers/browser-server.ts';
import { screenshotDir } from '../helpers/screenshot-dir.ts';

const SCREENSHOTS = screenshotDir();

describe('the failed jobs page in a real browser', () => {
  let h: Harness;
  let ui: BrowserOnHarness;
  const baseUrl = BASE_URL;

  before(async () => {
    buildWebUi();
    h = await startHarness('sqlite', { webDistDir: DEFAULT_WEB_DIST });
    ui = await openBrowserOn(h);
  });

  after(async () => {
    await ui?.close();
    await h?.close();
  });

  /** Runs the due jobs of `kind` with the real policy and a retry window of one attempt: each fails for good. */
  async function failEveryDue(kind: string, message: string): Promise<void> {
    const runner = startJobRunner({
      ...jobRunnerPolicy(h.context, 'browser-test'),
      retryForMs: 1,
      manual: true,
      handlers: {
        [kind]: async () => {
          throw new Error(message);
        },
      },
    });
    await runner.idle();
    await runner.stop();
  }

  /** Sends an envelope whose request mail job then fails for good (a mail server that refuses). */
  async function failedRequestMail(name: string): Promise<string> {
    const created = await h.createEnvelope(
      h.org,
      {
        name,
        recipients: [{ name: '山田 太郎', email: `taro-${name.length}@example.jp`, accessCode: '1234', order: 1 }],
      },
      [{ filename: '契約書.pdf', data: await makePdf({ pages: 1 }) }],
    );
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id as string;
    assert.equal((await h.api(h.org, 'POST', `/api/v1/envelopes/${id}/send`)).statusCode, 200);
    // Runs every due request job: this one, and one retried by an earlier test (it fails again).
    await failEveryDue('mail.signing-request', 'connect ECONNREFUSED 127.0.0.1:25 (smtp.example.jp)');
    const recipient = await h.context.db
      .selectFrom('recipients')
      .select('id')
      .where('envelope_id', '=', id)
      .executeTakeFirstOrThrow();
    const job = await h.context.db
      .selectFrom('jobs')
      .select(['id', 'status'])
      .where('kind', '=', 'mail.signing-request')
      .where('payload', 'like', `%${recipient.id}%`)
      .executeTakeFirstOrThrow();
    assert.equal(job.status, 'failed');
    return job.id;
  }

  const signedInPage = (viewport: typeof DESKTOP, label: string, who: { email: string; password: string }) =>
    ui.signedInPage(who, viewport, label, [/status of 403/]);

  for (const [viewport, suffix] of [
    [DESKTOP, '1280'],
    [PHONE, '390'],
  ] as const) {
    it(`lists the failed job with its error and retries it (${suffix})`, async () => {
      const jobId = await failedRequestMail(`失敗した処理の確認 ${suffix}`);
      const page = await signedInPage(viewport, `jobs-${suffix}`, h.org.admin);
      await page.goto(`${baseUrl}/admin/jobs`);
      await page.getByRole('heading', { name: '失敗した処理' }).waitFor();
      const row = page.locator('tr', { hasText: `失敗した処理の確認 ${suffix}` });
      await row.waitFor();
      assert.match(await row.innerText(), /署名依頼メールの送信/);
      assert.match(await row.innerText(), /ECONNREFUSED 127\.0\.0\.1:25/);
      await assertNoHorizontalScroll(page);
      await page.screenshot({ path: join(SCREENSHOTS, `failed-jobs-${suffix}.png`), fullPage: true });
      await row.getByRole('button', { name: '再実行' }).click();
      await page.getByText('再実行を受け付けました').waitFor();
      await row.waitFor({ state: 'detached' });
      const job = await h.context.db
        .selectFrom('jobs')
        .select(['status', 'attempts'])
        .where('id', '=', jobId)
        .executeTakeFirstOrThrow();
      assert.deepEqual(job, { status: 'queued', attempts: 0 });
      await page.screenshot({ path: join(SCREENSHOTS, `failed-jobs-retried-${suffix}.png`), fullPage: true });
    });
  }

  it('a given-up webhook delivery is listed with its event and endpoint, and 再実行 replays it', async () => {
    const endpoint = await createWebhookEndpoint(h.context, {
      organizationId: h.org.id,
      actor: { type: 'user', id: h.org.admin.id },
      url: 'https://erp.example.jp/hooks/inkan',
      events: ['envelope.sent'],
    });
    const created = await h.createEnvelope(
      h.org,
      { name: 'Webhook の確認', recipients: [{ name: '山田 太郎', email: 'hook@example.jp', order: 1 }] },
      [{ filename: '契約書.pdf', data: await makePdf({ pages: 1 }) }],
    );
    assert.equal(created.statusCode, 201, created.body);
    assert.equal((await h.api(h.org, 'POST', `/api/v1/envelopes/${created.json().id}/send`)).statusCode, 200);
    await failEveryDue('webhook.deliver', 'webhook answered 503 (erp.example.jp)');
    const delivery = await h.context.db
      .selectFrom('webhook_deliveries')
      .select(['id', 'status'])
      .where('endpoint_id', '=', endpoint.endpoint.id)
      .executeTakeFirstOrThrow();
    assert.equal(delivery.status, 'failed');

    for (const [viewport, suffix] of [
      [PHONE, '390'],
      [DESKTOP, '1280'],
    ] as const) {
      const page = await signedInPage(viewport, `jobs-webhook-${suffix}`, h.org.admin);
      await page.goto(`${baseUrl}/admin/jobs`);
      const row = page.locator('tr', { hasText: 'https://erp.example.jp/hooks/inkan' });
      await row.waitFor();
      assert.match(await row.innerText(), /envelope\.sent/);
      assert.match(await row.innerText(), /503 \(erp\.example\.jp\)/);
      await assertNoHorizontalScroll(page);
      await page.screenshot({ path: join(SCREENSHOTS, `failed-jobs-webhook-${suffix}.png`), fullPage: true });
      if (suffix === '390') continue;
      await row.getByRole('button', { name: '再実行' }).click();
      await page.getByText('再実行を受け付けました').waitFor();
      await row.waitFor({ state: 'detached' });
    }
    const replay = await h.context.db
      .selectFrom('webhook_deliveries')
      .select('status')
      .where('replay_of', '=', delivery.id)
      .executeTakeFirstOrThrow();
    assert.equal(replay.status, 'pending');
  });

  it('a viewer is told that only administrators may see failed jobs; no console problems anywhere', async () => {
    const page = await signedInPage(DESKTOP, 'viewer', h.org.viewer);
    await page.goto(`${baseUrl}/admin/jobs`);
    // 失敗した処理 is a section of the administration area, which tells non-administrators so.
    await page.getByText('この画面は組織の管理者だけが使えます。').waitFor();
    assert.deepEqual(ui.problems, []);
  });
});
