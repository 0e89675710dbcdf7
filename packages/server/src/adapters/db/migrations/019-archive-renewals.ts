import { sql, type Kysely, type Migration } from 'kysely';

/**
 * LTA renewal (issue 13 part 5): the archived versions of every stored, sealed PDF (each document of a
 * completed envelope and its certificate of completion). Version 1 is the file as sealed; each renewal
 * of the archive timestamp (validation data and a new document timestamp, an incremental update) adds
 * the next version with its own blob and SHA-256. Exactly one version of a file is current: the one
 * downloads and the register serve. (subject_id, version) is unique, so two workers renewing the same
 * file at once cannot both record a version.
 */
export function archiveRenewalsMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('archive_versions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('envelope_id', 'text', (c) => c.notNull().references('envelopes.id').onDelete('cascade'))
        // The document's id, or the envelope's id for its certificate of completion.
        .addColumn('subject_id', 'text', (c) => c.notNull())
        .addColumn('subject_kind', 'text', (c) => c.notNull().check(sql`subject_kind in ('document', 'certificate')`))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('blob', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        // SHA-256 of version 1 (the file as sealed), kept on every version, and of the version replaced.
        .addColumn('sha256_original', 'text', (c) => c.notNull())
        .addColumn('sha256_previous', 'text')
        // The newest document timestamp of this version: when, by whom, its TSA certificate's end, its hash.
        .addColumn('timestamp_at', 'text')
        .addColumn('tsa_subject', 'text')
        .addColumn('tsa_expires_at', 'text')
        .addColumn('timestamp_hash', 'text')
        .addColumn('reason', 'text', (c) => c.notNull().check(sql`reason in ('sealed', 'tsa-expiry', 'weak-hash')`))
        .addColumn('current', 'integer', (c) =>
          c
            .notNull()
            .defaultTo(1)
            .check(sql`current in (0, 1)`),
        )
        .addColumn('recorded_at', 'text', (c) => c.notNull())
        // When the renewal was made (null for version 1).
        .addColumn('renewed_at', 'text')
        .addUniqueConstraint('archive_versions_subject_version', ['subject_id', 'version'])
        .execute();
      await db.schema
        .createIndex('archive_versions_due')
        .on('archive_versions')
        .columns(['current', 'tsa_expires_at'])
        .execute();
      await db.schema
        .createIndex('archive_versions_organization')
        .on('archive_versions')
        .columns(['organization_id', 'current'])
        .execute();
      await db.schema.createIndex('archive_versions_blob').on('archive_versions').column('blob').execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('archive_versions').execute();
    },
  };
}
