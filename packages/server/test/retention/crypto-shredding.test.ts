// Crypto-shredding end to end on SQLite and PostgreSQL: an envelope completes (original, signed
// versions, sealed file, certificate of completion, register entry); the organisation sets its periods
// (保存期間) and a legal hold; ten years on (controlled clock) the hold keeps everything readable; once
// released, the retention sweep destroys the data keys: every blob stays on disk but cannot be decrypted
// by anyone (the old wrapped keys are gone from the database files), downloads answer 410 with a
// Japanese message, one tombstone event per file names it and its SHA-256, and `inkan audit verify`
// (the real CLI) still passes.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { blobObjectPath } from '../../src/adapters/blob/encrypted-blob-store.ts';
import { sqlitePathOf } from '../../src/adapters/db/open-database.ts';
import { shredExpiredDocuments } from '../../src/domain/use-cases/shred-expired-documents.ts';
import { startHarness, type Harness } from '../api/helpers/harness.ts';
import { asSender, completeEnvelope, downloadToken, signIn, type SenderSession } from '../evidence/helpers/flow.ts';
import { runInkan } from '../helpers/run-inkan.ts';
import { DIALECTS } from '../helpers/test-database.ts';

const YEAR_MS = 365.25 * 24 * 3600_000;

for (const dialect of DIALECTS) {
  describe(`crypto-shredding at the end of retention (${dialect})`, () => {
    let h: Harness;
    let admin: SenderSession;
    let envelopeId: string;
    let contractId: string;
    let blobKeys: string[];
    let wrappedBefore: string[];

    const envelopeBlobs = async (): Promise<string[]> => {
      const db = h.context.db;
      const documents = await db
        .selectFrom('documents')
        .select(['blob_original', 'blob_current'])
        .where('envelope_id', '=', envelopeId)
        .execute();
      const versions = await db
        .selectFrom('superseded_blobs')
        .select('blob_key')
        .where('envelope_id', '=', envelopeId)
        .execute();
      const envelope = await db
        .selectFrom('envelopes')
        .select('certificate_blob')
        .where('id', '=', envelopeId)
        .executeTakeFirstOrThrow();
      const archived = await db
        .selectFrom('archive_versions')
        .select('blob')
        .where('envelope_id', '=', envelopeId)
        .execute();
      return [
        ...new Set([
          ...documents.flatMap((d) => [d.blob_original, d.blob_current]),
          ...versions.map((v) => v.blob_key),
          envelope.certificate_blob!,
          ...archived.map((a) => a.blob),
        ]),
      ];
    };
    const auditVerify = () =>
      runInkan(['audit', 'verify'], {
        dataDir: h.test.dataDir,
        env: {
          INKAN_ENV: 'test',
          INKAN_SIGNING_KEY_ALGORITHM: 'ECDSA-P256',
          ...(h.test.database.url ? { INKAN_DATABASE_URL: h.test.database.url } : {}),
        },
      });

    before(async () => {
      h = await startHarness(dialect);
      envelopeId = await completeEnvelope(h, h.org, {
        name: '業務委託契約書',
        recipients: [{ name: '山田 太郎', email: 'yamada@example.jp', code: '1234' }],
        documents: [{ filename: 'contract.pdf', data: await makePdf({ pages: 1, text: 'Secret clause XYZZY-4711' }) }],
      });
      const entry = await h.context.db
        .selectFrom('contracts')
        .select('id')
        .where('envelope_id', '=', envelopeId)
        .where('organization_id', '=', h.org.id)
        .executeTakeFirstOrThrow();
      contractId = entry.id;
      // An LTA renewal (issue 13 part 5) writes each new version to a blob of its own: shredding must reach it.
      const document = await h.context.db
        .selectFrom('documents')
        .select(['id', 'name', 'sha256_current'])
        .where('envelope_id', '=', envelopeId)
        .executeTakeFirstOrThrow();
      const renewedBytes = await makePdf({ pages: 1, text: 'Secret clause XYZZY-4711 (renewed version)' });
      const renewedBlob = await h.context.blobs.put(renewedBytes);
      const at = new Date().toISOString();
      await h.context.db
        .insertInto('archive_versions')
        .values({
          id: crypto.randomUUID(),
          organization_id: h.org.id,
          envelope_id: envelopeId,
          subject_id: document.id,
          subject_kind: 'document',
          name: document.name,
          version: 2,
          blob: renewedBlob,
          size: renewedBytes.length,
          sha256: 'f'.repeat(64),
          sha256_original: document.sha256_current,
          sha256_previous: document.sha256_current,
          timestamp_at: at,
          tsa_subject: 'CN=test TSA',
          tsa_expires_at: at,
          timestamp_hash: 'SHA-256',
          reason: 'tsa-expiry',
          current: 1,
          recorded_at: at,
          renewed_at: at,
        })
        .execute();
      admin = await signIn(h, h.org.admin.email, h.org.admin.password);
      blobKeys = await envelopeBlobs();
      const keys = await h.context.db
        .selectFrom('document_keys')
        .select('wrapped_key')
        .where('blob_key', 'in', blobKeys)
        .execute();
      wrappedBefore = keys.map((k) => k.wrapped_key!);
    });
    after(async () => h?.close());

    it('stores every file of the envelope as a v2 blob whose key is in the database', async () => {
      const text = await h.context.db
        .selectFrom('contract_texts')
        .select('extracted')
        .where('contract_id', '=', contractId)
        .executeTakeFirstOrThrow();
      assert.match(text.extracted, /XYZZY-4711/, 'the register read the PDF’s text');
      // original, stamped, signed, sealed, certificate: all different files.
      assert.ok(blobKeys.length >= 4, `files: ${blobKeys.length}`);
      assert.equal(wrappedBefore.length, blobKeys.length, 'one data key row per blob');
      for (const key of blobKeys) {
        const stored = await h.context.blobs.get(key);
        assert.equal(Buffer.from(stored.subarray(0, 5)).toString('latin1'), '%PDF-');
        const raw = readFileSync(join(h.test.dataDir, 'blobs', blobObjectPath(key)));
        assert.equal(raw.subarray(0, 4).toString('latin1'), 'INKB');
        assert.equal(raw[4], 2, 'format v2');
      }
    });

    it('sets retention periods (保存期間) and a legal hold through the API, each an event', async () => {
      const bad = await asSender(h, admin, 'PUT', '/api/v1/admin/retention', { defaultYears: 0, rules: [] });
      assert.equal(bad.statusCode, 400, bad.body);
      const set = await asSender(h, admin, 'PUT', '/api/v1/admin/retention', {
        defaultYears: 7,
        rules: [{ documentType: 'source:import', years: 5 }],
      });
      assert.equal(set.statusCode, 200, set.body);
      assert.equal(set.json().defaultYears, 7);
      const status = await asSender(h, admin, 'GET', `/api/v1/contracts/${contractId}/retention`);
      assert.equal(status.statusCode, 200, status.body);
      assert.equal(status.json().retention.years, 7);
      assert.equal(status.json().retention.documentType, 'default');
      const hold = await asSender(h, admin, 'POST', `/api/v1/envelopes/${envelopeId}/legal-hold`, {
        reason: '訴訟対応のため保全',
      });
      assert.equal(hold.statusCode, 201, hold.body);
      const twice = await asSender(h, admin, 'POST', `/api/v1/envelopes/${envelopeId}/legal-hold`, { reason: 'x' });
      assert.equal(twice.statusCode, 409);
      assert.equal(twice.json().error.code, 'LEGAL_HOLD_EXISTS');
      const other = await signIn(h, h.other.admin.email, h.other.admin.password);
      const foreign = await asSender(h, other, 'POST', `/api/v1/contracts/${contractId}/legal-hold`, { reason: 'x' });
      assert.equal(foreign.statusCode, 404, 'another organisation cannot see the contract');
      const viewer = await signIn(h, h.org.viewer.email, h.org.viewer.password);
      const refused = await asSender(h, viewer, 'POST', `/api/v1/contracts/${contractId}/legal-hold`, { reason: 'x' });
      assert.equal(refused.statusCode, 403);
      const seen = await asSender(h, admin, 'GET', `/api/v1/contracts/${contractId}/retention`);
      assert.equal(
        seen.json().hold.reason,
        '訴訟対応のため保全',
        'a hold on the envelope keeps its register entry too',
      );
      const linked = await asSender(h, admin, 'POST', `/api/v1/contracts/${contractId}/legal-hold`, { reason: 'y' });
      assert.equal(linked.statusCode, 409, 'the envelope’s hold already keeps the entry');
      const foreignStatus = await asSender(h, other, 'GET', `/api/v1/envelopes/${envelopeId}/retention`);
      assert.equal(foreignStatus.statusCode, 404);
    });

    it('keeps everything under a legal hold after the period ended', async () => {
      h.clock.advance(7 * YEAR_MS + 3 * 24 * 3600_000);
      admin = await signIn(h, h.org.admin.email, h.org.admin.password);
      const run = await shredExpiredDocuments(h.context);
      assert.deepEqual(run, { shredded: 0, files: 0, held: 1 });
      for (const key of blobKeys) await h.context.blobs.get(key);
      const download = await asSender(h, admin, 'GET', `/api/v1/contracts/${contractId}/certificate`);
      assert.equal(download.statusCode, 200);
      const settings = await asSender(h, admin, 'GET', '/api/v1/admin/retention');
      assert.deepEqual(
        (settings.json().upcoming as Array<{ subjectId: string; held: boolean; years: number }>).map((u) => [
          u.subjectId,
          u.held,
          u.years,
        ]),
        [[contractId, true, 7]],
        'past its end, kept by the hold',
      );
    });

    it('shreds once the hold is released: blobs stay but no key opens them; 410 on download; tombstones', async () => {
      const released = await asSender(h, admin, 'POST', `/api/v1/envelopes/${envelopeId}/legal-hold/release`, {
        reason: '訴訟終結',
      });
      assert.equal(released.statusCode, 204, released.body);
      const documents = await h.context.db
        .selectFrom('documents')
        .select(['id', 'name', 'sha256_current'])
        .where('envelope_id', '=', envelopeId)
        .execute();
      const run = await shredExpiredDocuments(h.context);
      assert.equal(run.shredded, 1);
      assert.equal(run.held, 0);
      assert.equal(run.files, blobKeys.length);

      for (const key of blobKeys) {
        await assert.rejects(h.context.blobs.get(key), (error: Error & { code?: string }) => {
          assert.equal(error.code, 'BLOB_SHREDDED');
          return true;
        });
        // Crypto-shredding: the ciphertext is still there, its key is not.
        assert.ok(existsSync(join(h.test.dataDir, 'blobs', blobObjectPath(key))));
      }
      const rows = await h.context.db
        .selectFrom('document_keys')
        .select(['wrapped_key', 'destroyed_at', 'destroy_reason'])
        .where('blob_key', 'in', blobKeys)
        .execute();
      assert.equal(rows.length, blobKeys.length);
      for (const row of rows) {
        assert.equal(row.wrapped_key, null);
        assert.ok(row.destroyed_at);
        assert.equal(row.destroy_reason, 'retention-period-ended');
      }
      const text = await h.context.db
        .selectFrom('contract_texts')
        .select(['extracted', 'search_norm'])
        .where('contract_id', '=', contractId)
        .executeTakeFirstOrThrow();
      assert.equal(text.extracted, '', 'the text read from the PDF is gone');
      assert.doesNotMatch(text.search_norm, /xyzzy/);
      // Not even the master key helps: no copy of a wrapped key is left in the database's files.
      if (dialect === 'sqlite') {
        const file = sqlitePathOf(h.test.database.url, h.test.dataDir);
        const bytes = Buffer.concat([file, `${file}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f)));
        for (const wrapped of wrappedBefore)
          assert.equal(bytes.indexOf(Buffer.from(wrapped, 'latin1')), -1, 'a destroyed key is still in the file');
        assert.equal(bytes.indexOf(Buffer.from('xyzzy-4711')), -1, 'the extracted text is still in the file');
      } else {
        const found = await h.context.db
          .selectFrom('document_keys')
          .select('key_id')
          .where('wrapped_key', 'in', wrappedBefore)
          .execute();
        assert.deepEqual(found, []);
      }

      const envelope = await h.context.db
        .selectFrom('envelopes')
        .select('shredded_at')
        .where('id', '=', envelopeId)
        .executeTakeFirstOrThrow();
      assert.ok(envelope.shredded_at);
      const sender = await asSender(h, admin, 'GET', `/api/v1/envelopes/${envelopeId}/documents/${documents[0]!.id}`);
      assert.equal(sender.statusCode, 410, sender.body);
      assert.equal(sender.json().error.code, 'DOCUMENT_SHREDDED');
      assert.match(sender.json().error.message, /保存期間の満了により消去/);
      const entry = await asSender(h, admin, 'GET', `/api/v1/contracts/${contractId}/certificate`);
      assert.equal(entry.statusCode, 410);
      const english = await h.api(h.org, 'GET', `/api/v1/envelopes/${envelopeId}/certificate`);
      assert.equal(english.statusCode, 410);
      assert.match(english.json().error.message, /retention period/);
      const link = await h.app.inject({
        method: 'GET',
        url: `/api/download/${await downloadToken(h, 'yamada@example.jp')}/documents/${documents[0]!.id}`,
      });
      assert.equal(link.statusCode, 410, link.body);

      const tombstones = await h.context.db
        .selectFrom('events')
        .select(['details', 'envelope_id', 'actor_type'])
        .where('action', '=', 'document.shredded')
        .execute();
      assert.equal(tombstones.length, blobKeys.length);
      const details = tombstones.map((t) => JSON.parse(t.details) as Record<string, unknown>);
      const signed = details.find((d) => d.kind === 'signed');
      assert.equal(signed?.sha256, documents[0]!.sha256_current);
      assert.equal(signed?.name, documents[0]!.name);
      assert.equal(signed?.method, 'key-destroyed');
      assert.deepEqual((signed?.rule as { documentType: string; years: number }).documentType, 'default');
      assert.equal((signed?.rule as { years: number }).years, 7);
      assert.ok(details.some((d) => d.kind === 'certificate'));
      assert.ok(tombstones.every((t) => t.envelope_id === envelopeId && t.actor_type === 'system'));

      const again = await shredExpiredDocuments(h.context);
      assert.deepEqual(again, { shredded: 0, files: 0, held: 0 }, 'nothing is shredded twice');
      const late = await asSender(h, admin, 'POST', `/api/v1/contracts/${contractId}/legal-hold`, { reason: '遅い' });
      assert.equal(late.statusCode, 410, 'nothing left to hold');
    });

    it('leaves an intact operation log: `inkan audit verify` passes', async () => {
      const result = await auditVerify();
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /operation log intact/);
    });
  });
}
