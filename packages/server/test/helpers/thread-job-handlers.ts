/** Job handlers for the worker-thread test: each job mails which thread ran it (through the outbox). */
import { threadId } from 'node:worker_threads';
import type { AppContext } from '../../src/context.ts';
import type { JobHandlers } from '../../src/adapters/jobs/db-job-queue.ts';

export function createJobHandlers(context: AppContext): JobHandlers {
  return {
    'mail.completion': async ({ envelopeId }, job) => {
      await context.mailer.send({
        to: 'test@example.jp',
        subject: `thread ${threadId}`,
        text: envelopeId,
        html: '',
        idempotencyKey: `thread-test:${job.id}`,
      });
    },
  };
}
