// Rows of SQLite queries are built in JavaScript from raw arrays (sqlite-rows.ts), not by better-sqlite3's
// C++ object builder: the objects must be the same — keys, their order, values of every type, the last
// of two equal column names winning — for plain selects, joins, RETURNING and streamed queries, and a
// `select *` must follow a column another connection adds while the statement is cached.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { CompiledQuery, sql } from 'kysely';
import { openSqlite } from '../../src/adapters/db/open-database.ts';
import { rowObjects } from '../../src/adapters/db/sqlite-rows.ts';

const SETUP = `
  create table parent (id integer primary key, name text, note text);
  create table child (id integer primary key, parent_id integer, name text, amount real, data blob, flag integer);
  insert into parent values (1, 'p1', null), (2, 'p2', 'two');
  insert into child values (10, 1, 'c10', 1.5, x'00ff', 1), (11, 1, 'c11', null, null, 0), (12, 2, 'c12', -3, x'', null);
`;

/** What better-sqlite3 itself returns for a query (its C++ row objects). */
function native(path: string, text: string, parameters: unknown[] = []): unknown[] {
  const reader = new SqliteDatabase(path, { readonly: true });
  try {
    return reader.prepare(text).all(...parameters);
  } finally {
    reader.close();
  }
}

function withDatabase(name: string, body: (path: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), `inkan-rows-${name}-`));
    const path = join(dir, 'inkan.db');
    try {
      const setup = new SqliteDatabase(path);
      setup.exec(SETUP);
      setup.close();
      await body(path);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  'rows through Kysely equal better-sqlite3’s own objects: keys, order, every value type, equal names',
  withDatabase('same', async (path) => {
    const { db, close } = await openSqlite(path);
    try {
      const queries: Array<[string, unknown[]]> = [
        ['select * from child order by id', []],
        ['select * from child where parent_id = ? order by id', [1]],
        // Both tables have id and name: the later column wins, as in better-sqlite3's objects.
        ['select * from parent join child on child.parent_id = parent.id order by child.id', []],
        ['select child.*, parent.name as parent_name from child join parent on parent.id = child.parent_id', []],
        ['select count(*) as n, sum(amount) as total from child', []],
        ['select * from child where id = ?', [999]],
      ];
      for (const [text, parameters] of queries) {
        const expected = native(path, text, parameters);
        const { rows } = await db.executeQuery(CompiledQuery.raw(text, parameters));
        // Twice: the second run uses the cached statement and its row literal.
        const again = (await db.executeQuery(CompiledQuery.raw(text, parameters))).rows;
        for (const got of [rows, again]) {
          assert.deepStrictEqual(got, expected, text);
          assert.deepEqual(
            got.map((row) => Object.keys(row as object)),
            expected.map((row) => Object.keys(row as object)),
            `key order: ${text}`,
          );
        }
      }
      // Through the query builder, with parameters, and RETURNING of a write.
      const builder = await db
        .selectFrom('child' as never)
        .selectAll()
        .where('parent_id' as never, '=', 2 as never)
        .execute();
      assert.deepStrictEqual(builder, native(path, 'select * from child where parent_id = 2'));
      const inserted = await db.executeQuery(
        sql`insert into parent (id, name, note) values (3, ${'p3'}, ${null}) returning *`.compile(db),
      );
      assert.deepStrictEqual(inserted.rows, [{ id: 3, name: 'p3', note: null }]);
      // A streamed query yields the same objects one by one.
      const streamed: unknown[] = [];
      for await (const row of db
        .selectFrom('child' as never)
        .selectAll()
        .orderBy('id' as never)
        .stream())
        streamed.push(row);
      assert.deepStrictEqual(streamed, native(path, 'select * from child order by id'));
    } finally {
      await close();
    }
  }),
);

test(
  'a cached `select *` follows a column that another connection adds, and one it drops',
  withDatabase('alter', async (path) => {
    const { db, close } = await openSqlite(path);
    try {
      const all = async () => (await db.executeQuery(CompiledQuery.raw('select * from parent order by id'))).rows;
      assert.deepEqual(Object.keys((await all())[0] as object), ['id', 'name', 'note']);
      const other = new SqliteDatabase(path);
      other.exec(`alter table parent add column region text default 'north'`);
      assert.deepStrictEqual(await all(), native(path, 'select * from parent order by id'));
      assert.equal(((await all())[0] as { region?: string }).region, 'north');
      other.exec('alter table parent drop column note');
      assert.deepStrictEqual(await all(), native(path, 'select * from parent order by id'));
      assert.deepEqual(Object.keys((await all())[0] as object), ['id', 'name', 'region']);
      other.close();
    } finally {
      await close();
    }
  }),
);

test('column names are keys, never code; `__proto__` is an own property, the prototype untouched', () => {
  const names = ['plain', 'with "quotes"', "it's", 'back\\slash', '}; throw 1; ({', 'line\u2028sep', '__proto__'];
  const row = rowObjects(names)([1, 2, 3, 4, 5, 6, { polluted: true }]);
  assert.deepEqual(Object.keys(row), names);
  assert.equal(Object.getPrototypeOf(row), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(row, '__proto__')?.value, { polluted: true });
  assert.equal(({} as { polluted?: boolean }).polluted, undefined);
  const plain = rowObjects(names.slice(0, 6))([1, 2, 3, 4, 5, 6]);
  assert.deepEqual(Object.values(plain), [1, 2, 3, 4, 5, 6]);
  assert.equal(plain['}; throw 1; ({'], 5);
});
