import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The initial schema: exactly the tables and columns of `ports/database.ts` (Schema). Times are ISO 8601
 * UTC text, booleans 0/1, JSON text, so that SQLite and PostgreSQL compare and sort them the same way.
 */
export function initialMigration(dialect: 'sqlite' | 'postgres'): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('organizations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('slug', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('email', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'member', 'viewer')`))
        .addColumn('password_hash', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('users_organization_id').on('users').column('organization_id').execute();

      await db.schema
        .createTable('sessions')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('csrf_token', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_user_id').on('sessions').column('user_id').execute();

      await db.schema
        .createTable('login_links')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .execute();
      await db.schema.createIndex('login_links_user_id').on('login_links').column('user_id').execute();

      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .addColumn('last_used_at', 'text')
        .execute();
      await db.schema.createIndex('api_keys_organization_id').on('api_keys').column('organization_id').execute();

      await db.schema
        .createTable('envelopes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('created_by_user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('created_by_api_key_id', 'text', (c) => c.references('api_keys.id').onDelete('set null'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('draft', 'sent', 'completed', 'declined', 'canceled', 'expired')`),
        )
        .addColumn('certificate_id', 'text', (c) => c.notNull().unique())
        .addColumn('expires_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('sent_at', 'text')
        .addColumn('completed_at', 'text')
        .addColumn('canceled_at', 'text')
        .execute();
      // The envelope list: one organisation's envelopes, newest first, optionally by status.
      await db.schema
        .createIndex('envelopes_organization_created')
        .on('envelopes')
        .columns(['organization_id', 'created_at'])
        .execute();
      await db.schema
        .createIndex('envelopes_organization_status')
        .on('envelopes')
        .columns(['organization_id', 'status'])
        .execute();

      await db.schema
        .createTable('documents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('envelope_id', 'text', (c) => c.notNull().references('envelopes.id').onDelete('cascade'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('pages', 'integer', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('sha256_original', 'text', (c) => c.notNull())
        .addColumn('sha256_current', 'text', (c) => c.notNull())
        .addColumn('blob_original', 'text', (c) => c.notNull())
        .addColumn('blob_current', 'text', (c) => c.notNull())
        .addUniqueConstraint('documents_envelope_position', ['envelope_id', 'position'])
        .execute();

      await db.schema
        .createTable('recipients')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('envelope_id', 'text', (c) => c.notNull().references('envelopes.id').onDelete('cascade'))
        .addColumn('signing_order', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('language', 'text', (c) => c.notNull().check(sql`language in ('ja', 'en')`))
        .addColumn('auth', 'text', (c) => c.notNull().check(sql`auth in ('access_code', 'login')`))
        .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('access_code_hash', 'text')
        .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('pending', 'notified', 'viewed', 'signed', 'declined', 'locked')`),
        )
        .addColumn('link_token_hash', 'text', (c) => c.unique())
        .addColumn('notified_at', 'text')
        .addColumn('viewed_at', 'text')
        .addColumn('signed_at', 'text')
        .addColumn('declined_at', 'text')
        .addColumn('decline_reason', 'text')
        .addColumn('locked_at', 'text')
        .addColumn('signed_ip', 'text')
        .addColumn('signed_user_agent', 'text')
        // Duplicate signing orders are refused by the use case; this makes them impossible.
        .addUniqueConstraint('recipients_envelope_order', ['envelope_id', 'signing_order'])
        .execute();

      await db.schema
        .createTable('recipient_sessions')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('recipient_id', 'text', (c) => c.notNull().references('recipients.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('recipient_sessions_recipient_id')
        .on('recipient_sessions')
        .column('recipient_id')
        .execute();

      await db.schema
        .createTable('download_links')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('envelope_id', 'text', (c) => c.notNull().references('envelopes.id').onDelete('cascade'))
        .addColumn('recipient_id', 'text', (c) => c.references('recipients.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('download_links_envelope_id').on('download_links').column('envelope_id').execute();

      // The operation log must outlive what it describes: no cascades, no foreign keys that would
      // forbid deleting an envelope's rows (the chain hash keeps the log tamper-evident instead).
      await db.schema
        .createTable('events')
        .addColumn('seq', 'integer', (c) =>
          dialect === 'postgres' ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
        )
        .addColumn('id', 'text', (c) => c.notNull().unique())
        .addColumn('organization_id', 'text')
        .addColumn('envelope_id', 'text')
        .addColumn('actor_type', 'text', (c) =>
          c.notNull().check(sql`actor_type in ('user', 'recipient', 'api_key', 'system')`),
        )
        .addColumn('actor_id', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('ip', 'text')
        .addColumn('user_agent', 'text')
        .addColumn('details', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .execute();
      await db.schema.createIndex('events_envelope_seq').on('events').columns(['envelope_id', 'seq']).execute();
      await db.schema.createIndex('events_organization_seq').on('events').columns(['organization_id', 'seq']).execute();

      await db.schema
        .createTable('jobs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('dedupe_key', 'text')
        .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('queued', 'running', 'done', 'failed')`))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('max_attempts', 'integer', (c) => c.notNull())
        .addColumn('run_at', 'text', (c) => c.notNull())
        .addColumn('locked_by', 'text')
        .addColumn('locked_until', 'text')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .execute();
      // At most one queued-or-running job per dedupe key; finished ones may repeat the key.
      await db.schema
        .createIndex('jobs_dedupe_key_active')
        .on('jobs')
        .column('dedupe_key')
        .unique()
        .where(sql.ref('dedupe_key'), 'is not', null)
        .where(sql.ref('status'), 'in', ['queued', 'running'])
        .execute();
      // The claim query: due queued jobs, and running jobs whose lease ran out.
      await db.schema.createIndex('jobs_status_run_at').on('jobs').columns(['status', 'run_at']).execute();

      await db.schema
        .createTable('mails')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('to_address', 'text', (c) => c.notNull())
        .addColumn('from_address', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('text_body', 'text', (c) => c.notNull())
        .addColumn('html_body', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('idempotency_key', 'text', (c) => c.unique())
        .execute();
      await db.schema.createIndex('mails_created_at').on('mails').column('created_at').execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      for (const table of [
        'mails',
        'jobs',
        'events',
        'download_links',
        'recipient_sessions',
        'recipients',
        'documents',
        'envelopes',
        'api_keys',
        'login_links',
        'sessions',
        'users',
        'organizations',
      ]) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}
