import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Address book and pre-registration (issue 11 part 6, 署名用メールアドレス届出): the organisation's
 * counterparties (取引先), the one-use 届出 links sent to a counterparty's contact (the token's SHA-256
 * only), the signer each counterparty registered with the access code it chose (the code's keyed hash
 * only, the scheme of recipients.access_code_hash), and on each recipient the contact it came from.
 */
export function addressBookMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('address_book_contacts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('company_name', 'text', (c) => c.notNull())
        .addColumn('department', 'text')
        .addColumn('person_name', 'text', (c) => c.notNull())
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('phone', 'text')
        .addColumn('note', 'text')
        // The registered signer (null until the counterparty registers; cleared when the sender revokes).
        .addColumn('signer_name', 'text')
        .addColumn('signer_email', 'text')
        .addColumn('signer_access_code_hash', 'text')
        .addColumn('signer_language', 'text', (c) => c.check(sql`signer_language in ('ja', 'en')`))
        .addColumn('registered_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('created_by_user_id', 'text')
        .execute();
      await db.schema
        .createIndex('address_book_contacts_organization')
        .on('address_book_contacts')
        .columns(['organization_id', 'company_name'])
        .execute();

      await db.schema
        .createTable('address_book_registration_links')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('contact_id', 'text', (c) => c.notNull().references('address_book_contacts.id').onDelete('cascade'))
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('language', 'text', (c) => c.notNull().check(sql`language in ('ja', 'en')`))
        .addColumn('requested_by_user_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema
        .createIndex('address_book_registration_links_contact')
        .on('address_book_registration_links')
        .column('contact_id')
        .execute();

      // No foreign key: a contact may be deleted while its envelopes stay (the recipient keeps its copy).
      await db.schema.alterTable('recipients').addColumn('address_book_contact_id', 'text').execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('recipients').dropColumn('address_book_contact_id').execute();
      await db.schema.dropTable('address_book_registration_links').execute();
      await db.schema.dropTable('address_book_contacts').execute();
    },
  };
}
