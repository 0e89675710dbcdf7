/**
 * A job worker that dies (SIGKILL) in the middle of its first job, the way a crashed or killed server
 * would: run as `node --import tsx job-crash-worker.ts DATABASE_URL DATA_DIR [STABLE_WORKER_ID]`. With a
 * stable worker identity it names itself like a real worker (`host:pid:thread:nonce`).
 */
import { hostname } from 'node:os';
import { openDatabase } from '../../src/adapters/db/open-database.ts';
import { startJobRunner } from '../../src/adapters/jobs/db-job-queue.ts';

const [url, dir, stableWorkerId] = process.argv.slice(2);
const database = await openDatabase(url, dir!);
const runner = startJobRunner({
  db: database.db,
  dialect: database.dialect,
  workerId: stableWorkerId ? `${hostname()}:${process.pid}:0:doomed` : 'doomed-worker',
  stableWorkerId,
  manual: true,
  handlers: {
    'mail.completion': async () => {
      process.kill(process.pid, 'SIGKILL');
      await new Promise(() => undefined);
    },
  },
});
await runner.runOnce();
