import type SqliteDatabase from 'better-sqlite3';

/**
 * What Kysely's SQLite driver calls on a prepared statement (and the write lock's read-only check).
 */
export interface KyselySqliteStatement {
  readonly reader: boolean;
  readonly readonly: boolean;
  readonly busy: boolean;
  all(parameters: readonly unknown[]): unknown[];
  run(parameters: readonly unknown[]): SqliteDatabase.RunResult;
  iterate(parameters: readonly unknown[]): IterableIterator<unknown>;
}

type RowOf = (values: readonly unknown[]) => Record<string, unknown>;

/**
 * A statement that returns rows, with its row objects built in JavaScript from better-sqlite3's raw
 * arrays. better-sqlite3 builds each row object in C++: for every row it internalises every column name
 * and adds the properties one by one, walking V8's hidden-class transitions (perf of the envelope bench:
 * V8's string table and transition lookups ≈ 3 % of the HTTP and job processes). Here one object literal
 * made for the statement's columns builds each row (`rowObjects`), the same keys in the same order, the
 * last of equal names winning as before — about half the time for a 3-row, 31-column query
 * (`bench/sqlite-rows-bench.ts`).
 *
 * A `select *` follows the table: when another connection's ALTER TABLE changes its columns, SQLite
 * prepares the statement again, and the first row whose length differs from the literal's makes it anew.
 */
class RowsAsObjects implements KyselySqliteStatement {
  readonly #raw: SqliteDatabase.Statement;
  #rowOf: RowOf | undefined;
  #width = -1;

  constructor(statement: SqliteDatabase.Statement) {
    this.#raw = statement.raw(true);
  }

  get reader(): boolean {
    return true;
  }
  get readonly(): boolean {
    return this.#raw.readonly;
  }
  get busy(): boolean {
    return this.#raw.busy;
  }

  all(parameters: readonly unknown[]): unknown[] {
    const rows = this.#raw.all(parameters) as unknown[][];
    for (let i = 0; i < rows.length; i++) rows[i] = this.#object(rows[i]!) as unknown as unknown[];
    return rows;
  }

  run(parameters: readonly unknown[]): SqliteDatabase.RunResult {
    return this.#raw.run(parameters);
  }

  *iterate(parameters: readonly unknown[]): IterableIterator<unknown> {
    for (const row of this.#raw.iterate(parameters) as IterableIterator<unknown[]>) yield this.#object(row);
  }

  #object(values: readonly unknown[]): Record<string, unknown> {
    if (values.length !== this.#width) {
      this.#rowOf = rowObjects(this.#raw.columns().map((column) => column.name));
      this.#width = values.length;
    }
    return this.#rowOf!(values);
  }
}

/**
 * A function that turns a raw row into an object with these keys, in this order: one object literal,
 * so that V8 makes every row from the same boilerplate. The names are written as JSON string literals
 * (any text SQLite gives a column is then a plain key); `__proto__` would set the prototype in a literal,
 * so a statement with such a column keeps a loop of own-property definitions instead.
 */
export function rowObjects(names: readonly string[]): RowOf {
  if (names.includes('__proto__'))
    return (values) => {
      const row: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++)
        Object.defineProperty(row, names[i]!, {
          value: values[i],
          enumerable: true,
          writable: true,
          configurable: true,
        });
      return row;
    };
  const body = `return {${names.map((name, i) => `${JSON.stringify(name)}: values[${i}]`).join(', ')}};`;
  // The keys are JSON string literals of the names: data, never code.
  return new Function('values', body) as RowOf;
}

/** The statement as Kysely's driver will use it: rows built in JavaScript when it returns any. */
export function forKysely(statement: SqliteDatabase.Statement): KyselySqliteStatement {
  return statement.reader ? new RowsAsObjects(statement) : (statement as unknown as KyselySqliteStatement);
}
