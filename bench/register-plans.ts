// `node --import tsx bench/register-plans.ts --keep=DIR [--dialects=sqlite,postgres] [--only=金額,取引先]
// [--pg-database=inkan_register_bench_kept]`: for each search of the register benchmark, the statements
// the list use case runs on the databases kept by `npm run bench -- register --keep=DIR`, each with its
// time and its plan (SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN (ANALYZE, BUFFERS)). Read-only:
// it neither migrates nor seeds (run the bench with --reuse first to bring a kept database up to date).
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type CompiledQuery, type LogEvent } from 'kysely';
import pg from 'pg';
import { parseContractQuery } from '../packages/server/src/domain/register/contract-search.ts';
import { listContracts } from '../packages/server/src/domain/use-cases/list-contracts.ts';
import type { Db } from '../packages/server/src/ports/database.ts';
import { parseFlags, REGISTER_CASES } from './lib/register-cases.ts';

const args = parseFlags(process.argv.slice(2));
const KEEP_DIR = args.keep;
if (KEEP_DIR === undefined)
  throw new Error('--keep=DIR: where `npm run bench -- register --keep=DIR` kept its databases');
const DIALECTS = (args.dialects ?? 'sqlite,postgres').split(',') as Array<'sqlite' | 'postgres'>;
const ONLY = args.only?.split(',');
const ADMIN_URL = process.env.INKAN_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

for (const dialect of DIALECTS) {
  const statements: Array<{ compiled: CompiledQuery; ms: number }> = [];
  const log = (event: LogEvent): void => {
    if (event.level === 'query') statements.push({ compiled: event.query, ms: event.queryDurationMillis });
  };
  let db: Db;
  if (dialect === 'sqlite') {
    const file = new SqliteDatabase(join(KEEP_DIR, 'register-bench.db'), { readonly: true, fileMustExist: true });
    db = new Kysely({ dialect: new SqliteDialect({ database: file }), log }) as Db;
  } else {
    const url = new URL(ADMIN_URL);
    url.pathname = `/${args['pg-database'] ?? 'inkan_register_bench_kept'}`;
    db = new Kysely({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url.toString(), max: 1 }) }),
      log,
    }) as Db;
  }
  try {
    for (const c of REGISTER_CASES) {
      if (ONLY !== undefined && !ONLY.some((part) => c.name.includes(part))) continue;
      const scope = { kind: 'organization', organizationId: c.register } as const;
      const query = parseContractQuery({ ...c.query, limit: '50' });
      await listContracts({ db, dialect }, { scope, query }); // warm
      statements.length = 0;
      const t0 = performance.now();
      const page = await listContracts({ db, dialect }, { scope, query });
      const total = performance.now() - t0;
      const seen = [...statements];
      console.log(
        `\n=== ${dialect}: ${c.name} — ${total.toFixed(1)} ms, ${page.items.length} rows, ${seen.length} statements`,
      );
      for (const { compiled, ms } of seen) {
        console.log(`--- ${ms.toFixed(1)} ms: ${compiled.sql.replace(/\s+/g, ' ').slice(0, 600)}`);
        console.log(`    parameters: ${JSON.stringify(compiled.parameters).slice(0, 300)}`);
        const explain =
          dialect === 'sqlite'
            ? sql.raw(`explain query plan ${compiled.sql}`)
            : sql.raw(`explain (analyze, buffers, costs off) ${compiled.sql}`);
        const { rows } = await db.executeQuery({ ...explain.compile(db), parameters: compiled.parameters });
        for (const row of rows as Array<Record<string, unknown>>)
          console.log(
            `    ${dialect === 'sqlite' ? `${String(row.id)}<${String(row.parent)} ${String(row.detail)}` : String(row['QUERY PLAN'])}`,
          );
      }
    }
  } finally {
    await db.destroy();
  }
}
