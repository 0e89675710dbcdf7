/**
 * 保存期間 in Debian's Chromium against a real server (buildApp listening, the built UI, SQLite): the
 * administrator sets the default period and a period for a 契約種別 in 管理 → 保存期間, places a legal
 * hold on a contract from its page (the admin list then shows it), releases it from the envelope's
 * page (the hold keeps both); a month before the end the admin list shows it as to be erased; after
 * the period (controlled clock) the retention sweep shreds the contract: its page says so. Screenshots at 1280×800 and 390×844
 * (retention-*.png); no horizontal scroll, no console problems.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { shredExpiredDocuments } from '../../src/domain/use-cases/shred-expired-documents.ts';
import { DEFAULT_WEB_DIST } from '../../src/http/web/routes.ts';
import { startHarness, type Harness } from '../api/helpers/harness.ts';
import { completeEnvelope } from '../evidence/helpers/flow.ts';
import { BROWSER_ARGS, DESKTOP, newWatchedPage, PHONE } from '../helpers/browser.ts';
import { REPO_ROOT } from '../helpers/run-inkan.ts';
import { screenshotDir } from '../helpers/screenshot-dir.ts';

const SCREENSHOTS = screenshotDir();
const YEAR_MS = 365.25 * 24 * 3600_000;

describe('保存期間 and legal holds in a real browser', () => {
  let h: Harness;
  let baseUrl: string;
  let browser: Browser;
  let envelopeId: string;
  let contractId: string;
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];

  before(async () => {
    execFileSync(process.execPath, [join(REPO_ROOT, 'packages/web/scripts/build-web.mjs')], { stdio: 'inherit' });
    h = await startHarness('sqlite', { webDistDir: DEFAULT_WEB_DIST });
    envelopeId = await completeEnvelope(h, h.org, {
      name: '業務委託契約書',
      recipients: [{ name: '山田 太郎', email: 'yamada@example.jp', code: '1234' }],
      documents: [{ filename: '業務委託契約書.pdf', data: await makePdf({ pages: 1 }) }],
    });
    const entry = await h.context.db
      .selectFrom('contracts')
      .select('id')
      .where('envelope_id', '=', envelopeId)
      .where('organization_id', '=', h.org.id)
      .executeTakeFirstOrThrow();
    contractId = entry.id;
    await h.context.db
      .updateTable('contracts')
      .set({ contract_type: '業務委託契約' })
      .where('id', '=', contractId)
      .execute();
    const listening = new URL(await h.app.listen({ port: 0, host: '127.0.0.1' }));
    baseUrl = 'http://inkan.test';
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [...BROWSER_ARGS, `--host-resolver-rules=MAP inkan.test 127.0.0.1:${listening.port}`],
    });
  });

  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await h?.close();
  });

  async function adminPage(viewport: typeof DESKTOP, label: string, expected: RegExp[] = []): Promise<Page> {
    const session = await h.app.inject({ method: 'POST', url: '/api/session', payload: h.org.admin });
    assert.equal(session.statusCode, 200, session.body);
    const { context, page } = await newWatchedPage(browser, {
      viewport,
      label,
      problems,
      expected: [/Cross-Origin-Opener-Policy header has been ignored/, ...expected],
    });
    contexts.push(context);
    await context.addCookies(
      session.cookies.map((c) => ({ name: c.name, value: c.value, domain: 'inkan.test', path: '/' })),
    );
    return page;
  }

  async function assertNoHorizontalScroll(page: Page): Promise<void> {
    const widths = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    assert.ok(widths.scroll <= widths.client + 1, `horizontal scroll: ${JSON.stringify(widths)}`);
  }

  it('sets the default period and a 契約種別 period in 管理 → 保存期間', async () => {
    // The refused number below is a 400 the page shows.
    const page = await adminPage(DESKTOP, 'settings', [/status of 400/]);
    await page.goto(`${baseUrl}/admin/retention`);
    await page.getByRole('heading', { name: '保存期間', level: 1 }).waitFor();
    await page.getByText('何も設定しない場合の保存期間は10年です').waitFor();
    // A bad number is refused with a clear message, and nothing is saved.
    await page.getByLabel('既定の保存期間').fill('0');
    await page.getByRole('button', { name: '保存する' }).click();
    await page.getByText('保存期間は1〜100の整数（年）で入力してください。').waitFor();
    assert.equal((await h.context.db.selectFrom('retention_rules').selectAll().execute()).length, 0);
    await page.getByLabel('既定の保存期間').fill('7');
    await page.getByRole('button', { name: '種類ごとの設定を追加' }).click();
    await page.getByPlaceholder('例：業務委託契約').fill('業務委託契約');
    await page.getByLabel('年数').fill('12');
    await page.getByRole('button', { name: '保存する' }).click();
    await page.getByText('保存しました。').waitFor();
    const saved = await h.context.db
      .selectFrom('retention_rules')
      .select(['document_type', 'years'])
      .where('organization_id', '=', h.org.id)
      .orderBy('document_type')
      .execute();
    assert.deepEqual(saved, [
      { document_type: 'default', years: 7 },
      { document_type: 'type:業務委託契約', years: 12 },
    ]);
    await page.screenshot({ path: join(SCREENSHOTS, 'retention-admin-1280.png'), fullPage: true });
  });

  it('places a legal hold on the contract; the admin list shows it; released from the envelope page', async () => {
    const page = await adminPage(DESKTOP, 'hold');
    await page.goto(`${baseUrl}/contracts/${contractId}`);
    const card = page.locator('.retention-card');
    await card.getByText(/12年/).waitFor();
    assert.match(await card.innerText(), /契約種別「業務委託契約」/);
    await card.getByLabel('理由').fill('訴訟対応のため保全（令和8年(ワ)第123号）');
    await card.getByRole('button', { name: 'リーガルホールドを設定' }).click();
    await card.getByText('リーガルホールドを設定しました。').waitFor();
    await card.getByText(/リーガルホールド中：訴訟対応のため保全/).waitFor();
    await card.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'retention-contract-hold-1280.png'), fullPage: true });

    await page.goto(`${baseUrl}/admin/retention`);
    await page.locator('tr', { hasText: '訴訟対応のため保全' }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'retention-admin-holds-1280.png'), fullPage: true });

    await page.goto(`${baseUrl}/envelopes/${envelopeId}`);
    const envelopeCard = page.locator('.retention-card');
    await envelopeCard.getByText(/リーガルホールド中/).waitFor();
    await envelopeCard.getByLabel('理由').fill('訴訟終結');
    await envelopeCard.getByRole('button', { name: 'リーガルホールドを解除' }).click();
    await envelopeCard.getByText('リーガルホールドを解除しました。').waitFor();
    await envelopeCard.getByText('リーガルホールドはありません。').waitFor();
  });

  it('on a phone: the settings and the contract’s card fit the screen', async () => {
    const page = await adminPage(PHONE, 'phone');
    await page.goto(`${baseUrl}/admin/retention`);
    await page.getByRole('heading', { name: '保存期間', level: 1 }).waitFor();
    await page.getByPlaceholder('例：業務委託契約').waitFor();
    await assertNoHorizontalScroll(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'retention-admin-390.png'), fullPage: true });
    await page.goto(`${baseUrl}/contracts/${contractId}`);
    await page.locator('.retention-card').getByText(/12年/).waitFor();
    await assertNoHorizontalScroll(page);
    await page.locator('.retention-card').screenshot({ path: join(SCREENSHOTS, 'retention-contract-390.png') });
  });

  it('after the period the contract page says its documents were erased; no console problems', async () => {
    // The earlier tests' pages would go on asking with sessions the clock jump ends (401s): close them first.
    for (const context of contexts.splice(0)) await context.close();
    // A month before the end, the administrators' list shows what the sweep will erase.
    h.clock.advance(12 * YEAR_MS - 30 * 24 * 3600_000);
    const soon = await adminPage(DESKTOP, 'upcoming');
    await soon.goto(`${baseUrl}/admin/retention`);
    const row = soon.locator('tr', { hasText: '業務委託契約書' }).filter({ hasText: '満了日以降に消去' });
    await row.waitFor();
    await row.scrollIntoViewIfNeeded();
    await soon.screenshot({ path: join(SCREENSHOTS, 'retention-admin-upcoming-1280.png'), fullPage: true });
    h.clock.advance(33 * 24 * 3600_000);
    const run = await shredExpiredDocuments(h.context);
    assert.equal(run.shredded, 1);
    const page = await adminPage(DESKTOP, 'shredded');
    await page.goto(`${baseUrl}/contracts/${contractId}`);
    const card = page.locator('.retention-card');
    await card.getByText(/保存期間の満了により消去されました/).waitFor();
    assert.equal(await card.getByRole('button').count(), 0, 'nothing left to hold');
    await card.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'retention-contract-shredded-1280.png'), fullPage: true });
    assert.equal(await page.locator('.pdf-viewer, a[download]').count(), 0, 'no viewer, no download of erased files');
    await page.goto(`${baseUrl}/envelopes/${envelopeId}`);
    await page
      .locator('#docs-title ~ .alert--warning')
      .getByText(/保存期間の満了により消去されました/)
      .waitFor();
    assert.equal(await page.locator('a[download]').count(), 0);
    assert.deepEqual(problems, []);
  });
});
