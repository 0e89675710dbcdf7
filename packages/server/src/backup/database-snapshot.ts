/*
 * The database part of a backup, for each dialect. Both copy the whole database (every table, whatever
 * migrations have added), so the backup needs no list of tables; the tables and their row counts are
 * read from the catalogue of the snapshot itself and written into the manifest, to be compared after
 * a restore.
 *
 * SQLite: the online backup API (better-sqlite3 `backup()`), page by page while writers go on.
 * PostgreSQL: one REPEATABLE READ READ ONLY transaction exports its snapshot; the row counts are read in
 * it and `pg_dump --snapshot` dumps exactly that state (custom format), so counts and dump agree.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';

const run = promisify(execFile);

/** Row counts by table name (sorted by name). */
export type TableCounts = Record<string, number>;

/** Which database a configuration names. */
export type DatabaseTarget = { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string };

/** The file name of the database inside a backup. */
export function databaseFileName(dialect: 'sqlite' | 'postgres'): string {
  return dialect === 'sqlite' ? 'database.sqlite' : 'database.pgdump';
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function sortedCounts(entries: Array<[string, number]>): TableCounts {
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Counts the rows of every table of an open SQLite handle (from sqlite_master). */
function sqliteCounts(database: SqliteDatabase.Database): TableCounts {
  const tables = database
    .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
    .all() as Array<{ name: string }>;
  return sortedCounts(
    tables.map(({ name }) => [
      name,
      Number((database.prepare(`select count(*) as n from ${quoteIdentifier(name)}`).get() as { n: number }).n),
    ]),
  );
}

/** Counts the rows of every table in the connection's schema (from pg_tables). */
async function postgresCounts(client: pg.ClientBase): Promise<TableCounts> {
  const tables = (
    await client.query<{ tablename: string }>('select tablename from pg_tables where schemaname = current_schema()')
  ).rows;
  const entries: Array<[string, number]> = [];
  for (const { tablename } of tables) {
    entries.push([
      tablename,
      Number((await client.query<{ n: string }>(`select count(*) as n from ${quoteIdentifier(tablename)}`)).rows[0].n),
    ]);
  }
  return sortedCounts(entries);
}

/** Writes a consistent copy of the running database to `file`; returns the row counts of that copy. */
export async function snapshotDatabase(target: DatabaseTarget, file: string): Promise<TableCounts> {
  if (target.dialect === 'sqlite') {
    const source = new SqliteDatabase(target.path, { readonly: true, fileMustExist: true });
    try {
      source.pragma('busy_timeout = 5000');
      // All pages in one step (one read transaction): the backup API restarts whenever another
      // connection writes between two steps, which a busy server would do without end.
      await source.backup(file, { progress: () => 0x7fffffff });
    } finally {
      source.close();
    }
    return countSqliteFile(file);
  }
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    await client.query('begin isolation level repeatable read read only');
    const snapshot = (await client.query<{ id: string }>('select pg_export_snapshot() as id')).rows[0].id;
    const counts = await postgresCounts(client);
    await run('pg_dump', ['--format=custom', `--snapshot=${snapshot}`, `--file=${file}`, `--dbname=${target.url}`], {
      maxBuffer: 16 * 1024 * 1024,
    });
    await client.query('commit');
    return counts;
  } finally {
    await client.end();
  }
}

/** Opens a SQLite file read-only, checks its integrity and counts its rows (throws when it does not open). */
export function countSqliteFile(file: string): TableCounts {
  const database = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  try {
    const check = database.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`the SQLite file fails its integrity check: ${String(check)}`);
    return sqliteCounts(database);
  } finally {
    database.close();
  }
}

/** Checks that a database file of a backup opens: SQLite's integrity check, or pg_restore reading the dump's table of contents. */
export async function checkDatabaseFile(dialect: 'sqlite' | 'postgres', file: string): Promise<void> {
  if (dialect === 'sqlite') {
    countSqliteFile(file);
    return;
  }
  await run('pg_restore', ['--list', file], { maxBuffer: 64 * 1024 * 1024 });
}

/** Whether the target database is empty (no SQLite file or no tables; no table in the PostgreSQL schema). */
export async function isDatabaseEmpty(target: DatabaseTarget): Promise<boolean> {
  if (target.dialect === 'sqlite') {
    if (!existsSync(target.path)) return true;
    const database = new SqliteDatabase(target.path, { readonly: true });
    try {
      return Object.keys(sqliteCounts(database)).length === 0;
    } finally {
      database.close();
    }
  }
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    return (await client.query('select 1 from pg_tables where schemaname = current_schema() limit 1')).rowCount === 0;
  } finally {
    await client.end();
  }
}

/** Loads a backup's database file into the (empty) target; returns the row counts now there. */
export async function restoreDatabase(target: DatabaseTarget, file: string): Promise<TableCounts> {
  if (target.dialect === 'sqlite') {
    // An empty file left by an earlier open (no tables) is replaced; copyFile with EXCL would refuse it.
    await rm(target.path, { force: true });
    await copyFile(file, target.path);
    return countSqliteFile(target.path);
  }
  // Owners and grants belong to the old server's roles: the restored objects belong to the restoring user.
  await run(
    'pg_restore',
    ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', `--dbname=${target.url}`, file],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    return await postgresCounts(client);
  } finally {
    await client.end();
  }
}
