// A separate process that appends events to a database (argv: database URL, data dir, count, label):
// the second writer of the chain-fork test, as the worker thread or another instance would be.
import { openDatabase } from '../../../src/adapters/db/open-database.ts';
import { recordEvent } from '../../../src/domain/record-event.ts';
import { inTransaction } from '../../../src/domain/transaction.ts';

const [url, dir, count, label] = process.argv.slice(2);
const { db, dialect, close } = await openDatabase(url, dir);
try {
  for (let i = 0; i < Number(count); i++) {
    await inTransaction(db, dialect, async (tx) => {
      await recordEvent(tx, {
        organizationId: 'org',
        actor: { type: 'system', id: null },
        action: 'apikey.used',
        details: { label, i },
        at: new Date(),
      });
      await recordEvent(tx, {
        organizationId: 'org',
        actor: { type: 'system', id: null },
        action: 'apikey.used',
        details: { label, i, second: true },
        at: new Date(),
      });
    });
  }
} finally {
  await close();
}
