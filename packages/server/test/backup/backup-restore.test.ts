/**
 * Backup during a running flow, then restore into a fresh data directory and a fresh database, on both
 * dialects, with documents and backups on disk and on a real S3-compatible server (s3rver). Every step
 * goes through the real `inkan` CLI: backup, backup list, backup verify, restore, audit verify, verify.
 * The restored instance serves the completion mail's download link, and a manifest with one changed
 * byte fails `inkan backup verify`.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config/config.ts';
import { createContext } from '../../src/context.ts';
import { buildApp } from '../../src/http/app.ts';
import { backupStoreOf } from '../../src/backup/backups.ts';
import { readSmallObject } from '../../src/adapters/storage/object-store.ts';
import { startHarness, type Harness } from '../api/helpers/harness.ts';
import { completeEnvelope, downloadToken, signingToken, SignerBrowser } from '../evidence/helpers/flow.ts';
import { runInkan } from '../helpers/run-inkan.ts';
import { startS3Server, type TestS3Server } from '../helpers/s3-server.ts';
import { createTestDatabase, DIALECTS, type Dialect } from '../helpers/test-database.ts';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';

const STORAGES = ['disk', 's3'] as const;
const COUNTED = ['envelopes', 'documents', 'recipients', 'events', 'download_links', 'mails'] as const;

async function tableCounts(db: Harness['context']['db']): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of COUNTED)
    out[table] = Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return out;
}

let s3: TestS3Server;
before(async () => {
  s3 = await startS3Server(['documents', 'backups']);
});
after(async () => {
  await s3.close();
});

for (const dialect of DIALECTS) {
  for (const storage of STORAGES) {
    describe(`backup and restore (${dialect}, ${storage})`, () => {
      it(
        'restores a backup taken during a running flow into a fresh installation that verifies and serves its links',
        { timeout: 600_000 },
        () => backupAndRestore(dialect, storage),
      );
    });
  }
}

async function backupAndRestore(dialect: Dialect, storage: (typeof STORAGES)[number]): Promise<void> {
  const run = randomBytes(4).toString('hex');
  const masterKey = randomBytes(32).toString('hex');
  const s3Env = storage === 's3' ? s3.env : {};
  const backupTarget = storage === 's3' ? `s3://backups/run-${run}` : mkdtempSync(join(tmpdir(), 'inkan-backups-'));
  const h = await startHarness(dialect, {
    env: {
      INKAN_MASTER_KEY: masterKey,
      ...s3Env,
      ...(storage === 's3' ? { INKAN_BLOB_URL: `s3://documents/original-${run}` } : {}),
    },
  });
  const restoredDir = mkdtempSync(join(tmpdir(), 'inkan-restored-'));
  const restoredDb = await createTestDatabase(dialect, restoredDir);
  try {
    const originalEnv = {
      INKAN_MASTER_KEY: masterKey,
      INKAN_BACKUP_TARGET: backupTarget,
      ...s3Env,
      ...(h.test.database.url ? { INKAN_DATABASE_URL: h.test.database.url } : {}),
      ...(storage === 's3' ? { INKAN_BLOB_URL: `s3://documents/original-${run}` } : {}),
    };
    // One envelope completed before the backup; a second one in flight while it runs.
    const pdf = await makePdf({ pages: 2, text: 'Backup test' });
    const done = await completeEnvelope(h, h.org, {
      name: '業務委託契約書',
      recipients: [
        { name: '山田 太郎', email: `taro-${run}@example.jp`, code: '482913' },
        { name: '佐藤 花子', email: `hanako-${run}@example.jp`, code: '715304' },
      ],
      documents: [{ filename: 'contract.pdf', data: pdf }],
    });
    const created = await h.createEnvelope(
      h.org,
      {
        name: '秘密保持契約書',
        recipients: [{ name: '鈴木 一郎', email: `ichiro-${run}@example.jp`, accessCode: '390218', order: 1 }],
      },
      [{ filename: 'nda.pdf', data: pdf }],
    );
    assert.equal(created.statusCode, 201, created.body);
    assert.equal((await h.api(h.org, 'POST', `/api/v1/envelopes/${created.json().id}/send`)).statusCode, 200);
    await h.runJobs();
    const signer = new SignerBrowser(h, await signingToken(h, `ichiro-${run}@example.jp`));
    assert.equal((await signer.enterCode('390218')).statusCode, 200);

    const [backup] = await Promise.all([
      runInkan(['backup'], { dataDir: h.test.dataDir, env: originalEnv }),
      (async () => {
        await signer.viewAndSign();
        await h.runJobs();
      })(),
    ]);
    assert.equal(backup.code, 0, backup.stderr);
    const id = /^backup (\S+):/.exec(backup.stdout)?.[1];
    assert.ok(id, backup.stdout);

    const listed = await runInkan(['backup', 'list'], { dataDir: h.test.dataDir, env: originalEnv });
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`^${id}  \\S+  ${dialect}  \\d+ files`, 'm'));
    const verified = await runInkan(['backup', 'verify', id], { dataDir: h.test.dataDir, env: originalEnv });
    assert.equal(verified.code, 0, verified.stderr);

    // The backup holds the documents as stored (encrypted) and no master key.
    const manifest = JSON.parse(
      (await readSmallObject(backupStoreOf(h.test.config, backupTarget), `${id}/manifest.json`, 1 << 24)).toString(
        'utf8',
      ),
    ) as {
      tables: Record<string, number>;
      files: Array<{ path: string }>;
    };
    assert.ok(!manifest.files.some((f) => f.path.endsWith('master.key')));
    const blobFiles = manifest.files.filter((f) => f.path.startsWith(`${id}/blobs/`));
    const storedBlobs = await h.context.db
      .selectFrom('documents')
      .select(['blob_original', 'blob_current'])
      .where('envelope_id', '=', done)
      .execute();
    for (const doc of storedBlobs)
      assert.ok(
        blobFiles.some((f) => f.path.endsWith(doc.blob_current)),
        'the completed document is in the backup',
      );
    // Every table of the database is counted (accounts' and later migrations' tables included).
    const tables =
      dialect === 'sqlite'
        ? sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`
        : sql<{ name: string }>`select tablename as name from pg_tables where schemaname = current_schema()`;
    const names = (await tables.execute(h.context.db)).rows.map((r) => r.name).sort();
    assert.deepEqual(Object.keys(manifest.tables).sort(), names);

    // Restore into an empty data directory and an empty database (documents into a fresh prefix on S3).
    const restoredEnv = {
      INKAN_MASTER_KEY: masterKey,
      ...s3Env,
      ...(restoredDb.url ? { INKAN_DATABASE_URL: restoredDb.url } : {}),
      ...(storage === 's3' ? { INKAN_BLOB_URL: `s3://documents/restored-${run}` } : {}),
    };
    const restored = await runInkan(['restore', id, '--from', backupTarget], {
      dataDir: restoredDir,
      env: restoredEnv,
    });
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stdout, /^restored /);
    const again = await runInkan(['restore', id, '--from', backupTarget], { dataDir: restoredDir, env: restoredEnv });
    assert.equal(again.code, 1, 'a second restore into the now non-empty installation is refused');
    assert.match(again.stderr, /RESTORE_TARGET_NOT_EMPTY/);

    const audit = await runInkan(['audit', 'verify'], { dataDir: restoredDir, env: restoredEnv });
    assert.equal(audit.code, 0, `${audit.stdout}${audit.stderr}`);

    const config = loadConfig({
      INKAN_ENV: 'test',
      INKAN_DATA_DIR: restoredDir,
      INKAN_PUBLIC_URL: 'http://inkan.test',
      ...restoredEnv,
    });
    const context = await createContext(config);
    const webDir = join(restoredDir, 'no-web-build');
    mkdirSync(webDir, { recursive: true });
    const app = await buildApp({ context, webDistDir: webDir });
    try {
      const counts = await tableCounts(context.db);
      for (const table of COUNTED) assert.equal(counts[table], manifest.tables[table], `${table} count`);
      assert.ok(counts.envelopes >= 2 && counts.events > 0);
      const original = await tableCounts(h.context.db);
      for (const table of COUNTED)
        assert.ok(counts[table] <= original[table], `${table}: the backup holds no more than the original now does`);

      // Every signed document of the restored database passes `inkan verify` (the restored root is trusted).
      // A document changes at 送信 too (its certificate ID and field areas are stamped in): one whose
      // envelope had no signature applied when the backup was taken is a revision with no signature yet.
      const documents = await context.db
        .selectFrom('documents')
        .select(['id', 'envelope_id', 'blob_current', 'blob_original'])
        .execute();
      const withSignatures = new Set(
        (
          await context.db
            .selectFrom('events')
            .select('envelope_id')
            .where('action', '=', 'recipient.signature-applied')
            .execute()
        ).map((e) => e.envelope_id),
      );
      let signed = 0;
      for (const doc of documents) {
        if (doc.blob_current === doc.blob_original) continue;
        const file = join(restoredDir, `doc-${doc.id}.pdf`);
        writeFileSync(file, await context.blobs.get(doc.blob_current));
        const result = await runInkan(['verify', file], { dataDir: restoredDir, env: restoredEnv });
        if (!withSignatures.has(doc.envelope_id)) {
          assert.equal(result.code, 2, `${doc.id} (sent, not yet signed): ${result.stdout}${result.stderr}`);
          assert.match(result.stdout, /No signatures found/);
          continue;
        }
        assert.equal(result.code, 0, `${doc.id}: ${result.stdout}${result.stderr}`);
        signed++;
      }
      assert.ok(signed >= 1, 'at least the completed envelope has signed documents');

      // The completion mail's ダウンロード link works on the restored instance.
      const token = await downloadToken(h, `taro-${run}@example.jp`);
      const info = await app.inject({ method: 'GET', url: `/api/download/${token}` });
      assert.equal(info.statusCode, 200, info.body);
      const [document] = info.json().documents as Array<{ id: string; sha256: string }>;
      const download = await app.inject({ method: 'GET', url: `/api/download/${token}/documents/${document.id}` });
      assert.equal(download.statusCode, 200);
      assert.equal(download.rawPayload.subarray(0, 5).toString('latin1'), '%PDF-');
      const originalDownload = await h.app.inject({
        method: 'GET',
        url: `/api/download/${token}/documents/${document.id}`,
      });
      assert.ok(
        download.rawPayload.equals(originalDownload.rawPayload),
        'the restored instance serves the same signed PDF',
      );
    } finally {
      await app.close();
      await context.close();
    }

    // One changed byte in the manifest: backup verify fails (exit 1) and so does restore.
    const store = backupStoreOf(h.test.config, backupTarget);
    const bytes = await readSmallObject(store, `${id}/manifest.json`, 1 << 24);
    const changed = Buffer.from(bytes);
    const at = changed.indexOf('"createdAt"') + 20;
    changed[at] = changed[at] === 0x31 ? 0x32 : 0x31;
    await store.delete(`${id}/manifest.json`);
    await store.put(`${id}/manifest.json`, changed, changed.length);
    const broken = await runInkan(['backup', 'verify', id], { dataDir: h.test.dataDir, env: originalEnv });
    assert.equal(broken.code, 1, broken.stdout);
    assert.match(broken.stderr, /BACKUP_INVALID: .*manifest was changed/);
  } finally {
    await h.close();
    await restoredDb.drop();
    rmSync(restoredDir, { recursive: true, force: true });
    if (storage === 'disk') rmSync(backupTarget, { recursive: true, force: true });
  }
}
