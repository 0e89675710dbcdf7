/**
 * The envelope flow end to end, as people use it: the real `inkan serve` (child process, SQLite, the
 * built-in CA/TSA/OCSP, jobs in its worker thread), mail over real SMTP (smtp-server in this test,
 * parsed with mailparser), and Debian's Chromium driven by playwright-core through the built web UI.
 *
 * The sender signs in with the one-time link, sends two PDFs to two recipients; each recipient opens
 * the mailed link, passes the access code (the first after a wrong one) and signs; everyone receives
 * 電子署名完了のお知らせ and downloads the PDFs, which pdfsig (root trusted, OCSP live) and `inkan verify`
 * accept. Screenshots of the signer's pages go to packages/web/screenshots/e2e-*.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { createNssDb, extractSignatures, pdfsig, pdftotextBbox } from '../../../core/test/helpers/validators.ts';
import { runInkan } from '../helpers/run-inkan.ts';
import {
  diagnostics,
  eventsOf,
  failedJobs,
  rowCounts,
  unfinishedJobs,
  waitOrExplain,
} from './helpers/inkan-process.ts';
import {
  launchWatchedBrowser,
  startServedInkan,
  type ServedInkan,
  type WatchedBrowser,
} from '../helpers/browser-server.ts';
import { urlsIn, type ReceivedMail, type SmtpSink } from './helpers/smtp-sink.ts';
import { DESKTOP, PHONE } from '../helpers/browser.ts';
import { screenshotDir } from '../helpers/screenshot-dir.ts';

const ORGANIZATION = 'テスト市役所 契約課';
const ENVELOPE = '庁舎清掃業務委託契約（2026年度）';
const MAIL_FROM = { name: 'Inkan 電子契約', address: 'no-reply@inkan.example.jp' };
const SENDER = { email: 'keiyaku@city.example.jp', password: 'correct horse battery staple' };
const DOCUMENTS = [
  { file: '業務委託契約書.pdf', pages: 2, text: 'Service agreement for the city hall cleaning' },
  { file: '仕様書.pdf', pages: 1, text: 'Specification of the cleaning work' },
];
const RECIPIENTS = [
  { name: '山田 太郎', email: 'taro.yamada@contractor.example.jp', code: '4821' },
  // The second recipient's code is generated in the form and read back from it.
  { name: '佐藤 花子', email: 'hanako.sato@city.example.jp', code: '' },
];
const WRONG_CODE = '0000';
const SCREENSHOTS = screenshotDir();
const REQUEST_SUBJECT = `【${ORGANIZATION}】様より${ENVELOPE}への署名依頼が届いています`;
const COMPLETION_SUBJECT = '電子署名完了のお知らせ';
// Signing, sealing and mail run in the server's job thread; generous, as a safety net only.
const JOB_TIMEOUT = { timeoutMs: 60_000, intervalMs: 25 };

describe('envelope flow in a real browser, with real SMTP', () => {
  let dir: string;
  let dataDir: string;
  let baseUrl: string;
  let env: Record<string, string>;
  let smtp: SmtpSink;
  let app: ServedInkan | undefined;
  let ui: WatchedBrowser | undefined;
  let db: Database.Database;
  let nssDir: string;
  let loginLink: string;
  const documentPaths: string[] = [];
  /** The personal signing URL of each recipient (from their request mail). */
  const signUrls: string[] = [];
  /** The signed PDFs downloaded in the browser, by document file name. */
  const downloaded = new Map<string, string>();
  let certificateId = '';

  before(async () => {
    app = await startServedInkan({
      prefix: 'inkan-e2e-flow-',
      organization: { name: ORGANIZATION, slug: 'test-city' },
      admin: { email: SENDER.email, name: '契約 担当' },
      env: {
        INKAN_MAIL_FROM: `"${MAIL_FROM.name}" <${MAIL_FROM.address}>`,
      },
    });
    ({ dir, dataDir, baseUrl, env, smtp, db, loginLink } = app);
    const root = await runInkan(['pki', 'export-root'], { dataDir, env });
    assert.equal(root.code, 0, root.stderr);
    nssDir = await createNssDb(root.stdout, { parentDir: dir });
    for (const [i, d] of DOCUMENTS.entries()) {
      const path = join(dir, `upload-${i}`, d.file);
      mkdirSync(join(dir, `upload-${i}`));
      writeFileSync(path, await makePdf({ pages: d.pages, text: d.text, title: d.file }));
      documentPaths.push(path);
    }
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

  /** A fresh browser context (no cookies) that records console errors, page errors and CSP violations. */
  async function newPage(viewport: { width: number; height: number }, label: string): Promise<Page> {
    // 401 is the UI probing for a signer session and the wrong access code: the UI working as designed.
    return ui!.newPage(viewport, label, [/Failed to load resource: .* status of 401/]);
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(SCREENSHOTS, `e2e-${name}.png`) });
  }

  /** Waits until the visible document tab has drawn its page (canvas sized, text layer filled) and returns that text. */
  async function renderedText(page: Page): Promise<string> {
    const handle = await page.waitForFunction(() => {
      const panel = document.querySelector('[role="tabpanel"]:not([hidden])');
      const canvas = panel?.querySelector('canvas');
      const text = panel?.querySelector('.textLayer');
      return canvas && canvas.width > 0 && text && text.querySelector('span') ? (text.textContent ?? '') : null;
    });
    return (await handle.jsonValue()) as string;
  }

  /** The one request mail of a recipient, checked: subject, From, text and HTML parts, one personal URL. */
  function checkRequestMail(mail: ReceivedMail, recipientName: string): string {
    assert.equal(mail.subject, REQUEST_SUBJECT);
    assert.deepEqual(mail.from, MAIL_FROM);
    assert.ok(mail.text.includes(`${recipientName} 様`), mail.text);
    assert.ok(mail.html.includes('<html'), 'an HTML part');
    // Besides the personal link, the only URL of the service is the help page (困ったときは).
    const ownUrls = (text: string) => urlsIn(text).filter((u) => u.startsWith(baseUrl) && u !== `${baseUrl}/help`);
    const urls = ownUrls(mail.text);
    assert.ok(mail.text.includes(`${baseUrl}/help`), 'the mail links the help page');
    assert.equal(urls.length, 1, `one personal URL of the service in the text part: ${urls.join(' ')}`);
    assert.match(urls[0], new RegExp(`^${baseUrl}/s/[A-Za-z0-9_-]{22,}$`));
    assert.deepEqual(ownUrls(mail.html.replace(/&amp;/g, '&')), urls, 'the HTML part links the same URL');
    // The code is never in the mail: the mail alone must not open the documents.
    // (As a number of its own: the digits may well occur inside the token, the port or a date.)
    for (const r of RECIPIENTS) {
      if (!r.code) continue;
      const alone = new RegExp(`(?<![0-9A-Za-z_\\-/:.年月日])${r.code}(?![0-9A-Za-z_\\-/:.年月日])`);
      assert.ok(!alone.test(mail.text) && !alone.test(mail.html), `the access code of ${r.name} is in the mail`);
    }
    return urls[0];
  }

  /** What a signing-link fetch could have changed: row counts and each recipient's state. */
  function stateSnapshot(): unknown {
    return {
      counts: rowCounts(db),
      recipients: db
        .prepare(
          'select id, status, viewed_at, failed_attempts, locked_at, link_token_hash, notified_at from recipients order by signing_order',
        )
        .all(),
      lastEvent: db.prepare('select max(seq) as seq from events').get(),
    };
  }

  /** Signs as one recipient in a fresh context; screenshots use the given viewport's suffix. */
  async function signAs(
    index: number,
    viewport: { width: number; height: number },
    suffix: string,
    options: { wrongCodeFirst: boolean },
  ): Promise<void> {
    const recipient = RECIPIENTS[index];
    const page = await newPage(viewport, `recipient ${index + 1}`);
    // Everything the server says before the code passes must be free of the envelope's and documents' names.
    const beforeCode: string[] = [];
    let codePassed = false;
    page.on('response', (response) => {
      if (codePassed || !response.url().startsWith(`${baseUrl}/api/`)) return;
      response.text().then(
        (body) => beforeCode.push(`${response.url()} ${body}`),
        () => undefined,
      );
    });
    let signPosts = 0;
    page.on('request', (request) => {
      if (request.method() === 'POST' && /\/api\/sign\/[^/]+\/sign$/.test(request.url())) signPosts += 1;
    });

    await page.goto(signUrls[index]);
    const codeInput = page.getByLabel('アクセスコード', { exact: true });
    await codeInput.waitFor();
    await page.getByText(`${ORGANIZATION} 様から署名依頼が届いています。`).waitFor();
    await page.getByText('無関係な第三者による文書の閲覧を防止するため').waitFor();
    const hidden = [ENVELOPE, ...DOCUMENTS.map((d) => d.file), ...DOCUMENTS.map((d) => d.file.replace(/\.pdf$/, ''))];
    const pageText = await page.content();
    for (const secret of hidden) assert.ok(!pageText.includes(secret), `"${secret}" is on the access-code page`);
    await screenshot(page, `access-code-${suffix}`);

    if (options.wrongCodeFirst) {
      await codeInput.fill(WRONG_CODE);
      await page.getByRole('button', { name: '次へ' }).click();
      await page
        .getByRole('alert')
        .filter({ hasText: 'アクセスコードが正しくありません。あと4回間違えるとロックされます。' })
        .waitFor();
      const row = db.prepare('select failed_attempts, status from recipients where email = ?').get(recipient.email) as {
        failed_attempts: number;
        status: string;
      };
      assert.deepEqual(row, { failed_attempts: 1, status: 'notified' });
      const stillHidden = await page.content();
      for (const secret of hidden) assert.ok(!stillHidden.includes(secret), `"${secret}" is shown after a wrong code`);
      await screenshot(page, `access-code-wrong-${suffix}`);
    }

    // From the right code on, the server may name the envelope: stop collecting.
    codePassed = true;
    await codeInput.fill(recipient.code);
    await page.getByRole('button', { name: '次へ' }).click();
    await page.getByRole('heading', { name: ENVELOPE }).waitFor();
    await page.waitForLoadState('networkidle');
    assert.ok(beforeCode.length > 0, 'the page asked the server something before the code');
    for (const body of beforeCode)
      for (const secret of hidden)
        assert.ok(!body.includes(secret), `"${secret}" was sent before the code passed: ${body}`);

    // One tab per document, named after it; each tab renders its own document with pdf.js.
    const tabs = page.getByRole('tab');
    assert.equal(await tabs.count(), 2);
    for (const [i, d] of DOCUMENTS.entries())
      assert.ok((await tabs.nth(i).textContent())!.includes(d.file), `tab ${i + 1} is named ${d.file}`);
    assert.match(await renderedText(page), /Service agreement/);
    await screenshot(page, `review-${suffix}`);
    await page.getByRole('tab', { name: new RegExp(DOCUMENTS[1].file) }).click();
    assert.match(await renderedText(page), /Specification/);
    await page.getByRole('tab', { name: new RegExp(DOCUMENTS[0].file) }).click();
    await renderedText(page);

    await page.getByRole('button', { name: '完了する', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('内容を確認し、電子署名を行います。よろしいですか？').waitFor();
    for (const d of DOCUMENTS) await dialog.getByText(d.file).waitFor();
    await screenshot(page, `confirm-${suffix}`);
    await page.getByTestId('confirm-sign').dblclick();
    await page.getByRole('heading', { name: '署名が完了しました' }).waitFor();
    assert.equal(signPosts, 1, 'a double click posts once');

    // A retry from the same signer session (another tab, a reload) returns the same and signs nothing more.
    const token = new URL(signUrls[index]).pathname.split('/').pop()!;
    const retry = await page.evaluate(async (t) => {
      const view = (await (await fetch(`/api/sign/${t}/view`)).json()) as { csrfToken?: string };
      const response = await fetch(`/api/sign/${t}/sign`, {
        method: 'POST',
        headers: { 'x-csrf-token': view.csrfToken ?? '' },
      });
      return { status: response.status, body: (await response.json()) as { recipient?: { status?: string } } };
    }, token);
    assert.equal(retry.status, 202, JSON.stringify(retry.body));
    assert.equal(retry.body.recipient?.status, 'signed');

    const me = db.prepare('select id, status, signed_at from recipients where email = ?').get(recipient.email) as {
      id: string;
      status: string;
      signed_at: string | null;
    };
    assert.equal(me.status, 'signed');
    assert.ok(me.signed_at);
    const signedEvents = eventsOf(db, 'recipient.signed').filter((e) => e.details.email === recipient.email);
    assert.equal(signedEvents.length, 1, 'one recipient.signed event');
    assert.equal(signedEvents[0].details.auth, 'email + access code');
    assert.equal(signedEvents[0].ip, '127.0.0.1');
    const signJobs = db
      .prepare(`select count(*) as n from jobs where kind = 'envelope.sign' and payload like ?`)
      .get(`%${me.id}%`) as { n: number };
    assert.equal(signJobs.n, 1, 'one signing job');
    await page.context().close();
  }

  test('the sender signs in with the one-time link and sends two PDFs to two recipients', async () => {
    const page = await newPage(DESKTOP, 'sender');
    await page.goto(loginLink);
    // The link signs in; the page then offers to set a password.
    await page.getByLabel('新しいパスワード').fill(SENDER.password);
    await page.getByRole('button', { name: '設定して続ける' }).click();
    await page.waitForURL(`${baseUrl}/envelopes`);
    await page.getByRole('link', { name: '新規作成' }).first().click();
    await page.waitForURL(`${baseUrl}/envelopes/new`);

    await page.getByLabel('封筒名').fill(ENVELOPE);
    await page.locator('input[type=file]').setInputFiles(documentPaths);
    for (const d of DOCUMENTS) await page.getByText(d.file).first().waitFor();
    await page.getByRole('button', { name: '署名者を追加' }).click();
    for (const [i, r] of RECIPIENTS.entries()) {
      await page.getByLabel('氏名').nth(i).fill(r.name);
      await page.getByLabel('メールアドレス').nth(i).fill(r.email);
    }
    await page.getByLabel('アクセスコード', { exact: true }).nth(0).fill(RECIPIENTS[0].code);
    await page.getByRole('button', { name: '署名者 2 のコードを自動生成' }).click();
    RECIPIENTS[1].code = await page.getByLabel('アクセスコード', { exact: true }).nth(1).inputValue();
    assert.match(RECIPIENTS[1].code, /^[0-9]{4}$/);
    if (RECIPIENTS[1].code === WRONG_CODE) {
      // One chance in 10 000: keep the wrong code of the test wrong for both.
      await page.getByLabel('アクセスコード', { exact: true }).nth(1).fill('5555');
      RECIPIENTS[1].code = '5555';
    }
    // 送信内容の確認 first (issue 11 part 5), then 送信する.
    await page.getByRole('button', { name: '送信内容の確認', exact: true }).click();
    await page.getByRole('button', { name: '送信する', exact: true }).click();
    await page.getByText('署名依頼を送信しました。').waitFor();
    assert.match(page.url(), new RegExp(`^${baseUrl}/envelopes/[0-9a-f-]{36}$`));
    await page.context().close();

    const envelope = db.prepare('select id, name, status, certificate_id from envelopes').all() as Array<{
      id: string;
      name: string;
      status: string;
      certificate_id: string;
    }>;
    assert.equal(envelope.length, 1);
    assert.equal(envelope[0].name, ENVELOPE);
    assert.equal(envelope[0].status, 'sent');
    certificateId = envelope[0].certificate_id;
    const documents = db.prepare('select name, pages from documents order by position').all();
    assert.deepEqual(
      documents,
      DOCUMENTS.map((d) => ({ name: d.file, pages: d.pages })),
    );
  });

  test('the first request mail arrives over SMTP; fetching its link changes nothing', async () => {
    const [mail] = await waitOrExplain(
      () => (smtp.to(RECIPIENTS[0].email).length > 0 ? smtp.to(RECIPIENTS[0].email) : null),
      { ...JOB_TIMEOUT, what: 'the first request mail' },
      explain,
    );
    signUrls[0] = checkRequestMail(mail, RECIPIENTS[0].name);
    assert.equal(smtp.to(RECIPIENTS[1].email).length, 0, 'the second recipient waits for the first');
    // The mail job records the mail and its event after the SMTP server accepted it: let it finish.
    await waitOrExplain(
      () => unfinishedJobs(db).length === 0,
      { ...JOB_TIMEOUT, what: 'the mail job to finish' },
      explain,
    );

    const token = new URL(signUrls[0]).pathname.split('/').pop()!;
    const before = stateSnapshot();
    // What a mail scanner does: fetch the link (and what the page would fetch) without a session.
    const pageResponse = await fetch(signUrls[0]);
    assert.equal(pageResponse.status, 200);
    assert.match(pageResponse.headers.get('content-type') ?? '', /text\/html/);
    const html = await pageResponse.text();
    const status = await fetch(`${baseUrl}/api/sign/${token}`);
    assert.equal(status.status, 200);
    const statusBody = await status.text();
    assert.equal((JSON.parse(statusBody) as { state: string }).state, 'code_required');
    const view = await fetch(`${baseUrl}/api/sign/${token}/view`);
    assert.equal(view.status, 401);
    await view.text();
    for (const secret of [ENVELOPE, ...DOCUMENTS.map((d) => d.file)]) {
      assert.ok(!html.includes(secret) && !statusBody.includes(secret), `"${secret}" is shown without the code`);
    }
    assert.deepEqual(stateSnapshot(), before);
  });

  test('the first recipient enters a wrong code, then the right one, reviews two tabs and signs once (1280×800)', async () => {
    await signAs(0, DESKTOP, '1280', { wrongCodeFirst: true });
  });

  test('the second recipient is mailed once the first signature is applied, and signs (390×844)', async () => {
    const [mail] = await waitOrExplain(
      () => (smtp.to(RECIPIENTS[1].email).length > 0 ? smtp.to(RECIPIENTS[1].email) : null),
      { ...JOB_TIMEOUT, what: 'the second request mail' },
      explain,
    );
    signUrls[1] = checkRequestMail(mail, RECIPIENTS[1].name);
    assert.notEqual(signUrls[1], signUrls[0]);
    assert.equal(eventsOf(db, 'recipient.signature-applied').length, 1);
    await signAs(1, PHONE, '390', { wrongCodeFirst: false });
  });

  test('everyone receives 電子署名完了のお知らせ and downloads the signed PDFs', async () => {
    const parties = [...RECIPIENTS.map((r) => r.email), SENDER.email];
    const mails = await waitOrExplain(
      () => {
        const found = parties.map((p) => smtp.to(p).filter((m) => m.subject === COMPLETION_SUBJECT));
        return found.every((f) => f.length > 0) ? found : null;
      },
      { ...JOB_TIMEOUT, what: 'the completion mails' },
      explain,
    );
    const downloadUrls: string[] = [];
    for (const [i, list] of mails.entries()) {
      assert.equal(list.length, 1, `one completion mail to ${parties[i]}`);
      const mail = list[0];
      assert.deepEqual(mail.from, MAIL_FROM);
      assert.ok(mail.text.includes('ダウンロード') && mail.html.includes('ダウンロード'));
      assert.ok(mail.text.includes(certificateId), 'the mail names the certificate ID');
      const urls = urlsIn(mail.text).filter((u) => u.startsWith(`${baseUrl}/d/`));
      assert.equal(urls.length, 1, mail.text);
      assert.ok(mail.html.includes(urls[0]));
      downloadUrls.push(urls[0]);
    }
    assert.equal(new Set(downloadUrls).size, 3, 'a personal download link each');
    // Nobody got any other mail: two requests, three completions.
    assert.equal(smtp.messages.length, 5, smtp.messages.map((m) => `${m.to} ${m.subject}`).join('\n'));

    // The first recipient downloads in the browser.
    const page = await newPage(DESKTOP, 'download');
    await page.goto(downloadUrls[0]);
    await page.getByRole('heading', { name: ENVELOPE }).waitFor();
    await page.getByText(certificateId).waitFor();
    await screenshot(page, 'download-1280');
    for (const d of DOCUMENTS) {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name: `${d.file} をダウンロード` }).click(),
      ]);
      const path = join(dir, `downloaded-${downloaded.size}.pdf`);
      await download.saveAs(path);
      downloaded.set(d.file, path);
    }
    await page.context().close();

    // The others fetch through their links' API: the same signed files.
    for (const url of downloadUrls.slice(1)) {
      const token = new URL(url).pathname.split('/').pop()!;
      const response = await fetch(`${baseUrl}/api/download/${token}`);
      assert.equal(response.status, 200);
      const view = (await response.json()) as {
        envelope: { name: string; certificateId: string };
        documents: Array<{ id: string; name: string; sha256: string }>;
      };
      assert.equal(view.envelope.name, ENVELOPE);
      assert.equal(view.envelope.certificateId, certificateId);
      assert.deepEqual(
        view.documents.map((d) => d.name),
        DOCUMENTS.map((d) => d.file),
      );
      for (const d of view.documents) {
        const file = await fetch(`${baseUrl}/api/download/${token}/documents/${d.id}`);
        assert.equal(file.status, 200);
        const bytes = new Uint8Array(await file.arrayBuffer());
        assert.equal(createHash('sha256').update(bytes).digest('hex'), d.sha256);
        assert.deepEqual(
          bytes,
          new Uint8Array(readFileSync(downloaded.get(d.name)!)),
          `${d.name}: the same file through every link`,
        );
      }
    }
    const envelope = db.prepare('select status from envelopes').get() as { status: string };
    assert.equal(envelope.status, 'completed');
  });

  test('each signed PDF: two trusted CAdES signatures and a document timestamp (pdfsig), inkan verify, the ID bottom-left on page 1', async () => {
    assert.equal(downloaded.size, 2);
    for (const d of DOCUMENTS) {
      const path = downloaded.get(d.file)!;
      const bytes = new Uint8Array(readFileSync(path));
      const found = extractSignatures(bytes);
      assert.deepEqual(
        found.map((s) => `${s.type ?? 'Sig'} ${s.subFilter}`),
        ['Sig ETSI.CAdES.detached', 'Sig ETSI.CAdES.detached', 'DocTimeStamp ETSI.RFC3161'],
        `${d.file}: two signatures, then the seal's document timestamp`,
      );

      // OCSP on: pdfsig asks the server's own responder (running) and reports the chain as trusted.
      const report = await pdfsig(path, { nssDir, ocsp: true });
      const cades = report.signatures.filter((s) => s.subFilter === 'ETSI.CAdES.detached');
      assert.equal(cades.length, 2, report.raw);
      for (const [i, s] of cades.entries()) {
        assert.equal(s.validation, 'Signature is Valid.', report.raw);
        assert.equal(s.certificate, 'Certificate is Trusted.', report.raw);
        assert.ok(
          s.signerName?.includes(RECIPIENTS[i].name),
          `signature ${i + 1} names ${RECIPIENTS[i].name}: ${s.signerName}`,
        );
      }
      assert.equal(report.signatures.length, 3, `two signatures and the document timestamp:\n${report.raw}`);

      const verify = await runInkan(['verify', path], { dataDir, env });
      assert.equal(verify.code, 0, `${verify.stdout}\n${verify.stderr}`);

      const { words, width, height } = await pdftotextBbox(path, 1);
      const label = words.findIndex((w) => w.text.startsWith('締結証明書ID'));
      assert.ok(label >= 0, words.map((w) => w.text).join(' '));
      const idWord =
        words[label].text === '締結証明書ID:'
          ? words[label + 1]
          : { ...words[label], text: words[label].text.replace(/^締結証明書ID:/, '') };
      assert.equal(idWord.text, certificateId);
      for (const w of [words[label], idWord]) {
        assert.ok(w.xMin < width / 4, `${w.text} is on the left (x ${w.xMin} of ${width})`);
        assert.ok(w.yMin > height * 0.9, `${w.text} is at the bottom (y ${w.yMin} of ${height})`);
      }
    }
  });

  test('no console errors, page errors or CSP violations; no failed jobs; the audit trail has both signatures', () => {
    assert.deepEqual(ui!.problems, []);
    assert.deepEqual(failedJobs(db), []);
    const applied = eventsOf(db, 'recipient.signature-applied');
    assert.deepEqual(
      applied.map((e) => e.details.email),
      RECIPIENTS.map((r) => r.email),
    );
    assert.equal(eventsOf(db, 'recipient.code-failed').length, 1, 'one wrong code recorded');
  });

  test("the server's log never holds a link token, though every link was requested", () => {
    const log = app!.server.output.join('\n');
    assert.match(log, /\/s\/\[token\]/, 'signing pages were logged, redacted');
    for (const token of [
      ...signUrls.map((u) => new URL(u).pathname.split('/').pop()!),
      new URL(loginLink).searchParams.get('token')!,
    ]) {
      assert.ok(token.length >= 22 && !log.includes(token), 'a link token appears in the server log');
    }
  });
});
