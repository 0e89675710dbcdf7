import type { Kysely, Migration } from 'kysely';

/**
 * Signer contact (issue 11 part 2): an optional telephone number on the account, shown to signers as
 * the sender's contact when set, and the Reply-To of a mail (the sender, for signing requests) kept
 * with the mail in the outbox, as SMTP sends it.
 */
export function signerContactMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('users').addColumn('phone', 'text').execute();
      await db.schema.alterTable('mails').addColumn('reply_to', 'text').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('mails').dropColumn('reply_to').execute();
      await db.schema.alterTable('users').dropColumn('phone').execute();
    },
  };
}
