import { sql, type Kysely, type Migration } from 'kysely';

/**
 * PostgreSQL keeps the rate-limit counters (`rate_limits`) in an UNLOGGED table (issue 10). Several web
 * instances without Redis count every HTTP request there, one upsert each, and a commit that wrote to a
 * logged table waits for its WAL to reach the disk: on this machine 1.8 ms of each request's time and
 * 0.25 ms of PostgreSQL's CPU, against 0.23 ms and 0.10 ms unlogged (1 upsert, autocommit; measured with a
 * pg client in a loop of 2,000). An unlogged table writes no WAL, so its commit does not wait for one.
 *
 * What it gives up: after PostgreSQL itself crashes (not a clean restart) the table comes back empty,
 * and a standby has none of it — every window starts over, as with a Redis that does not persist
 * (INKAN_REDIS_URL, the other shared store). The counters are throttles over minutes to an hour; the
 * access-code lockout, the evidence and everything else stay logged.
 *
 * SQLite: nothing (one instance; its HTTP counters live in the process).
 */
export function unloggedRateLimitsMigration(dialect: 'sqlite' | 'postgres'): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      if (dialect === 'postgres') await sql`alter table rate_limits set unlogged`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      if (dialect === 'postgres') await sql`alter table rate_limits set logged`.execute(db);
    },
  };
}
