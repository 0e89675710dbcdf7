// A preload that counts and times every SQLite statement a process runs (better-sqlite3's Statement
// methods), for the envelope bench's server processes:
//   INKAN_SQLITE_STATEMENTS_DIR=/tmp/stmts INKAN_BENCH_SERVER_ENV="NODE_OPTIONS=--import $PWD/bench/lib/sqlite-statements.mjs,INKAN_SQLITE_STATEMENTS_DIR=/tmp/stmts" \
//     npm run bench -- envelopes --db=sqlite --profile=off
// Each process (and thread) writes `<dir>/<pid>-<thread>.json` every 2 s: [sql, {calls, ms}] by time spent.
// Wall time of each call: on a busy machine it includes time the thread was not running.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';

const dir = process.env.INKAN_SQLITE_STATEMENTS_DIR;
let Database;
try {
  Database = createRequire(new URL('../../packages/server/package.json', import.meta.url))('better-sqlite3');
} catch {
  Database = undefined;
}
if (dir && Database) {
  const stats = new Map();
  const prepare = Database.prototype.prepare;
  let wrapped = false;
  Database.prototype.prepare = function (text) {
    const statement = prepare.call(this, text);
    if (!wrapped) {
      wrapped = true;
      const proto = Object.getPrototypeOf(statement);
      for (const method of ['all', 'run', 'get', 'iterate']) {
        const original = proto[method];
        proto[method] = function (...args) {
          const started = process.hrtime.bigint();
          try {
            return original.apply(this, args);
          } finally {
            const entry = stats.get(this.source) ?? { calls: 0, ms: 0 };
            entry.calls++;
            entry.ms += Number(process.hrtime.bigint() - started) / 1e6;
            stats.set(this.source, entry);
          }
        };
      }
    }
    return statement;
  };
  globalThis
    .setInterval(() => {
      if (stats.size > 0)
        writeFileSync(
          join(dir, `${process.pid}-${threadId}.json`),
          JSON.stringify([...stats].sort((a, b) => b[1].ms - a[1].ms)),
        );
    }, 2000)
    .unref();
}
