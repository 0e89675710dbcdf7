// `npm run bench -- backup [--envelopes=N]`: backup and restore time and size for N completed envelopes
// (default 10,000) on SQLite and PostgreSQL, documents on the local disk.
//
// Preparing N envelopes through the HTTP flow would take longer than the measurement itself, so one
// envelope is completed through the real flow and the other N-1 are copies of its rows (new ids, new
// certificate ids), each document with its own two blobs written through the blob store (encrypted,
// as stored in production). The backup and the restore are the real ones (`createBackup`, `restoreBackup`).
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../packages/server/src/config/config.ts';
import { createBackup, restoreBackup } from '../packages/server/src/backup/backups.ts';
import { systemClock } from '../packages/server/src/ports/clock.ts';
import { startHarness, type Harness } from '../packages/server/test/api/helpers/harness.ts';
import { completeEnvelope } from '../packages/server/test/evidence/helpers/flow.ts';
import { createTestDatabase, type Dialect } from '../packages/server/test/helpers/test-database.ts';
import { makePdf } from '../packages/core/test/helpers/make-pdf.ts';
import { escapeCell, machineInfo, resultStamp, writeBetweenMarkers } from './lib/report-files.ts';

const RESULTS = fileURLToPath(new URL('./results', import.meta.url));
const argument = process.argv.find((a) => a.startsWith('--envelopes='));
const N = argument ? Number(argument.slice('--envelopes='.length)) : 10_000;
if (!Number.isInteger(N) || N < 1 || N > 100_000) throw new Error('--envelopes=N: 1 … 100000');

interface Row {
  dialect: Dialect;
  envelopes: number;
  blobs: number;
  prepareS: number;
  backupS: number;
  backupMiB: number;
  restoreS: number;
}

/** Copies the completed envelope's rows N-1 times, with fresh blobs for every document. */
async function multiply(h: Harness, envelopeId: string, copies: number): Promise<void> {
  const db = h.context.db;
  const envelope = await db.selectFrom('envelopes').selectAll().where('id', '=', envelopeId).executeTakeFirstOrThrow();
  const documents = await db.selectFrom('documents').selectAll().where('envelope_id', '=', envelopeId).execute();
  const recipients = await db.selectFrom('recipients').selectAll().where('envelope_id', '=', envelopeId).execute();
  const bytes = await Promise.all(
    documents.flatMap((d) => [h.context.blobs.get(d.blob_original), h.context.blobs.get(d.blob_current)]),
  );
  for (let done = 0; done < copies;) {
    const batch = Math.min(200, copies - done);
    const rows: Array<{ envelope: typeof envelope; documents: typeof documents; recipients: typeof recipients }> = [];
    for (let i = 0; i < batch; i++) {
      const id = randomUUID();
      const newDocuments = [];
      for (const [index, document] of documents.entries()) {
        const [original, current] = await Promise.all([
          h.context.blobs.put(bytes[index * 2]),
          h.context.blobs.put(bytes[index * 2 + 1]),
        ]);
        newDocuments.push({
          ...document,
          id: randomUUID(),
          envelope_id: id,
          blob_original: original,
          blob_current: current,
        });
      }
      rows.push({
        envelope: { ...envelope, id, certificate_id: `BENCH-${randomBytes(8).toString('hex')}` },
        documents: newDocuments,
        recipients: recipients.map((r) => ({ ...r, id: randomUUID(), envelope_id: id, link_token_hash: null })),
      });
    }
    await db.transaction().execute(async (tx) => {
      await tx
        .insertInto('envelopes')
        .values(rows.map((r) => r.envelope))
        .execute();
      await tx
        .insertInto('documents')
        .values(rows.flatMap((r) => r.documents))
        .execute();
      await tx
        .insertInto('recipients')
        .values(rows.flatMap((r) => r.recipients))
        .execute();
    });
    done += batch;
  }
}

async function measure(dialect: Dialect): Promise<Row> {
  const masterKey = randomBytes(32).toString('hex');
  const backupDir = mkdtempSync(join(tmpdir(), 'inkan-bench-backups-'));
  const h = await startHarness(dialect, { env: { INKAN_MASTER_KEY: masterKey, INKAN_BACKUP_TARGET: backupDir } });
  const restoredDir = mkdtempSync(join(tmpdir(), 'inkan-bench-restored-'));
  const restoredDb = await createTestDatabase(dialect, restoredDir);
  try {
    let started = performance.now();
    const pdf = await makePdf({ pages: 2, text: 'Backup bench' });
    const id = await completeEnvelope(h, h.org, {
      name: 'ベンチマーク契約書',
      recipients: [
        { name: '山田 太郎', email: 'taro@example.jp', code: '482913' },
        { name: '佐藤 花子', email: 'hanako@example.jp', code: '715304' },
      ],
      documents: [{ filename: 'contract.pdf', data: pdf }],
    });
    await multiply(h, id, N - 1);
    const prepareS = (performance.now() - started) / 1000;
    process.stdout.write(`${dialect}: ${N} envelopes prepared in ${prepareS.toFixed(1)} s\n`);

    started = performance.now();
    const manifest = await createBackup(h.test.config, systemClock);
    const backupS = (performance.now() - started) / 1000;
    const bytes = manifest.files.reduce((sum, f) => sum + f.size, 0);

    const config = loadConfig({
      INKAN_ENV: 'test',
      INKAN_DATA_DIR: restoredDir,
      INKAN_MASTER_KEY: masterKey,
      INKAN_BACKUP_TARGET: backupDir,
      ...(restoredDb.url ? { INKAN_DATABASE_URL: restoredDb.url } : {}),
    });
    started = performance.now();
    const restored = await restoreBackup(config, manifest.id);
    const restoreS = (performance.now() - started) / 1000;
    if (restored.tables.envelopes !== N)
      throw new Error(`restored ${restored.tables.envelopes} envelopes, expected ${N}`);
    return {
      dialect,
      envelopes: N,
      blobs: restored.blobs,
      prepareS,
      backupS,
      backupMiB: bytes / 1024 / 1024,
      restoreS,
    };
  } finally {
    await h.close();
    await restoredDb.drop();
    rmSync(restoredDir, { recursive: true, force: true });
    rmSync(backupDir, { recursive: true, force: true });
  }
}

const startedAt = new Date().toISOString();
const load = loadavg()[0];
const rows: Row[] = [];
for (const dialect of ['sqlite', 'postgres'] as const) rows.push(await measure(dialect));
const machine = machineInfo(load);
const markdown = [
  `Backup and restore of ${N} completed envelopes (1 two-page PDF each, 2 signers; ${machine.cpus} × ${escapeCell(machine.cpuModel)}, load ${machine.loadAvg1m}, commit ${machine.commit}, ${startedAt}):`,
  '',
  '| database | envelopes | blobs | backup (s) | backup size (MiB) | restore incl. verify (s) |',
  '|---|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.dialect} | ${r.envelopes} | ${r.blobs} | ${r.backupS.toFixed(1)} | ${r.backupMiB.toFixed(1)} | ${r.restoreS.toFixed(1)} |`,
  ),
  '',
].join('\n');
mkdirSync(RESULTS, { recursive: true });
writeFileSync(
  join(RESULTS, `backup-${resultStamp(startedAt)}.json`),
  `${JSON.stringify({ startedAt, machine, envelopes: N, rows }, null, 2)}\n`,
);
writeFileSync(join(RESULTS, 'backup-latest.md'), markdown);
writeBetweenMarkers(RESULTS, '<!-- backup-bench:start -->', '<!-- backup-bench:end -->', markdown);
process.stdout.write(markdown);
