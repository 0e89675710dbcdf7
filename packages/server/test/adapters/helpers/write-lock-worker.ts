// A worker thread for sqlite-write-lock.test.ts: takes the shared lock or runs transactions on request.
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteWriteLock } from '../../../src/adapters/db/sqlite-write-lock.ts';
import { openSqlite } from '../../../src/adapters/db/open-database.ts';
import { inTransaction } from '../../../src/domain/transaction.ts';
import { sql } from 'kysely';

const input = workerData as { buffer: SharedArrayBuffer; dbPath: string };
const port = parentPort!;
const lock = new SqliteWriteLock(input.buffer);

port.on('message', (message: { type: string; count?: number }) => {
  void (async () => {
    if (message.type === 'acquire') {
      port.postMessage({ type: 'waiting' });
      await lock.acquire();
      port.postMessage({ type: 'acquired' });
    } else if (message.type === 'release') {
      lock.release();
      port.postMessage({ type: 'released' });
    } else if (message.type === 'exit-holding') {
      await lock.acquire();
      process.exit(0);
    } else if (message.type === 'increment') {
      const database = await openSqlite(input.dbPath);
      for (let i = 0; i < message.count!; i++)
        await inTransaction(database.db, 'sqlite', async (tx) => {
          await sql`update counter set n = n + 1`.execute(tx);
        });
      await database.close();
      port.postMessage({ type: 'incremented' });
    }
  })();
});
port.postMessage({ type: 'ready' });
