import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Accounts (issue 7): a user is an account anyone can have; belonging to an organisation is a row of
 * `memberships` (with the role that used to be on the user). Existing users keep their organisation and
 * role as a membership. Sessions carry their active organisation and what the sessions list shows;
 * `account_tokens` holds the one-use links of sign-up, password reset and e-mail change (hashed);
 * `rate_limits` counts attempts per IP and per address across processes.
 *
 * SQLite cannot drop a column that a foreign key uses, so `users` is rebuilt (new table, copy, drop,
 * rename). migrateToLatest turns SQLite's foreign keys off around the migration transaction and runs
 * `pragma foreign_key_check` before committing, so dropping the old table cascades nothing.
 */
export function accountsMigration(dialect: 'sqlite' | 'postgres'): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('memberships')
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'member', 'viewer')`))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('memberships_pkey', ['user_id', 'organization_id'])
        .execute();
      await db.schema
        .createIndex('memberships_organization_role')
        .on('memberships')
        .columns(['organization_id', 'role'])
        .execute();
      await sql`insert into memberships (user_id, organization_id, role, created_at) select id, organization_id, role, created_at from users`.execute(
        db,
      );

      // Sessions: the active organisation (null for a personal account) and the sessions list's facts.
      await db.schema
        .alterTable('sessions')
        .addColumn('organization_id', 'text', (c) => c.references('organizations.id').onDelete('set null'))
        .execute();
      await db.schema.alterTable('sessions').addColumn('last_seen_at', 'text').execute();
      await db.schema.alterTable('sessions').addColumn('ip', 'text').execute();
      await db.schema.alterTable('sessions').addColumn('user_agent', 'text').execute();
      await sql`update sessions set organization_id = (select organization_id from users where users.id = sessions.user_id), last_seen_at = created_at`.execute(
        db,
      );

      if (dialect === 'postgres') {
        await db.schema.alterTable('users').dropColumn('organization_id').execute();
        await db.schema.alterTable('users').dropColumn('role').execute();
        await db.schema.alterTable('users').addColumn('company_name', 'text').execute();
      } else {
        await db.schema
          .createTable('users_new')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('email', 'text', (c) => c.notNull().unique())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('password_hash', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('company_name', 'text')
          .execute();
        await sql`insert into users_new (id, email, name, password_hash, created_at, company_name) select id, email, name, password_hash, created_at, null from users`.execute(
          db,
        );
        await db.schema.dropTable('users').execute();
        await sql`alter table users_new rename to users`.execute(db);
      }

      await db.schema
        .createTable('account_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('purpose', 'text', (c) =>
          c.notNull().check(sql`purpose in ('signup', 'password_reset', 'email_change')`),
        )
        // signup: the address to register; email_change: the new address; password_reset: the account's.
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
        .addColumn('next_path', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .execute();
      await db.schema.createIndex('account_tokens_user_id').on('account_tokens').column('user_id').execute();

      await db.schema
        .createTable('rate_limits')
        .addColumn('bucket', 'text', (c) => c.primaryKey())
        .addColumn('window_start', 'text', (c) => c.notNull())
        .addColumn('hits', 'integer', (c) => c.notNull())
        .execute();
    },

    async down(): Promise<void> {
      throw new Error(
        '003-accounts cannot be undone: organisation membership would be lost for users of several organisations',
      );
    },
  };
}
