import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator, sql } from 'kysely';
import { migrateToLatest, migrations } from '../../src/adapters/db/migrate.ts';
import { openDatabase } from '../../src/adapters/db/open-database.ts';
import { createTestDatabase, DIALECTS } from '../helpers/test-database.ts';

const T = '2030-01-01T00:00:00.000Z';

for (const dialect of DIALECTS) {
  test(`028-archive-owners down on ${dialect}: the organisation's versions and the pending rows' codes come back`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inkan-mig28-down-'));
    const created = await createTestDatabase(dialect, dir);
    const opened = await openDatabase(created.url, dir);
    try {
      const db = opened.db;
      await migrateToLatest(db, opened.dialect);
      await sql`insert into organizations (id, name, slug, created_at) values ('o1', '横浜市', 'yokohama', ${T})`.execute(
        db,
      );
      await sql`insert into users (id, email, name, created_at) values ('u1', 'a@example.jp', 'A', ${T})`.execute(db);
      await sql`insert into envelopes (id, organization_id, created_by_user_id, created_by_api_key_id, name, message, status, certificate_id, expires_at, created_at, sent_at, completed_at, canceled_at)
        values ('e1', 'o1', null, null, 'E', '', 'completed', 'IK-1', null, ${T}, ${T}, ${T}, null)`.execute(db);
      const insert = (id: string, org: string | null, owner: string | null, envelope: string | null, kind: string) =>
        sql`insert into archive_versions (id, organization_id, owner_user_id, envelope_id, subject_id, subject_kind, name, version, blob, size, sha256, sha256_original, reason, current, recorded_at)
          values (${id}, ${org}, ${owner}, ${envelope}, ${'s-' + id}, ${kind}, 'a.pdf', 1, ${'b-' + id}, 10, 'h', 'h', 'sealed', 1, ${T})`.execute(
          db,
        );
      await insert('v1', 'o1', null, 'e1', 'document');
      await insert('v2', null, 'u1', null, 'claimed-document');
      await sql`insert into bulk_sends (id, organization_id, template_id, created_by_user_id, created_by_api_key_id, submission_key, file_name, total_rows, created_at)
        values ('b1', 'o1', 't1', null, null, 'key', 'bulk.csv', 1, ${T})`.execute(db);
      await sql`insert into bulk_send_rows (id, bulk_send_id, row_number, data, status, envelope_id, error_code, finished_at) values
        ('r1', 'b1', 1, ${JSON.stringify({ variables: {}, people: [{ roleId: 'r', name: 'a', email: 'a@example.jp' }] })}, 'pending', null, null, null)`.execute(
        db,
      );
      await sql`insert into bulk_send_row_codes (row_id, position, access_code_sealed) values ('r1', 0, '$s1$x')`.execute(
        db,
      );
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations(opened.dialect) } });
      if (dialect === 'sqlite') await sql`pragma foreign_keys = off`.execute(db);
      const down = await migrator.migrateTo('027-recipients-envelope-index');
      assert.equal(down.error, undefined, String(down.error));
      const versions = await sql<{ id: string }>`select id from archive_versions order by id`.execute(db);
      assert.deepEqual(
        versions.rows.map((r) => r.id),
        ['v1'],
      );
      const row = await sql<{ data: string }>`select data from bulk_send_rows where id = 'r1'`.execute(db);
      assert.equal(JSON.parse(row.rows[0]!.data).people[0].accessCodeSealed, '$s1$x');
      // …and up again.
      const up = await migrator.migrateToLatest();
      assert.equal(up.error, undefined, String(up.error));
    } finally {
      await opened.close();
      await created.drop?.();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
