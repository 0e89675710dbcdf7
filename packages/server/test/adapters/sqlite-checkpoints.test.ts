/**
 * SQLite's WAL checkpoints away from the HTTP thread: the server's own connection checkpoints only at a
 * high threshold, and its job worker process copies the WAL into the database file from a connection of
 * its own (observed by the size of the database file: what is only in the WAL has not grown it yet).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { sql } from 'kysely';
import { sqlitePathOf } from '../../src/adapters/db/open-database.ts';
import {
  deferSqliteCheckpoints,
  HTTP_WAL_AUTOCHECKPOINT_PAGES,
  startSqliteCheckpoints,
} from '../../src/adapters/db/sqlite-checkpoints.ts';
import type { Db } from '../../src/ports/database.ts';
import { createTestContext, type TestContext } from '../helpers/test-database.ts';
import { startTestWorkerProcess } from '../helpers/process-worker.ts';
import { waitFor } from '../helpers/wait-for.ts';

const WAIT = { timeoutMs: 60_000, intervalMs: 20 };

async function autocheckpointPages(db: Db): Promise<number> {
  const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db);
  return rows[0].wal_autocheckpoint;
}

/** Writes ~400 KiB (about a hundred pages) in one transaction: in the WAL only, until a checkpoint. */
async function writeSomePages(db: Db, table: string): Promise<void> {
  await sql`create table ${sql.table(table)} (id integer primary key, body blob)`.execute(db);
  await db.writeTransaction(async (tx) => {
    for (let i = 0; i < 100; i++)
      await sql`insert into ${sql.table(table)} (body) values (${Buffer.alloc(4000, i)})`.execute(tx);
  });
}

describe('SQLite WAL checkpoints', () => {
  let t: TestContext;
  let file: string;
  const fileBytes = () => statSync(file).size;
  before(async () => {
    t = await createTestContext('sqlite');
    file = sqlitePathOf(t.database.url, t.dataDir);
    // The server's connection: only its high threshold, which these writes never reach.
    await deferSqliteCheckpoints(t.context.db);
  });
  after(async () => {
    await t?.cleanup();
  });

  test("the server's connection checkpoints only at its high threshold", async () => {
    assert.equal(await autocheckpointPages(t.context.db), HTTP_WAL_AUTOCHECKPOINT_PAGES);
    const before = fileBytes();
    await writeSomePages(t.context.db, 'only_in_wal');
    assert.equal(fileBytes(), before, 'the pages stay in the WAL');
  });

  test('a checkpointer copies the WAL from its own connection, and its process connection stops checkpointing', async () => {
    const own = await createTestContext('sqlite');
    const ownFile = sqlitePathOf(own.database.url, own.dataDir);
    const checkpointer = await startSqliteCheckpoints(own.context.db, ownFile, 60_000);
    try {
      assert.equal(await autocheckpointPages(own.context.db), 0);
      const before = statSync(ownFile).size;
      await writeSomePages(own.context.db, 'copied');
      assert.equal(statSync(ownFile).size, before, 'nothing copied before the checkpoint');
      checkpointer.checkpoint();
      assert.ok(statSync(ownFile).size >= before + 100 * 4000, 'the pages are in the database file');
    } finally {
      checkpointer.stop();
      await own.cleanup();
    }
  });

  test('the job worker process of the server checkpoints while it runs', async () => {
    const worker = startTestWorkerProcess({
      env: { INKAN_ENV: 'test', INKAN_DATA_DIR: t.dataDir, INKAN_DATABASE_URL: t.database.url! },
      db: t.context.db,
      idleMs: 60_000,
    });
    try {
      await t.context.jobs.enqueue(t.context.db, 'mail.completion', { envelopeId: 'checkpoints' });
      worker.wake();
      await waitFor(() => worker.pid(), { ...WAIT, what: 'the worker process to start' });
      const before = fileBytes();
      await writeSomePages(t.context.db, 'copied_by_the_worker');
      await waitFor(() => fileBytes() >= before + 100 * 4000, {
        ...WAIT,
        what: 'the worker process to copy the WAL into the database file',
      });
    } finally {
      await worker.stop();
    }
  });
});
