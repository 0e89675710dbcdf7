import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Second factors (issue 12 part 2): a TOTP seed per account (AES-GCM under a key derived from the
 * master key, never in clear), one-use recovery codes (SHA-256 only), passkeys (WebAuthn public keys),
 * short-lived challenges of the sign-in second step and of WebAuthn ceremonies (token hashed), the
 * organisation policy "MFA required", and on each session when its second factor was last given
 * (step-up) and whether the policy forces enrolment before anything else.
 */
export function secondFactorsMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('totp_factors')
        .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
        .addColumn('secret_ciphertext', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        // Null until the first code is entered: an unconfirmed seed does not guard sign-in.
        .addColumn('confirmed_at', 'text')
        // The last 30-second step accepted: a code of that step or an earlier one is a replay.
        .addColumn('last_used_step', 'bigint')
        .execute();
      await db.schema
        .createTable('recovery_codes')
        .addColumn('code_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .execute();
      await db.schema.createIndex('recovery_codes_user_id').on('recovery_codes').column('user_id').execute();
      await db.schema
        .createTable('passkeys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('public_key', 'text', (c) => c.notNull())
        .addColumn('counter', 'bigint', (c) => c.notNull())
        .addColumn('transports', 'text')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_used_at', 'text')
        .execute();
      await db.schema.createIndex('passkeys_user_id').on('passkeys').column('user_id').execute();
      await db.schema
        .createTable('second_factor_challenges')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('purpose', 'text', (c) =>
          c.notNull().check(sql`purpose in ('sign-in', 'passkey-register', 'passkey-sign-in')`),
        )
        .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
        .addColumn('webauthn_challenge', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .execute();
      await db.schema.alterTable('sessions').addColumn('second_factor_at', 'text').execute();
      await db.schema
        .alterTable('sessions')
        .addColumn('mfa_enrolment_required', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('organizations')
        .addColumn('mfa_required', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },

    async down(): Promise<void> {
      throw new Error('006-second-factors cannot be undone: accounts would lose their second factors');
    },
  };
}
