import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Templates and bulk send (issue 13 part 2). A template holds documents (blobs like a draft's
 * originals), recipient roles and the fields placed per role; a bulk send keeps only the CSV rows that
 * passed validation, one job each, and the envelope each row became. The submission key (unique per
 * organisation) makes a second click or a retried request return the batch already made.
 */
export function templatesBulkSendMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('envelope_templates')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('created_by_user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('envelope_templates_organization')
        .on('envelope_templates')
        .columns(['organization_id', 'name'])
        .execute();
      await db.schema
        .createTable('template_documents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('template_id', 'text', (c) => c.notNull().references('envelope_templates.id').onDelete('cascade'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('pages', 'integer', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('blob', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('template_documents_template')
        .on('template_documents')
        .column('template_id')
        .execute();
      await db.schema
        .createTable('template_roles')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('template_id', 'text', (c) => c.notNull().references('envelope_templates.id').onDelete('cascade'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('role_name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('signer', 'cc')`))
        .addColumn('signing_order', 'integer', (c) => c.notNull())
        .addColumn('access_code_policy', 'text', (c) =>
          c.notNull().check(sql`access_code_policy in ('generated', 'required')`),
        )
        .addColumn('language', 'text', (c) => c.notNull().check(sql`language in ('ja', 'en')`))
        .execute();
      await db.schema.createIndex('template_roles_template').on('template_roles').column('template_id').execute();
      await db.schema
        .createTable('template_fields')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('template_id', 'text', (c) => c.notNull().references('envelope_templates.id').onDelete('cascade'))
        .addColumn('document_id', 'text', (c) => c.notNull().references('template_documents.id').onDelete('cascade'))
        .addColumn('role_id', 'text', (c) => c.notNull().references('template_roles.id').onDelete('cascade'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('page', 'integer', (c) => c.notNull())
        .addColumn('rect', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('seal', 'date', 'text', 'checkbox')`))
        .addColumn('required', 'integer', (c) => c.notNull().check(sql`required in (0, 1)`))
        .addColumn('label', 'text')
        .execute();
      await db.schema.createIndex('template_fields_template').on('template_fields').column('template_id').execute();
      await db.schema
        .createTable('bulk_sends')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        // A template deleted later leaves its bulk sends (and their envelopes) as they are.
        .addColumn('template_id', 'text', (c) => c.notNull())
        .addColumn('created_by_user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('created_by_api_key_id', 'text')
        .addColumn('submission_key', 'text', (c) => c.notNull())
        .addColumn('file_name', 'text', (c) => c.notNull())
        .addColumn('total_rows', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('bulk_sends_submission', ['organization_id', 'submission_key'])
        .execute();
      await db.schema
        .createTable('bulk_send_rows')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('bulk_send_id', 'text', (c) => c.notNull().references('bulk_sends.id').onDelete('cascade'))
        .addColumn('row_number', 'integer', (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c
            .notNull()
            .defaultTo('pending')
            .check(sql`status in ('pending', 'sent', 'failed')`),
        )
        .addColumn('envelope_id', 'text')
        .addColumn('error_code', 'text')
        .addColumn('finished_at', 'text')
        .addUniqueConstraint('bulk_send_rows_number', ['bulk_send_id', 'row_number'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const table of [
        'bulk_send_rows',
        'bulk_sends',
        'template_fields',
        'template_roles',
        'template_documents',
        'envelope_templates',
      ])
        await db.schema.dropTable(table).execute();
    },
  };
}
