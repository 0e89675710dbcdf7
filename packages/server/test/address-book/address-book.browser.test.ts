/**
 * The address book and pre-registration end to end (issue 11 part 6's proof: "pre-registered access
 * code used without the sender knowing it"), as people use it: the real `inkan serve` (SQLite, jobs in
 * its worker thread), mail over real SMTP, Debian's Chromium through the built UI.
 *
 * The sender adds a counterparty at /address-book and presses 届出を依頼; the contact's mail holds the
 * 届出 link; the counterparty, on a phone, names its signer and chooses the access code (a weak one is
 * refused first); the sender's address book then says 登録済み; the sender creates an envelope choosing
 * the contact from the address book (登録済みアクセスコード, no code field) and sends it; the API
 * response, every page the sender sees and every mail of the run never hold the code; the signer opens
 * the signing mail and signs with the code they chose.
 * Screenshots at 1280×800 and 390×844 go to the screenshot folder (address-book-*.png, signer-registration-*.png).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { DESKTOP, PHONE } from '../helpers/browser.ts';
import {
  launchWatchedBrowser,
  startServedInkan,
  type ServedInkan,
  type WatchedBrowser,
} from '../helpers/browser-server.ts';
import { screenshotDir } from '../helpers/screenshot-dir.ts';
import { diagnostics, waitOrExplain } from '../e2e/helpers/inkan-process.ts';
import { urlsIn, type SmtpSink } from '../e2e/helpers/smtp-sink.ts';

const ORGANIZATION = '港区立 みなと図書館';
const SENDER = { email: 'keiyaku@minato-lib.example.jp', name: '港 一郎', password: 'correct horse battery staple' };
const CONTACT = {
  company: '株式会社トリヒキ印刷',
  department: '営業部',
  person: '契約 花子',
  email: 'keiyaku@torihiki.example.jp',
};
const SIGNER = { name: '取引 太郎', email: 'shacho@torihiki.example.jp', code: '583920' };
const ENVELOPE = '図書印刷業務委託契約';
const SCREENSHOTS = screenshotDir();
const JOB_TIMEOUT = { timeoutMs: 60_000, intervalMs: 25 };

describe('address book and pre-registered access codes in a real browser, with real SMTP', () => {
  let app: ServedInkan | undefined;
  let ui: WatchedBrowser | undefined;
  let dir: string;
  let baseUrl: string;
  let smtp: SmtpSink;
  let db: Database.Database;
  let sender: Page;
  let registrationUrl = '';
  let pdfPath: string;
  /** Everything the sender's browser received from the API (bodies), to prove the code never came. */
  const senderResponses: string[] = [];

  before(async () => {
    app = await startServedInkan({
      prefix: 'inkan-e2e-book-',
      organization: { name: ORGANIZATION, slug: 'minato-lib' },
      admin: SENDER,
    });
    ({ dir, baseUrl, smtp, db } = app);
    const { loginLink } = app;
    mkdirSync(join(dir, 'upload'));
    pdfPath = join(dir, 'upload', '業務委託契約書.pdf');
    writeFileSync(pdfPath, await makePdf({ pages: 1 }));
    ui = await launchWatchedBrowser();

    sender = await newPage(DESKTOP, 'sender');
    sender.on('response', (response) => {
      if (!response.url().includes('/api/')) return;
      response.text().then(
        (text) => senderResponses.push(text),
        () => undefined,
      );
    });
    await sender.goto(loginLink);
    await sender.getByLabel('新しいパスワード').fill(SENDER.password);
    await sender.getByRole('button', { name: '設定して続ける' }).click();
    await sender.waitForURL(`${baseUrl}/envelopes`);
  });

  after(async () => {
    await ui?.close();
    await app?.stop();
  });

  const explain = () =>
    `${diagnostics(db, [app!.server])}\nSMTP: ${smtp.messages.map((m) => `${m.to} ${m.subject}`).join(' | ')}`;

  async function newPage(viewport: { width: number; height: number }, label: string): Promise<Page> {
    // 400 is the weak code refused, 410 the used link, 401 the session probe: the pages say why, as designed.
    const page = await ui!.newPage(viewport, label, [/Failed to load resource: .* status of (400|401|410)/]);
    // The machine is shared: give a loaded run time before a wait fails.
    page.setDefaultTimeout(60_000);
    return page;
  }

  const shot = (page: Page, name: string) =>
    page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: name.endsWith('-390') });

  async function fitsPhone(page: Page, what: string) {
    await waitOrExplain(
      async () => (await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)) || null,
      { ...JOB_TIMEOUT, what: `${what} to fit 390 px` },
      explain,
    );
  }

  function mailsTo(address: string, subject: RegExp) {
    return waitOrExplain(
      () => {
        const found = smtp.to(address).filter((m) => subject.test(m.subject));
        return found.length > 0 ? found : null;
      },
      { ...JOB_TIMEOUT, what: `a mail "${subject.source}" to ${address}` },
      explain,
    );
  }

  test('the sender adds a counterparty and asks it to register its signer (届出を依頼)', async () => {
    await sender.getByRole('link', { name: 'アドレス帳' }).click();
    await sender.waitForURL(`${baseUrl}/address-book`);
    await sender.getByText('まだ取引先が登録されていません').waitFor();
    await sender.getByRole('button', { name: '取引先を追加' }).click();
    // A bad address is refused with the reason, nothing is stored.
    await sender.getByLabel('会社名・団体名').fill(CONTACT.company);
    await sender.getByLabel('部署').fill(CONTACT.department);
    await sender.getByLabel('担当者名').fill(CONTACT.person);
    await sender.getByLabel('担当者のメールアドレス').fill('keiyaku@torihiki');
    await sender.getByRole('button', { name: '保存' }).click();
    await sender.getByText('メールアドレスの形式が正しくありません。').waitFor();
    await sender.getByLabel('担当者のメールアドレス').fill(CONTACT.email);
    await sender.getByRole('button', { name: '保存' }).click();
    await sender.getByText(`「${CONTACT.company}」を追加しました。`).waitFor();
    const row = sender.locator(`tr[data-contact="${CONTACT.email}"]`);
    await row.getByText('未届出').waitFor();

    // CSVから取り込む: a bad line refuses the whole file, naming the line; the corrected file goes in.
    const csvPath = join(dir, 'upload', 'torihikisaki.csv');
    const header = '会社名,部署,担当者名,メールアドレス,電話番号\r\n';
    writeFileSync(
      csvPath,
      `${header}合同会社アオバ,総務課,青葉 次郎,aoba@example.jp,045-000-1111\r\n株式会社ミドリ,,緑 三郎,midori@,\r\n`,
    );
    await sender.getByTestId('contact-csv').setInputFiles(csvPath);
    await sender.getByText('3行目（担当者のメールアドレス）', { exact: false }).waitFor();
    writeFileSync(
      csvPath,
      `${header}合同会社アオバ,総務課,青葉 次郎,aoba@example.jp,045-000-1111\r\n株式会社ミドリ,,緑 三郎,midori@midori.example.jp,\r\n`,
    );
    await sender.getByTestId('contact-csv').setInputFiles(csvPath);
    await sender.getByText('2件を取り込みました', { exact: false }).waitFor();
    await sender.locator('tr[data-contact="midori@midori.example.jp"]').waitFor();

    await row.getByRole('button', { name: '届出を依頼' }).click();
    await sender.getByRole('dialog').getByText(CONTACT.email, { exact: false }).waitFor();
    await sender.getByRole('button', { name: '依頼メールを送る' }).click();
    await sender.getByText(`${CONTACT.email} に届出の依頼メールを送りました。`).waitFor();
    await row.getByText('届出依頼中').waitFor();

    const [mail] = await mailsTo(CONTACT.email, /署名用メールアドレス届出のお願い/);
    assert.match(mail.subject, new RegExp(`【${ORGANIZATION}】様より`));
    assert.match(mail.text, new RegExp(`${CONTACT.person} 様`));
    const links = urlsIn(mail.text).filter((u) => u.startsWith(`${baseUrl}/signer-registration/`));
    assert.equal(links.length, 1, mail.text);
    assert.ok(mail.html.includes(links[0]), 'the HTML part has the same link');
    registrationUrl = links[0];
  });

  test('the counterparty registers its signer and chooses the code on a phone; a weak code is refused (390×844)', async () => {
    const desktop = await newPage(DESKTOP, 'counterparty desktop');
    await desktop.goto(registrationUrl);
    await desktop.getByRole('heading', { name: '署名用メールアドレスの届出' }).waitFor();
    await desktop
      .getByText(`${ORGANIZATION}から、${CONTACT.company} ${CONTACT.person}様あて`, { exact: false })
      .waitFor();
    await shot(desktop, 'signer-registration-1280');
    // English second: the switch turns the page, and its explanation of the code, into English.
    await desktop.getByRole('button', { name: 'English' }).click();
    await desktop.getByRole('heading', { name: 'Signer registration' }).waitFor();
    await desktop.getByText(`nobody at ${ORGANIZATION} learns it`, { exact: false }).waitFor();
    await desktop.getByLabel('Access code (6 to 8 digits)').waitFor();
    await shot(desktop, 'signer-registration-en-1280');
    await desktop.context().close();

    const phone = await newPage(PHONE, 'counterparty');
    await phone.goto(registrationUrl);
    await phone.getByLabel('署名者のお名前').fill(SIGNER.name);
    await phone.getByLabel('署名者のメールアドレス').fill(SIGNER.email);
    await phone.getByLabel('アクセスコード（6〜8桁の数字）').fill('123456');
    await phone.getByLabel('アクセスコード（確認のためもう一度）').fill('123456');
    await phone.getByRole('button', { name: '届け出る' }).click();
    await phone.getByText('推測されやすいアクセスコードは使えません', { exact: false }).waitFor();
    await fitsPhone(phone, 'the 届出 page');
    await shot(phone, 'signer-registration-weak-390');
    const stored = () =>
      db.prepare('select signer_access_code_hash from address_book_contacts').get() as {
        signer_access_code_hash: string | null;
      };
    assert.equal(stored().signer_access_code_hash, null, 'the refused code changed nothing');

    // Full-width digits typed on a Japanese keyboard count as digits.
    await phone.getByLabel('アクセスコード（6〜8桁の数字）').fill('５８３９２０');
    await phone.getByLabel('アクセスコード（確認のためもう一度）').fill(SIGNER.code);
    await phone.evaluate(() => window.scrollTo(0, 0));
    await shot(phone, 'signer-registration-390');
    await phone.getByRole('button', { name: '届け出る' }).click();
    await phone.getByRole('heading', { name: '届出を受け付けました' }).waitFor();
    await fitsPhone(phone, 'the done page');
    await shot(phone, 'signer-registration-done-390');
    const hash = stored().signer_access_code_hash;
    assert.match(hash ?? '', /^[0-9a-f]{64}$/, 'stored as a keyed hash');

    const [confirmation] = await mailsTo(SIGNER.email, /届出を受け付けました/);
    assert.ok(!confirmation.text.includes(SIGNER.code));
    // The member who asked is told, with the way to the address book.
    const [notice] = await mailsTo(SENDER.email, /署名用メールアドレスの届出がありました/);
    assert.ok(notice.text.includes(`${baseUrl}/address-book`), notice.text);
    assert.ok(notice.text.includes(SIGNER.email));
    // The link is used up.
    await phone.goto(registrationUrl);
    await phone.getByRole('heading', { name: 'この届出用URLは使えません' }).waitFor();
    await phone.context().close();
  });

  test('the address book shows the registered signer, not the code (1280×800, 390×844)', async () => {
    await sender.reload();
    const row = sender.locator(`tr[data-contact="${CONTACT.email}"]`);
    await row.getByText('登録済み').waitFor();
    await row.getByText(SIGNER.email).waitFor();
    await shot(sender, 'address-book-1280');
    // The phone picture is the same session's page at 390 px (a fresh context would need a new sign-in).
    await sender.setViewportSize(PHONE);
    await fitsPhone(sender, 'the address book');
    await shot(sender, 'address-book-390');
    await sender.setViewportSize(DESKTOP);
    assert.ok(!(await sender.content()).includes(SIGNER.code));
  });

  test('the sender creates an envelope choosing the contact: 登録済みアクセスコード, and the code is never shown', async () => {
    await sender.goto(`${baseUrl}/envelopes/new`);
    await sender.getByLabel('封筒名').fill(ENVELOPE);
    await sender.locator('input[type=file]').setInputFiles([pdfPath]);
    await sender.getByText('業務委託契約書.pdf').first().waitFor();
    const picker = sender.getByRole('combobox', { name: 'アドレス帳から選ぶ' });
    await picker.evaluate((element) => element.scrollIntoView({ block: 'center' }));
    await picker.fill('トリヒキ');
    const option = sender.getByRole('option', { name: new RegExp(CONTACT.company) });
    await option.waitFor();
    await shot(sender, 'address-book-picker-1280');
    await option.click();
    assert.equal(await sender.getByLabel('氏名').nth(0).inputValue(), SIGNER.name);
    assert.equal(await sender.getByLabel('メールアドレス').nth(0).inputValue(), SIGNER.email);
    await sender.getByText('登録済みアクセスコード').first().waitFor();
    assert.equal(await sender.getByLabel('アクセスコード', { exact: true }).count(), 0, 'no code field to fill');
    await shot(sender, 'address-book-envelope-new-1280');

    const created = sender.waitForResponse(
      (r) => r.url() === `${baseUrl}/api/v1/envelopes` && r.request().method() === 'POST',
    );
    // 送信内容の確認 first (issue 11 part 5): the draft is created, then 送信する sends it.
    await sender.getByRole('button', { name: '送信内容の確認', exact: true }).click();
    const response = await created;
    assert.equal(response.status(), 201);
    const body = await response.text();
    assert.ok(!body.includes(SIGNER.code), 'the create response has no code');
    assert.equal(JSON.parse(body).recipients[0].registeredAccessCode, true);
    await sender.getByRole('button', { name: '送信する', exact: true }).click();
    await sender.getByText('署名依頼を送信しました。').waitFor();
    await sender.getByText('登録済みアクセスコード').waitFor();
    assert.ok(!(await sender.content()).includes(SIGNER.code), 'the envelope page has no code');
  });

  test('the signer signs with the code they chose; no mail and no sender response ever held it', async () => {
    const [request] = await mailsTo(SIGNER.email, /署名依頼/);
    const signUrl = urlsIn(request.text).find((u) => u.startsWith(`${baseUrl}/s/`))!;
    const signer = await newPage(DESKTOP, 'signer');
    await signer.goto(signUrl);
    await signer.getByLabel('アクセスコード', { exact: true }).fill(SIGNER.code);
    await signer.getByRole('button', { name: '次へ' }).click();
    await signer.getByRole('heading', { name: ENVELOPE }).waitFor();
    await signer.getByRole('button', { name: '完了する', exact: true }).click();
    await signer.getByTestId('confirm-sign').click();
    await signer.getByRole('heading', { name: '署名が完了しました' }).waitFor();
    await signer.context().close();

    await mailsTo(SIGNER.email, /電子署名完了のお知らせ/);
    for (const mail of smtp.messages) {
      assert.ok(!`${mail.subject}${mail.text}${mail.html}`.includes(SIGNER.code), `${mail.to}: ${mail.subject}`);
    }
    assert.ok(senderResponses.length > 5);
    for (const text of senderResponses) assert.ok(!text.includes(SIGNER.code), text.slice(0, 200));
    const events = db.prepare('select action, details from events').all() as Array<{ action: string; details: string }>;
    for (const e of events) assert.ok(!e.details.includes(SIGNER.code), e.action);
    const actions = new Set(events.map((e) => e.action));
    for (const action of [
      'contact.created',
      'contact.registration-requested',
      'mail.signer-registration.sent',
      'contact.signer-registered',
      'mail.signer-registered.sent',
      'recipient.code-passed',
      'recipient.signed',
    ])
      assert.ok(actions.has(action), action);
    assert.deepEqual(ui!.problems, []);
  });
});
