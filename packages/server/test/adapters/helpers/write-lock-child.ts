// A job-like child process for sqlite-write-lock.test.ts: its SQLite writes take the parent's write lock
// through the broker (as the forked job worker's do), and it writes on request.
import { sql } from 'kysely';
import { useBrokeredSqliteWriteLocks } from '../../../src/adapters/db/sqlite-write-lock.ts';
import { openSqlite } from '../../../src/adapters/db/open-database.ts';
import { inTransaction } from '../../../src/domain/transaction.ts';

useBrokeredSqliteWriteLocks();
const database = await openSqlite(process.argv[2]!);
const send = (message: { type: string }) => process.send!(message);
let releaseHold: (() => void) | undefined;

process.on('message', (message: { type?: string }) => {
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
    } else if (message.type === 'close') {
      await database.close();
      process.disconnect();
    }
  })();
});
send({ type: 'ready' });
