import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import {
  Kysely,
  PostgresDialect,
  SqliteDialect,
  sql,
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  type SqliteDialectConfig,
} from 'kysely';
import pg from 'pg';
import { PreparingClient } from './postgres-prepared-statements.ts';
import { postgresWriteTransaction } from './postgres-write-transaction.ts';
import { sqliteWriteLockFor, type WriteLock } from './sqlite-write-lock.ts';
import { forKysely, type KyselySqliteStatement } from './sqlite-rows.ts';
import type { Db, DbOrTx, Schema } from '../../ports/database.ts';

/** An open database and how to close it. */
export interface OpenDatabase {
  db: Db;
  dialect: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

/** The SQLite file used when INKAN_DATABASE_URL is not set. */
export const DEFAULT_SQLITE_FILE = 'inkan.db';

/**
 * Opens the database named by `url`: `postgres://…` through a pg Pool, `sqlite:PATH` (or `file:PATH`)
 * as that SQLite file, and undefined as the SQLite file `<dataDir>/inkan.db`. Does not migrate.
 */
export async function openDatabase(
  url: string | undefined,
  dataDir: string,
  options: OpenSqliteOptions = {},
): Promise<OpenDatabase> {
  if (url !== undefined && /^postgres(ql)?:\/\//.test(url))
    return openPostgres(url, { preparedStatements: options.postgresPreparedStatements });
  return openSqlite(sqlitePathOf(url, dataDir), options);
}

/**
 * Opens the configured database (INKAN_DATABASE_URL in the data directory's place, with
 * INKAN_DATABASE_PREPARED_STATEMENTS): what every command and the server open. Does not migrate.
 */
export function openConfiguredDatabase(
  config: { databaseUrl?: string; dataDir: string; databasePreparedStatements: boolean },
  options: Omit<OpenSqliteOptions, 'postgresPreparedStatements'> = {},
): Promise<OpenDatabase> {
  return openDatabase(config.databaseUrl, config.dataDir, {
    ...options,
    postgresPreparedStatements: config.databasePreparedStatements,
  });
}

/** The SQLite file of a (non-PostgreSQL) database URL: `sqlite:PATH`, or `<dataDir>/inkan.db` when undefined. */
export function sqlitePathOf(url: string | undefined, dataDir: string): string {
  return url === undefined ? join(dataDir, DEFAULT_SQLITE_FILE) : resolve(url.replace(/^(sqlite|file):(\/\/)?/, ''));
}

/** Options of openSqlite. */
export interface OpenSqliteOptions {
  /**
   * Run PRAGMA optimize over every table at open (planner statistics): for the long-lived server process
   * only (`inkan serve`), not for its job child processes nor for short CLI commands, which open the file
   * often and would analyze it each time.
   */
  optimizeAtOpen?: boolean;
  /**
   * How long a write that finds the file locked by another process waits in SQLite's busy handler
   * (default 5000 ms). Tests set 0: a write the write lock did not serialise then fails at once (SQLITE_BUSY).
   */
  busyTimeoutMs?: number;
  /**
   * PostgreSQL: send parameterised statements as named prepared statements (default true; see
   * PreparingClient). INKAN_DATABASE_PREPARED_STATEMENTS=false for a pooler that does not track them.
   */
  postgresPreparedStatements?: boolean;
}

/** Opens (creating if needed) a SQLite file with WAL, a busy timeout and foreign keys on. */
export async function openSqlite(path: string, options: OpenSqliteOptions = {}): Promise<OpenDatabase> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const database = new SqliteDatabase(path);
  // WAL lets readers run beside the one writer; busy_timeout makes a second process (the worker
  // role, the CLI) wait for the write lock instead of failing with SQLITE_BUSY at once.
  database.pragma('journal_mode = WAL');
  database.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
  database.pragma('foreign_keys = ON');
  database.pragma('synchronous = NORMAL');
  // Crypto-shredding: a destroyed data key's bytes are overwritten in the file, not left in free space.
  database.pragma('secure_delete = ON');
  const lock = sqliteWriteLockFor(resolve(path));
  // Planner statistics: SQLite gathers none by itself, and without them a search of a large register
  // may walk the wrong index. PRAGMA optimize analyzes the tables that changed enough (bounded work, a
  // sample of each index) — at the server's open for every table, then every few hours and at close as
  // SQLite advises. ANALYZE writes: it runs under the write lock like every other write.
  if (options.optimizeAtOpen === true) await optimizeSqlite(database, lock, 'optimize = 0x10002');
  const optimizer = setInterval(() => void optimizeSqlite(database, lock, 'optimize'), SQLITE_OPTIMIZE_EVERY_MS);
  optimizer.unref();
  const statements = withStatementCache(database);
  const kysely = new Kysely<Schema>({
    dialect: new WriteLockingSqliteDialect({ database: statements }, lock, database, (text) => {
      try {
        return statements.prepare(text).readonly;
      } catch {
        // Not a statement SQLite can prepare: running it fails the same way, with nothing written.
        return true;
      }
    }),
  });
  const db: Db = Object.assign(kysely, { writeTransaction: sqliteWriteTransaction(kysely) });
  return {
    db,
    dialect: 'sqlite',
    close: async () => {
      clearInterval(optimizer);
      if (database.open) await optimizeSqlite(database, lock, 'optimize');
      // Kysely's destroy closes the better-sqlite3 handle.
      await db.destroy();
    },
  };
}

/**
 * SQLite's write transaction: BEGIN IMMEDIATE on the database's one connection (the connection takes the
 * write lock before it: see WriteLockingSqliteDialect).
 */
function sqliteWriteTransaction(kysely: Kysely<Schema>): Db['writeTransaction'] {
  return (work) =>
    kysely.connection().execute(async (connection) => {
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
    });
}

const BEGIN = /^\s*begin\b/i;

/**
 * Kysely's SQLite dialect whose connection takes the file's write lock (the process-wide lock word, or the
 * parent's through the broker in a job child process) before every write: before BEGIN, held until the
 * transaction ends (COMMIT, ROLLBACK, a failed BEGIN), and around each write outside a transaction (an
 * UPDATE of the job runner, an outbox INSERT). The threads and job processes of a server thus queue on
 * the lock without blocking, instead of in SQLite's busy handler, which sleeps on the calling thread (on
 * the HTTP thread it stalls every request). Reads never wait for the lock (WAL).
 *
 * The lock is taken BEFORE the database's one connection (Kysely's connection mutex): a writer waiting
 * for a job process's transaction to end must not hold the connection meanwhile, or every read of this
 * process (each HTTP request) would queue behind it. The order is always lock, then connection, so a
 * holder of the lock never waits for a connection held by a waiter of the lock.
 */
class WriteLockingSqliteDialect extends SqliteDialect {
  readonly #lock: WriteLock;
  readonly #database: SqliteDatabase.Database;
  readonly #readonly: (sql: string) => boolean;

  constructor(
    config: SqliteDialectConfig,
    lock: WriteLock,
    database: SqliteDatabase.Database,
    readonly: (sql: string) => boolean,
  ) {
    super(config);
    this.#lock = lock;
    this.#database = database;
    this.#readonly = readonly;
  }

  override createDriver(): Driver {
    const driver = super.createDriver();
    const lock = this.#lock;
    const database = this.#database;
    const isReadonly = this.#readonly;
    // Kysely's handle of a connection: the real one (under the mutex) is taken per statement, and kept
    // from a BEGIN until the transaction ends.
    const handle = () => {
      let transaction: { connection: DatabaseConnection; release?: () => void } | undefined;
      const endTransaction = async () => {
        const ended = transaction!;
        transaction = undefined;
        try {
          await driver.releaseConnection(ended.connection);
        } finally {
          ended.release?.();
        }
      };
      const connection: DatabaseConnection & { end(): Promise<void> } = {
        executeQuery: async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
          if (transaction !== undefined) {
            try {
              return await transaction.connection.executeQuery<R>(query);
            } finally {
              if (!database.inTransaction) await endTransaction();
            }
          }
          const begins = BEGIN.test(query.sql);
          const release = begins || !isReadonly(query.sql) ? await lock.acquire() : undefined;
          let inner: DatabaseConnection;
          try {
            inner = await driver.acquireConnection();
          } catch (error) {
            release?.();
            throw error;
          }
          let kept = false;
          try {
            const result = await inner.executeQuery<R>(query);
            kept = begins && database.inTransaction;
            return result;
          } finally {
            if (kept) transaction = { connection: inner, release };
            else {
              try {
                await driver.releaseConnection(inner);
              } finally {
                release?.();
              }
            }
          }
        },
        streamQuery: <R>(query: CompiledQuery, chunkSize?: number) => {
          if (transaction !== undefined) return transaction.connection.streamQuery<R>(query, chunkSize);
          // A streamed query is a read (Kysely streams SELECTs): the connection for as long as it iterates.
          return (async function* () {
            const inner = await driver.acquireConnection();
            try {
              yield* inner.streamQuery<R>(query, chunkSize);
            } finally {
              await driver.releaseConnection(inner);
            }
          })();
        },
        // A transaction its user left open (it never committed nor rolled back): roll it back, free both.
        end: async () => {
          if (transaction === undefined) return;
          if (database.inTransaction)
            await transaction.connection.executeQuery(CompiledQuery.raw('rollback')).catch(() => undefined);
          await endTransaction();
        },
      };
      return connection;
    };
    // Kysely's driver keeps its state in private fields: every call goes to the driver itself.
    return {
      init: () => driver.init(),
      acquireConnection: async () => handle(),
      beginTransaction: (connection, settings) => driver.beginTransaction(connection, settings),
      commitTransaction: (connection) => driver.commitTransaction(connection),
      rollbackTransaction: (connection) => driver.rollbackTransaction(connection),
      savepoint: (connection, name, compile) => driver.savepoint!(connection, name, compile),
      rollbackToSavepoint: (connection, name, compile) => driver.rollbackToSavepoint!(connection, name, compile),
      releaseSavepoint: (connection, name, compile) => driver.releaseSavepoint!(connection, name, compile),
      releaseConnection: (connection) => (connection as ReturnType<typeof handle>).end(),
      destroy: () => driver.destroy(),
    };
  }
}

/**
 * Runs PRAGMA optimize under the write lock (ANALYZE writes); statistics are an optimisation, so a busy
 * database (another process writing) only skips it.
 */
async function optimizeSqlite(
  database: SqliteDatabase.Database,
  lock: WriteLock,
  pragma: 'optimize' | 'optimize = 0x10002',
): Promise<void> {
  const release = await lock.acquire();
  try {
    if (database.open) {
      database.pragma(pragma);
      forgetSmallTableStatistics(database);
    }
  } catch {
    // SQLITE_BUSY or a read-only file: the next run catches up.
  } finally {
    release();
  }
}

/**
 * Below this many rows a table's statistics say nothing about its shape later on: a fresh installation's
 * server analyzes at its first start, when the operation log holds the two events of `inkan init` under
 * one (null) envelope. The planner then took events_envelope_seq for unselective ('2 2 1': every key
 * matches the whole table) and answered "an envelope's events of one action" by scanning the whole log,
 * in every worker that opened the file afterwards, until the table had grown 25-fold (the next optimize);
 * in the envelope bench that one statement grew to 2 ms and most of the job worker's SQLite time.
 */
const MIN_ROWS_FOR_STATISTICS = 1000;

/**
 * Drops the planner statistics of tables with fewer than MIN_ROWS_FOR_STATISTICS rows (the first
 * number of a sqlite_stat1 row is the table's row count) and reloads what remains: such tables are
 * planned by SQLite's defaults, which take an index on an equality as selective.
 */
function forgetSmallTableStatistics(database: SqliteDatabase.Database): void {
  const hasStatistics = database
    .prepare(`select 1 from sqlite_schema where type = 'table' and name = 'sqlite_stat1'`)
    .get();
  if (hasStatistics === undefined) return;
  const { changes } = database
    .prepare('delete from sqlite_stat1 where cast(stat as integer) < ?')
    .run(MIN_ROWS_FOR_STATISTICS);
  // ANALYZE sqlite_schema reloads the statistics into this connection (others load them when they open).
  if (changes > 0) database.exec('analyze sqlite_schema');
}

/** How often a long-running process refreshes SQLite's planner statistics (PRAGMA optimize). */
const SQLITE_OPTIMIZE_EVERY_MS = 4 * 60 * 60 * 1000;

/** Prepared statements kept per SQLite connection (the queries of the code are a fixed, small set). */
const STATEMENT_CACHE_SIZE = 500;

/**
 * The database as Kysely's SQLite dialect sees it, with its prepared statements reused: Kysely prepares
 * every query afresh, and SQLite's compile of a statement cost more than running it (a CPU profile of the
 * envelope bench: ~10 % of the server's CPU). Bounded (least recently used out); a statement still
 * iterating (a streamed query) is never handed out twice. Rows are built in JavaScript (see forKysely).
 */
function withStatementCache(database: SqliteDatabase.Database): {
  close(): void;
  prepare(sql: string): KyselySqliteStatement;
} {
  const statements = new Map<string, KyselySqliteStatement>();
  return {
    close: () => {
      statements.clear();
      database.close();
    },
    prepare: (sql: string) => {
      const cached = statements.get(sql);
      if (cached !== undefined && !cached.busy) {
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      const statement = forKysely(database.prepare(sql));
      statements.set(sql, statement);
      if (statements.size > STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      return statement;
    },
  };
}

// COUNT(*) and other BIGINT results would arrive as strings; every number we store fits a JS number.
const INT8_OID = 20;
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** Options of openPostgres. */
export interface OpenPostgresOptions {
  poolSize?: number;
  /** Named prepared statements (PreparingClient); default true. */
  preparedStatements?: boolean;
}

/** Opens a pg Pool on a PostgreSQL URL (the pool is per context: no process-wide type parser changes). */
export async function openPostgres(url: string, options: OpenPostgresOptions = {}): Promise<OpenDatabase> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    types: pgTypes,
    Client: options.preparedStatements === false ? pg.Client : PreparingClient,
  });
  // A network error on a client that is checked out (between the queries of a transaction, say) is
  // emitted on the client itself: without a listener it would crash the process when PostgreSQL goes
  // away. Its queries fail instead, and the pool drops the client when it comes back (not queryable).
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  // Fail at start, with the server's message, rather than at the first request.
  const client = await pool.connect().catch(async (error: unknown) => {
    await pool.end().catch(() => undefined);
    throw new Error(`cannot connect to PostgreSQL: ${(error as Error).message}`, { cause: error });
  });
  let encoding: unknown;
  try {
    encoding = (await client.query<{ server_encoding: string }>('show server_encoding')).rows[0]?.server_encoding;
  } catch (error) {
    client.release();
    await pool.end().catch(() => undefined);
    throw new Error(`cannot read PostgreSQL's encoding: ${(error as Error).message}`, { cause: error });
  }
  client.release();
  // An idle client's network error must not crash the process; the pool replaces the client.
  pool.on('error', () => undefined);
  const kysely = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  // The operation log is appended at the commit, its hashes computed in SQL over the UTF-8 bytes that JS
  // hashes: on a UTF8 database (the default of initdb and of every managed PostgreSQL). Any other
  // encoding keeps the append in the transaction, hashed in JS.
  const db: Db = Object.assign(kysely, {
    writeTransaction:
      encoding === 'UTF8'
        ? <T>(work: (tx: DbOrTx) => Promise<T>) => postgresWriteTransaction(pool, work)
        : <T>(work: (tx: DbOrTx) => Promise<T>) => kysely.transaction().execute(work),
  });
  return {
    db,
    dialect: 'postgres',
    close: async () => {
      await db.destroy();
    },
  };
}
