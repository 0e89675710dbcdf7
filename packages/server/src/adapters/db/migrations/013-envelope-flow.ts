import type { Kysely, Migration } from 'kysely';

/**
 * The envelope flow (issue 11 parts 5 and 8b): a recipient's role (`signer`, or `cc` who receives the
 * completion mail and never signs); the nonce the personal link is derived from (so a reminder mails the
 * same link again instead of replacing it); when and how often a recipient was reminded; and the
 * organisation's 自動リマインド interval in days (0 = off).
 */
export function envelopeFlowMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('recipients')
        .addColumn('role', 'text', (c) => c.notNull().defaultTo('signer'))
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
      await db.schema.alterTable('recipients').dropColumn('reminded_at').execute();
      await db.schema.alterTable('recipients').dropColumn('link_nonce').execute();
      await db.schema.alterTable('recipients').dropColumn('role').execute();
    },
  };
}
