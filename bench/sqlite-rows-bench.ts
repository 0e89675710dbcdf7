// Row objects of a SQLite query (issue 10): better-sqlite3's own C++ builder against the raw arrays turned
// into objects by adapters/db/sqlite-rows.ts (what the server's Kysely connection runs). One in-memory
// table of 31 columns, a query of 3 rows, alternating rounds. Run:
//   node --import tsx bench/sqlite-rows-bench.ts [--calls=100000]
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import type SqliteDatabase from 'better-sqlite3';
import { forKysely } from '../packages/server/src/adapters/db/sqlite-rows.ts';

const Database = createRequire(new URL('../packages/server/package.json', import.meta.url))(
  'better-sqlite3',
) as typeof SqliteDatabase;
const calls = Number(process.argv.find((a) => a.startsWith('--calls='))?.slice(8) ?? 100_000);
const db = new Database(':memory:');
const columns = Array.from({ length: 30 }, (_, i) => `column_name_${i}`);
db.exec(`create table t (id integer primary key, ${columns.map((c) => `${c} text`).join(', ')})`);
const insert = db.prepare(`insert into t (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`);
for (let i = 0; i < 10; i++) insert.run(columns.map((_, j) => (j % 3 === 0 ? null : `value ${i} ${j}`)));
const text = 'select * from t where id <= ?';
const native = db.prepare(text);
const built = forKysely(db.prepare(text));
const sides: Array<[string, () => unknown]> = [
  ['better-sqlite3 objects', () => native.all(3)],
  ['raw arrays + object literal', () => built.all([3])],
];
const perCall = new Map<string, number[]>();
for (let round = 0; round < 4; round++)
  for (const [name, run] of sides) {
    for (let i = 0; i < calls / 5; i++) run();
    const started = performance.now();
    for (let i = 0; i < calls; i++) run();
    const list = perCall.get(name) ?? [];
    list.push(((performance.now() - started) * 1000) / calls);
    perCall.set(name, list);
  }
for (const [name, list] of perCall)
  console.log(`${name}: ${list.map((us) => us.toFixed(1)).join(', ')} µs per call (3 rows × 31 columns)`);
