import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The envelope flow (issue 11 parts 5 and 8b): a recipient's role (`signer`, or `cc` who receives the
 * completion mail and never signs); the nonce the personal link is derived from (so a reminder mails the
 * same link again instead of replacing it); when and how often a recipient was reminded; and the
 * organisation's 自動リマインド interval in days (0 = off). Signers with the same order now sign in
 * parallel, so the unique (envelope, order) constraint of 001 goes (on SQLite by rebuilding the table,
 * its indexes recreated as they were).
 */
export function envelopeFlowMigration(dialect: 'sqlite' | 'postgres'): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      if (dialect === 'postgres')
        await sql`alter table recipients drop constraint recipients_envelope_order`.execute(db);
      else await dropOrderConstraintOnSqlite(db);
      await db.schema
        .alterTable('recipients')
        .addColumn('role', 'text', (c) =>
          c
            .notNull()
            .defaultTo('signer')
            .check(sql`role in ('signer', 'cc')`),
        )
        .execute();
      // The sender's order of the list (signers of one order group, CC recipients), kept for display.
      await db.schema
        .alterTable('recipients')
        .addColumn('position', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('recipients').addColumn('link_nonce', 'text').execute();
      await db.schema.alterTable('recipients').addColumn('reminded_at', 'text').execute();
      await db.schema
        .alterTable('recipients')
        .addColumn('reminder_count', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('organizations')
        .addColumn('auto_remind_days', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('organizations').dropColumn('auto_remind_days').execute();
      await db.schema.alterTable('recipients').dropColumn('reminder_count').execute();
      await db.schema.alterTable('recipients').dropColumn('position').execute();
      await db.schema.alterTable('recipients').dropColumn('reminded_at').execute();
      await db.schema.alterTable('recipients').dropColumn('link_nonce').execute();
      await db.schema.alterTable('recipients').dropColumn('role').execute();
      // The unique order comes back only on PostgreSQL and only when no envelope has parallel signers;
      // SQLite keeps the table as it is (rebuilding it back is not worth a downgrade path).
      if (dialect === 'postgres')
        await sql`alter table recipients add constraint recipients_envelope_order unique (envelope_id, signing_order)`.execute(
          db,
        );
    },
  };
}

/**
 * SQLite cannot drop a table constraint: the recipients table is rebuilt from its own CREATE statement
 * without it (the 12-step procedure; migrateToLatest turns foreign keys off around the migration).
 */
async function dropOrderConstraintOnSqlite(db: Kysely<unknown>): Promise<void> {
  const table = await sql<{
    sql: string;
  }>`select sql from sqlite_master where type = 'table' and name = 'recipients'`.execute(db);
  const create = table.rows[0]?.sql ?? '';
  const without = create.replace(/,\s*constraint\s+"?recipients_envelope_order"?\s+unique\s*\([^)]*\)/i, '');
  if (without === create) throw new Error('013-envelope-flow: the recipients_envelope_order constraint was not found');
  const indexes = await sql<{
    sql: string;
  }>`select sql from sqlite_master where type = 'index' and tbl_name = 'recipients' and sql is not null`.execute(db);
  await sql.raw(without.replace(/^create table\s+"?recipients"?/i, 'create table "recipients_new"')).execute(db);
  await sql`insert into recipients_new select * from recipients`.execute(db);
  await sql`drop table recipients`.execute(db);
  await sql`alter table recipients_new rename to recipients`.execute(db);
  for (const index of indexes.rows) await sql.raw(index.sql).execute(db);
}
