import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Evidence (issue 4): the certificate of completion of each envelope, the organisation setting that
 * attaches it to the completion mail, the names of a mail's attachments, and the daily TSA anchors of
 * the operation log's hash chain.
 */
export function evidenceMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('envelopes').addColumn('certificate_blob', 'text').execute();
      await db.schema.alterTable('envelopes').addColumn('certificate_sha256', 'text').execute();
      await db.schema.alterTable('envelopes').addColumn('certificate_issued_at', 'text').execute();
      await db.schema
        .alterTable('organizations')
        .addColumn('attach_certificate', 'integer', (c) =>
          c
            .notNull()
            .defaultTo(0)
            .check(sql`attach_certificate in (0, 1)`),
        )
        .execute();
      // JSON array of file names: what a mail carried, without the bytes.
      await db.schema.alterTable('mails').addColumn('attachment_names', 'text').execute();

      await db.schema
        .createTable('audit_anchors')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('head_seq', 'integer', (c) => c.notNull())
        .addColumn('head_hash', 'text', (c) => c.notNull())
        // The RFC 3161 TimeStampToken (DER, base64) whose message imprint is the head hash.
        .addColumn('token', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_anchors_created_at').on('audit_anchors').column('created_at').execute();
      // The audit API filters one organisation's events by time.
      await db.schema
        .createIndex('events_organization_created')
        .on('events')
        .columns(['organization_id', 'created_at'])
        .execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('events_organization_created').ifExists().execute();
      await db.schema.dropTable('audit_anchors').ifExists().execute();
      await db.schema.alterTable('mails').dropColumn('attachment_names').execute();
      await db.schema.alterTable('organizations').dropColumn('attach_certificate').execute();
      for (const column of ['certificate_issued_at', 'certificate_sha256', 'certificate_blob'])
        await db.schema.alterTable('envelopes').dropColumn(column).execute();
    },
  };
}
