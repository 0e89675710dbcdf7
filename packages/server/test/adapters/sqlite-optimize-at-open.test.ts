// PRAGMA optimize over every table at open belongs to the long-lived server only: job child processes,
// forked on demand, and short CLI commands open the file often and must not analyze it each time.
// Statistics of a table too small to show its shape are dropped: a fresh installation's first start
// analyzed the operation log at two rows and sent every later "events of an envelope" query to a scan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { openDatabase, openSqlite } from '../../src/adapters/db/open-database.ts';
import { migrateToLatest } from '../../src/adapters/db/migrate.ts';

function statisticsOf(path: string, table: string): string[] {
  const reader = new SqliteDatabase(path, { readonly: true });
  try {
    const exists = reader.prepare(`select 1 from sqlite_schema where name = 'sqlite_stat1'`).get();
    if (exists === undefined) return [];
    return (reader.prepare('select stat from sqlite_stat1 where tbl = ?').all(table) as Array<{ stat: string }>).map(
      (row) => row.stat,
    );
  } finally {
    reader.close();
  }
}

test('planner statistics are gathered at open by the server only, not by a default open', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inkan-optimize-open-'));
  const path = join(dir, 'inkan.db');
  try {
    const setup = new SqliteDatabase(path);
    setup.exec('create table items (kind integer, label text); create index items_kind on items (kind)');
    const insert = setup.prepare('insert into items values (?, ?)');
    setup.transaction(() => {
      for (let i = 0; i < 3000; i++) insert.run(i % 5, `item ${i}`);
    })();
    setup.close();

    const cli = await openDatabase(`sqlite:${path}`, dir);
    assert.deepEqual(
      statisticsOf(path, 'items'),
      [],
      'a default open (job child process, CLI command) analyzes nothing',
    );
    await cli.db.destroy();

    const server = await openSqlite(path, { optimizeAtOpen: true });
    assert.deepEqual(statisticsOf(path, 'items'), ['3000 600'], "the server's open gathers the statistics");
    await server.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a fresh installation's first start keeps no statistics of its near-empty operation log", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inkan-optimize-fresh-'));
  const path = join(dir, 'inkan.db');
  const addEvents = (count: number, envelopeOf: (i: number) => string | null): void => {
    const writer = new SqliteDatabase(path);
    try {
      const last = writer.prepare('select hash from events order by seq desc limit 1').get() as
        { hash: string } | undefined;
      let prev = last?.hash ?? '0'.repeat(64);
      const insert = writer.prepare(
        `insert into events (id, organization_id, envelope_id, actor_type, action, details, created_at, prev_hash, hash)
         values (?, null, ?, 'system', ?, '{}', '2026-12-07T00:00:00Z', ?, ?)`,
      );
      writer.transaction(() => {
        for (let i = 0; i < count; i++) {
          const hash = `${prev.slice(0, 8)}-${count}-${i}-${Math.random()}`;
          insert.run(`e-${hash}`, envelopeOf(i), i % 2 === 0 ? 'recipient.signed' : 'mail.completion.sent', prev, hash);
          prev = hash;
        }
      })();
    } finally {
      writer.close();
    }
  };
  const planOfEnvelopeEvents = (): string => {
    // A connection opened afterwards, as each job worker process opens its own.
    const worker = new SqliteDatabase(path, { readonly: true });
    try {
      return (
        worker
          .prepare(`explain query plan select details from events where envelope_id = ? and action = ?`)
          .all('envelope-7', 'mail.completion.sent') as Array<{ detail: string }>
      )
        .map((row) => row.detail)
        .join('; ');
    } finally {
      worker.close();
    }
  };
  try {
    const migrating = await openSqlite(path);
    await migrateToLatest(migrating.db, 'sqlite');
    await migrating.close();
    // `inkan init` and `inkan org create` leave a few events, none of an envelope.
    addEvents(2, () => null);

    const server = await openSqlite(path, { optimizeAtOpen: true });
    assert.deepEqual(statisticsOf(path, 'events'), [], 'no statistics of a two-row table');
    // The service runs: envelopes' events pile up.
    addEvents(3000, (i) => `envelope-${i % 150}`);
    assert.match(planOfEnvelopeEvents(), /USING INDEX events_envelope_seq/);
    await server.close();

    // Restarted with a grown log, the server's statistics stand and still lead to the index.
    const restarted = await openSqlite(path, { optimizeAtOpen: true });
    const [stat] = statisticsOf(path, 'events').filter((s) => s.startsWith('3002 '));
    assert.ok(stat, 'the grown table is analyzed');
    assert.match(planOfEnvelopeEvents(), /USING INDEX events_envelope_seq/);
    await restarted.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
