import { sql, type CreateTableBuilder, type Kysely, type Migration } from 'kysely';
import { archiveRenewalsMigration } from './019-archive-renewals.ts';

/** The subject kinds of 019 (the sending organisation's sealed files). */
const ENVELOPE_KINDS = sql`('document', 'certificate')`;
/** … and those added here: a personal 保管 copy (a signed document or the certificate) and an import. */
const ALL_KINDS = sql`('document', 'certificate', 'claimed-document', 'claimed-certificate', 'imported')`;
/** Exactly one owner: the organisation or the account. */
const ONE_OWNER = sql`(organization_id is not null and owner_user_id is null) or (organization_id is null and owner_user_id is not null)`;

/** The archive_versions table as of this migration (SQLite builds it whole; PostgreSQL alters 019's). */
function archiveVersionsTable(table: CreateTableBuilder<string, never>): CreateTableBuilder<string, never> {
  return (
    table
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('organization_id', 'text', (c) => c.references('organizations.id').onDelete('cascade'))
      .addColumn('envelope_id', 'text', (c) => c.references('envelopes.id').onDelete('cascade'))
      .addColumn('subject_id', 'text', (c) => c.notNull())
      .addColumn('subject_kind', 'text', (c) => c.notNull().check(sql`subject_kind in ${ALL_KINDS}`))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('blob', 'text', (c) => c.notNull())
      .addColumn('size', 'integer', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('sha256_original', 'text', (c) => c.notNull())
      .addColumn('sha256_previous', 'text')
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
      .addColumn('renewed_at', 'text')
      // Added here (PostgreSQL adds them at the end too: the column order is the same on both).
      .addColumn('owner_user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
      .addColumn('contract_id', 'text', (c) => c.references('contracts.id').onDelete('cascade'))
      .addUniqueConstraint('archive_versions_subject_version', ['subject_id', 'version'])
      .addCheckConstraint('archive_versions_one_owner', ONE_OWNER)
  );
}

const COLUMNS = sql.raw(
  'id, organization_id, envelope_id, subject_id, subject_kind, name, version, blob, size, sha256, sha256_original, ' +
    'sha256_previous, timestamp_at, tsa_subject, tsa_expires_at, timestamp_hash, reason, current, recorded_at, renewed_at',
);

async function createIndexes(db: Kysely<unknown>): Promise<void> {
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
}

/**
 * LTA renewal of every stored document (issue 13 part 5), and bulk send access codes that key rotation
 * reseals.
 *
 * 1. archive_versions (019) covered only the sending organisation's sealed files. Personal 保管 copies
 *    (the account's own blobs of a completed envelope's documents and certificate) and register imports
 *    (an organisation's or an account's) are stored documents too: a version now belongs to an
 *    organisation OR an account (`owner_user_id`), its envelope is optional, and a register copy names
 *    its entry (`contract_id`; subject_id is then the contract_documents row). Deleting the account or
 *    the entry removes its versions by the foreign keys; a sender's envelope going does not touch a
 *    personal copy's versions (they do not reference the envelope). SQLite cannot drop NOT NULL or
 *    change a CHECK in place: the table is rebuilt (rows kept) as earlier migrations did.
 * 2. A bulk send row kept its recipients' access codes sealed inside its JSON, where `inkan keys rotate`
 *    does not look; they move to `bulk_send_row_codes` (one sealed value per recipient of the row, still
 *    bound to the row's id), a column the rotation reseals. Values move as they are (no key needed).
 *
 * (Numbered 028, not 025: a database already at 026 refuses a new migration sorting before it.)
 */
export function archiveOwnersMigration(dialect: 'sqlite' | 'postgres'): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      if (dialect === 'sqlite') {
        await archiveVersionsTable(db.schema.createTable('archive_versions_new')).execute();
        await sql`insert into archive_versions_new (${COLUMNS}) select ${COLUMNS} from archive_versions`.execute(db);
        await db.schema.dropTable('archive_versions').execute();
        await sql`alter table archive_versions_new rename to archive_versions`.execute(db);
        await createIndexes(db);
      } else {
        await sql`alter table archive_versions alter column organization_id drop not null`.execute(db);
        await sql`alter table archive_versions alter column envelope_id drop not null`.execute(db);
        await sql`alter table archive_versions drop constraint archive_versions_subject_kind_check`.execute(db);
        await sql`alter table archive_versions add constraint archive_versions_subject_kind_check check (subject_kind in ${ALL_KINDS})`.execute(
          db,
        );
        await db.schema
          .alterTable('archive_versions')
          .addColumn('owner_user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
          .execute();
        await db.schema
          .alterTable('archive_versions')
          .addColumn('contract_id', 'text', (c) => c.references('contracts.id').onDelete('cascade'))
          .execute();
        await sql`alter table archive_versions add constraint archive_versions_one_owner check (${ONE_OWNER})`.execute(
          db,
        );
      }
      await db.schema
        .createIndex('archive_versions_owner')
        .on('archive_versions')
        .columns(['owner_user_id', 'current'])
        .execute();
      await db.schema.createIndex('archive_versions_contract').on('archive_versions').column('contract_id').execute();

      await db.schema
        .createTable('bulk_send_row_codes')
        .addColumn('row_id', 'text', (c) => c.notNull().references('bulk_send_rows.id').onDelete('cascade'))
        // The recipient's index in the row's `people`.
        .addColumn('position', 'integer', (c) => c.notNull())
        // SecretSeal 'access-code', bound to row_id.
        .addColumn('access_code_sealed', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('bulk_send_row_codes_pk', ['row_id', 'position'])
        .execute();
      const rows = await sql<{ id: string; data: string; status: string }>`select id, data, status from bulk_send_rows
        where data like ${'%"accessCodeSealed":"%'}`.execute(db);
      for (const row of rows.rows) {
        const data = JSON.parse(row.data) as { people: Array<{ accessCodeSealed?: string | null }> };
        for (const [position, person] of data.people.entries()) {
          // A finished row needs its codes no more: they are dropped rather than moved.
          if (person.accessCodeSealed && row.status === 'pending')
            await sql`insert into bulk_send_row_codes (row_id, position, access_code_sealed)
              values (${row.id}, ${position}, ${person.accessCodeSealed})`.execute(db);
          delete person.accessCodeSealed;
        }
        await sql`update bulk_send_rows set data = ${JSON.stringify(data)} where id = ${row.id}`.execute(db);
      }
    },

    async down(db: Kysely<unknown>): Promise<void> {
      const codes = await sql<{
        row_id: string;
        position: number;
        access_code_sealed: string;
      }>`select row_id, position, access_code_sealed from bulk_send_row_codes`.execute(db);
      const byRow = new Map<string, Map<number, string>>();
      for (const c of codes.rows)
        byRow.set(c.row_id, (byRow.get(c.row_id) ?? new Map()).set(c.position, c.access_code_sealed));
      for (const [rowId, sealed] of byRow) {
        const found = await sql<{ data: string }>`select data from bulk_send_rows where id = ${rowId}`.execute(db);
        const data = JSON.parse(found.rows[0]!.data) as { people: Array<{ accessCodeSealed?: string | null }> };
        data.people.forEach((p, i) => (p.accessCodeSealed = sealed.get(i) ?? null));
        await sql`update bulk_send_rows set data = ${JSON.stringify(data)} where id = ${rowId}`.execute(db);
      }
      await db.schema.dropTable('bulk_send_row_codes').execute();
      // The versions of copies and imports cannot exist in 019's table.
      await sql`delete from archive_versions where envelope_id is null or organization_id is null
        or subject_kind not in ${ENVELOPE_KINDS}`.execute(db);
      await db.schema.dropIndex('archive_versions_owner').execute();
      await db.schema.dropIndex('archive_versions_contract').execute();
      if (dialect === 'sqlite') {
        for (const index of ['archive_versions_due', 'archive_versions_organization', 'archive_versions_blob'])
          await db.schema.dropIndex(index).execute();
        await sql`alter table archive_versions rename to archive_versions_028`.execute(db);
        await archiveRenewalsMigration().up(db);
        await sql`insert into archive_versions (${COLUMNS}) select ${COLUMNS} from archive_versions_028`.execute(db);
        await db.schema.dropTable('archive_versions_028').execute();
      } else {
        await sql`alter table archive_versions drop constraint archive_versions_one_owner`.execute(db);
        await db.schema.alterTable('archive_versions').dropColumn('contract_id').execute();
        await db.schema.alterTable('archive_versions').dropColumn('owner_user_id').execute();
        await sql`alter table archive_versions drop constraint archive_versions_subject_kind_check`.execute(db);
        await sql`alter table archive_versions add constraint archive_versions_subject_kind_check check (subject_kind in ${ENVELOPE_KINDS})`.execute(
          db,
        );
        await sql`alter table archive_versions alter column envelope_id set not null`.execute(db);
        await sql`alter table archive_versions alter column organization_id set not null`.execute(db);
      }
    },
  };
}
