import { sql, type Kysely, type Migration } from 'kysely';

/**
 * 稟議 reminders (issue 13 part 3, session 18): when an approver was last asked to decide (the request
 * mail or a reminder) and how many reminders the slot got. 自動リマインド reminds an approver whose turn it
 * is and who was not asked for the organisation's `auto_remind_days`; the sender's リマインド button waits an
 * hour after the last mail. Rows made before this migration count as asked when they were created.
 */
export function approvalRemindersMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('envelope_approvals').addColumn('asked_at', 'text').execute();
      await db.schema
        .alterTable('envelope_approvals')
        .addColumn('reminder_count', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await sql`update envelope_approvals set asked_at = created_at where status = 'open'`.execute(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('envelope_approvals').dropColumn('reminder_count').execute();
      await db.schema.alterTable('envelope_approvals').dropColumn('asked_at').execute();
    },
  };
}
