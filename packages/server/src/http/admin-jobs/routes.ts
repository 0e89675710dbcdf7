import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import type { AppContext } from '../../context.ts';
import { FAILED_JOBS_PAGE_MAX, listFailedJobs } from '../../domain/use-cases/list-failed-jobs.ts';
import { retryFailedJob } from '../../domain/use-cases/retry-failed-job.ts';
import { requireAdmin } from '../admin-access.ts';
import { parseWith } from '../envelopes/schema.ts';
import { originOf } from '../request-context.ts';

const query = z.object({
  status: z.literal('failed').optional(),
  limit: z.coerce.number().int().min(1).max(FAILED_JOBS_PAGE_MAX).optional(),
});
const params = z.object({ id: z.uuid() });

/**
 * Failed jobs for the organisation's administrators (issue 10 part 4): the jobs of their organisation
 * that gave up after the retry window, with the last error, and a retry. Sessions only (API keys are
 * refused by requireAdmin); the retry needs the CSRF header and step-up like every admin change.
 */
export async function adminJobRoutes(app: FastifyInstance, options: { context: AppContext }): Promise<void> {
  const { context } = options;

  app.get('/api/v1/admin/jobs', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    const { limit } = parseWith(query, request.query);
    const result = await listFailedJobs(context, { organizationId: principal.organizationId, limit });
    return reply.header('cache-control', 'private, no-store').send(result);
  });

  app.post('/api/v1/admin/jobs/:id/retry', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    const { id } = parseWith(params, request.params);
    const result = await retryFailedJob(context, {
      organizationId: principal.organizationId,
      jobId: id,
      actor: principal.actor,
      origin: originOf(request),
    });
    return reply.header('cache-control', 'no-store').send(result);
  });
}
