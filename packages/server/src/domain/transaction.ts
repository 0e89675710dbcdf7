import { sql } from 'kysely';
import { sqliteWriteLockOf } from '../adapters/db/sqlite-write-lock.ts';
import type { Db, DbOrTx } from '../ports/database.ts';

/**
 * Runs `work` in one transaction that holds the write lock from its first statement.
 *
 * PostgreSQL: an ordinary transaction (row locks and the event-chain lock serialise what must be).
 * SQLite: BEGIN IMMEDIATE on one connection. A deferred transaction that reads and then writes fails
 * with SQLITE_BUSY (no waiting) when another connection — the worker thread, the CLI — wrote in between;
 * taking the lock up front makes it wait on busy_timeout instead, and makes read-then-write atomic.
 *
 * Inside `work` use only the given `tx`: on SQLite the database's one connection is held until it returns.
 */
export async function inTransaction<T>(
  db: Db,
  dialect: 'sqlite' | 'postgres',
  work: (tx: DbOrTx) => Promise<T>,
): Promise<T> {
  if (dialect === 'postgres') return db.transaction().execute(work);
  const lock = sqliteWriteLockOf(db);
  return db.connection().execute(async (connection) => {
    // The threads of this process queue here, without blocking, rather than in SQLite's busy handler.
    await lock?.acquire();
    try {
      await sql`begin immediate`.execute(connection);
      try {
        const result = await work(connection);
        await sql`commit`.execute(connection);
        return result;
      } catch (error) {
        // After a failed commit SQLite may still hold the transaction open: roll it back either way.
        await sql`rollback`.execute(connection).catch(() => undefined);
        throw error;
      }
    } finally {
      lock?.release();
    }
  });
}
