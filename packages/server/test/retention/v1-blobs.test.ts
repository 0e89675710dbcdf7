// An installation from before migration 020 keeps working: its blobs are format v1 (the data key
// wrapped in the blob's own header under the master key). Here an envelope is completed with the v1
// writer, then the installation runs today's code: the v1 documents download as before, new blobs are
// v2, `inkan keys rotate` leaves v1 blobs alone, a backup restores both kinds into a fresh installation,
// and shredding a v1 envelope deletes its files (their key cannot be destroyed apart from them), records
// tombstones with method "blob-deleted", answers 410 and keeps `inkan audit verify` passing.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { blobObjectPath, EncryptedBlobStore } from '../../src/adapters/blob/encrypted-blob-store.ts';
import { openObjectStore } from '../../src/adapters/storage/object-store.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createContext } from '../../src/context.ts';
import type { BlobStore } from '../../src/ports/blob-store.ts';
import { shredExpiredDocuments } from '../../src/domain/use-cases/shred-expired-documents.ts';
import { readMasterKey } from '../../src/security/server-keys.ts';
import { startHarness, type Harness } from '../api/helpers/harness.ts';
import { asSender, completeEnvelope, signIn } from '../evidence/helpers/flow.ts';
import { runInkan } from '../helpers/run-inkan.ts';
import { createTestDatabase, DIALECTS, type TestDatabase } from '../helpers/test-database.ts';

const YEAR_MS = 365.25 * 24 * 3600_000;

for (const dialect of DIALECTS) {
  describe(`blobs of format v1 (before migration 020) on ${dialect}`, () => {
    let h: Harness;
    let envelopeId: string;
    let v1Keys: string[];
    const masterKey = randomBytes(32).toString('hex');
    const env = () => ({
      INKAN_ENV: 'test',
      INKAN_SIGNING_KEY_ALGORITHM: 'ECDSA-P256',
      INKAN_MASTER_KEY: masterKey,
      ...(h.test.database.url ? { INKAN_DATABASE_URL: h.test.database.url } : {}),
    });
    const formatOf = (dataDir: string, key: string) => readFileSync(join(dataDir, 'blobs', blobObjectPath(key)))[4];

    before(async () => {
      h = await startHarness(dialect, { env: { INKAN_MASTER_KEY: masterKey } });
      const today = h.context.blobs;
      // The blob store of an older installation: no keyring, so it writes format v1.
      const older = new EncryptedBlobStore(
        openObjectStore(join(h.test.dataDir, 'blobs'), h.test.config.s3),
        await readMasterKey(h.test.config),
      );
      (h.context as { blobs: BlobStore }).blobs = older;
      try {
        envelopeId = await completeEnvelope(h, h.org, {
          name: '旧形式の契約書',
          recipients: [{ name: '山田 太郎', email: 'yamada-v1@example.jp', code: '1234' }],
          documents: [{ filename: 'old.pdf', data: await makePdf({ pages: 1 }) }],
        });
      } finally {
        (h.context as { blobs: BlobStore }).blobs = today;
      }
      const documents = await h.context.db
        .selectFrom('documents')
        .select(['blob_original', 'blob_current'])
        .where('envelope_id', '=', envelopeId)
        .execute();
      const envelope = await h.context.db
        .selectFrom('envelopes')
        .select('certificate_blob')
        .where('id', '=', envelopeId)
        .executeTakeFirstOrThrow();
      const versions = await h.context.db
        .selectFrom('superseded_blobs')
        .select('blob_key')
        .where('envelope_id', '=', envelopeId)
        .execute();
      v1Keys = [
        ...new Set([
          ...documents.flatMap((d) => [d.blob_original, d.blob_current]),
          ...versions.map((v) => v.blob_key),
          envelope.certificate_blob!,
        ]),
      ];
    });
    after(async () => h?.close());

    it('reads v1 documents with today’s store; new blobs are v2; rotation leaves v1 blobs alone', async () => {
      for (const key of v1Keys) assert.equal(formatOf(h.test.dataDir, key), 1);
      const admin = await signIn(h, h.org.admin.email, h.org.admin.password);
      const [document] = await h.context.db
        .selectFrom('documents')
        .select(['id', 'sha256_current'])
        .where('envelope_id', '=', envelopeId)
        .execute();
      const download = await asSender(h, admin, 'GET', `/api/v1/envelopes/${envelopeId}/documents/${document!.id}`);
      assert.equal(download.statusCode, 200);
      assert.equal(createHash('sha256').update(download.rawPayload).digest('hex'), document!.sha256_current);

      const fresh = await h.context.blobs.put(Buffer.from('new document'));
      assert.equal(formatOf(h.test.dataDir, fresh), 2);
      const rotated = await runInkan(['keys', 'rotate'], { dataDir: h.test.dataDir, env: env() });
      assert.equal(rotated.code, 0, rotated.stderr);
      assert.match(rotated.stdout, /1 data key\(s\) rewrapped/, 'only the v2 blob has a key row');
      for (const key of v1Keys) await h.context.blobs.get(key);
      assert.equal(Buffer.from(await h.context.blobs.get(fresh)).toString(), 'new document');
    });

    it('restores a backup holding v1 and v2 blobs into a fresh installation', { timeout: 300_000 }, async () => {
      const target = mkdtempSync(join(tmpdir(), 'inkan-v1-backups-'));
      const restoredDir = mkdtempSync(join(tmpdir(), 'inkan-v1-restored-'));
      let restoredDb: TestDatabase | undefined;
      try {
        const backup = await runInkan(['backup', '--to', target], { dataDir: h.test.dataDir, env: env() });
        assert.equal(backup.code, 0, backup.stderr);
        const id = /^backup (\S+):/.exec(backup.stdout)?.[1];
        assert.ok(id, backup.stdout);
        restoredDb = await createTestDatabase(dialect, restoredDir);
        const restoredEnv = {
          INKAN_ENV: 'test',
          INKAN_SIGNING_KEY_ALGORITHM: 'ECDSA-P256',
          INKAN_MASTER_KEY: masterKey,
          ...(restoredDb.url ? { INKAN_DATABASE_URL: restoredDb.url } : {}),
        };
        const restored = await runInkan(['restore', id, '--from', target], { dataDir: restoredDir, env: restoredEnv });
        assert.equal(restored.code, 0, restored.stderr);
        const context = await createContext(loadConfig({ ...restoredEnv, INKAN_DATA_DIR: restoredDir }));
        try {
          for (const key of v1Keys) await context.blobs.get(key);
          const keys = await context.db.selectFrom('document_keys').select('blob_key').execute();
          assert.ok(keys.length > 0, 'the wrapped keys of v2 blobs travel in the database');
          for (const { blob_key } of keys) await context.blobs.get(blob_key);
        } finally {
          await context.close();
        }
      } finally {
        await restoredDb?.drop();
        rmSync(target, { recursive: true, force: true });
        rmSync(restoredDir, { recursive: true, force: true });
      }
    });

    it('shreds a v1 envelope by deleting its files; 410; tombstones; the log verifies', async () => {
      h.clock.advance(10 * YEAR_MS + 3 * 24 * 3600_000);
      const run = await shredExpiredDocuments(h.context);
      assert.equal(run.shredded, 1);
      for (const key of v1Keys) {
        assert.equal(existsSync(join(h.test.dataDir, 'blobs', blobObjectPath(key))), false);
        await assert.rejects(h.context.blobs.get(key), (error: Error & { code?: string }) => {
          assert.equal(error.code, 'BLOB_SHREDDED');
          return true;
        });
      }
      const admin = await signIn(h, h.org.admin.email, h.org.admin.password);
      const certificate = await asSender(h, admin, 'GET', `/api/v1/envelopes/${envelopeId}/certificate`);
      assert.equal(certificate.statusCode, 410);
      const tombstones = await h.context.db
        .selectFrom('events')
        .select('details')
        .where('action', '=', 'document.shredded')
        .execute();
      assert.equal(tombstones.length, v1Keys.length);
      for (const t of tombstones) {
        const details = JSON.parse(t.details) as { method: string; rule: { years: number; documentType: string } };
        assert.equal(details.method, 'blob-deleted');
        assert.deepEqual([details.rule.documentType, details.rule.years], ['built-in', 10]);
      }
      const audit = await runInkan(['audit', 'verify'], { dataDir: h.test.dataDir, env: env() });
      assert.equal(audit.code, 0, audit.stderr);
    });
  });
}
