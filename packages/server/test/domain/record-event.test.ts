// The hash-chained operation log on SQLite and PostgreSQL: hashes as specified, a chain that never
// forks under concurrent transactions (two connections), tampering detected, secrets refused.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { GENESIS_HASH, canonicalEvent, recordEvent, verifyEventChain } from '../../src/domain/record-event.ts';
import { inTransaction } from '../../src/domain/transaction.ts';
import type { OpenDatabase } from '../../src/adapters/db/open-database.ts';
import { DIALECTS, openMigratedTestDatabase, type MigratedTestDatabase } from '../helpers/test-database.ts';

const execFileAsync = promisify(execFile);
const APPEND_SCRIPT = fileURLToPath(new URL('./helpers/append-events.ts', import.meta.url));
/** NODE_TEST_CONTEXT would make the child report to this test runner. */
const childEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT'));

for (const dialect of DIALECTS) {
  describe(`operation log (${dialect})`, () => {
    let database: MigratedTestDatabase;
    let second: OpenDatabase;

    before(async () => {
      database = await openMigratedTestDatabase(dialect);
      second = await database.openAnother();
    });
    after(async () => database?.close());

    it('hashes each event over the previous hash and the canonical row', async () => {
      const at = new Date('2030-01-02T03:04:05.678Z');
      const first = await inTransaction(database.db, dialect, (tx) =>
        recordEvent(tx, {
          organizationId: 'org',
          envelopeId: 'env',
          actor: { type: 'user', id: 'u1' },
          action: 'envelope.created',
          origin: { ip: '192.0.2.1', userAgent: 'UA' },
          details: { name: '契約' },
          at,
        }),
      );
      const row = await database.db
        .selectFrom('events')
        .selectAll()
        .where('id', '=', first.id)
        .executeTakeFirstOrThrow();
      assert.equal(row.prev_hash, GENESIS_HASH);
      const expected = createHash('sha256')
        .update(
          GENESIS_HASH +
            JSON.stringify({
              id: row.id,
              organization_id: 'org',
              envelope_id: 'env',
              actor_type: 'user',
              actor_id: 'u1',
              action: 'envelope.created',
              ip: '192.0.2.1',
              user_agent: 'UA',
              details: '{"name":"契約"}',
              created_at: '2030-01-02T03:04:05.678Z',
            }),
        )
        .digest('hex');
      assert.equal(row.hash, expected);
      assert.equal(canonicalEvent(row).startsWith('{"id":'), true);
      const next = await inTransaction(database.db, dialect, (tx) =>
        recordEvent(tx, { organizationId: 'org', actor: { type: 'system', id: null }, action: 'envelope.sent', at }),
      );
      const nextRow = await database.db
        .selectFrom('events')
        .selectAll()
        .where('id', '=', next.id)
        .executeTakeFirstOrThrow();
      assert.equal(nextRow.prev_hash, row.hash);
    });

    it('never forks under concurrent appends from this process and two others', async () => {
      const append = (db: OpenDatabase['db'], i: number) =>
        inTransaction(db, dialect, async (tx) => {
          await recordEvent(tx, {
            organizationId: 'org',
            actor: { type: 'system', id: null },
            action: 'apikey.used',
            details: { i },
            at: new Date(),
          });
          await recordEvent(tx, {
            organizationId: 'org',
            actor: { type: 'system', id: null },
            action: 'apikey.used',
            details: { i, second: true },
            at: new Date(),
          });
        });
      // better-sqlite3 blocks its thread while it waits for the lock, so SQLite's other writers must be
      // other processes (as the worker thread and the CLI are); PostgreSQL gets a second pool here too.
      const others = ['a', 'b'].map((label) =>
        execFileAsync(
          process.execPath,
          ['--import', 'tsx', APPEND_SCRIPT, database.url ?? '', database.dir, '30', label],
          { env: childEnv() },
        ),
      );
      const mine = Array.from({ length: 30 }, (_, i) =>
        append(dialect === 'postgres' && i % 2 === 0 ? second.db : database.db, i),
      );
      await Promise.all([...others, ...mine]);
      const rows = await database.db.selectFrom('events').select(['prev_hash']).execute();
      assert.equal(new Set(rows.map((r) => r.prev_hash)).size, rows.length, 'every event has its own predecessor');
      const chain = await verifyEventChain(database.db);
      assert.equal(chain.brokenAt, null);
      assert.equal(chain.events, rows.length);
      assert.equal(rows.length, 2 + 2 * 90, 'every append landed');
    });

    it('detects a changed event', async () => {
      const victim = await database.db
        .selectFrom('events')
        .select(['seq'])
        .orderBy('seq')
        .offset(3)
        .limit(1)
        .executeTakeFirstOrThrow();
      await database.db.updateTable('events').set({ details: '{"i":999}' }).where('seq', '=', victim.seq).execute();
      assert.equal((await verifyEventChain(database.db)).brokenAt, victim.seq);
    });

    it('refuses details that look like secrets, and rolls the transaction back', async () => {
      const before = (await database.db.selectFrom('events').select('id').execute()).length;
      for (const details of [{ token: 'x' }, { accessCode: '1234' }, { nested: { password: 'p' } }, { code: '1234' }]) {
        await assert.rejects(
          inTransaction(database.db, dialect, (tx) =>
            recordEvent(tx, {
              organizationId: null,
              actor: { type: 'system', id: null },
              action: 'apikey.used',
              details,
              at: new Date(),
            }),
          ),
          /secrets/,
        );
      }
      assert.equal((await database.db.selectFrom('events').select('id').execute()).length, before);
    });
  });
}
