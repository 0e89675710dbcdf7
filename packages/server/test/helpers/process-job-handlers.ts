/**
 * Job handlers for the worker-process test: each job mails which process ran it (through the outbox);
 * a job for envelope `hold` never finishes on its first attempt (its worker is to be killed mid-job).
 */
import type { AppContext } from '../../src/context.ts';
import type { JobHandlers } from '../../src/adapters/jobs/db-job-queue.ts';

export function createJobHandlers(context: AppContext): JobHandlers {
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
