// Fields and seals through the API (issue 11 part 4), on SQLite and PostgreSQL: the sender places
// fields on a draft (bad placements refused, nothing changed), a counterparty fills theirs (a required
// field left empty refuses 完了する), the organisation's own signer signs with the uploaded 社印; the
// signed PDF shows the 印影 and values (pdftoppm, pdftotext), pdfsig finds every signature valid, our
// verifier passes, and the certificate of completion lists the values.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { joinUpdate, PdfDocument, verifyPdf } from '@inkan/core';
import { IncrementalUpdate } from '../../../core/src/pdf/incremental-update.ts';
import { PdfRef, PdfStream } from '../../../core/src/pdf/objects.ts';
import { runInkan } from '../helpers/run-inkan.ts';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { createNssDb, pdfsig, pdfText } from '../../../core/test/helpers/validators.ts';
import { colours, renderPage, squareSealPng } from '../helpers/field-pixels.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { linkIn, snapshot, startHarness, type Harness } from './helpers/harness.ts';

type Rect = [number, number, number, number];

const SEAL_A: Rect = [380, 100, 440, 160];
const TEXT_A: Rect = [60, 100, 300, 122];
const DATE_A: Rect = [60, 130, 200, 152];
const CHECK_A: Rect = [60, 160, 76, 176];
const SEAL_B: Rect = [460, 100, 520, 160];

for (const dialect of DIALECTS) {
  describe(`fields and seals (${dialect})`, () => {
    let h: Harness;
    let pdf: Uint8Array;
    let adminHeaders: Record<string, string>;

    before(async () => {
      h = await startHarness(dialect);
      pdf = await makePdf({ pages: 2 });
      const admin = await h.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email: h.org.admin.email, password: h.org.admin.password },
        remoteAddress: '10.9.0.1',
      });
      assert.equal(admin.statusCode, 200, admin.body);
      adminHeaders = {
        cookie: `inkan_session=${admin.cookies.find((c) => c.name === 'inkan_session')!.value}`,
        'x-csrf-token': admin.json().csrfToken,
      };
    });
    after(async () => h?.close());

    it('the organisation seal: administrators upload a PNG; bad images are refused and change nothing', async () => {
      const none = await h.app.inject({ method: 'GET', url: '/api/v1/organization/seal', headers: adminHeaders });
      assert.deepEqual(none.json(), { seal: null });
      const put = (body: Buffer, type = 'image/png', headers = adminHeaders) =>
        h.app.inject({
          method: 'PUT',
          url: '/api/v1/organization/seal',
          payload: body,
          headers: { ...headers, 'content-type': type, 'accept-language': 'ja' },
        });
      const before = await snapshot(h);
      const bad = await put(Buffer.from('not an image at all'));
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error.code, 'IMAGE_INVALID');
      assert.match(bad.json().error.message, /PNGまたはJPEG/);
      const huge = await put(Buffer.alloc(3 * 1024 * 1024));
      assert.equal(huge.statusCode, 413);
      const byKey = await h.app.inject({
        method: 'PUT',
        url: '/api/v1/organization/seal',
        payload: squareSealPng(),
        headers: { authorization: `Bearer ${h.org.apiKey}`, 'content-type': 'image/png' },
      });
      assert.equal(byKey.statusCode, 403, 'API keys act as members, not administrators');
      const withoutCsrf = { cookie: adminHeaders.cookie };
      assert.equal((await put(squareSealPng(), 'image/png', withoutCsrf)).statusCode, 403);
      assert.deepEqual(await snapshot(h), before);

      const ok = await put(squareSealPng());
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().seal.width, 48);
      const image = await h.app.inject({
        method: 'GET',
        url: '/api/v1/organization/seal/image',
        headers: adminHeaders,
      });
      assert.equal(image.headers['content-type'], 'image/png');
      assert.deepEqual(image.rawPayload, squareSealPng());
    });

    it('places fields, fills them at signing and draws them into the signed PDF under each signature', async () => {
      const counterparty = `fields-${dialect}@example.jp`;
      const created = await h.createEnvelope(
        h.org,
        {
          name: 'フィールド付き契約',
          recipients: [
            { name: '山田 太郎', email: counterparty, accessCode: '2468', order: 1 },
            { name: '契約課長', email: h.org.admin.email, order: 2, auth: 'login' },
          ],
        },
        [{ filename: 'keiyaku.pdf', data: pdf }],
      );
      assert.equal(created.statusCode, 201, created.body);
      const envelope = created.json();
      const [a, b] = envelope.recipients.map((r: { id: string }) => r.id);
      const documentId = envelope.documents[0].id;
      const field = (recipientId: string, page: number, rect: Rect, kind: string, extra = {}) => ({
        documentId,
        recipientId,
        page,
        rect,
        kind,
        ...extra,
      });
      const fields = [
        field(a, 1, SEAL_A, 'seal'),
        field(a, 1, TEXT_A, 'text', { required: true, label: '会社名' }),
        field(a, 1, DATE_A, 'date'),
        field(a, 2, CHECK_A, 'checkbox', { label: '同意する' }),
        field(b, 1, SEAL_B, 'seal'),
      ];
      const url = `/api/v1/envelopes/${envelope.id}/fields`;

      // Bad placements: outside the page, on a page that does not exist, another envelope's recipient.
      const unchanged = await snapshot(h);
      for (const [bad, code] of [
        [[field(a, 1, [500, 800, 700, 900], 'text')], 'FIELD_INVALID'],
        [[field(a, 3, SEAL_A, 'seal')], 'FIELD_INVALID'],
        [[field('00000000-0000-4000-8000-000000000000', 1, SEAL_A, 'seal')], 'FIELD_INVALID'],
        [[{ ...field(a, 1, SEAL_A, 'seal'), kind: 'signature' }], 'VALIDATION_FAILED'],
        [Array.from({ length: 101 }, () => field(a, 1, SEAL_A, 'seal')), 'VALIDATION_FAILED'],
      ] as const) {
        const res = await h.api(h.org, 'PUT', url, { fields: bad });
        assert.equal(res.statusCode, 400, res.body);
        assert.equal(res.json().error.code, code);
      }
      assert.equal((await h.api(h.other, 'PUT', url, { fields })).statusCode, 404, "another organisation's envelope");
      assert.deepEqual(await snapshot(h), unchanged);

      const placed = await h.api(h.org, 'PUT', url, { fields });
      assert.equal(placed.statusCode, 200, placed.body);
      assert.equal(placed.json().items.length, 5);
      assert.equal((await h.api(h.org, 'GET', url)).json().items[1].label, '会社名');

      assert.equal((await h.api(h.org, 'POST', `/api/v1/envelopes/${envelope.id}/send`)).statusCode, 200);
      const afterSend = await h.api(h.org, 'PUT', url, { fields });
      assert.equal(afterSend.statusCode, 409, 'a sent envelope keeps its fields');
      await h.runJobs();

      // Counterparty: code, own fields, 完了する without the required text → FIELD_REQUIRED.
      const token = linkIn((await h.mailsTo(counterparty))[0].text_body, 's');
      const opened = await h.app.inject({
        method: 'POST',
        url: `/api/sign/${token}/access-code`,
        payload: { code: '2468' },
        remoteAddress: '10.9.1.1',
      });
      assert.equal(opened.statusCode, 200, opened.body);
      const signer = {
        cookie: `inkan_signer=${opened.cookies.find((c) => c.name === 'inkan_signer')!.value}`,
        'x-csrf-token': opened.json().csrfToken,
      };
      const mine = (await h.app.inject({ method: 'GET', url: `/api/sign/${token}/fields`, headers: signer })).json()
        .items as Array<{ id: string; kind: string; required: boolean; rect: Rect }>;
      assert.deepEqual(
        mine.map((f) => f.kind),
        ['seal', 'text', 'date', 'checkbox'],
        'only their own fields',
      );
      const textField = mine.find((f) => f.kind === 'text')!;
      const checkField = mine.find((f) => f.kind === 'checkbox')!;
      const sign = (payload: unknown) =>
        h.app.inject({ method: 'POST', url: `/api/sign/${token}/sign`, headers: signer, payload: payload as object });
      const missing = await sign({ fields: { [textField.id]: '   ' } });
      assert.equal(missing.statusCode, 400);
      assert.equal(missing.json().error.code, 'FIELD_REQUIRED');
      assert.match(missing.json().error.message, /会社名/);
      const wrongType = await sign({ fields: { [textField.id]: '株式会社テスト', [checkField.id]: 'yes' } });
      assert.equal(wrongType.json().error.code, 'FIELD_INVALID');
      const unknownGlyph = await sign({ fields: { [textField.id]: '株式会社😀' } });
      assert.equal(unknownGlyph.json().error.code, 'FIELD_INVALID');
      const recipientRow = () =>
        h.context.db.selectFrom('recipients').select('status').where('id', '=', a).executeTakeFirstOrThrow();
      assert.notEqual((await recipientRow()).status, 'signed', 'a refused 完了する changes nothing');

      const signed = await sign({ fields: { [textField.id]: '株式会社テスト', [checkField.id]: true } });
      assert.equal(signed.statusCode, 202, signed.body);
      await h.runJobs();

      // The organisation's own signer: sign in, open the link, sign (their seal is the uploaded image).
      const ownMail = (await h.mailsTo(h.org.admin.email)).find((m) => m.subject.includes('フィールド付き契約'))!;
      const ownToken = linkIn(ownMail.text_body, 's');
      const own = await h.app.inject({ method: 'POST', url: `/api/sign/${ownToken}/login`, headers: adminHeaders });
      assert.equal(own.statusCode, 200, own.body);
      const ownHeaders = {
        cookie: `inkan_signer=${own.cookies.find((c) => c.name === 'inkan_signer')!.value}`,
        'x-csrf-token': own.json().csrfToken,
      };
      assert.equal(
        (await h.app.inject({ method: 'POST', url: `/api/sign/${ownToken}/sign`, headers: ownHeaders })).statusCode,
        202,
      );
      await h.runJobs();

      const done = (await h.api(h.org, 'GET', `/api/v1/envelopes/${envelope.id}`)).json();
      assert.equal(done.status, 'completed');
      const file = new Uint8Array(
        (await h.api(h.org, 'GET', `/api/v1/envelopes/${envelope.id}/documents/${documentId}`)).rawPayload,
      );

      const page1 = await renderPage(file, 1);
      assert.ok(colours(page1, SEAL_A).red > 200, 'the generated 印影 of 山田 is red in its rectangle');
      assert.ok(colours(page1, SEAL_B).blue > 300, "the organisation's uploaded seal is drawn for its own signer");
      assert.ok(colours(page1, TEXT_A).dark > 30, 'the text value is drawn');
      const page2 = await renderPage(file, 2);
      assert.ok(colours(page2, CHECK_A).dark > 20, 'the check box is drawn');
      const text = await pdfText(file, { page: 1 });
      assert.match(text, /株式会社テスト/);
      assert.match(text, /\d{4}年\d{1,2}月\d{1,2}日/);

      // 自動登録's search text: the document as uploaded, the certificate ID stamp and the values filled in.
      const { certificate_id: certificateId } = await h.context.db
        .selectFrom('envelopes')
        .select('certificate_id')
        .where('id', '=', envelope.id)
        .executeTakeFirstOrThrow();
      const registered = await h.context.db
        .selectFrom('contract_texts')
        .innerJoin('contracts', 'contracts.id', 'contract_texts.contract_id')
        .select('contract_texts.extracted')
        .where('contracts.envelope_id', '=', envelope.id)
        .executeTakeFirstOrThrow();
      assert.match(registered.extracted, /Page 1[\s\S]*Page 2/, 'the text of the document');
      assert.ok(registered.extracted.includes(`締結証明書ID: ${certificateId}`), registered.extracted);
      assert.match(registered.extracted, /株式会社テスト/);
      assert.match(registered.extracted, /\d{4}年\d{1,2}月\d{1,2}日/);
      const found = await h.api(h.org, 'GET', `/api/v1/contracts?q=${encodeURIComponent('株式会社テスト')}`);
      assert.equal(found.statusCode, 200, found.body);
      assert.ok(
        found.json().items.some((c: { envelopeId?: string }) => c.envelopeId === envelope.id),
        found.body,
      );

      const nssDir = await createNssDb(h.context.signing.pki.rootPem(), { parentDir: h.test.dataDir });
      const sig = await pdfsig(file, { nssDir });
      const recipientSignatures = sig.signatures.filter((s) => s.subFilter === 'ETSI.CAdES.detached');
      assert.equal(recipientSignatures.length, 2);
      for (const s of recipientSignatures) assert.equal(s.validation, 'Signature is Valid.');

      const report = await verifyPdf(file, {
        trustAnchors: h.context.signing.trustAnchors,
        revocationProvider: h.context.signing.pki.revocationProvider,
      });
      assert.equal(report.exitCode, 0, report.summary);
      assert.ok(
        report.signatures[0].laterChanges.changes.some((c) => c.kind === 'field-values-added' && c.allowed),
        "the organisation signer's seal is an allowed later change for the first signature",
      );

      if (dialect === 'sqlite') {
        // `inkan verify`: the signed file passes; the same file with signer 1's text field redrawn after
        // signing is flagged (exit 1, the change forbidden for every signature).
        const work = mkdtempSync(join(tmpdir(), 'inkan-fields-cli-'));
        try {
          const doc = PdfDocument.load(file);
          const xobjects = doc.dict(doc.dict(doc.page(0).dict.get('Resources'))!.get('XObject'))!;
          const ref = xobjects.get('InkanField1');
          assert.ok(ref instanceof PdfRef, 'the text field of signer 1 is a form XObject of page 1');
          const update = new IncrementalUpdate(doc);
          const old = doc.resolve(ref) as PdfStream;
          const dict = old.dict.clone();
          dict.delete('Filter');
          update.set(ref, new PdfStream(dict, Buffer.from('0 g 60 100 240 22 re f')));
          writeFileSync(join(work, 'signed.pdf'), file);
          writeFileSync(join(work, 'changed.pdf'), joinUpdate(update.build()));
          writeFileSync(join(work, 'root.pem'), h.context.signing.pki.rootPem());
          const verify = async (name: string) => {
            const run = await runInkan(['verify', join(work, name), '--json', '--trust', join(work, 'root.pem')], {
              dataDir: join(work, 'no-data'),
            });
            return { code: run.code, report: JSON.parse(run.stdout) as Awaited<ReturnType<typeof verifyPdf>> };
          };
          const good = await verify('signed.pdf');
          assert.equal(good.code, 0, good.report.summary);
          const bad = await verify('changed.pdf');
          assert.equal(bad.code, 1);
          for (const s of bad.report.signatures.filter((x) => x.type === 'signature')) {
            assert.equal(s.laterChanges.allowed, false);
            assert.equal(s.status, 'invalid');
          }
        } finally {
          rmSync(work, { recursive: true, force: true });
        }
      }

      const certificate = await h.api(h.org, 'GET', `/api/v1/envelopes/${envelope.id}/certificate`);
      assert.equal(certificate.statusCode, 200);
      const certificateText = await pdfText(new Uint8Array(certificate.rawPayload));
      assert.match(certificateText, /株式会社テスト/);
      assert.match(certificateText, /印影「山田」/);
      assert.match(certificateText, /組織の印影画像/);
    });
  });
}
