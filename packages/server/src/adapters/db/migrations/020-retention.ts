import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Retention and keys (issue 13 part 6). Documents' data keys move out of the blob headers into the
 * database, wrapped under a key-encryption key (KEK) that is derived from the master key or lives in an
 * HSM: destroying one row makes a blob unreadable for good (crypto-shredding), and rotating the KEK
 * rewraps rows without touching any blob. Blobs written before this migration (format v1) keep their
 * wrapped key in their header and stay readable with the master key.
 *
 * Retention periods per organisation and document type, legal holds on contracts and envelopes, and
 * the time a contract's or envelope's documents were shredded.
 */
export function retentionMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('key_encryption_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        // The newest version is the current one: new data keys are wrapped under it.
        .addColumn('version', 'integer', (c) => c.notNull().unique())
        .addColumn('provider', 'text', (c) => c.notNull().check(sql`provider in ('master', 'pkcs11')`))
        // master: the HKDF label of the derivation; pkcs11: the AES key's CKA_LABEL on the token.
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        // Set once no data key is wrapped under it any more and the key itself was removed.
        .addColumn('retired_at', 'text')
        .execute();
      await db
        .insertInto('key_encryption_keys' as never)
        .values({
          id: 'master-v1',
          version: 1,
          provider: 'master',
          label: 'document-kek/v1',
          created_at: new Date().toISOString(),
          retired_at: null,
        } as never)
        .execute();

      await db.schema
        .createTable('document_keys')
        .addColumn('key_id', 'text', (c) => c.primaryKey())
        .addColumn('blob_key', 'text', (c) => c.notNull())
        .addColumn('kek_id', 'text', (c) => c.notNull().references('key_encryption_keys.id'))
        // IV | AES-256-GCM ciphertext of the data key | tag, base64; null once destroyed.
        .addColumn('wrapped_key', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('destroyed_at', 'text')
        .addColumn('destroy_reason', 'text')
        .execute();
      await db.schema.createIndex('document_keys_kek').on('document_keys').column('kek_id').execute();
      await db.schema.createIndex('document_keys_blob').on('document_keys').column('blob_key').execute();

      await db.schema
        .createTable('retention_rules')
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        // 'default', 'source:envelope', 'source:import', or 'type:<契約種別>'.
        .addColumn('document_type', 'text', (c) => c.notNull())
        .addColumn('years', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('updated_by_user_id', 'text')
        .addPrimaryKeyConstraint('retention_rules_pk', ['organization_id', 'document_type'])
        .execute();

      await db.schema
        .createTable('legal_holds')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('subject_type', 'text', (c) => c.notNull().check(sql`subject_type in ('contract', 'envelope')`))
        .addColumn('subject_id', 'text', (c) => c.notNull())
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('placed_by_user_id', 'text')
        .addColumn('placed_at', 'text', (c) => c.notNull())
        .addColumn('released_at', 'text')
        .addColumn('released_by_user_id', 'text')
        .addColumn('release_reason', 'text')
        .execute();
      await db.schema
        .createIndex('legal_holds_subject')
        .on('legal_holds')
        .columns(['subject_type', 'subject_id'])
        .execute();

      // Earlier versions of an envelope's documents (each signature and the seal make a new file): the
      // retention job shreds them with the envelope.
      await db.schema
        .createTable('superseded_blobs')
        .addColumn('blob_key', 'text', (c) => c.primaryKey())
        .addColumn('envelope_id', 'text', (c) => c.notNull().references('envelopes.id').onDelete('cascade'))
        .addColumn('document_id', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('superseded_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('superseded_blobs_envelope').on('superseded_blobs').column('envelope_id').execute();

      await db.schema.alterTable('envelopes').addColumn('shredded_at', 'text').execute();
      await db.schema.alterTable('contracts').addColumn('shredded_at', 'text').execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('contracts').dropColumn('shredded_at').execute();
      await db.schema.alterTable('envelopes').dropColumn('shredded_at').execute();
      await db.schema.dropTable('superseded_blobs').execute();
      await db.schema.dropTable('legal_holds').execute();
      await db.schema.dropTable('retention_rules').execute();
      await db.schema.dropTable('document_keys').execute();
      await db.schema.dropTable('key_encryption_keys').execute();
    },
  };
}
