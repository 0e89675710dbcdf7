// Every bad input of the issue through the API, on SQLite and PostgreSQL: the stable code and status,
// a message in the caller's language, and NOTHING stored (every table's rows and the blob files are
// compared before and after).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  makeBrokenXrefPdf,
  makeEncryptedPdf,
  makePdf,
  makeZeroPagePdf,
  truncate,
} from '../../../core/test/helpers/make-pdf.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { linkIn, multipart, snapshot, startHarness, type Harness } from './helpers/harness.ts';

const recipient = (overrides: Record<string, unknown> = {}) => ({
  name: '山田 太郎',
  email: 'taro@example.jp',
  accessCode: '1234',
  order: 1,
  ...overrides,
});

for (const dialect of DIALECTS) {
  describe(`bad input (${dialect})`, () => {
    let h: Harness;
    let pdf: Uint8Array;
    const bad: Record<string, Uint8Array> = {};

    before(async () => {
      // A 1 MB limit keeps the oversized upload small.
      h = await startHarness(dialect, { env: { INKAN_MAX_UPLOAD_MB: '1' } });
      pdf = await makePdf({ pages: 1 });
      bad.notPdf = new Uint8Array(Buffer.from('Hello, this is a text file, not a PDF.\n'));
      bad.encrypted = await makeEncryptedPdf();
      bad.truncated = truncate(await makePdf({ pages: 2 }), -200);
      bad.brokenXref = await makeBrokenXrefPdf();
      bad.zeroPages = makeZeroPagePdf();
      bad.oversized = await makePdf({ pages: 1, padToBytes: 1_300_000 });
    });
    after(async () => h?.close());

    /** Runs a request and checks status, code, that the message is in the asked language, and that nothing changed. */
    async function expectRefused(
      send: (
        headers: Record<string, string>,
      ) => Promise<{ statusCode: number; body: string; json(): { error: { code: string; message: string } } }>,
      status: number,
      code: string,
    ): Promise<void> {
      const before = await snapshot(h);
      const ja = await send({ 'accept-language': 'ja,en;q=0.5' });
      assert.equal(ja.statusCode, status, ja.body);
      assert.equal(ja.json().error.code, code, ja.body);
      assert.match(ja.json().error.message, /[\u3040-\u30ff\u4e00-\u9fff]/, `Japanese message: ${ja.body}`);
      const en = await send({ 'accept-language': 'en-US' });
      assert.equal(en.json().error.code, code);
      assert.doesNotMatch(en.json().error.message, /[\u3040-\u30ff\u4e00-\u9fff]{3}/, `English message: ${en.body}`);
      assert.deepEqual(await snapshot(h), before, `${code}: nothing may be stored`);
    }

    const create =
      (envelope: unknown, documents: Array<{ filename: string; data: Uint8Array }>) =>
      (headers: Record<string, string>) =>
        h.createEnvelope(h.org, envelope, documents, headers);

    for (const [name, code] of [
      ['notPdf', 'PDF_INVALID'],
      ['encrypted', 'PDF_ENCRYPTED'],
      ['truncated', 'PDF_INVALID'],
      ['brokenXref', 'PDF_INVALID'],
      ['zeroPages', 'PDF_INVALID'],
    ] as const) {
      it(`refuses a document that is ${name} with 422 ${code}, naming the file`, async () => {
        await expectRefused(
          create({ name: 'Contract', recipients: [recipient()] }, [
            { filename: 'ok.pdf', data: pdf },
            { filename: `${name}.pdf`, data: bad[name] },
          ]),
          422,
          code,
        );
        const res = await h.createEnvelope(h.org, { name: 'Contract', recipients: [recipient()] }, [
          { filename: `${name}.pdf`, data: bad[name] },
        ]);
        assert.equal(res.json().error.details.document, `${name}.pdf`);
        assert.ok(res.json().error.message.includes(`${name}.pdf`));
      });
    }

    it('refuses a document over INKAN_MAX_UPLOAD_MB with 413 PAYLOAD_TOO_LARGE', async () => {
      assert.ok(bad.oversized.length > 1024 * 1024);
      await expectRefused(
        create({ name: 'Contract', recipients: [recipient()] }, [{ filename: 'big.pdf', data: bad.oversized }]),
        413,
        'PAYLOAD_TOO_LARGE',
      );
      // Two documents under the limit each but over it together.
      const half = await makePdf({ pages: 1, padToBytes: 600_000 });
      await expectRefused(
        create({ name: 'Contract', recipients: [recipient()] }, [
          { filename: 'a.pdf', data: half },
          { filename: 'b.pdf', data: half },
        ]),
        413,
        'PAYLOAD_TOO_LARGE',
      );
    });

    it('refuses an envelope without documents or recipients (400)', async () => {
      await expectRefused(create({ name: 'Contract', recipients: [recipient()] }, []), 400, 'NO_DOCUMENTS');
      await expectRefused(
        create({ name: 'Contract', recipients: [] }, [{ filename: 'a.pdf', data: pdf }]),
        400,
        'NO_RECIPIENTS',
      );
      await expectRefused(create({ name: 'Contract' }, [{ filename: 'a.pdf', data: pdf }]), 400, 'NO_RECIPIENTS');
    });

    it('refuses malformed e-mail addresses (400 INVALID_EMAIL)', async () => {
      for (const email of [
        'taro',
        'taro@',
        '@example.jp',
        'taro@example',
        'taro example@example.jp',
        'taro@exa mple.jp',
        '<taro@example.jp>',
        'a@b.jp\nBcc: x@y.jp',
      ]) {
        await expectRefused(
          create({ name: 'Contract', recipients: [recipient({ email })] }, [{ filename: 'a.pdf', data: pdf }]),
          400,
          'INVALID_EMAIL',
        );
      }
    });

    it('refuses gaps in the signing orders (400 ORDER_GAP); equal orders are parallel, not an error', async () => {
      for (const orders of [[1, 3], [2], [1, 1, 3]]) {
        const recipients = orders.map((order, i) => recipient({ email: `r${i}@example.jp`, order }));
        await expectRefused(
          create({ name: 'Contract', recipients }, [{ filename: 'a.pdf', data: pdf }]),
          400,
          'ORDER_GAP',
        );
      }
      const res = await h.createEnvelope(
        h.org,
        { name: 'Contract', recipients: [recipient({ order: 3 })] },
        [{ filename: 'a.pdf', data: pdf }],
        { 'accept-language': 'ja' },
      );
      assert.deepEqual(res.json().error.details, { field: 'recipients[0].order', missing: 1 });
      assert.match(res.json().error.message, /署名順に抜けがあります/);
    });

    it('refuses a CC recipient with an access code or sign-in, a bad role, and an envelope of CCs only', async () => {
      const cc = { name: '経理部', email: 'keiri@example.jp', role: 'cc' };
      await expectRefused(
        create({ name: 'Contract', recipients: [recipient(), { ...cc, accessCode: '1234' }] }, [
          { filename: 'a.pdf', data: pdf },
        ]),
        400,
        'VALIDATION_FAILED',
      );
      await expectRefused(
        create({ name: 'Contract', recipients: [recipient(), { ...cc, auth: 'login' }] }, [
          { filename: 'a.pdf', data: pdf },
        ]),
        400,
        'VALIDATION_FAILED',
      );
      await expectRefused(
        create({ name: 'Contract', recipients: [recipient(), { ...cc, role: 'viewer' }] }, [
          { filename: 'a.pdf', data: pdf },
        ]),
        400,
        'VALIDATION_FAILED',
      );
      await expectRefused(
        create({ name: 'Contract', recipients: [cc] }, [{ filename: 'a.pdf', data: pdf }]),
        400,
        'NO_RECIPIENTS',
      );
    });

    it('refuses access codes that are not 4–8 digits (400 INVALID_ACCESS_CODE_FORMAT)', async () => {
      for (const accessCode of ['123', '123456789', 'abcd', '12 34', '１２３４', 1234]) {
        await expectRefused(
          create({ name: 'Contract', recipients: [recipient({ accessCode })] }, [{ filename: 'a.pdf', data: pdf }]),
          400,
          'INVALID_ACCESS_CODE_FORMAT',
        );
      }
    });

    it('refuses other malformed envelopes with 400 VALIDATION_FAILED', async () => {
      const doc = [{ filename: 'a.pdf', data: pdf }];
      await expectRefused(create({ name: '', recipients: [recipient()] }, doc), 400, 'VALIDATION_FAILED');
      await expectRefused(create({ name: 'x'.repeat(201), recipients: [recipient()] }, doc), 400, 'VALIDATION_FAILED');
      await expectRefused(create({ name: 'a\nb', recipients: [recipient()] }, doc), 400, 'VALIDATION_FAILED');
      await expectRefused(
        create({ name: 'Contract', message: 'm'.repeat(5001), recipients: [recipient()] }, doc),
        400,
        'VALIDATION_FAILED',
      );
      await expectRefused(
        create({ name: 'Contract', expiresAt: '2001-01-01T00:00:00Z', recipients: [recipient()] }, doc),
        400,
        'VALIDATION_FAILED',
      );
      await expectRefused(
        create({ name: 'Contract', expiresAt: 'tomorrow', recipients: [recipient()] }, doc),
        400,
        'VALIDATION_FAILED',
      );
      await expectRefused(
        create({ name: 'Contract', recipients: [recipient({ order: 0 })] }, doc),
        400,
        'VALIDATION_FAILED',
      );
      await expectRefused(
        create({ name: 'Contract', recipients: [recipient({ order: '1' })] }, doc),
        400,
        'VALIDATION_FAILED',
      );
      await expectRefused(
        create({ name: 'Contract', recipients: [recipient({ language: 'fr' })] }, doc),
        400,
        'VALIDATION_FAILED',
      );
      await expectRefused(
        create({ name: 'Contract', recipients: [recipient({ auth: 'login', email: 'stranger@example.jp' })] }, doc),
        400,
        'VALIDATION_FAILED',
      );
      const many = Array.from({ length: 21 }, (_, i) => recipient({ email: `r${i}@example.jp`, order: i + 1 }));
      await expectRefused(create({ name: 'Contract', recipients: many }, doc), 400, 'VALIDATION_FAILED');
      // The envelope part missing, or not JSON.
      await expectRefused(
        (headers) => {
          const body = multipart([{ name: 'documents', filename: 'a.pdf', data: pdf }]);
          return h.app.inject({
            method: 'POST',
            url: '/api/v1/envelopes',
            payload: body.payload,
            headers: { ...body.headers, ...headers, authorization: `Bearer ${h.org.apiKey}` },
          });
        },
        400,
        'VALIDATION_FAILED',
      );
      for (const contentType of [undefined, 'application/json']) {
        await expectRefused(
          (headers) => {
            const body = multipart([
              { name: 'envelope', value: '{"name": "x", ', contentType },
              { name: 'documents', filename: 'a.pdf', data: pdf },
            ]);
            return h.app.inject({
              method: 'POST',
              url: '/api/v1/envelopes',
              payload: body.payload,
              headers: { ...body.headers, ...headers, authorization: `Bearer ${h.org.apiKey}` },
            });
          },
          400,
          'VALIDATION_FAILED',
        );
      }
      // Not multipart at all.
      await expectRefused(
        (headers) =>
          h.app.inject({
            method: 'POST',
            url: '/api/v1/envelopes',
            payload: { name: 'x' },
            headers: { ...headers, authorization: `Bearer ${h.org.apiKey}` },
          }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
    });

    it('answers unknown links with 404 LINK_INVALID and expired ones with 410 LINK_EXPIRED, changing nothing', async () => {
      const unknown = 'A'.repeat(43);
      for (const url of [
        `/api/sign/${unknown}`,
        `/api/sign/short`,
        `/api/download/${unknown}`,
        `/api/download/${unknown}/documents/x`,
      ]) {
        await expectRefused((headers) => h.app.inject({ method: 'GET', url, headers }), 404, 'LINK_INVALID');
      }
      await expectRefused(
        (headers) =>
          h.app.inject({ method: 'POST', url: `/api/sign/${unknown}/access-code`, payload: { code: '1234' }, headers }),
        404,
        'LINK_INVALID',
      );
      await expectRefused(
        (headers) => h.app.inject({ method: 'POST', url: '/api/session/link', payload: { token: unknown }, headers }),
        404,
        'LINK_INVALID',
      );

      // A signing link past INKAN_LINK_TTL: the page says expired, the code is refused with 410.
      const created = await h.createEnvelope(
        h.org,
        { name: 'Old link', recipients: [recipient({ email: 'old@example.jp' })] },
        [{ filename: 'a.pdf', data: pdf }],
      );
      assert.equal((await h.api(h.org, 'POST', `/api/v1/envelopes/${created.json().id}/send`)).statusCode, 200);
      await h.runJobs();
      const token = linkIn((await h.mailsTo('old@example.jp'))[0].text_body, 's');
      h.clock.advance(h.context.config.linkTtlMs + 1000);
      const state = await h.app.inject({ method: 'GET', url: `/api/sign/${token}` });
      assert.equal(state.json().state, 'expired');
      await expectRefused(
        (headers) =>
          h.app.inject({ method: 'POST', url: `/api/sign/${token}/access-code`, payload: { code: '1234' }, headers }),
        410,
        'LINK_EXPIRED',
      );
    });

    it('a generated access code (none given) is 4 digits, shown once, and works', async () => {
      const created = await h.createEnvelope(
        h.org,
        { name: 'Generated', recipients: [{ name: 'Gen', email: 'gen@example.jp', order: 1 }] },
        [{ filename: 'a.pdf', data: pdf }],
      );
      assert.equal(created.statusCode, 201, created.body);
      const code = created.json().recipients[0].accessCode as string;
      assert.match(code, /^[0-9]{4}$/);
      const fetched = await h.api(h.org, 'GET', `/api/v1/envelopes/${created.json().id}`);
      assert.equal(fetched.json().recipients[0].accessCode, undefined, 'never shown again');
      assert.doesNotMatch(
        JSON.stringify(await h.context.db.selectFrom('recipients').selectAll().execute()),
        new RegExp(`"${code}"`),
      );
      await h.api(h.org, 'POST', `/api/v1/envelopes/${created.json().id}/send`);
      await h.runJobs();
      const token = linkIn((await h.mailsTo('gen@example.jp'))[0].text_body, 's');
      const passed = await h.app.inject({ method: 'POST', url: `/api/sign/${token}/access-code`, payload: { code } });
      assert.equal(passed.statusCode, 200, passed.body);
    });
  });
}
