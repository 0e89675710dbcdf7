// A job-like child process for sqlite-write-lock.test.ts: its SQLite writes take the parent's write lock
// through the broker (as the forked job worker's do), and it writes on request. Its busy_timeout is 0, so a
// write the lock did not serialise fails at once with SQLITE_BUSY instead of waiting in SQLite.
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { sql } from 'kysely';
import { sqliteWriteLockFor, useBrokeredSqliteWriteLocks } from '../../../src/adapters/db/sqlite-write-lock.ts';
import { openSqlite } from '../../../src/adapters/db/open-database.ts';
import { inTransaction } from '../../../src/domain/transaction.ts';

useBrokeredSqliteWriteLocks();
const path = process.argv[2]!;
const name = process.argv[3] ?? 'child';
const database = await openSqlite(path, { busyTimeoutMs: 0 });
const lock = sqliteWriteLockFor(resolve(path));
const send = (message: { type: string; error?: string }) => process.send!(message);
let releaseHold: (() => void) | undefined;

interface Command {
  type?: string;
  file?: string;
  count?: number;
}

process.on('message', (message: Command) => {
  void (async () => {
    if (message.type === 'hold') {
      // A transaction that stays open (holding the lock) until the parent says `release`.
      await inTransaction(database.db, 'sqlite', async (tx) => {
        await sql`update counter set n = n + 1`.execute(tx);
        send({ type: 'holding' });
        await new Promise<void>((resolve) => (releaseHold = resolve));
      });
      send({ type: 'committed' });
    } else if (message.type === 'release') {
      releaseHold?.();
    } else if (message.type === 'insert') {
      // One write outside any transaction.
      await sql`update counter set n = n + 100`.execute(database.db);
      send({ type: 'inserted' });
    } else if (message.type === 'enter') {
      // Takes the lock itself, writes its name in the log file, gives the lock back.
      const release = await lock.acquire();
      await appendFile(message.file!, `${name}\n`);
      release();
      send({ type: 'entered' });
    } else if (message.type === 'critical') {
      // `count` read-modify-writes of a plain file, each under the lock and across awaits: two holders at
      // once would lose increments and interleave their enter/exit lines.
      for (let i = 0; i < message.count!; i++) {
        const release = await lock.acquire();
        try {
          await appendFile(`${message.file!}.log`, `enter ${name}\n`);
          const n = Number(await readFile(message.file!, 'utf8'));
          await writeFile(message.file!, String(n + 1));
          await appendFile(`${message.file!}.log`, `exit ${name}\n`);
        } finally {
          release();
        }
      }
      send({ type: 'critical-done' });
    } else if (message.type === 'burst') {
      // `count` transactions and `count` single writes, all at once.
      try {
        await Promise.all(
          Array.from({ length: message.count! }, async () => {
            await inTransaction(database.db, 'sqlite', async (tx) => {
              const { n } = (await sql<{ n: number }>`select n from counter`.execute(tx)).rows[0]!;
              await new Promise((resolve) => setImmediate(resolve));
              await sql`update counter set n = ${n + 1}`.execute(tx);
            });
            await sql`update counter set n = n + 1`.execute(database.db);
          }),
        );
        send({ type: 'burst-done' });
      } catch (error) {
        send({ type: 'burst-failed', error: String(error) });
      }
    } else if (message.type === 'close') {
      await database.close();
      process.disconnect();
    }
  })();
});
send({ type: 'ready' });
