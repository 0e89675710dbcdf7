import { sql, type Kysely, type Migration } from 'kysely';
import { EVENT_CHAIN_LOCK_KEY } from '../../../ports/database.ts';

/**
 * PostgreSQL's append to the operation log at a transaction's commit (issue 10, session 20): the write
 * transaction sends `select inkan_append_events(…); commit` in one round trip, so the chain's advisory
 * lock is held from the append to the COMMIT only, never while Node runs the rest of the transaction.
 *
 * `inkan_append_events` takes the events in order, each as its canonical form (canonicalEvent in
 * domain/record-event.ts, a JSON object of every column but the hashes); the columns are read back from
 * it, so a row holds exactly what its hash covers. Under the lock, each event's hash is SHA-256 (hex) of
 * the previous hash followed by the canonical form, in UTF-8 — eventHash in JS, byte for byte (the
 * adapter uses it on UTF8 databases only; the function refuses any other). The function is VOLATILE:
 * its queries take fresh snapshots, so the last hash read after the lock is the last committed one.
 *
 * SQLite: nothing (its transactions already hold the single write lock from BEGIN IMMEDIATE).
 */
export function eventAppendMigration(dialect: 'sqlite' | 'postgres'): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      if (dialect !== 'postgres') return;
      await sql`
        create function inkan_append_events(batch text[]) returns void
        language plpgsql volatile as $body$
        declare
          canonical text;
          event json;
          prev text;
          next text;
        begin
          if getdatabaseencoding() <> 'UTF8' then
            raise exception 'the operation log is appended in SQL on UTF8 databases only (this one is %)',
              getdatabaseencoding();
          end if;
          perform pg_advisory_xact_lock(${sql.lit(EVENT_CHAIN_LOCK_KEY)});
          select hash into prev from events order by seq desc limit 1;
          prev := coalesce(prev, repeat('0', 64));
          foreach canonical in array batch loop
            event := canonical::json;
            next := encode(sha256(convert_to(prev || canonical, 'UTF8')), 'hex');
            insert into events (id, organization_id, envelope_id, actor_type, actor_id, action, ip, user_agent,
                                details, created_at, prev_hash, hash)
            values (event->>'id', event->>'organization_id', event->>'envelope_id', event->>'actor_type',
                    event->>'actor_id', event->>'action', event->>'ip', event->>'user_agent', event->>'details',
                    event->>'created_at', prev, next);
            prev := next;
          end loop;
        end
        $body$
      `.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      if (dialect !== 'postgres') return;
      await sql`drop function if exists inkan_append_events(text[])`.execute(db);
    },
  };
}
