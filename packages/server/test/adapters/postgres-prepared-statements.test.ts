// PostgreSQL statements go as named prepared statements (issue 10: parse and plan were a quarter of the
// database's own CPU per envelope): each parameterised text is prepared once per connection, at most
// PREPARED_STATEMENTS_PER_CONNECTION of them; INKAN_DATABASE_PREPARED_STATEMENTS=false sends them unnamed;
// a migration that changes a prepared `select *`'s columns under a running instance costs at most the
// statement of a transaction, and a statement outside one is run again.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { openConfiguredDatabase, openPostgres, type OpenDatabase } from '../../src/adapters/db/open-database.ts';
import { PREPARED_STATEMENTS_PER_CONNECTION } from '../../src/adapters/db/postgres-prepared-statements.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';

// Tables of this test only: Kysely's schema type does not know them.
type Loose = Kysely<Record<string, Record<string, unknown>>>;

describe('named prepared statements (postgres)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inkan-prepared-'));
  const databases: TestDatabase[] = [];
  let opened: OpenDatabase | undefined;

  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });
  after(async () => {
    for (const database of databases) await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh database opened through one pooled connection (so every statement meets the same session). */
  async function openOne(preparedStatements?: boolean): Promise<{ db: Loose; url: string }> {
    const database = await createTestDatabase('postgres', dir);
    databases.push(database);
    opened = await openPostgres(database.url!, { poolSize: 1, preparedStatements });
    return { db: opened.db as unknown as Loose, url: database.url! };
  }

  /** The statements the connection holds prepared (a statement without parameters: not itself prepared). */
  async function prepared(db: Loose): Promise<string[]> {
    const { rows } = await sql<{
      statement: string;
    }>`select statement from pg_prepared_statements order by name`.execute(db);
    return rows.map((r) => r.statement);
  }

  it('prepares a parameterised statement once and reuses it', async () => {
    const { db } = await openOne();
    const read = (n: number) => sql<{ n: number }>`select ${n}::int + 1 as n`.execute(db).then((r) => r.rows[0]!.n);
    assert.equal(await read(1), 2);
    assert.equal(await read(41), 42);
    const statements = await prepared(db);
    assert.deepEqual(statements, ['select $1::int + 1 as n']);
  });

  it('sends statements unnamed when switched off', async () => {
    const { db } = await openOne(false);
    assert.equal((await sql<{ n: number }>`select ${1}::int as n`.execute(db)).rows[0]!.n, 1);
    assert.deepEqual(await prepared(db), []);
  });

  it('the configuration switches it (INKAN_DATABASE_PREPARED_STATEMENTS), as every command opens the database', async () => {
    const base = { INKAN_DATA_DIR: dir, INKAN_PUBLIC_URL: 'http://127.0.0.1:3000' };
    assert.equal(loadConfig(base).databasePreparedStatements, true);
    assert.equal(
      loadConfig({ ...base, INKAN_DATABASE_PREPARED_STATEMENTS: 'false' }).databasePreparedStatements,
      false,
    );
    assert.throws(() => loadConfig({ ...base, INKAN_DATABASE_PREPARED_STATEMENTS: 'no' }), /PREPARED_STATEMENTS/);
    const database = await createTestDatabase('postgres', dir);
    databases.push(database);
    for (const setting of ['true', 'false']) {
      const config = loadConfig({
        ...base,
        INKAN_DATABASE_URL: database.url,
        INKAN_DATABASE_PREPARED_STATEMENTS: setting,
      });
      opened = await openConfiguredDatabase(config);
      const db = opened.db as unknown as Loose;
      // One statement at a time: the pool hands back the client it just got back.
      assert.equal((await sql<{ n: number }>`select ${7}::int as n`.execute(db)).rows[0]!.n, 7);
      assert.deepEqual(await prepared(db), setting === 'true' ? ['select $1::int as n'] : [], `setting ${setting}`);
      await opened.close();
      opened = undefined;
    }
  });

  it('keeps at most the bound per connection; the texts past it still run, unnamed', async () => {
    const { db } = await openOne();
    const extra = 25;
    for (let i = 0; i < PREPARED_STATEMENTS_PER_CONNECTION + extra; i += 1) {
      const text = sql.raw(`select $1::int + ${i} as n`);
      const { rows } = await db.executeQuery<{ n: number }>({
        ...sql`${text}`.compile(db),
        parameters: [1],
      });
      assert.equal(rows[0]!.n, 1 + i);
    }
    assert.equal((await prepared(db)).length, PREPARED_STATEMENTS_PER_CONNECTION);
  });

  it('a migration under a prepared select *: a statement outside a transaction runs again, one inside fails once', async () => {
    const { db, url } = await openOne();
    await sql`create table contracts_t (id int primary key, title text)`.execute(db);
    await sql`insert into contracts_t values (1, '契約')`.execute(db);
    const readAll = (handle: Loose = db) =>
      handle
        .selectFrom('contracts_t')
        .selectAll()
        .where('id', '=', 1)
        .execute()
        .then((rows) => rows[0]);
    assert.deepEqual(await readAll(), { id: 1, title: '契約' });

    // Another instance migrates the table.
    const migrate = async (statement: string) => {
      const other = new pg.Client({ connectionString: url });
      await other.connect();
      try {
        await other.query(statement);
      } finally {
        await other.end();
      }
    };
    await migrate(`alter table contracts_t add column status text not null default 'active'`);
    assert.deepEqual(await readAll(), { id: 1, title: '契約', status: 'active' }, 'run again with the new columns');

    await migrate(`alter table contracts_t add column note text`);
    await assert.rejects(
      db.transaction().execute((tx) => readAll(tx)),
      /cached plan must not change result type/,
      'inside a transaction the statement fails: the transaction is aborted, nothing can be run again',
    );
    assert.deepEqual(await readAll(), { id: 1, title: '契約', status: 'active', note: null }, 'prepared afresh');
  });
});
