// What a one-statement write costs on PostgreSQL by the kind of table it writes (issue 10, migration 033):
// the rate-limit upsert that several web instances run on every HTTP request, 2,000 times in autocommit,
// into a temporary table, a logged table and an UNLOGGED one, with synchronous_commit on and off.
// Reported per statement: wall time (the commit's wait for the WAL flush shows here) and the backend's
// own CPU (/proc/PID/stat of the connection's backend, so PostgreSQL must run on this machine).
//   node bench/pg-commit-cost.mjs [postgres://postgres@127.0.0.1:5432/test]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const pg = createRequire(new URL('../packages/server/package.json', import.meta.url))('pg');
const client = new pg.Client({ connectionString: process.argv[2] ?? 'postgres://postgres@127.0.0.1:5432/test' });
await client.connect();
const pid = (await client.query('select pg_backend_pid() as pid')).rows[0].pid;
/** The backend's user + system CPU in ms (clock ticks of 10 ms). */
const backendCpuMs = () => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};
const suffix = `${process.pid}`;
const tables = [
  ['temporary', `create temporary table bench_rl_t${suffix}`],
  ['logged', `create table bench_rl_l${suffix}`],
  ['unlogged', `create unlogged table bench_rl_u${suffix}`],
];
const n = 2000;
try {
  for (const [kind, create] of tables) {
    const table = create.split(' ').at(-1);
    await client.query(`${create} (bucket text primary key, window_start text not null, hits integer not null)`);
    for (const sync of ['on', 'off']) {
      await client.query(`set synchronous_commit = ${sync}`);
      const text = `insert into ${table} (bucket, window_start, hits) values ($1, $2, 1)
        on conflict (bucket) do update set hits = ${table}.hits + 1`;
      const wallFrom = performance.now();
      const cpuFrom = backendCpuMs();
      for (let i = 0; i < n; i++)
        await client.query({ name: `${table}-${sync}`, text, values: [`http:GET/x:${i % 50}`, 'w'] });
      const wall = (performance.now() - wallFrom) / n;
      const cpu = (backendCpuMs() - cpuFrom) / n;
      console.log(
        `${kind.padEnd(9)} synchronous_commit=${sync.padEnd(3)}  wall ${wall.toFixed(3)} ms  backend CPU ${cpu.toFixed(3)} ms per upsert`,
      );
    }
  }
} finally {
  for (const [, create] of tables) await client.query(`drop table if exists ${create.split(' ').at(-1)}`);
  await client.end();
}
