// Import into the register, custom fields and register settings through the HTTP API, on SQLite and
// PostgreSQL: an imported PDF gets a document timestamp (checked with the core's verifier and openssl's
// view of the token), is marked imported and searchable; bad uploads are refused with a stable code
// and change nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listSignatures, PdfDocument, verifyPdf } from '@inkan/core';
import { makeEncryptedPdf, makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { sha256Hex } from '../../src/domain/hashing.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import {
  multipart,
  snapshot,
  startHarness,
  type Harness,
  type Part,
  type TestOrganization,
} from './helpers/harness.ts';

for (const dialect of DIALECTS) {
  describe(`register import, fields and settings (${dialect})`, () => {
    let h: Harness;
    let pdf: Uint8Array;

    before(async () => {
      h = await startHarness(dialect, { env: { INKAN_MAX_UPLOAD_MB: '1' } });
      pdf = await makePdf({ pages: 2, text: 'Maintenance agreement 2026 between Alpha and Beta' });
    });
    after(async () => {
      await h?.close();
    });

    const upload = (org: TestOrganization, parts: Part[], headers: Record<string, string> = {}) => {
      const body = multipart(parts);
      return h.app.inject({
        method: 'POST',
        url: '/api/v1/contracts/import',
        payload: body.payload,
        headers: { ...body.headers, authorization: `Bearer ${org.apiKey}`, 'accept-language': 'ja', ...headers },
      });
    };
    const contractPart = (value: unknown): Part => ({
      name: 'contract',
      value: JSON.stringify(value),
      contentType: 'application/json',
    });

    it('imports a PDF with fields: document timestamp added, original bytes kept, marked imported, searchable', async () => {
      const res = await upload(h.org, [
        contractPart({
          title: '保守契約（紙の契約書）',
          counterparties: ['株式会社アルファ'],
          signedOn: '令和7年3月1日',
          startOn: '2025-04-01',
          endOn: '2026-03-31',
          amount: '¥1,200,000',
          tax: 'excluded',
          tags: ['紙'],
        }),
        { name: 'document', filename: 'scan.pdf', data: pdf },
      ]);
      assert.equal(res.statusCode, 201, res.body);
      const entry = res.json();
      assert.equal(entry.source, 'import');
      assert.equal(entry.imported, true);
      assert.ok(entry.importedAt);
      assert.deepEqual(
        [entry.signedOn, entry.startOn, entry.endOn, entry.amount, entry.tax],
        ['2025-03-01', '2025-04-01', '2026-03-31', 1200000, 'excluded'],
      );
      assert.equal(entry.documents.length, 1);
      assert.equal(entry.documents[0].kind, 'imported');
      const file = await h.api(h.org, 'GET', `/api/v1/contracts/${entry.id}/documents/${entry.documents[0].id}`);
      const stored = new Uint8Array(file.rawPayload);
      assert.equal(sha256Hex(stored), entry.documents[0].sha256);
      // An incremental update: the original file is an exact prefix, followed by one document timestamp.
      assert.deepEqual(stored.subarray(0, pdf.length), pdf);
      const signatures = listSignatures(PdfDocument.load(stored));
      assert.deepEqual(
        signatures.map((s) => s.type),
        ['document-timestamp'],
      );
      // Verified as the installation verifies its own files: its CA answers for the TSA certificate's status
      // (the file carries no revocation data for the newest document timestamp, as in any B-LTA file).
      const report = await verifyPdf(stored, {
        trustAnchors: h.context.signing.trustAnchors,
        revocationProvider: h.context.signing.pki.revocationProvider,
      });
      const timestamp = report.signatures.find((s) => s.type === 'document-timestamp');
      assert.ok(timestamp, JSON.stringify(report.signatures));
      assert.deepEqual(timestamp.problems ?? [], [], JSON.stringify(timestamp));
      const event = await h.context.db
        .selectFrom('events')
        .selectAll()
        .where('action', '=', 'contract.imported')
        .executeTakeFirstOrThrow();
      assert.equal(JSON.parse(event.details).sha256Original, sha256Hex(pdf));
      const found = await h.api(
        h.org,
        'GET',
        `/api/v1/contracts?q=${encodeURIComponent('MAINTENANCE AGREEMENT')}&source=import`,
      );
      assert.deepEqual(
        found.json().items.map((c: { id: string }) => c.id),
        [entry.id],
      );
    });

    it('refuses a non-PDF, an encrypted PDF, a too large upload, bad fields and a missing part — nothing written', async () => {
      const encrypted = await makeEncryptedPdf();
      const big = await makePdf({ pages: 1, padToBytes: 1.5 * 1024 * 1024 });
      const cases: Array<[string, Part[], number, string]> = [
        [
          'word file',
          [
            contractPart({ title: 'x' }),
            {
              name: 'document',
              filename: 'a.docx',
              data: new TextEncoder().encode('PK\u0003\u0004 not a pdf'),
              contentType: 'application/octet-stream',
            },
          ],
          422,
          'PDF_INVALID',
        ],
        [
          'encrypted',
          [contractPart({ title: 'x' }), { name: 'document', filename: 'locked.pdf', data: encrypted }],
          422,
          'PDF_ENCRYPTED',
        ],
        [
          'too large',
          [contractPart({ title: 'x' }), { name: 'document', filename: 'big.pdf', data: big }],
          413,
          'PAYLOAD_TOO_LARGE',
        ],
        ['no document', [contractPart({ title: 'x' })], 400, 'NO_DOCUMENTS'],
        ['no contract', [{ name: 'document', filename: 'a.pdf', data: pdf }], 400, 'VALIDATION_FAILED'],
        ['no title', [contractPart({}), { name: 'document', filename: 'a.pdf', data: pdf }], 400, 'VALIDATION_FAILED'],
        [
          'negative amount',
          [contractPart({ title: 'x', amount: '-1' }), { name: 'document', filename: 'a.pdf', data: pdf }],
          400,
          'INVALID_AMOUNT',
        ],
        [
          'Feb 30',
          [contractPart({ title: 'x', endOn: '2026-02-30' }), { name: 'document', filename: 'a.pdf', data: pdf }],
          400,
          'INVALID_DATE',
        ],
        [
          'end before start',
          [
            contractPart({ title: 'x', startOn: '2026-04-01', endOn: '2026-03-31' }),
            { name: 'document', filename: 'a.pdf', data: pdf },
          ],
          400,
          'DATE_ORDER',
        ],
        [
          'JSON garbage',
          [
            { name: 'contract', value: '{nope' },
            { name: 'document', filename: 'a.pdf', data: pdf },
          ],
          400,
          'VALIDATION_FAILED',
        ],
      ];
      for (const [label, parts, status, code] of cases) {
        const before = await snapshot(h);
        const res = await upload(h.org, parts);
        assert.equal(res.statusCode, status, `${label}: ${res.body}`);
        assert.equal(res.json().error.code, code, label);
        assert.match(res.json().error.message, /[ぁ-んァ-ン一-龥]/, `${label}: Japanese message`);
        assert.deepEqual(await snapshot(h), before, `${label}: nothing written`);
      }
      const notMultipart = await h.api(h.org, 'POST', '/api/v1/contracts/import', { title: 'x' });
      assert.equal(notMultipart.statusCode, 415);
    });

    it('custom fields: administrators define them; PATCH validates values by type; search by field.<key>', async () => {
      const signIn = await h.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email: h.org.admin.email, password: h.org.admin.password },
        remoteAddress: '10.8.0.1',
      });
      const admin = {
        cookie: `inkan_session=${signIn.cookies.find((c) => c.name === 'inkan_session')!.value}`,
        'x-csrf-token': signIn.json().csrfToken,
      };
      const define = (body: unknown, headers = admin) =>
        h.app.inject({ method: 'POST', url: '/api/v1/contracts/fields', headers, payload: body as object });
      assert.equal(
        (await define({ key: 'dept', label: '部署', type: 'choice', choices: ['総務', '営業'] })).statusCode,
        201,
      );
      assert.equal((await define({ key: 'budget', label: '予算', type: 'number' })).statusCode, 201);
      assert.equal(
        (await define({ key: 'dept', label: 'again', type: 'text' })).statusCode,
        400,
        'keys are not redefined',
      );
      assert.equal((await define({ key: 'Bad Key', label: 'x', type: 'text' })).statusCode, 400);
      assert.equal(
        (await h.api(h.org, 'POST', '/api/v1/contracts/fields', { key: 'k', label: 'k', type: 'text' })).statusCode,
        403,
        'API keys are not administrators',
      );
      const fields = (await h.api(h.org, 'GET', '/api/v1/contracts/fields')).json().items;
      assert.deepEqual(
        fields.map((f: { key: string }) => f.key),
        ['budget', 'dept'],
      );

      const id = (await h.api(h.org, 'GET', '/api/v1/contracts')).json().items[0].id;
      const ok = await h.api(h.org, 'PATCH', `/api/v1/contracts/${id}`, {
        fields: { dept: '営業', budget: '１，０００円' },
      });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.deepEqual(ok.json().fields, { budget: 1000, dept: '営業' });
      assert.deepEqual(
        ok
          .json()
          .history.slice(-2)
          .map((r: { field: string }) => r.field)
          .sort(),
        ['field.budget', 'field.dept'],
      );
      for (const bad of [{ dept: '開発' }, { budget: 'many' }, { nope: 'x' }]) {
        const res = await h.api(h.org, 'PATCH', `/api/v1/contracts/${id}`, { fields: bad });
        assert.equal(res.statusCode, 400, JSON.stringify(bad));
      }
      assert.equal(
        (await h.api(h.org, 'GET', `/api/v1/contracts?field.dept=${encodeURIComponent('営業')}`)).json().items.length,
        1,
      );
      assert.equal(
        (await h.api(h.org, 'GET', `/api/v1/contracts?field.dept=${encodeURIComponent('総務')}`)).json().items.length,
        0,
      );
      assert.equal((await h.api(h.org, 'GET', '/api/v1/contracts?empty=field.budget')).json().items.length, 0);
    });

    it('reminder settings: default 60 and 14; administrators change them; bad values refused', async () => {
      assert.deepEqual((await h.api(h.org, 'GET', '/api/v1/contracts/settings')).json(), { reminderDays: [60, 14] });
      assert.equal(
        (await h.api(h.org, 'PUT', '/api/v1/contracts/settings', { reminderDays: [30] })).statusCode,
        403,
        'API keys are not administrators',
      );
      const signIn = await h.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email: h.org.admin.email, password: h.org.admin.password },
        remoteAddress: '10.8.0.2',
      });
      const admin = {
        cookie: `inkan_session=${signIn.cookies.find((c) => c.name === 'inkan_session')!.value}`,
        'x-csrf-token': signIn.json().csrfToken,
      };
      const put = (body: unknown) =>
        h.app.inject({ method: 'PUT', url: '/api/v1/contracts/settings', headers: admin, payload: body as object });
      assert.deepEqual((await put({ reminderDays: [7, 90, 30] })).json(), { reminderDays: [90, 30, 7] });
      for (const bad of [
        { reminderDays: [0] },
        { reminderDays: [400] },
        { reminderDays: [1, 2, 3, 4, 5, 6] },
        { reminderDays: 'x' },
      ]) {
        assert.equal((await put(bad)).statusCode, 400, JSON.stringify(bad));
      }
      assert.deepEqual((await h.api(h.org, 'GET', '/api/v1/contracts/settings')).json(), { reminderDays: [90, 30, 7] });
      assert.deepEqual((await h.api(h.other, 'GET', '/api/v1/contracts/settings')).json(), { reminderDays: [60, 14] });
    });
  });
}
