// PostgreSQL's write transaction appends the operation log at its commit (inkan_append_events, migration
// 031): the chain's lock is free while the transaction runs, concurrent and rolled-back transactions leave
// an intact chain holding each committed event once, SQL hashes what JS hashes byte for byte, a
// transaction sees its own events, webhook-published events keep their place, and a database that is not
// UTF8 keeps the append in the transaction.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { openPostgres, type OpenDatabase } from '../../src/adapters/db/open-database.ts';
import { migrateToLatest } from '../../src/adapters/db/migrate.ts';
import { EVENT_CHAIN_LOCK_KEY, eventLogAtCommitOf, type DbOrTx } from '../../src/ports/database.ts';
import {
  GENESIS_HASH,
  eventHash,
  recordEvent,
  verifyEventChain,
  type NewEvent,
} from '../../src/domain/record-event.ts';
import { newId } from '../../src/security/tokens.ts';
import {
  createTestDatabase,
  openMigratedTestDatabase,
  type MigratedTestDatabase,
  type TestDatabase,
} from '../helpers/test-database.ts';

const event = (details: Record<string, unknown>, extra: Partial<NewEvent> = {}): NewEvent => ({
  organizationId: 'org',
  actor: { type: 'system', id: null },
  action: 'apikey.used',
  details,
  at: new Date(),
  ...extra,
});

/** Whether another session could take the chain's lock now (then releases it at once). */
async function chainLockFree(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ free: boolean }>('select pg_try_advisory_lock($1) as free', [
      EVENT_CHAIN_LOCK_KEY,
    ]);
    if (rows[0]!.free) await client.query('select pg_advisory_unlock($1)', [EVENT_CHAIN_LOCK_KEY]);
    return rows[0]!.free;
  } finally {
    await client.end();
  }
}

/** The rows of these event ids in chain order. */
async function rowsOf(db: DbOrTx, ids: string[]) {
  return db.selectFrom('events').selectAll().where('id', 'in', ids).orderBy('seq').execute();
}

describe('operation log appended at the commit (postgres)', () => {
  let database: MigratedTestDatabase;
  let second: OpenDatabase;

  before(async () => {
    database = await openMigratedTestDatabase('postgres');
    second = await database.openAnother();
  });
  after(async () => database?.close());

  it('queues the events and leaves the chain lock free until the commit, which appends them in order', async () => {
    const ids: string[] = [];
    let otherCommitted = '';
    await database.db.writeTransaction(async (tx) => {
      assert.ok(eventLogAtCommitOf(tx), 'the write transaction defers its events');
      ids.push((await recordEvent(tx, event({ n: 1 }))).id);
      ids.push((await recordEvent(tx, event({ n: 2 }))).id);
      assert.equal(await chainLockFree(database.url!), true, 'nobody holds the lock while the transaction runs');
      // Another transaction appends and commits meanwhile (it would wait for this one if the lock were held).
      otherCommitted = await second.db.writeTransaction(
        async (other) => (await recordEvent(other, event({ n: 0 }))).id,
      );
      assert.equal((await database.db.selectFrom('events').select('id').where('id', 'in', ids).execute()).length, 0);
    });
    const rows = await rowsOf(database.db, [otherCommitted, ...ids]);
    assert.deepEqual(
      rows.map((r) => r.id),
      [otherCommitted, ...ids],
      'appended at the commit, after the one committed meanwhile',
    );
    assert.equal(rows[1]!.prev_hash, rows[0]!.hash);
    assert.equal(rows[2]!.prev_hash, rows[1]!.hash);
    assert.equal(await chainLockFree(database.url!), true, 'the COMMIT released the lock');
    assert.deepEqual(await verifyEventChain(database.db), { events: 3, brokenAt: null });
  });

  it('hashes in SQL exactly what eventHash hashes in JS (Japanese, emoji, quotes, backslashes, control characters)', async () => {
    const tricky = [
      '契約書「甲」と乙の覚書・第２条（ｶﾀｶﾅ）',
      '🖋️👩‍💼 𠮷野家',
      "O'Reilly ''; commit; drop table events; --",
      "C:\\path\\to\\file \\\\ \\u0041 $body$ $$ E'x'",
      'line\nbreak\ttab\r\u0001\u001f\u007f\u2028',
      '\u0000 nul in details only',
    ];
    let id = '';
    const origin = { ip: "2001:db8::1'", userAgent: 'Mozilla/5.0 (テスト; \\ ") 😀' };
    await database.db.writeTransaction(async (tx) => {
      id = (
        await recordEvent(tx, {
          organizationId: '組織',
          envelopeId: "env'1",
          actor: { type: 'recipient', id: '受信者\\1' },
          action: 'recipient.signed',
          origin,
          at: new Date('2031-02-03T04:05:06.789Z'),
          details: { name: '山田 太郎', tricky, nested: { 'キー"\\': ['値', 1, true, null] } },
        })
      ).id;
    });
    const [row] = await rowsOf(database.db, [id]);
    assert.ok(row);
    assert.equal(row.organization_id, '組織');
    assert.equal(row.envelope_id, "env'1");
    assert.equal(row.actor_type, 'recipient');
    assert.equal(row.actor_id, '受信者\\1');
    assert.equal(row.action, 'recipient.signed');
    assert.equal(row.ip, origin.ip);
    assert.equal(row.user_agent, origin.userAgent);
    assert.equal(row.created_at, '2031-02-03T04:05:06.789Z');
    assert.deepEqual(JSON.parse(row.details), {
      name: '山田 太郎',
      tricky,
      nested: { 'キー"\\': ['値', 1, true, null] },
    });
    assert.equal(row.hash, eventHash(row.prev_hash, row));
    assert.match(row.hash, /^[0-9a-f]{64}$/);
    assert.equal((await verifyEventChain(database.db)).brokenAt, null);
  });

  it('lets a transaction read its own events, and keeps a webhook-published event in its place', async () => {
    await database.db
      .insertInto('organizations')
      .values({ id: 'org-hooks', name: '株式会社フック', slug: 'hooks', created_at: new Date().toISOString() })
      .execute();
    await database.db
      .insertInto('webhook_endpoints')
      .values({
        id: newId(),
        organization_id: 'org-hooks',
        url: 'https://hooks.example.com/in',
        description: '',
        events: JSON.stringify(['envelope.signed']),
        enabled: 1,
        secret_ciphertext: 'sealed',
        secret_hint: 'whsec…',
        previous_secret_ciphertext: null,
        previous_secret_expires_at: null,
        secret_rotated_at: null,
        created_by_user_id: null,
        created_at: new Date().toISOString(),
        updated_at: new Date().toISOString(),
      })
      .execute();
    const ids: string[] = [];
    await database.db.writeTransaction(async (tx) => {
      ids.push((await recordEvent(tx, event({ n: 'before' }, { organizationId: 'org-hooks' }))).id);
      const seen = await tx.selectFrom('events').select('id').where('id', '=', ids[0]!).execute();
      assert.equal(seen.length, 1, 'a read of the events table appends what is queued first');
      ids.push((await recordEvent(tx, event({ n: 'queued' }, { organizationId: 'org-hooks' }))).id);
      ids.push(
        (
          await recordEvent(
            tx,
            event(
              { name: '署名者' },
              { organizationId: 'org-hooks', action: 'recipient.signed', actor: { type: 'recipient', id: 'r1' } },
            ),
          )
        ).id,
      );
      ids.push((await recordEvent(tx, event({ n: 'after' }, { organizationId: 'org-hooks' }))).id);
    });
    const rows = await rowsOf(database.db, ids);
    assert.deepEqual(
      rows.map((r) => r.id),
      ids,
      'chain order is the order recorded',
    );
    for (let i = 1; i < rows.length; i++) assert.equal(rows[i]!.prev_hash, rows[i - 1]!.hash, 'adjacent in the chain');
    const delivery = await database.db
      .selectFrom('webhook_deliveries')
      .select(['event_id', 'event_seq'])
      .executeTakeFirstOrThrow();
    assert.deepEqual(delivery, { event_id: ids[2], event_seq: rows[2]!.seq });
    assert.equal((await verifyEventChain(database.db)).brokenAt, null);
  });

  it('appends nothing of a transaction that throws, or whose commit finds it failed', async () => {
    const before = await database.db.selectFrom('events').select('id').execute();
    let thrownId = '';
    await assert.rejects(
      database.db.writeTransaction(async (tx) => {
        thrownId = (await recordEvent(tx, event({ doomed: 1 }))).id;
        throw new Error('work failed');
      }),
      /work failed/,
    );
    let abortedId = '';
    await assert.rejects(
      database.db.writeTransaction(async (tx) => {
        abortedId = (await recordEvent(tx, event({ doomed: 2 }))).id;
        // A failed statement that the work swallows: the transaction is aborted, the commit must not pass.
        await sql`select 1 / 0`.execute(tx).catch(() => undefined);
      }),
      /current transaction is aborted/,
    );
    await assert.rejects(
      database.db.writeTransaction(async (tx) => {
        await sql`select 1 / 0`.execute(tx).catch(() => undefined);
      }),
      /rolled back/,
    );
    await assert.rejects(
      database.db.writeTransaction(async (tx) => {
        await recordEvent(tx, event({ doomed: 3 }));
        await sql`commit`.execute(tx);
      }),
      /ends when its work returns/,
    );
    // A statement the work leaves behind must not run after the COMMIT, outside the transaction.
    let openGate = () => undefined as void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    let stray: Promise<unknown> | undefined;
    await database.db.writeTransaction(async (tx) => {
      stray = gate.then(() =>
        tx.insertInto('organizations').values({ id: 'stray', name: 'x', slug: 'stray', created_at: 'x' }).execute(),
      );
    });
    openGate();
    await assert.rejects(stray!, /this write transaction has ended/);
    assert.equal(
      await database.db.selectFrom('organizations').select('id').where('id', '=', 'stray').executeTakeFirst(),
      undefined,
    );
    assert.equal((await rowsOf(database.db, [thrownId, abortedId])).length, 0);
    assert.equal((await database.db.selectFrom('events').select('id').execute()).length, before.length);
    assert.equal(await chainLockFree(database.url!), true);
    assert.equal((await verifyEventChain(database.db)).brokenAt, null);
  });

  it('keeps an intact chain with every committed event once under concurrent, rolled-back and immediate appends', async () => {
    const before = (await database.db.selectFrom('events').select('id').execute()).length;
    const committed: string[][] = [];
    const rolledBack: string[] = [];
    const runs = Array.from({ length: 60 }, async (_, i) => {
      const db = i % 2 === 0 ? database.db : second.db;
      const ids: string[] = [];
      const work = async (tx: DbOrTx) => {
        for (let k = 0; k < 1 + (i % 3); k++) ids.push((await recordEvent(tx, event({ i, k, 名前: '並行' }))).id);
        // Let the other transactions interleave between the events and the commit.
        await tx.selectFrom('organizations').select('id').execute();
        if (i % 5 === 4) throw new Error(`rollback ${i}`);
      };
      try {
        // Every seventh goes through Kysely's own transaction: today's immediate append under the same lock.
        if (i % 7 === 3) await db.transaction().execute(work);
        else await db.writeTransaction(work);
        committed.push(ids);
      } catch (error) {
        assert.match((error as Error).message, /^rollback /);
        rolledBack.push(...ids);
      }
    });
    await Promise.all(runs);
    assert.ok(rolledBack.length > 0 && committed.length > 0);
    const all = await database.db
      .selectFrom('events')
      .select(['id', 'seq', 'prev_hash', 'hash'])
      .orderBy('seq')
      .execute();
    const committedIds = committed.flat();
    assert.equal(all.length, before + committedIds.length, 'each committed event once, nothing else');
    const present = new Set(all.map((r) => r.id));
    for (const id of committedIds) assert.ok(present.has(id), `committed event ${id} is in the chain`);
    for (const id of rolledBack) assert.ok(!present.has(id), `rolled-back event ${id} is not`);
    const position = new Map(all.map((r, index) => [r.id, index]));
    for (const ids of committed)
      for (let k = 1; k < ids.length; k++)
        assert.equal(
          position.get(ids[k]!),
          position.get(ids[k - 1]!)! + 1,
          'a transaction’s events are adjacent, in order',
        );
    assert.equal(new Set(all.map((r) => r.prev_hash)).size, all.length, 'no fork');
    assert.equal(all[0]!.prev_hash, GENESIS_HASH);
    assert.deepEqual(await verifyEventChain(database.db), { events: all.length, brokenAt: null });
  });
});

describe('operation log on a PostgreSQL database that is not UTF8', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inkan-ascii-'));
  let created: TestDatabase | undefined;
  let opened: OpenDatabase | undefined;

  after(async () => {
    await opened?.close();
    await created?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends in the transaction, hashed in JS, and the SQL append refuses the database', async () => {
    created = await createTestDatabase('postgres', dir, { postgresEncoding: 'SQL_ASCII' });
    opened = await openPostgres(created.url!);
    await migrateToLatest(opened.db, 'postgres');
    const ids: string[] = [];
    await opened.db.writeTransaction(async (tx) => {
      assert.equal(eventLogAtCommitOf(tx), undefined, 'no deferred append on this database');
      ids.push((await recordEvent(tx, event({ name: '契約' }))).id);
      ids.push((await recordEvent(tx, event({ name: '覚書' }))).id);
    });
    assert.equal((await rowsOf(opened.db, ids)).length, 2);
    assert.deepEqual(await verifyEventChain(opened.db), { events: 2, brokenAt: null });
    await assert.rejects(
      sql`select inkan_append_events(array['{}'])`.execute(opened.db),
      /UTF8 databases only \(this one is SQL_ASCII\)/,
    );
  });
});
