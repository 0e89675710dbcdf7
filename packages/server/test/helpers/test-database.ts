/**
 * A database of its own for each test: a SQLite file in the test's temp dir, or a fresh PostgreSQL
 * database (CREATE DATABASE inkan_test_<random>) on the local server, dropped afterwards.
 * The server is 127.0.0.1:5432 with trust authentication; INKAN_TEST_POSTGRES_URL overrides it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig, type Config } from '../../src/config/config.ts';
import { createContext, type AppContext, type CreateContextOptions } from '../../src/context.ts';
import { openDatabase, type OpenDatabase } from '../../src/adapters/db/open-database.ts';
import { migrateToLatest } from '../../src/adapters/db/migrate.ts';
import type { Clock } from '../../src/ports/clock.ts';

/** Both supported dialects, for `for (const dialect of DIALECTS) describe(…)`. */
export const DIALECTS = ['sqlite', 'postgres'] as const;
export type Dialect = (typeof DIALECTS)[number];

/** The maintenance database URL (the one `CREATE DATABASE` runs in). */
export const POSTGRES_ADMIN_URL = process.env.INKAN_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A test's own database: `url` goes into INKAN_DATABASE_URL (undefined = SQLite in the data dir). */
export interface TestDatabase {
  dialect: Dialect;
  url: string | undefined;
  drop(): Promise<void>;
}

/**
 * Creates an empty database of the dialect; SQLite lives in `dir` (the file is made on open).
 * `postgresEncoding`: a PostgreSQL database in another encoding than the server's default (UTF8).
 */
export async function createTestDatabase(
  dialect: Dialect,
  dir: string,
  options: { postgresEncoding?: 'SQL_ASCII' } = {},
): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    return {
      dialect,
      url: `sqlite:${join(dir, `test-${randomBytes(4).toString('hex')}.db`)}`,
      drop: async () => undefined,
    };
  }
  const name = `inkan_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(
      options.postgresEncoding === undefined
        ? `create database ${name}`
        : `create database ${name} encoding '${options.postgresEncoding}' lc_collate 'C' lc_ctype 'C' template template0`,
    );
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    dialect,
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      try {
        // FORCE: a pool the test forgot to close must not leave the database behind.
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A full AppContext on a temp data dir and its own database; `cleanup` closes and deletes everything. */
export interface TestContext {
  context: AppContext;
  dataDir: string;
  config: Config;
  database: TestDatabase;
  cleanup(): Promise<void>;
}

/** Builds a context like the server does (PKI, migrations, blobs, outbox mail unless given). */
export async function createTestContext(
  dialect: Dialect,
  env: Record<string, string> = {},
  options: CreateContextOptions = {},
): Promise<TestContext> {
  const dataDir = mkdtempSync(join(tmpdir(), 'inkan-ctx-'));
  const database = await createTestDatabase(dialect, dataDir);
  try {
    const config = loadConfig({
      INKAN_ENV: 'test',
      INKAN_DATA_DIR: dataDir,
      INKAN_SIGNING_KEY_ALGORITHM: 'ECDSA-P256',
      ...(database.url ? { INKAN_DATABASE_URL: database.url } : {}),
      ...env,
    });
    const context = await createContext(config, options);
    return {
      context,
      dataDir,
      config,
      database,
      cleanup: async () => {
        await context.close();
        await database.drop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** A migrated database of its own (no PKI, no context): for adapter tests. `close` also drops it. */
export interface MigratedTestDatabase extends OpenDatabase {
  url: string | undefined;
  dir: string;
  /** Opens a second, independent connection (pool) to the same database, e.g. a second worker. */
  openAnother(): Promise<OpenDatabase>;
}

/** Creates, opens and migrates a fresh database of the dialect in a new temp dir. */
export async function openMigratedTestDatabase(dialect: Dialect): Promise<MigratedTestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'inkan-db-'));
  const database = await createTestDatabase(dialect, dir);
  const opened = await openDatabase(database.url, dir);
  await migrateToLatest(opened.db, opened.dialect);
  const others: OpenDatabase[] = [];
  return {
    ...opened,
    url: database.url,
    dir,
    openAnother: async () => {
      const another = await openDatabase(database.url, dir);
      others.push(another);
      return another;
    },
    close: async () => {
      for (const other of others) await other.close();
      await opened.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A clock that stands still until moved. */
export class TestClock implements Clock {
  #ms: number;
  constructor(start = new Date('2030-01-01T00:00:00.000Z')) {
    this.#ms = start.getTime();
  }
  now(): Date {
    return new Date(this.#ms);
  }
  /** Moves the clock forward. */
  advance(ms: number): void {
    this.#ms += ms;
  }
}
