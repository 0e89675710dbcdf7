// Issue 13 part 2 through the HTTP API, on SQLite and PostgreSQL: a template made from a draft (its
// documents, roles and fields), permissions (members use, admins or the creator edit, another
// organisation gets 404), テンプレートから作成, and bulk send from a CSV — the proof: 200 rows
// with 3 invalid ones reported (row, column, code, ja/en) before anything is sent, then 197 envelopes
// made and their signers mailed over real SMTP; 1,501 rows refused; a double submission sends once; a
// row whose job stopped after making its envelope is finished by the next run without a second one.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { startSmtpSink, type SmtpSink } from '../e2e/helpers/smtp-sink.ts';
import { createEnvelopeFromTemplate } from '../../src/domain/use-cases/create-envelope-from-template.ts';
import { sendBulkRow } from '../../src/domain/use-cases/send-bulk-row.ts';
import { recordJobFailure } from '../../src/domain/use-cases/record-job-failure.ts';
import { inTransaction } from '../../src/domain/transaction.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { addMember, asSession, signIn } from '../api/helpers/admin-session.ts';
import { startHarness, type Harness } from '../api/helpers/harness.ts';
import { templateFromDraft } from './helpers/template-from-draft.ts';

const HEADER = '取引先:氏名,取引先:メールアドレス,取引先:アクセスコード,控え:氏名,控え:メールアドレス,会社名';
/** The same header and one row, as Japanese Excel saves it (Shift_JIS). */
const SHIFT_JIS_CSV = Buffer.from(
  '8ee688f890e63a8e8196bc2c8ee688f890e63a8381815b838b83418368838c83582c8ee688f890e63a8341834e835a83588352815b83682c8d5482a63a8e8196bc2c8d5482a63a8381815b838b83418368838c83582c89ef8ed096bc0d0a8e5293632091be98592c736a69732d31406578616d706c652e6a702c313233342c8d5482a62089d48e712c63632d736a6973406578616d706c652e6a702c8a948eae89ef8ed08ca9967b0d0a',
  'hex',
);

/** A bulk file of `count` rows; `bad` maps a row number (1 = first row) to a change making it invalid. */
function bulkCsv(count: number, tag: string, bad: Record<number, (cells: string[]) => void> = {}): string {
  const lines = ['\uFEFF' + HEADER];
  for (let row = 1; row <= count; row++) {
    const cells = [
      `取引先 ${row}`,
      `signer-${tag}-${row}@example.jp`,
      row % 2 === 0 ? '' : String(1000 + row),
      `控え ${row}`,
      `cc-${tag}@example.jp`,
      `株式会社テスト${row}`,
    ];
    bad[row]?.(cells);
    lines.push(cells.join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

const COUNTED = ['bulk_sends', 'bulk_send_rows', 'envelopes', 'jobs', 'mails', 'events'] as const;

for (const dialect of DIALECTS) {
  describe(`templates and bulk send (${dialect})`, () => {
    let h: Harness;
    let smtp: SmtpSink;
    let templateId: string;
    let roles: Array<{ id: string; name: string; role: string }>;

    before(async () => {
      smtp = await startSmtpSink();
      h = await startHarness(dialect, { env: { INKAN_SMTP_URL: `smtp://127.0.0.1:${smtp.port}` } });
    });
    after(async () => {
      await h?.close();
      await smtp?.close();
    });

    const counts = async () => {
      const out: Record<string, number> = {};
      for (const table of COUNTED) {
        const row = await h.context.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        out[table] = Number(row.n);
      }
      return out;
    };
    const postCsv = (url: string, csv: string | Buffer, headers: Record<string, string> = {}) =>
      h.app.inject({
        method: 'POST',
        url,
        payload: csv,
        headers: { authorization: `Bearer ${h.org.apiKey}`, 'content-type': 'text/csv', ...headers },
      });

    it('makes a template from a draft: copies of its documents, one role per recipient, the fields per role', async () => {
      const template = await templateFromDraft(h, 'api-key', {
        pdf: await makePdf({ pages: 1, text: 'Template contract' }),
        message: 'ご確認ください。',
        recipients: [
          { name: '見本 太郎', email: 'sample@example.jp', accessCode: '1234', order: 1 },
          { name: '控え 担当', email: 'cc@example.jp', role: 'cc' },
        ],
        roleNames: ['取引先', '控え'],
      });
      templateId = template.id;
      roles = template.roles;
      assert.deepEqual(
        template.roles.map((r) => [r.name, r.role, r.order]),
        [
          ['取引先', 'signer', 1],
          ['控え', 'cc', 0],
        ],
      );
      assert.equal(template.documents.length, 1);
      assert.equal(template.fields.length, 1);
      assert.equal(template.fields[0].roleId, roles[0].id);
      assert.equal(template.subject, '業務委託契約書');

      // A placeholder in the 件名 (only an admin or the creator may change it: the API key needs `admin`).
      const byKey = await h.api(h.org, 'PATCH', `/api/v1/templates/${templateId}`, { subject: 'x' });
      assert.equal(byKey.statusCode, 403, byKey.body);
      assert.equal(byKey.json().error.code, 'API_KEY_SCOPE');
      const admin = await signIn(h, h.org.admin);
      const patched = await asSession(h, admin, 'PATCH', `/api/v1/templates/${templateId}`, {
        subject: '業務委託契約書（{{会社名}}）',
        message: '{{会社名}} 御中\nご確認のうえ署名をお願いします。',
      });
      assert.equal(patched.statusCode, 200, patched.body);
      assert.deepEqual(patched.json().placeholders, ['会社名']);

      // A member (not the creator) uses it but cannot change or delete it; a viewer cannot use it.
      const member = await signIn(h, await addMember(h, h.org, 'member'));
      assert.equal((await asSession(h, member, 'GET', `/api/v1/templates/${templateId}`)).json().editable, false);
      const memberEdit = await asSession(h, member, 'PATCH', `/api/v1/templates/${templateId}`, { name: 'x' });
      assert.equal(memberEdit.statusCode, 403);
      assert.equal(memberEdit.json().error.code, 'FORBIDDEN');
      assert.equal((await asSession(h, member, 'DELETE', `/api/v1/templates/${templateId}`)).statusCode, 403);
      const viewer = await signIn(h, h.org.viewer);
      const viewerUse = await asSession(h, viewer, 'POST', `/api/v1/templates/${templateId}/envelopes`, { people: [] });
      assert.equal(viewerUse.statusCode, 403);

      // Another organisation: 404 for every verb, and its list does not show it.
      for (const [method, url, body] of [
        ['GET', `/api/v1/templates/${templateId}`, undefined],
        ['PATCH', `/api/v1/templates/${templateId}`, { name: 'x' }],
        ['DELETE', `/api/v1/templates/${templateId}`, undefined],
        ['POST', `/api/v1/templates/${templateId}/envelopes`, { people: [] }],
      ] as const) {
        const res = await h.app.inject({
          method,
          url,
          headers: { authorization: `Bearer ${h.other.apiKey}` },
          ...(body ? { payload: body } : {}),
        });
        assert.equal(res.statusCode, method === 'GET' || method === 'POST' ? 404 : 403, `${method} ${res.body}`);
      }
      const otherAdmin = await signIn(h, h.other.admin);
      for (const method of ['PATCH', 'DELETE'] as const) {
        const res = await asSession(
          h,
          otherAdmin,
          method,
          `/api/v1/templates/${templateId}`,
          method === 'PATCH' ? { name: 'x' } : undefined,
        );
        assert.equal(res.statusCode, 404, res.body);
      }
      const otherList = await h.app.inject({
        method: 'GET',
        url: '/api/v1/templates',
        headers: { authorization: `Bearer ${h.other.apiKey}` },
      });
      assert.deepEqual(otherList.json().items, []);
      const otherCsv = await h.app.inject({
        method: 'POST',
        url: `/api/v1/templates/${templateId}/bulk-sends/validate`,
        payload: bulkCsv(1, 'other'),
        headers: { authorization: `Bearer ${h.other.apiKey}`, 'content-type': 'text/csv' },
      });
      assert.equal(otherCsv.statusCode, 404);
    });

    it('テンプレートから作成: a draft with the roles filled, the fields placed for them and the placeholders filled', async () => {
      const missing = await h.api(h.org, 'POST', `/api/v1/templates/${templateId}/envelopes`, {
        people: [{ roleId: roles[0].id, name: '山田 太郎', email: 'yamada@example.jp' }],
        variables: { 会社名: '株式会社山田' },
      });
      assert.equal(missing.statusCode, 400, missing.body);
      const res = await h.api(h.org, 'POST', `/api/v1/templates/${templateId}/envelopes`, {
        people: [
          { roleId: roles[0].id, name: '山田 太郎', email: 'yamada@example.jp' },
          { roleId: roles[1].id, name: '控え 花子', email: 'hanako@example.jp' },
        ],
        variables: { 会社名: '株式会社山田' },
      });
      assert.equal(res.statusCode, 201, res.body);
      const envelope = res.json();
      assert.equal(envelope.status, 'draft');
      assert.equal(envelope.name, '業務委託契約書（株式会社山田）');
      assert.match(envelope.message, /^株式会社山田 御中/);
      assert.deepEqual(
        envelope.recipients.map((r: { email: string; role: string }) => [r.email, r.role]),
        [
          ['yamada@example.jp', 'signer'],
          ['hanako@example.jp', 'cc'],
        ],
      );
      const fields = (await h.api(h.org, 'GET', `/api/v1/envelopes/${envelope.id}/fields`)).json().items;
      assert.equal(fields.length, 1);
      assert.equal(fields[0].recipientId, envelope.recipients[0].id);
      assert.equal(fields[0].kind, 'seal');
    });

    it('bulk send of 200 rows with 3 invalid ones: reported before sending, then 197 envelopes mailed over SMTP', async () => {
      const csv = bulkCsv(200, `p-${dialect}`, {
        17: (cells) => (cells[1] = 'not-an-address'),
        88: (cells) => (cells[2] = '12ab'),
        150: (cells) => (cells[5] = ''),
      });
      const before = await counts();
      const validated = await postCsv(`/api/v1/templates/${templateId}/bulk-sends/validate`, csv, {
        'accept-language': 'ja',
      });
      assert.equal(validated.statusCode, 200, validated.body);
      const report = validated.json();
      assert.equal(report.totalRows, 200);
      assert.equal(report.validRows, 197);
      assert.equal(report.invalidRows, 3);
      assert.deepEqual(
        report.errors.map((e: { row: number; column: string; code: string }) => [e.row, e.column, e.code]),
        [
          [17, '取引先:メールアドレス', 'INVALID_EMAIL'],
          [88, '取引先:アクセスコード', 'INVALID_ACCESS_CODE_FORMAT'],
          [150, '会社名', 'VALIDATION_FAILED'],
        ],
      );
      assert.equal(report.errors[0].message.ja, 'メールアドレスの形式が正しくありません。');
      assert.equal(report.errors[0].message.en, 'The e-mail address is not valid.');
      assert.deepEqual(await counts(), before, 'validation writes nothing and sends nothing');

      const key = `bulk-proof-${dialect}-0000000000`;
      const sent = await postCsv(`/api/v1/templates/${templateId}/bulk-sends?fileName=proof.csv`, csv, {
        'idempotency-key': key,
      });
      assert.equal(sent.statusCode, 202, sent.body);
      const bulk = sent.json();
      assert.equal(bulk.queued, 197);
      assert.equal(bulk.pending, 197);
      assert.equal(bulk.report.invalidRows, 3);
      // A second click with the same key: the same bulk send, nothing queued twice.
      const again = await postCsv(`/api/v1/templates/${templateId}/bulk-sends`, csv, { 'idempotency-key': key });
      assert.equal(again.statusCode, 200, again.body);
      assert.equal(again.json().id, bulk.id);
      assert.equal((await counts()).bulk_send_rows, before.bulk_send_rows + 197);

      await h.runJobs();
      const progress = (await h.api(h.org, 'GET', `/api/v1/bulk-sends/${bulk.id}`)).json();
      assert.deepEqual([progress.sent, progress.failed, progress.pending, progress.done], [197, 0, 0, true]);
      const rows = (await h.api(h.org, 'GET', `/api/v1/bulk-sends/${bulk.id}/rows`)).json().items;
      assert.equal(rows.length, 197);
      assert.deepEqual(
        [17, 88, 150].filter((n) => rows.some((r: { row: number }) => r.row === n)),
        [],
        'invalid rows were not sent',
      );
      const envelopes = await h.context.db
        .selectFrom('envelopes')
        .select(['id', 'name', 'status'])
        .where(
          'id',
          'in',
          rows.map((r: { envelopeId: string }) => r.envelopeId),
        )
        .execute();
      assert.equal(envelopes.length, 197);
      assert.ok(envelopes.every((e) => e.status === 'sent'));
      assert.ok(envelopes.some((e) => e.name === '業務委託契約書（株式会社テスト200）'));

      // Every valid row's signer got exactly one signing request over SMTP; the invalid rows' got none.
      await waitFor(() => smtp.messages.filter((m) => m.to[0]?.startsWith(`signer-p-${dialect}-`)).length >= 197, {
        what: '197 signing request mails',
      });
      for (let row = 1; row <= 200; row++) {
        const got = smtp.to(`signer-p-${dialect}-${row}@example.jp`);
        assert.equal(got.length, [17, 88, 150].includes(row) ? 0 : 1, `row ${row}`);
      }
      const first = smtp.to(`signer-p-${dialect}-1@example.jp`)[0];
      assert.match(first.text, /業務委託契約書（株式会社テスト1）/);

      // The results as CSV: one line per queued row, formula-safe, with the envelope's link.
      const download = await h.api(h.org, 'GET', `/api/v1/bulk-sends/${bulk.id}/results.csv`);
      assert.equal(download.statusCode, 200);
      const lines = download.body
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n');
      assert.equal(lines.length, 198);
      assert.match(lines[1], /^1,sent,業務委託契約書（株式会社テスト1）,http:\/\/inkan\.test\/envelopes\//);
      const other = await h.app.inject({
        method: 'GET',
        url: `/api/v1/bulk-sends/${bulk.id}`,
        headers: { authorization: `Bearer ${h.other.apiKey}` },
      });
      assert.equal(other.statusCode, 404);
    });

    it('refuses 1,501 rows, a missing column and a file without valid rows, writing nothing', async () => {
      const before = await counts();
      for (const [csv, code] of [
        [bulkCsv(1501, 'many'), 'BULK_TOO_MANY_ROWS'],
        [`${HEADER.replace(',会社名', '')}\r\nA,a@example.jp,,B,b@example.jp\r\n`, 'VALIDATION_FAILED'],
        [bulkCsv(2, 'none', { 1: (c) => (c[1] = 'x'), 2: (c) => (c[1] = 'y') }), 'BULK_NOTHING_TO_SEND'],
      ] as const) {
        for (const url of [
          `/api/v1/templates/${templateId}/bulk-sends`,
          `/api/v1/templates/${templateId}/bulk-sends/validate`,
        ]) {
          if (code === 'BULK_NOTHING_TO_SEND' && url.endsWith('validate')) continue;
          const res = await postCsv(url, csv, {
            'idempotency-key': 'refused-0000000000000000',
            'accept-language': 'ja',
          });
          assert.equal(res.statusCode, 400, res.body);
          assert.equal(res.json().error.code, code);
          if (code === 'BULK_TOO_MANY_ROWS') assert.match(res.json().error.message, /1,500 行まで/);
        }
      }
      const tooBig = await postCsv(
        `/api/v1/templates/${templateId}/bulk-sends/validate`,
        'x'.repeat(2 * 1024 * 1024 + 1),
      );
      assert.equal(tooBig.statusCode, 413);
      assert.deepEqual(await counts(), before);
    });

    it('reads a Shift_JIS file', async () => {
      const res = await postCsv(`/api/v1/templates/${templateId}/bulk-sends/validate`, SHIFT_JIS_CSV);
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual([res.json().validRows, res.json().errors], [1, []]);
    });

    it('a session needs its CSRF token to send; deleting a template fails its pending rows and keeps envelopes made before', async () => {
      const admin = await signIn(h, h.org.admin);
      const csv = bulkCsv(2, `csrf-${dialect}`);
      const noCsrf = await asSession(h, admin, 'POST', `/api/v1/templates/${templateId}/bulk-sends`, csv, {
        csrf: false,
        headers: { 'content-type': 'text/csv', 'idempotency-key': `csrf-${dialect}-000000000000000` },
      });
      assert.equal(noCsrf.statusCode, 403);
      assert.equal(noCsrf.json().error.code, 'CSRF_FAILED');

      // A second template (the other tests keep using the first), one row sent, one still queued.
      const draft = await h.createEnvelope(
        h.org,
        { name: '削除テスト', recipients: [{ name: '見本', email: 'del@example.jp', order: 1 }] },
        [{ filename: 'a.pdf', data: await makePdf({ pages: 1, text: 'Delete' }) }],
      );
      const made = await asSession(h, admin, 'POST', '/api/v1/templates', {
        envelopeId: draft.json().id,
        name: '削除用',
      });
      assert.equal(made.statusCode, 201, made.body);
      const doomed = made.json();
      const file = `署名者1:氏名,署名者1:メールアドレス\r\nA,a-${dialect}@example.jp\r\nB,b-${dialect}@example.jp\r\n`;
      const first = await postCsv(`/api/v1/templates/${doomed.id}/bulk-sends`, file, {
        'idempotency-key': `delete-${dialect}-0000000000000`,
      });
      assert.equal(first.statusCode, 202, first.body);
      const rows = await h.context.db
        .selectFrom('bulk_send_rows')
        .select(['id', 'row_number'])
        .where('bulk_send_id', '=', first.json().id)
        .orderBy('row_number')
        .execute();
      await sendBulkRow(h.context, { rowId: rows[0]!.id });
      const deleted = await asSession(h, admin, 'DELETE', `/api/v1/templates/${doomed.id}`);
      assert.equal(deleted.statusCode, 204, deleted.body);
      assert.equal((await h.api(h.org, 'GET', `/api/v1/templates/${doomed.id}`)).statusCode, 404);
      await h.runJobs();
      const results = (await h.api(h.org, 'GET', `/api/v1/bulk-sends/${first.json().id}/rows`)).json().items;
      assert.deepEqual(
        results.map((r: { row: number; status: string; errorCode: string | null }) => [r.row, r.status, r.errorCode]),
        [
          [1, 'sent', null],
          [2, 'failed', 'NOT_FOUND'],
        ],
      );
      const kept = await h.api(h.org, 'GET', `/api/v1/envelopes/${results[0].envelopeId}`);
      assert.equal(kept.json().status, 'sent');
    });

    it('a row whose job failed for good is marked failed (JOB_FAILED), so its bulk send finishes', async () => {
      const sent = await postCsv(`/api/v1/templates/${templateId}/bulk-sends`, bulkCsv(1, `gaveup-${dialect}`), {
        'idempotency-key': `gaveup-${dialect}-000000000000`,
      });
      assert.equal(sent.statusCode, 202, sent.body);
      const row = await h.context.db
        .selectFrom('bulk_send_rows')
        .select('id')
        .where('bulk_send_id', '=', sent.json().id)
        .executeTakeFirstOrThrow();
      // What the queue's onFailed does after the last attempt.
      await inTransaction(h.context.db, h.context.dialect, (tx) =>
        recordJobFailure(h.context, tx, {
          id: randomUUID(),
          kind: 'bulk.send-row',
          attempt: 5,
          payload: { rowId: row.id },
          at: h.clock.now(),
        }),
      );
      const progress = (await h.api(h.org, 'GET', `/api/v1/bulk-sends/${sent.json().id}`)).json();
      assert.deepEqual([progress.failed, progress.pending, progress.done], [1, 0, true]);
      const failedEvent = await h.context.db
        .selectFrom('events')
        .select('organization_id')
        .where('action', '=', 'job.failed')
        .orderBy('seq', 'desc')
        .executeTakeFirstOrThrow();
      assert.equal(failedEvent.organization_id, h.org.id);
      // The simulated failure named no real job: its notice and the row's own queued job are left out.
      await h.context.db
        .deleteFrom('jobs')
        .where('kind', 'in', ['bulk.send-row', 'mail.job-failed'])
        .where('status', '=', 'queued')
        .execute();
    });

    it('a row whose job stopped after making its envelope is sent by the next run, without a second envelope', async () => {
      const sent = await postCsv(`/api/v1/templates/${templateId}/bulk-sends`, bulkCsv(2, `resume-${dialect}`), {
        'idempotency-key': `resume-${dialect}-000000000000`,
      });
      assert.equal(sent.statusCode, 202, sent.body);
      const bulk = sent.json();
      const row = await h.context.db
        .selectFrom('bulk_send_rows')
        .selectAll()
        .where('bulk_send_id', '=', bulk.id)
        .where('row_number', '=', 1)
        .executeTakeFirstOrThrow();
      // What the job does before it sends, as if the worker died right after: the envelope, recorded on the row.
      const data = JSON.parse(row.data) as { people: Array<{ roleId: string; name: string; email: string }> };
      const draft = await createEnvelopeFromTemplate(h.context, {
        organizationId: h.org.id,
        actor: { type: 'user', id: h.org.admin.id },
        templateId,
        people: data.people,
        variables: { 会社名: '株式会社テスト1' },
        within: async (tx, envelopeId) => {
          await tx.updateTable('bulk_send_rows').set({ envelope_id: envelopeId }).where('id', '=', row.id).execute();
        },
      });
      const envelopesBefore = (await counts()).envelopes;
      await h.runJobs();
      assert.equal((await counts()).envelopes, envelopesBefore + 1, 'only row 2 made a new envelope');
      const rows = (await h.api(h.org, 'GET', `/api/v1/bulk-sends/${bulk.id}/rows`)).json().items;
      assert.deepEqual(
        rows.map((r: { row: number; status: string }) => [r.row, r.status]),
        [
          [1, 'sent'],
          [2, 'sent'],
        ],
      );
      assert.equal(rows[0].envelopeId, draft.envelope.id);
      const status = await h.context.db
        .selectFrom('envelopes')
        .select('status')
        .where('id', '=', draft.envelope.id)
        .executeTakeFirstOrThrow();
      assert.equal(status.status, 'sent');
    });
  });
}
