// An experiment preload for the envelope bench's server processes: every statement Kysely sends through pg
// (text + parameters) goes as a named prepared statement, at most 256 names per connection, so that
// PostgreSQL parses and plans it once per connection. It measures PostgreSQL's parse/plan share (issue 10);
// Inkan itself does not do this yet (see README, "Where an envelope's time goes", session 23):
//   INKAN_BENCH_SERVER_ENV="NODE_OPTIONS=--import $PWD/bench/lib/pg-named-statements.mjs" \
//     node --import tsx bench/envelope-bench.ts --db=postgres-multi --profile=off
// and compare the "+ PostgreSQL … ms" figure with a run without it, interleaved.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

const root = process.env.INKAN_BENCH_SERVER_ROOT ?? new URL('../..', import.meta.url).pathname;
let pg;
try {
  pg = createRequire(`${root}/packages/server/package.json`)('pg');
} catch {
  pg = undefined;
}
if (pg) {
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (config, values, callback) {
    if (typeof config === 'string' && Array.isArray(values) && callback === undefined) {
      const named = (this.inkanNamedStatements ??= new Set());
      const name = `i${createHash('sha1').update(config).digest('hex').slice(0, 20)}`;
      if (named.has(name) || named.size < 256) {
        named.add(name);
        return original.call(this, { name, text: config, values });
      }
    }
    return original.call(this, config, values, callback);
  };
}
