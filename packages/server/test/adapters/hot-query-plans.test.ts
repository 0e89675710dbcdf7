import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CompiledQuery, sql, type Compilable } from 'kysely';
import { DIALECTS, openMigratedTestDatabase, type MigratedTestDatabase } from '../helpers/test-database.ts';
import { envelopesPastExpiry } from '../../src/domain/use-cases/expire-envelopes.ts';
import { envelopeEntryOf } from '../../src/domain/use-cases/register-envelope-contract.ts';
import { finishedEnvelopesWithoutEntry } from '../../src/domain/retention/retention-candidates.ts';

/**
 * The reads that every envelope repeats (status polls, signing steps, the jobs of the flow) must find
 * their rows through an index, not by reading a table that grows with every envelope ever sent: the
 * recipients of an envelope were read by a full scan on both databases from 013-envelope-flow (which
 * dropped the only index on recipients.envelope_id) until 027-recipients-envelope-index.
 */
for (const dialect of DIALECTS) {
  describe(`reads of an envelope's rows use an index on ${dialect}`, () => {
    let database: MigratedTestDatabase;
    before(async () => {
      database = await openMigratedTestDatabase(dialect);
    });
    after(async () => {
      await database?.close();
    });

    /** The plan's text: SQLite's EXPLAIN QUERY PLAN details, PostgreSQL's EXPLAIN with sequential scans priced out. */
    async function planOf(query: Compilable): Promise<string> {
      const compiled = query.compile();
      if (dialect === 'sqlite') {
        const rows = await database.db.executeQuery<{ detail: string }>(
          CompiledQuery.raw(`explain query plan ${compiled.sql}`, [...compiled.parameters]),
        );
        return rows.rows.map((r) => r.detail).join('\n');
      }
      // An empty table is cheapest to read whole: with sequential scans disabled the planner still
      // takes one when no index can serve the query, and only then.
      return database.db.transaction().execute(async (tx) => {
        await sql`set local enable_seqscan = off`.execute(tx);
        const rows = await tx.executeQuery<{ 'QUERY PLAN': string }>(
          CompiledQuery.raw(`explain ${compiled.sql}`, [...compiled.parameters]),
        );
        return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
      });
    }

    const fullScan = (plan: string, table: string): boolean =>
      dialect === 'sqlite'
        ? new RegExp(`^SCAN ${table}\\b(?! USING (COVERING )?INDEX)`, 'm').test(plan)
        : new RegExp(`Seq Scan on ${table}\\b`).test(plan);

    test("an envelope's recipients, in each shape the flow reads them", async () => {
      const db = database.db;
      const queries: Compilable[] = [
        db
          .selectFrom('recipients')
          .selectAll()
          .where('envelope_id', '=', 'e1')
          .orderBy('role', 'desc')
          .orderBy('signing_order')
          .orderBy('position')
          .orderBy('id'),
        db.selectFrom('recipients').selectAll().where('envelope_id', '=', 'e1'),
        db
          .selectFrom('recipients')
          .select(['id', 'signed_ip', 'signed_user_agent', 'signed_at'])
          .where('envelope_id', '=', 'e1'),
        db
          .selectFrom('recipients')
          .select('name')
          .where('envelope_id', '=', 'e1')
          .where('role', '=', 'signer')
          .orderBy('signing_order')
          .orderBy('position'),
      ];
      for (const query of queries) {
        const plan = await planOf(query);
        assert.equal(fullScan(plan, 'recipients'), false, `${query.compile().sql}\n${plan}`);
      }
    });

    test("an envelope's documents, fields and events", async () => {
      const db = database.db;
      const queries: Array<[string, Compilable]> = [
        ['documents', db.selectFrom('documents').selectAll().where('envelope_id', '=', 'e1').orderBy('position')],
        [
          'envelope_fields',
          db.selectFrom('envelope_fields').selectAll().where('envelope_id', '=', 'e1').orderBy('position'),
        ],
        ['events', db.selectFrom('events').select('details').where('envelope_id', '=', 'e1').where('action', '=', 'x')],
        [
          'signing_links',
          db
            .selectFrom('signing_links')
            .select('token_hash')
            .where('recipient_id', '=', 'r1')
            .orderBy('created_at', 'desc'),
        ],
      ];
      for (const [table, query] of queries) {
        const plan = await planOf(query);
        assert.equal(fullScan(plan, table), false, `${query.compile().sql}\n${plan}`);
      }
    });

    test("the register's entry of an envelope: at completion, and the retention sweep's envelopes without one", async () => {
      const db = database.db;
      const queries: Compilable[] = [envelopeEntryOf(db, 'o1', 'e1'), finishedEnvelopesWithoutEntry(db, 'o1')];
      for (const query of queries) {
        const plan = await planOf(query);
        const scansContracts =
          dialect === 'sqlite'
            ? /\bSCAN c(ontracts)?\b(?! USING (COVERING )?INDEX)/m.test(plan)
            : fullScan(plan, 'contracts');
        assert.equal(scansContracts, false, `${query.compile().sql}\n${plan}`);
      }
    });

    test("the expiry sweep's active envelopes past their expiry", async () => {
      const query = envelopesPastExpiry(database.db, new Date('2026-12-07T00:00:00Z')).limit(100);
      const plan = await planOf(query);
      assert.equal(fullScan(plan, 'envelopes'), false, `${query.compile().sql}\n${plan}`);
    });
  });
}
