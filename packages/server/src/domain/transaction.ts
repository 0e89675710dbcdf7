import type { Db, DbOrTx } from '../ports/database.ts';

/**
 * Runs `work` in one transaction that holds the write lock from its first statement: the database
 * handle's own `writeTransaction` (see the adapters in adapters/db/open-database.ts).
 *
 * PostgreSQL: an ordinary transaction (row locks serialise what must be); its events are appended to
 * the operation log at the commit, under the chain's lock (see recordEvent).
 * SQLite: BEGIN IMMEDIATE on one connection. A deferred transaction that reads and then writes fails
 * with SQLITE_BUSY (no waiting) when another connection — the worker thread, the CLI — wrote in between;
 * taking the lock up front makes it wait on busy_timeout instead, and makes read-then-write atomic.
 *
 * Inside `work` use only the given `tx`: on SQLite the database's one connection is held until it returns.
 * `_dialect` is kept for the callers' sake; the handle knows its own.
 */
export async function inTransaction<T>(
  db: Db,
  _dialect: 'sqlite' | 'postgres',
  work: (tx: DbOrTx) => Promise<T>,
): Promise<T> {
  return db.writeTransaction(work);
}
