/**
 * A job worker in its own process, for tests of several workers on one database:
 * `node --import tsx job-worker-process.ts DATABASE_URL DATA_DIR WORKER_ID`. Runs `envelope.sign` jobs
 * (printing `ran <recipientId>` for each), prints `started` once polling, and exits when none is due.
 */
import { openDatabase } from '../../src/adapters/db/open-database.ts';
import { startJobRunner } from '../../src/adapters/jobs/db-job-queue.ts';

const [url, dir, workerId] = process.argv.slice(2);
const database = await openDatabase(url, dir!);
const runner = startJobRunner({
  db: database.db,
  dialect: database.dialect,
  workerId: workerId!,
  pollMs: 5,
  concurrency: 4,
  handlers: {
    'envelope.sign': async ({ recipientId }) => {
      process.stdout.write(`ran ${recipientId}\n`);
      // Stands in for the work of a real job, so that the workers overlap.
      await new Promise((resolve) => setTimeout(resolve, 10));
    },
  },
});
process.stdout.write('started\n');
await runner.idle();
await runner.stop();
await database.close();
