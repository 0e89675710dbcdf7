import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import type { Db } from '../../ports/database.ts';

/**
 * WAL checkpoints mostly away from the HTTP thread (`serve --role=all` on SQLite).
 *
 * SQLite copies the WAL back into the database file (a checkpoint) in the connection whose COMMIT finds
 * `wal_autocheckpoint` pages (1000 by default) in the WAL: on the server that was mostly the HTTP thread,
 * which then wrote ~4 MB and waited for two fsyncs before it answered anything else (perf over the
 * 100-signer burst: 3.5 % of the sign requests' CPU, about one checkpoint per burst with the event loop
 * stopped meanwhile). Now the job worker process copies the WAL every CHECKPOINT_EVERY_MS while it runs,
 * from a connection of its own. The WAL file starts over only when a writer begins with all of it copied,
 * which under a steady stream of writes rarely happens by itself: the HTTP connection still checkpoints at
 * its own, higher threshold, and then copies only what the job process has not (≤ CHECKPOINT_EVERY_MS of
 * writes) and restarts the WAL — four times less often than before. When no job process runs (it stops
 * after INKAN_WORKER_IDLE without work), the HTTP thread checkpoints everything at that threshold.
 */

/** How often the job worker process checkpoints (PASSIVE: never waits for readers or the writer). */
export const CHECKPOINT_EVERY_MS = 250;

/** The HTTP connection's own threshold, in pages of 4 KiB (16 MiB of WAL). */
export const HTTP_WAL_AUTOCHECKPOINT_PAGES = 4000;

/** Raises the checkpoint threshold of the server's own connection (see HTTP_WAL_AUTOCHECKPOINT_PAGES). */
export async function deferSqliteCheckpoints(db: Db): Promise<void> {
  await sql`pragma wal_autocheckpoint = ${sql.lit(HTTP_WAL_AUTOCHECKPOINT_PAGES)}`.execute(db);
}

/** A running checkpointer: `checkpoint()` runs one now (tests); `stop()` ends it and closes its connection. */
export interface SqliteCheckpointer {
  checkpoint(): void;
  stop(): void;
}

/**
 * Checkpoints the WAL of the SQLite file at `path` every `everyMs`, from a connection of its own: a
 * PASSIVE checkpoint needs no write lock (SQLite runs it beside the writer and the readers, copying what
 * no reader still needs), so this process's own connection `db` stops checkpointing inside its COMMITs,
 * where it would hold the server's write lock meanwhile.
 */
export async function startSqliteCheckpoints(
  db: Db,
  path: string,
  everyMs = CHECKPOINT_EVERY_MS,
): Promise<SqliteCheckpointer> {
  const database = new SqliteDatabase(path, { fileMustExist: true });
  // Another checkpoint under way (the HTTP connection's fallback) makes this one fail at once: the next
  // turn catches up.
  database.pragma('busy_timeout = 0');
  try {
    await sql`pragma wal_autocheckpoint = 0`.execute(db);
  } catch (error) {
    database.close();
    throw error;
  }
  const checkpoint = () => {
    try {
      if (database.open) database.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // SQLITE_BUSY: the next turn.
    }
  };
  const timer = setInterval(checkpoint, everyMs);
  timer.unref();
  return {
    checkpoint,
    stop: () => {
      clearInterval(timer);
      if (database.open) database.close();
    },
  };
}
