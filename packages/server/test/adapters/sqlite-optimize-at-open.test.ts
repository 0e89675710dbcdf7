// PRAGMA optimize over every table at open belongs to the long-lived server only: job child processes,
// forked on demand, and short CLI commands open the file often and must not analyze it each time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { openDatabase, openSqlite } from '../../src/adapters/db/open-database.ts';

test('planner statistics are gathered at open by the server only, not by a default open', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inkan-optimize-open-'));
  const path = join(dir, 'inkan.db');
  const analyzed = (): boolean => {
    const reader = new SqliteDatabase(path, { readonly: true });
    try {
      const row = reader.prepare(`select count(*) as n from sqlite_master where name = 'sqlite_stat1'`).get() as {
        n: number;
      };
      return row.n > 0;
    } finally {
      reader.close();
    }
  };
  try {
    const setup = new SqliteDatabase(path);
    setup.exec('create table items (kind integer, label text); create index items_kind on items (kind)');
    const insert = setup.prepare('insert into items values (?, ?)');
    for (let i = 0; i < 300; i++) insert.run(i % 5, `item ${i}`);
    setup.close();

    const cli = await openDatabase(`sqlite:${path}`, dir);
    assert.equal(analyzed(), false, 'a default open (job child process, CLI command) analyzes nothing');
    await cli.db.destroy();

    const server = await openSqlite(path, { optimizeAtOpen: true });
    assert.equal(analyzed(), true, "the server's open gathers the statistics");
    await server.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
