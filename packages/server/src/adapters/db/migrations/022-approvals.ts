import { sql, type Kysely, type Migration } from 'kysely';

const OLD_STATUSES = `'draft', 'sent', 'completed', 'declined', 'canceled', 'expired'`;
const NEW_STATUSES = `'draft', 'pending_approval', 'sent', 'completed', 'declined', 'canceled', 'expired'`;

/**
 * 稟議 (internal approval, issue 13 part 3). Approval routes per organisation: named, with ordered steps,
 * each step one or more approvers (members) who approve one after another (`all`, 全員承認) or of whom
 * one suffices (`any`, いずれか1名); the steps are kept as JSON (they are read and written whole). An
 * organisation may require one route for every envelope. A draft may carry the route its sender chose.
 *
 * A submitted envelope waits in the new status `pending_approval` (承認待ち); its approvals are one row
 * per approver and submission round (the route is copied at submission, so editing a route never
 * changes an envelope already waiting). The envelopes status check gains `pending_approval`: on
 * PostgreSQL by replacing the constraint, on SQLite by rebuilding the table from its own CREATE
 * statement (foreign keys are off around the migration, see migrateToLatest).
 */
export function approvalsMigration(dialect: 'sqlite' | 'postgres'): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await replaceStatusCheck(db, dialect, OLD_STATUSES, NEW_STATUSES);
      await db.schema
        .createTable('approval_routes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        // [{ "mode": "all" | "any", "approverIds": [user ids] }, …]
        .addColumn('steps', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        // Deleted routes stay for the envelopes that name them.
        .addColumn('deleted_at', 'text')
        .execute();
      await db.schema
        .createIndex('approval_routes_organization')
        .on('approval_routes')
        .column('organization_id')
        .execute();
      await db.schema.alterTable('organizations').addColumn('required_approval_route_id', 'text').execute();
      await db.schema.alterTable('envelopes').addColumn('approval_route_id', 'text').execute();
      await db.schema
        .alterTable('envelopes')
        .addColumn('approval_round', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('envelope_approvals')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('envelope_id', 'text', (c) => c.notNull().references('envelopes.id').onDelete('cascade'))
        .addColumn('organization_id', 'text', (c) => c.notNull())
        .addColumn('round', 'integer', (c) => c.notNull())
        .addColumn('route_name', 'text', (c) => c.notNull())
        .addColumn('step_index', 'integer', (c) => c.notNull())
        .addColumn('step_mode', 'text', (c) => c.notNull().check(sql`step_mode in ('all', 'any')`))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c.notNull().check(sql`status in ('open', 'approved', 'rejected', 'skipped', 'withdrawn')`),
        )
        .addColumn('comment', 'text')
        .addColumn('decided_at', 'text')
        // The approver this row was reassigned from (a deactivated member), if any.
        .addColumn('reassigned_from_user_id', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('envelope_approvals_slot', ['envelope_id', 'round', 'step_index', 'position'])
        .execute();
      // The approver's inbox (承認待ち一覧): open rows of a user.
      await db.schema
        .createIndex('envelope_approvals_user_status')
        .on('envelope_approvals')
        .columns(['user_id', 'status'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('envelope_approvals').execute();
      await db.schema.alterTable('envelopes').dropColumn('approval_round').execute();
      await db.schema.alterTable('envelopes').dropColumn('approval_route_id').execute();
      await db.schema.alterTable('organizations').dropColumn('required_approval_route_id').execute();
      await db.schema.dropTable('approval_routes').execute();
      await sql`update envelopes set status = 'draft' where status = 'pending_approval'`.execute(db);
      await replaceStatusCheck(db, dialect, NEW_STATUSES, OLD_STATUSES);
    },
  };
}

async function replaceStatusCheck(
  db: Kysely<unknown>,
  dialect: 'sqlite' | 'postgres',
  from: string,
  to: string,
): Promise<void> {
  if (dialect === 'postgres') {
    await sql`alter table envelopes drop constraint envelopes_status_check`.execute(db);
    await sql.raw(`alter table envelopes add constraint envelopes_status_check check (status in (${to}))`).execute(db);
    return;
  }
  // SQLite cannot alter a check: the table is rebuilt from its own CREATE statement (indexes recreated).
  const table = await sql<{
    sql: string;
  }>`select sql from sqlite_master where type = 'table' and name = 'envelopes'`.execute(db);
  const create = table.rows[0]?.sql ?? '';
  const before = `status in (${from})`;
  if (!create.includes(before)) throw new Error('022-approvals: the envelopes status check was not found');
  const indexes = await sql<{
    sql: string;
  }>`select sql from sqlite_master where type = 'index' and tbl_name = 'envelopes' and sql is not null`.execute(db);
  const rebuilt = create
    .replace(before, `status in (${to})`)
    .replace(/^create table\s+"?envelopes"?/i, 'create table "envelopes_new"');
  await sql.raw(rebuilt).execute(db);
  await sql`insert into envelopes_new select * from envelopes`.execute(db);
  await sql`drop table envelopes`.execute(db);
  await sql`alter table envelopes_new rename to envelopes`.execute(db);
  for (const index of indexes.rows) await sql.raw(index.sql).execute(db);
}
