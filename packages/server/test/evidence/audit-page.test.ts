// The 操作ログ page in a real browser against the real server (`inkan serve`, SQLite): an administrator
// signs in with the link `inkan org create` printed, finds 操作ログ in the navigation, sees the events of
// an envelope (created and sent through the API, a wrong and a right access code, viewed), filters them,
// and has a CSV link for the same filter. A 1280×800 screenshot is taken (kept when INKAN_EVIDENCE_OUT
// names a folder). A member does not get the link.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import {
  freePort,
  openDatabaseReadOnly,
  startInkanProcess,
  waitForHealthy,
  type InkanProcess,
} from '../e2e/helpers/inkan-process.ts';
import { runInkan } from '../helpers/run-inkan.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { BROWSER_ARGS, DESKTOP, newWatchedPage } from '../helpers/browser.ts';

describe('操作ログ page (real server, Chromium)', () => {
  let dir: string;
  let server: InkanProcess | undefined;
  let browser: Browser | undefined;
  let baseUrl: string;
  let adminLink: string;
  let memberLink: string;
  let envelopeId: string;
  let dataDir: string;
  let env: Record<string, string>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inkan-audit-page-'));
    dataDir = join(dir, 'data');
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    env = { INKAN_DATA_DIR: dataDir, INKAN_PORT: String(port), INKAN_PUBLIC_URL: baseUrl, INKAN_ENV: 'development' };
    const org = await runInkan(
      [
        'org',
        'create',
        '--name',
        'デモ市役所 契約課',
        '--slug',
        'demo',
        '--admin-email',
        'admin@demo.example.jp',
        '--admin-name',
        '契約 管理者',
      ],
      { dataDir, env },
    );
    assert.equal(org.code, 0, org.stderr);
    adminLink = /http\S+\/login\/link\?token=\S+/.exec(org.stdout)![0];
    const member = await runInkan(
      ['member', 'add', '--org', 'demo', '--email', 'member@demo.example.jp', '--name', '担当 一郎'],
      { dataDir, env },
    );
    assert.equal(member.code, 0, member.stderr);
    memberLink = /http\S+\/login\/link\?token=\S+/.exec(member.stdout)![0];
    const key = await runInkan(['apikey', 'create', '--org', 'demo', '--name', '基幹システム連携'], { dataDir, env });
    assert.equal(key.code, 0, key.stderr);
    const apiKey = key.stdout.trim().split('\n').at(-1)!;
    server = await startInkanProcess(['serve'], env);
    await waitForHealthy(baseUrl);

    // Activity: an envelope through the API, then a recipient's wrong and right access codes.
    const form = new FormData();
    form.append(
      'envelope',
      JSON.stringify({
        name: '令和7年度 庁舎清掃業務委託契約',
        recipients: [{ name: '山田 太郎', email: 'taro@contractor.example.jp', accessCode: '4821', order: 1 }],
      }),
    );
    form.append(
      'documents',
      new Blob([Buffer.from(await makePdf({ pages: 1, text: 'Contract' }))], { type: 'application/pdf' }),
      '契約書.pdf',
    );
    const headers = { authorization: `Bearer ${apiKey}`, 'user-agent': 'kikan-system/2.4 (node)' };
    const created = await fetch(`${baseUrl}/api/v1/envelopes`, { method: 'POST', body: form, headers });
    assert.equal(created.status, 201, await created.clone().text());
    envelopeId = ((await created.json()) as { id: string }).id;
    assert.equal(
      (await fetch(`${baseUrl}/api/v1/envelopes/${envelopeId}/send`, { method: 'POST', headers })).status,
      200,
    );
    const signUrl = await waitFor(
      async () => {
        const mails = (await (await fetch(`${baseUrl}/dev/mail.json`)).json()) as {
          items: Array<{ to: string; links: string[] }>;
        };
        return mails.items.find((m) => m.to === 'taro@contractor.example.jp')?.links.find((l) => l.includes('/s/'));
      },
      { what: 'the signing request mail', intervalMs: 50 },
    );
    const token = new URL(signUrl).pathname.split('/')[2];
    const signer = {
      'content-type': 'application/json',
      'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) Safari/604.1',
    };
    assert.equal(
      (
        await fetch(`${baseUrl}/api/sign/${token}/access-code`, {
          method: 'POST',
          headers: signer,
          body: JSON.stringify({ code: '1111' }),
        })
      ).status,
      401,
    );
    assert.equal(
      (
        await fetch(`${baseUrl}/api/sign/${token}/access-code`, {
          method: 'POST',
          headers: signer,
          body: JSON.stringify({ code: '4821' }),
        })
      ).status,
      200,
    );
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: BROWSER_ARGS });
  });

  after(async () => {
    await browser?.close();
    const stopped = await server?.stop();
    rmSync(dir, { recursive: true, force: true });
    if (stopped) assert.equal(stopped.code, 0, server!.output.slice(-20).join('\n'));
  });

  it('shows the log with filters and the CSV link to an administrator', async () => {
    const problems: string[] = [];
    const { context, page } = await newWatchedPage(browser!, { viewport: DESKTOP, label: 'admin', problems });
    await page.goto(adminLink);
    // The sign-in link page offers to set a password; later is fine.
    await page.getByRole('button', { name: 'あとで設定する' }).click();
    await page.waitForURL(/\/envelopes/);
    await page.getByRole('link', { name: '操作ログ' }).click();
    await page.waitForURL(`${baseUrl}/audit`);
    await page.getByRole('heading', { name: '操作ログ' }).waitFor();
    const rows = page.locator('table.audit-table tbody tr');
    await waitFor(async () => (await rows.count()) >= 9, { what: 'the log rows' });
    const table = await page.locator('table.audit-table').innerText();
    for (const text of [
      '封筒を作成',
      '封筒を送信',
      '署名依頼メールを送信',
      'アクセスコードの入力ミス',
      'アクセスコードで本人確認',
      'ログイン',
      'APIキーを作成',
      'メンバーを追加',
      '令和7年度 庁舎清掃業務委託契約',
      'kikan-system/2.4 (node)',
      '山田 太郎 <taro@contractor.example.jp>',
    ]) {
      assert.ok(table.includes(text), `the table shows "${text}":\n${table}`);
    }
    // Newest first: the administrator's own sign-in tops the list.
    assert.match(await rows.first().innerText(), /ログイン/);
    const shot = join(process.env.INKAN_EVIDENCE_OUT ?? dir, 'audit-page.png');
    await page.screenshot({ path: shot });

    // Filter: the signer's actions on this envelope; the CSV link carries the same filter.
    await page.getByLabel('操作', { exact: true }).selectOption('recipient.');
    await page.getByLabel('対象封筒（封筒ID）').fill(envelopeId);
    await page.getByRole('button', { name: '絞り込む' }).click();
    await page.waitForURL(/action=recipient\./);
    await waitFor(async () => (await rows.count()) === 2, { what: 'two recipient events' });
    assert.deepEqual(
      (await rows.locator('.audit-table__code').allInnerTexts()).map((t) => t.trim()),
      ['recipient.code-passed', 'recipient.code-failed'],
    );
    const csvHref = await page.getByRole('link', { name: 'CSVをダウンロード' }).getAttribute('href');
    assert.equal(csvHref, `/api/v1/audit-events.csv?action=recipient.&envelopeId=${envelopeId}`);
    const csv = await page.evaluate(async (href) => {
      const response = await fetch(href!);
      return {
        status: response.status,
        type: response.headers.get('content-type'),
        bytes: [...new Uint8Array(await response.arrayBuffer())].slice(0, 3),
      };
    }, csvHref);
    assert.deepEqual(csv, { status: 200, type: 'text/csv; charset=utf-8', bytes: [0xef, 0xbb, 0xbf] });
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('the worker anchored the log with the TSA when it started; inkan audit verify checks it', async () => {
    const db = openDatabaseReadOnly(dataDir);
    try {
      await waitFor(() => (db.prepare('select count(*) as n from audit_anchors').get() as { n: number }).n >= 1, {
        what: 'the start-up anchor',
        intervalMs: 50,
      });
      const queued = db
        .prepare(`select dedupe_key, run_at from jobs where kind = 'audit.anchor' and status = 'queued'`)
        .all() as Array<{ dedupe_key: string; run_at: string }>;
      assert.equal(queued.length, 1, 'the next day is scheduled');
      assert.match(queued[0].run_at, /T00:00:00\.000Z$/);
    } finally {
      db.close();
    }
    const run = await runInkan(['audit', 'verify'], { dataDir, env });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /operation log intact: \d+ events/);
    assert.match(run.stdout, /1 TSA anchor\(s\) verified/);
  });

  it('gives a member no 操作ログ link, and the page says it is for administrators', async () => {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ja-JP' });
    const page = await context.newPage();
    await page.goto(memberLink);
    await page.getByRole('button', { name: 'あとで設定する' }).click();
    await page.waitForURL(/\/envelopes/);
    assert.equal(await page.getByRole('link', { name: '操作ログ' }).count(), 0);
    await page.goto(`${baseUrl}/audit`);
    await page.getByText('操作ログは組織の管理者のみ閲覧できます。').waitFor();
    await context.close();
  });
});
