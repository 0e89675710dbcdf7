/**
 * Job handlers for the worker-process test: each job mails which process ran it (through the outbox);
 * a job for envelope `hold` never finishes on its first attempt (its worker is to be killed mid-job).
 * While the file FAIL_START_FILE exists in the data directory, a worker process fails to start (as one
 * does when its database is down).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AppContext } from '../../src/context.ts';
import type { JobHandlers } from '../../src/adapters/jobs/db-job-queue.ts';

/** In the data directory: while it exists, a worker process fails to start. */
export const FAIL_START_FILE = 'fail-worker-start';

export function createJobHandlers(context: AppContext): JobHandlers {
  if (existsSync(join(context.config.dataDir, FAIL_START_FILE))) throw new Error('told not to start (test)');
  return {
    'mail.completion': async ({ envelopeId }, job) => {
      if (envelopeId === 'hold' && job.attempt === 1) await new Promise(() => undefined);
      await context.mailer.send({
        to: 'test@example.jp',
        subject: `pid ${process.pid}`,
        text: envelopeId,
        html: '',
        idempotencyKey: `process-test:${job.id}`,
      });
    },
  };
}
