import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Fields and seals (issue 11 part 4): the fields a sender places on an envelope's documents for each
 * recipient (署名/押印, 日付, テキスト, チェックボックス) with the values the signer gave, and the
 * organisation's uploaded 社印/角印 image (kept in the encrypted blob store, like documents).
 */
export function fieldsMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('envelope_fields')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('envelope_id', 'text', (c) => c.notNull().references('envelopes.id').onDelete('cascade'))
        .addColumn('document_id', 'text', (c) => c.notNull().references('documents.id').onDelete('cascade'))
        .addColumn('recipient_id', 'text', (c) => c.notNull().references('recipients.id').onDelete('cascade'))
        // The sender's order of placement: the order of the list everywhere.
        .addColumn('position', 'integer', (c) => c.notNull())
        // 1-based page number and the rectangle [x0, y0, x1, y1] in PDF points (JSON): exact on both databases.
        .addColumn('page', 'integer', (c) => c.notNull())
        .addColumn('rect', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('seal', 'date', 'text', 'checkbox')`))
        .addColumn('required', 'integer', (c) =>
          c
            .notNull()
            .defaultTo(0)
            .check(sql`required in (0, 1)`),
        )
        .addColumn('label', 'text')
        // The field's index among its page's declared areas (/InkanFields), set when the envelope is sent.
        .addColumn('area_index', 'integer')
        // What the signer gave (text, 'true'/'false', the date as drawn, the seal's characters), set at signing.
        .addColumn('value', 'text')
        .addColumn('filled_at', 'text')
        .execute();
      await db.schema.createIndex('envelope_fields_envelope').on('envelope_fields').column('envelope_id').execute();
      await db.schema.createIndex('envelope_fields_recipient').on('envelope_fields').column('recipient_id').execute();

      await db.schema
        .createTable('organization_seals')
        .addColumn('organization_id', 'text', (c) => c.primaryKey().references('organizations.id').onDelete('cascade'))
        .addColumn('blob_key', 'text', (c) => c.notNull())
        .addColumn('media_type', 'text', (c) => c.notNull().check(sql`media_type in ('image/png', 'image/jpeg')`))
        .addColumn('width', 'integer', (c) => c.notNull())
        .addColumn('height', 'integer', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('updated_by_user_id', 'text')
        .execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('organization_seals').execute();
      await db.schema.dropTable('envelope_fields').execute();
    },
  };
}
