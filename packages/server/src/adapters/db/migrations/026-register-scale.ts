import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The register at a million entries (issue 7): indexes from which a page's keys can be read without
 * touching the table (the list use case asks for the page's keys first, then reads those rows).
 *
 * - 金額 with 締結日 and id, both dialects: a 金額 range in the default order (締結日 desc) sorts only
 *   the matching index entries; 締結日 within a year in 金額 order walks 金額 and checks 締結日 in the index.
 * - The 締結日 index carries 金額 and the counterparties (PostgreSQL: INCLUDE; SQLite: trailing columns),
 *   so that walking 締結日 (the default order) checks those filters in the index alone. It replaces the
 *   plain (scope, signed_on, id) index.
 *
 * Planner statistics for the new indexes are gathered here (ANALYZE), as on any database that the
 * application runs on afterwards (SQLite: PRAGMA optimize at open and close; PostgreSQL: autovacuum).
 */
export function registerScaleMigration(dialect: 'sqlite' | 'postgres'): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createIndex('contracts_scope_amount_signed_on')
        .on('contracts')
        .columns(['scope', 'amount', 'signed_on', 'id'])
        .execute();
      // SQLite has no INCLUDE: the carried columns follow the key (same order, same use).
      if (dialect === 'postgres')
        await sql`create index contracts_scope_signed_on_covering on contracts (scope, signed_on, id) include (amount, counterparty_norm)`.execute(
          db,
        );
      else
        await sql`create index contracts_scope_signed_on_covering on contracts (scope, signed_on, id, amount, counterparty_norm)`.execute(
          db,
        );
      await db.schema.dropIndex('contracts_scope_signed_on').execute();
      await sql`analyze contracts`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createIndex('contracts_scope_signed_on')
        .on('contracts')
        .columns(['scope', 'signed_on', 'id'])
        .execute();
      await db.schema.dropIndex('contracts_scope_signed_on_covering').execute();
      await db.schema.dropIndex('contracts_scope_amount_signed_on').execute();
    },
  };
}
