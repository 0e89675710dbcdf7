import pg from 'pg';

/**
 * Statements kept prepared per connection. The code's statements are a fixed set of a few hundred texts
 * (an `in (…)` list of another length is another text); past the bound a new text runs unnamed, as
 * before, so a connection never holds more plans than this in PostgreSQL's memory.
 */
export const PREPARED_STATEMENTS_PER_CONNECTION = 400;

/** PostgreSQL's refusal to reuse a plan whose result columns changed (a migration under a `select *`). */
function isStalePlan(error: unknown): boolean {
  return (
    (error as { code?: unknown })?.code === '0A000' &&
    /cached plan must not change result type/i.test(String((error as Error).message))
  );
}

type Query = (config: unknown, values?: unknown, callback?: unknown) => unknown;

/**
 * A pg Client that sends every parameterised statement (Kysely's: text and an array of values) as a
 * named prepared statement, so that PostgreSQL parses and plans each text once per connection instead of
 * at every execution: an envelope runs ≈ 300 statements, and parse + plan were ≈ a quarter of
 * PostgreSQL's own CPU per envelope (issue 10). Statements without parameters keep the simple protocol
 * (several statements in one text, as the operation log's append + COMMIT, need it).
 *
 * When another instance migrates a table under a prepared `select *`, PostgreSQL refuses the old plan
 * ("cached plan must not change result type"): the connection then forgets all its names (the next use of
 * each text prepares it afresh under a new name, within the same bound) and a statement that ran outside a transaction is run again at once; one
 * inside a transaction fails with it, as any statement would, and the transaction's caller sees the error.
 *
 * Off (`INKAN_DATABASE_PREPARED_STATEMENTS=false`) for a pooler that hands each transaction another server
 * connection without tracking prepared statements (PgBouncer in transaction mode before 1.21, or with
 * max_prepared_statements = 0).
 */
export class PreparingClient extends pg.Client {
  /** Statement text → its name on this connection. */
  readonly #names = new Map<string, string>();
  /**
   * Names given on this connection, forgotten ones included: PostgreSQL keeps a forgotten name's plan until
   * the connection closes, so the bound counts them too, and a name is never given twice.
   */
  #given = 0;

  override query(...args: Parameters<Query>): never {
    const [config, values, callback] = args;
    const plain = (super.query as Query).bind(this);
    if (typeof config !== 'string' || !Array.isArray(values) || values.length === 0 || callback !== undefined)
      return plain(...args) as never;
    const name = this.#nameOf(config);
    if (name === undefined) return plain(config, values) as never;
    return (plain({ name, text: config, values }) as Promise<unknown>).catch((error: unknown) => {
      if (!isStalePlan(error)) throw error;
      this.#names.clear();
      // Outside a transaction ('I') nothing else was undone: the statement alone runs again. ('T' or 'E'
      // is a transaction, which the failure aborted: its caller must see the error.)
      if (this.getTransactionStatus() !== 'I') throw error;
      const renamed = this.#nameOf(config);
      return renamed === undefined ? plain(config, values) : plain({ name: renamed, text: config, values });
    }) as never;
  }

  #nameOf(text: string): string | undefined {
    const known = this.#names.get(text);
    if (known !== undefined) return known;
    if (this.#given >= PREPARED_STATEMENTS_PER_CONNECTION) return undefined;
    const name = `inkan_${this.#given}`;
    this.#given += 1;
    this.#names.set(text, name);
    return name;
  }
}
