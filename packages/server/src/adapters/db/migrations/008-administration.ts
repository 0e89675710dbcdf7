import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Organisation administration (issue 12 parts 1 and 5): the organisation's profile (sender and support
 * contacts, mail display name and Reply-To, a small logo kept in the row: PNG/JPEG ≤ 256 KiB, so backups
 * carry it with the database), its session policy (idle and absolute timeouts, null: the installation's
 * default), deactivated memberships (kept for the log, granting nothing), API key scopes (existing keys
 * keep what they could do: send, read, register) and who created a key, and invitations by mail
 * (token hashed, one use).
 */
export function administrationMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      for (const column of ['sender_contact', 'support_contact', 'mail_from_name', 'mail_reply_to'])
        await db.schema.alterTable('organizations').addColumn(column, 'text').execute();
      // The logo: base64 of the bytes as uploaded (checked PNG or JPEG), its type and decoded size.
      await db.schema.alterTable('organizations').addColumn('logo_base64', 'text').execute();
      await db.schema.alterTable('organizations').addColumn('logo_type', 'text').execute();
      await db.schema.alterTable('organizations').addColumn('logo_updated_at', 'text').execute();
      await db.schema.alterTable('organizations').addColumn('session_idle_minutes', 'integer').execute();
      await db.schema.alterTable('organizations').addColumn('session_absolute_hours', 'integer').execute();

      await db.schema.alterTable('memberships').addColumn('deactivated_at', 'text').execute();

      await db.schema
        .alterTable('api_keys')
        .addColumn('scopes', 'text', (c) => c.notNull().defaultTo('["send","read","register"]'))
        .execute();
      await db.schema
        .alterTable('api_keys')
        .addColumn('created_by_user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
        .execute();

      await db.schema
        .createTable('member_invitations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'member', 'viewer')`))
        .addColumn('invited_by_user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('accepted_at', 'text')
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema
        .createIndex('member_invitations_organization_id')
        .on('member_invitations')
        .column('organization_id')
        .execute();
    },

    async down(): Promise<void> {
      throw new Error('008-administration cannot be undone: invitations, scopes and deactivations would be lost');
    },
  };
}
