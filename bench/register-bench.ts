// `npm run bench -- register [--rows=1000000] [--text-rows=100000] [--dialects=sqlite,postgres] [--repeat=30]`:
// the contract register on a large database. Seeds one organisation with ROWS entries (10,000
// counterparties, dates 2015–2030, amounts 10^4–10^9 yen, tags), a second organisation with TEXT_ROWS
// entries of 2 KB Japanese text each, then measures the 電子帳簿保存法 searches through the use case
// (listContracts: the query the API runs, plus its mapping), a page-50 keyset walk, full-text search,
// and a streamed CSV export of 100,000 rows with its heap growth. Results to bench/results/ and the
// README tables between <!-- register-bench:start --> and <!-- register-bench:end -->.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from '../packages/server/src/adapters/db/migrate.ts';
import { openDatabase, type OpenDatabase } from '../packages/server/src/adapters/db/open-database.ts';
import type { ContractScope } from '../packages/server/src/domain/register/contract-model.ts';
import { parseContractQuery } from '../packages/server/src/domain/register/contract-search.ts';
import { EXPORT_BATCH, exportContracts } from '../packages/server/src/domain/use-cases/export-contracts.ts';
import { listContracts } from '../packages/server/src/domain/use-cases/list-contracts.ts';
import { csvRecord } from '../packages/server/src/http/audit/csv.ts';
import {
  benchProfile,
  insertRegisterEntries,
  prng,
  registerEntries,
} from '../packages/server/test/helpers/register-data.ts';
import { parseFlags, REGISTER_CASES } from './lib/register-cases.ts';
import { escapeCell, machineInfo, resultStamp, writeBetweenMarkers } from './lib/report-files.ts';

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const ADMIN_URL = process.env.INKAN_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const args = parseFlags(process.argv.slice(2));
const ROWS = Number(args.rows ?? 1_000_000);
const TEXT_ROWS = Number(args['text-rows'] ?? 100_000);
const CSV_ROWS = Math.min(Number(args['csv-rows'] ?? 100_000), ROWS);
const REPEAT = Number(args.repeat ?? 30);
const DIALECTS = (args.dialects ?? 'sqlite,postgres').split(',') as Array<'sqlite' | 'postgres'>;
const REPORT = args.report !== 'false';
const OUT: string | undefined = args.out;
// Seed once, time many times: `--keep=DIR` keeps the SQLite file in DIR and the PostgreSQL database
// PG_DATABASE (and records in DIR what was seeded); `--reuse` (with `--keep`) times those again without
// seeding, after bringing them to the latest schema (new migrations run on the full-size data);
// `--seed-only` stops after seeding.
const KEEP_DIR: string | undefined = args.keep;
const REUSE = args.reuse !== undefined && args.reuse !== 'false';
const SEED_ONLY = args['seed-only'] !== undefined && args['seed-only'] !== 'false';
// `--only=金額,full text`: the cases whose name contains one of these (page 50 and CSV: 'page 50', 'CSV').
const ONLY: string[] | undefined = args.only?.split(',');
const WRITE_REPORT = REPORT && !SEED_ONLY && ONLY === undefined;
const PG_DATABASE = args['pg-database'] ?? 'inkan_register_bench_kept';
if (REUSE && KEEP_DIR === undefined) throw new Error('--reuse needs --keep=DIR (where the seeded databases are)');
if (!/^[a-z_][a-z0-9_]*$/.test(PG_DATABASE)) throw new Error('--pg-database: lower-case letters, digits and _');

/** Seeds `count` entries into an organisation's register from the shared generator (one transaction per 1,000). */
async function seed(
  database: OpenDatabase,
  organizationId: string,
  count: number,
  withText: boolean,
  seedValue: number,
): Promise<void> {
  // ≈ 700 characters of clauses: about 2 KB of UTF-8.
  const profile = benchProfile({ textChars: withText ? 700 : 0 });
  await insertRegisterEntries(database.db, organizationId, registerEntries(profile, prng(seedValue), { count }), {
    onBatch: (inserted) => {
      if (inserted % 50_000 === 0 || inserted === count) process.stdout.write(`  seeded ${inserted}/${count}\n`);
    },
  });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface CaseResult {
  dialect: string;
  name: string;
  rowsInScope: number;
  rowsReturned: number;
  p50: number;
  p95: number;
  goalMs: number;
}

async function timeQuery(
  database: OpenDatabase,
  scope: ContractScope,
  query: Record<string, string | string[]>,
  repeat: number,
): Promise<{ p50: number; p95: number; returned: number }> {
  const parsed = parseContractQuery(query);
  const ctx = { db: database.db, dialect: database.dialect };
  let returned = 0;
  for (let i = 0; i < 3; i++) returned = (await listContracts(ctx, { scope, query: parsed })).items.length;
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    await listContracts(ctx, { scope, query: parsed });
    times.push(performance.now() - t0);
  }
  return { p50: percentile(times, 50), p95: percentile(times, 95), returned };
}

/** Page 50 of a walk: 49 pages are followed by cursor, then page 50 is timed (repeatedly, from its cursor). */
async function timePage50(
  database: OpenDatabase,
  scope: ContractScope,
  query: Record<string, string>,
  repeat: number,
): Promise<{ p50: number; p95: number; returned: number }> {
  const ctx = { db: database.db, dialect: database.dialect };
  let cursor: string | null = null;
  for (let page = 1; page < 50; page++) {
    const result: { nextCursor: string | null } = await listContracts(ctx, {
      scope,
      query: parseContractQuery({ ...query, ...(cursor ? { cursor } : {}) }),
    });
    cursor = result.nextCursor;
  }
  return timeQuery(database, scope, { ...query, ...(cursor ? { cursor } : {}) }, repeat);
}

async function timeCsv(
  database: OpenDatabase,
  scope: ContractScope,
  query: Record<string, string>,
): Promise<{ ms: number; rows: number; bytes: number; heapGrowthMiB: number }> {
  const parsed = parseContractQuery(query);
  (globalThis as { gc?: () => void }).gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let heapMax = heapBefore;
  let rows = 0;
  let bytes = 0;
  const t0 = performance.now();
  for await (const contract of exportContracts(
    { db: database.db, dialect: database.dialect },
    { scope, query: parsed },
  )) {
    bytes += Buffer.byteLength(
      csvRecord([
        contract.id,
        contract.title,
        contract.counterparties.join(' / '),
        contract.signedOn,
        contract.endOn,
        contract.amount,
      ]),
    );
    if (++rows % 5000 === 0) heapMax = Math.max(heapMax, process.memoryUsage().heapUsed);
    if (rows >= CSV_ROWS) break;
  }
  const ms = performance.now() - t0;
  return { ms, rows, bytes, heapGrowthMiB: (heapMax - heapBefore) / 1024 ** 2 };
}

/** SQLite: drops the register tables' own indexes and triggers (not the automatic ones); returns their SQL. */
async function dropSqliteIndexesAndTriggers(database: OpenDatabase): Promise<string[]> {
  const { rows } = await sql<{ type: string; name: string; definition: string }>`
    select type, name, sql as definition from sqlite_master
    where type in ('index', 'trigger') and sql is not null
      and tbl_name in ('contracts', 'contract_texts', 'contract_tags', 'contract_field_values')`.execute(database.db);
  for (const row of rows) await sql.raw(`drop ${row.type} "${row.name}"`).execute(database.db);
  return rows.map((row) => row.definition);
}

/** Drops the register tables' indexes that back no constraint; returns their CREATE INDEX statements. */
async function dropSecondaryIndexes(database: OpenDatabase): Promise<string[]> {
  const { rows } = await sql<{ name: string; definition: string }>`
    select i.indexname as name, i.indexdef as definition from pg_indexes i
    where i.schemaname = current_schema()
      and i.tablename in ('contracts', 'contract_texts', 'contract_tags', 'contract_field_values')
      and not exists (select 1 from pg_constraint c where c.conname = i.indexname)`.execute(database.db);
  for (const row of rows) await sql.raw(`drop index "${row.name}"`).execute(database.db);
  return rows.map((row) => row.definition);
}

/** What `--keep` recorded about a seeded database (`DIR/seeded-<dialect>.json`). */
interface SeededRecord {
  rows: number;
  textRows: number;
  seconds: number;
  seededAt: string;
}

function seededRecordPath(dialect: 'sqlite' | 'postgres'): string {
  return join(KEEP_DIR!, `seeded-${dialect}.json`);
}

/** The kept database's seeding record, checked against the sizes asked for; throws when it cannot be reused. */
function readSeededRecord(dialect: 'sqlite' | 'postgres'): SeededRecord {
  const path = seededRecordPath(dialect);
  if (!existsSync(path)) throw new Error(`--reuse: ${path} is missing (seed first with --keep=${KEEP_DIR})`);
  const record = JSON.parse(readFileSync(path, 'utf8')) as SeededRecord;
  if (record.rows !== ROWS || record.textRows !== TEXT_ROWS)
    throw new Error(
      `--reuse: ${dialect} was seeded with --rows=${record.rows} --text-rows=${record.textRows}, not ${ROWS}/${TEXT_ROWS}`,
    );
  return record;
}

/**
 * Opens the bench's database: a fresh one in a temporary directory (dropped afterwards), or with `--keep`
 * the kept one (created afresh unless `--reuse`, and never dropped).
 */
async function openBenchDatabase(
  dialect: 'sqlite' | 'postgres',
  dir: string,
): Promise<{ database: OpenDatabase; drop: () => Promise<void> }> {
  const fresh = !REUSE;
  if (dialect === 'sqlite') {
    const file = join(KEEP_DIR ?? dir, 'register-bench.db');
    if (KEEP_DIR !== undefined && fresh) {
      mkdirSync(KEEP_DIR, { recursive: true });
      rmSync(seededRecordPath(dialect), { force: true });
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
    }
    const database = await openDatabase(`sqlite:${file}`, dir);
    return { database, drop: async () => database.close() };
  }
  const name = KEEP_DIR !== undefined ? PG_DATABASE : `inkan_register_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  if (fresh) {
    if (KEEP_DIR !== undefined) {
      mkdirSync(KEEP_DIR, { recursive: true });
      rmSync(seededRecordPath(dialect), { force: true });
    }
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
  }
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const database = await openDatabase(url.toString(), dir);
  return {
    database,
    drop: async () => {
      await database.close();
      if (KEEP_DIR !== undefined) return;
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

const startedAt = new Date().toISOString();
const loadBefore = loadavg()[0]!;
const results: CaseResult[] = [];
const csvResults: Array<{ dialect: string; ms: number; rows: number; bytes: number; heapGrowthMiB: number }> = [];
const seeding: Array<{ dialect: string; seconds: number; reused: boolean }> = [];

/**
 * PostgreSQL: VACUUM (ANALYZE) of the register's tables — what autovacuum does on an installation after
 * a bulk load (its insert threshold), which sets the visibility map that index-only scans rely on. The
 * test server runs with autovacuum off, so the bench does it; nothing to do when already done.
 */
async function vacuumLikeAutovacuum(database: OpenDatabase): Promise<void> {
  if (database.dialect !== 'postgres') return;
  await sql`vacuum (analyze) contracts, contract_texts, contract_tags, contract_field_values, contract_watchers`.execute(
    database.db,
  );
}

/** Migrates and seeds a fresh database (see the comments inside for how); records it when `--keep`. */
async function seedDialect(dialect: 'sqlite' | 'postgres', database: OpenDatabase): Promise<void> {
  await migrateToLatest(database.db, dialect);
  const now = new Date().toISOString();
  await database.db
    .insertInto('organizations')
    .values([
      { id: 'bench-org', name: 'ベンチ株式会社', slug: 'bench', created_at: now },
      { id: 'bench-text', name: '全文検索株式会社', slug: 'bench-text', created_at: now },
    ])
    .execute();
  console.log(`${dialect}: seeding ${ROWS} entries and ${TEXT_ROWS} entries with 2 KB text`);
  const t0 = performance.now();
  // Bulk loading only: a 256 MiB page cache keeps the indexes' pages in memory while a million rows go
  // in (the default 2 MiB made seeding I/O-bound). Reset before measuring: queries run as installed.
  if (dialect === 'sqlite') await sql`pragma cache_size = -262144`.execute(database.db);
  // PostgreSQL: the migration's secondary indexes (B-tree and pg_trgm GIN) are dropped for the load and
  // built again from their own definitions afterwards — one sort per index instead of a million
  // incremental updates (GIN's especially). The measured database has exactly the migration's indexes.
  // SQLite likewise drops the indexes and the triggers that feed the FTS5 trigram tables, then recreates
  // them from sqlite_master's own SQL and rebuilds both FTS5 tables from their content in one pass.
  const rebuild =
    dialect === 'postgres' ? await dropSecondaryIndexes(database) : await dropSqliteIndexesAndTriggers(database);
  await seed(database, 'bench-org', ROWS, false, 1);
  await seed(database, 'bench-text', TEXT_ROWS, true, 2);
  for (const definition of rebuild) await sql.raw(definition).execute(database.db);
  if (dialect === 'sqlite') {
    await sql`insert into contracts_counterparty_fts(contracts_counterparty_fts) values ('rebuild')`.execute(
      database.db,
    );
    await sql`insert into contract_texts_fts(contract_texts_fts) values ('rebuild')`.execute(database.db);
    // The rebuilt indexes must answer as a scan does, or the figures below would measure a broken index.
    const [viaIndex, viaScan] = await Promise.all([
      sql<{
        n: number;
      }>`select count(*) as n from contracts_counterparty_fts where counterparty_norm like '%田中%'`.execute(
        database.db,
      ),
      sql<{ n: number }>`select count(*) as n from contracts where counterparty_norm like '%田中%'`.execute(
        database.db,
      ),
    ]);
    const [textIndex, textScan] = await Promise.all([
      sql<{ n: number }>`select count(*) as n from contract_texts_fts where search_norm like '%再委託%'`.execute(
        database.db,
      ),
      sql<{ n: number }>`select count(*) as n from contract_texts where search_norm like '%再委託%'`.execute(
        database.db,
      ),
    ]);
    if (viaIndex.rows[0]!.n !== viaScan.rows[0]!.n || textIndex.rows[0]!.n !== textScan.rows[0]!.n)
      throw new Error('the rebuilt FTS5 tables disagree with a scan');
    console.log(
      `  FTS5 rebuilt: 田中 in ${viaScan.rows[0]!.n} counterparties, 再委託 in ${textScan.rows[0]!.n} texts (index = scan)`,
    );
  }
  // Planner statistics, as a running installation has them.
  await sql`analyze`.execute(database.db);
  await vacuumLikeAutovacuum(database);
  if (dialect === 'sqlite') await sql`pragma cache_size = -2000`.execute(database.db);
  const seconds = (performance.now() - t0) / 1000;
  seeding.push({ dialect, seconds, reused: false });
  if (KEEP_DIR !== undefined) {
    if (dialect === 'sqlite') await sql`pragma wal_checkpoint(truncate)`.execute(database.db);
    const record: SeededRecord = { rows: ROWS, textRows: TEXT_ROWS, seconds, seededAt: new Date().toISOString() };
    writeFileSync(seededRecordPath(dialect), `${JSON.stringify(record)}\n`);
  }
}

async function runDialect(dialect: 'sqlite' | 'postgres'): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'inkan-register-bench-'));
  const { database, drop } = await openBenchDatabase(dialect, dir);
  try {
    if (REUSE) {
      const record = readSeededRecord(dialect);
      // Migrations newer than the seeding run now, on the full-size data (their own time is shown).
      const t0 = performance.now();
      const applied = await migrateToLatest(database.db, dialect);
      console.log(
        `${dialect}: reusing the database seeded ${record.seededAt} (${record.rows} + ${record.textRows} entries)` +
          (applied.length > 0
            ? `; migrated ${applied.join(', ')} in ${((performance.now() - t0) / 1000).toFixed(1)} s`
            : ''),
      );
      seeding.push({ dialect, seconds: record.seconds, reused: true });
      await vacuumLikeAutovacuum(database);
    } else await seedDialect(dialect, database);
    if (SEED_ONLY) return;
    const wanted = (name: string): boolean => ONLY === undefined || ONLY.some((part) => name.includes(part));
    const org: ContractScope = { kind: 'organization', organizationId: 'bench-org' };
    const text: ContractScope = { kind: 'organization', organizationId: 'bench-text' };
    const cases = REGISTER_CASES.filter((c) => wanted(c.name)).map(
      (c) => [c.name, c.register === 'bench-org' ? org : text, c.query, c.goalMs] as const,
    );
    for (const [name, scope, query, goalMs] of cases) {
      const r = await timeQuery(database, scope, { ...query, limit: '50' }, REPEAT);
      results.push({
        dialect,
        name,
        rowsInScope: scope === org ? ROWS : TEXT_ROWS,
        rowsReturned: r.returned,
        p50: r.p50,
        p95: r.p95,
        goalMs,
      });
      console.log(`  ${name}: p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms (${r.returned} rows)`);
    }
    if (wanted('page 50')) {
      const page50 = await timePage50(database, org, { limit: '50' }, REPEAT);
      results.push({
        dialect,
        name: 'page 50 of a walk (default sort, 50/page)',
        rowsInScope: ROWS,
        rowsReturned: page50.returned,
        p50: page50.p50,
        p95: page50.p95,
        goalMs: 50,
      });
      console.log(`  page 50: p50 ${page50.p50.toFixed(1)} ms, p95 ${page50.p95.toFixed(1)} ms`);
    }
    if (wanted('CSV')) {
      const csv = await timeCsv(database, org, { sort: 'signedOn' });
      csvResults.push({ dialect, ...csv });
      console.log(
        `  CSV ${csv.rows} rows: ${(csv.ms / 1000).toFixed(2)} s, heap growth ${csv.heapGrowthMiB.toFixed(1)} MiB`,
      );
    }
  } finally {
    await drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Both dialects at once, one child process each: seeding a million rows is CPU-bound, and on a shared
 * machine two processes get twice the CPU time of one. Each child writes its part to a JSON file; the
 * parent merges them into one report. (`--parallel=false` runs them one after the other in this process.)
 */
async function runChildren(dialects: ReadonlyArray<'sqlite' | 'postgres'>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'inkan-register-bench-parts-'));
  try {
    const own = process.argv.slice(2).filter((a) => !/^--(dialects|out|parallel)=/.test(a));
    const codes = await Promise.all(
      dialects.map(
        (dialect) =>
          new Promise<number>((resolve) => {
            const child = spawn(
              process.execPath,
              [
                ...process.execArgv,
                fileURLToPath(import.meta.url),
                ...own,
                `--dialects=${dialect}`,
                `--out=${join(dir, `${dialect}.json`)}`,
              ],
              { stdio: 'inherit' },
            );
            child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
          }),
      ),
    );
    if (codes.some((code) => code !== 0)) throw new Error(`a dialect's bench failed (exit codes ${codes.join(', ')})`);
    readParts(dialects.map((dialect) => join(dir, `${dialect}.json`)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The parts written by children (`--out`), read back: the report of a run whose parent was stopped. */
function readParts(files: readonly string[]): void {
  for (const file of files) {
    const part = JSON.parse(readFileSync(file, 'utf8')) as {
      seeding: typeof seeding;
      results: CaseResult[];
      csv: typeof csvResults;
    };
    seeding.push(...part.seeding);
    results.push(...part.results);
    csvResults.push(...part.csv);
  }
}

if (args['from-parts'] !== undefined) readParts(args['from-parts'].split(','));
else if (OUT === undefined && DIALECTS.length > 1 && args.parallel !== 'false') await runChildren(DIALECTS);
else for (const dialect of DIALECTS) await runDialect(dialect);

const machine = machineInfo(loadBefore);
const durationS = (Date.now() - Date.parse(startedAt)) / 1000;
const report = {
  startedAt,
  durationS,
  machine,
  rows: ROWS,
  textRows: TEXT_ROWS,
  csvRows: CSV_ROWS,
  repeat: REPEAT,
  seeding,
  results,
  csv: csvResults,
};
if (OUT !== undefined) {
  // A child of runChildren: its part of the report, for the parent to merge.
  writeFileSync(OUT, `${JSON.stringify(report)}\n`);
  process.exit(0);
}
if (WRITE_REPORT) mkdirSync(RESULTS_DIR, { recursive: true });
if (WRITE_REPORT)
  writeFileSync(join(RESULTS_DIR, `register-${resultStamp(startedAt)}.json`), `${JSON.stringify(report, null, 2)}\n`);
const lines = [
  `Run ${startedAt} — ${ROWS.toLocaleString('en-US')} entries (10,000 counterparties) + ${TEXT_ROWS.toLocaleString('en-US')} entries with 2 KB Japanese text; ${REPEAT} timed runs per query after 3 warm-up runs; Node ${machine.node}, ${machine.cpuModel} ×${machine.cpus}; load average ${machine.loadAvg1m} (shared machine: other work skews the figures); ${durationS.toFixed(0)} s in total. Seeding: ${seeding.map((s) => `${s.dialect} ${s.seconds.toFixed(0)} s${s.reused ? ' (earlier; kept database reused)' : ''}`).join(', ')}.`,
  '',
  '| dialect | query | entries in scope | rows returned | p50 ms | p95 ms | goal p95 |',
  '|---|---|---:|---:|---:|---:|---|',
  ...results.map(
    (r) =>
      `| ${r.dialect} | ${escapeCell(r.name)} | ${r.rowsInScope.toLocaleString('en-US')} | ${r.rowsReturned} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ≤ ${r.goalMs} ms ${r.p95 <= r.goalMs ? '✓' : '✗'} |`,
  ),
  '',
  '| dialect | CSV export | rows | MiB | seconds | heap growth MiB | goal |',
  '|---|---|---:|---:|---:|---:|---|',
  ...csvResults.map(
    (c) =>
      `| ${c.dialect} | streamed, keyset batches of ${EXPORT_BATCH} | ${c.rows.toLocaleString('en-US')} | ${(c.bytes / 1024 ** 2).toFixed(1)} | ${(c.ms / 1000).toFixed(2)} | ${c.heapGrowthMiB.toFixed(1)} | ≤ 5 s ${c.ms <= 5000 ? '✓' : '✗'} |`,
  ),
  '',
];
if (WRITE_REPORT) writeFileSync(join(RESULTS_DIR, 'register-latest.md'), `${lines.join('\n')}`);
if (WRITE_REPORT)
  writeBetweenMarkers(RESULTS_DIR, '<!-- register-bench:start -->', '<!-- register-bench:end -->', lines.join('\n'));
console.log(lines.join('\n'));
