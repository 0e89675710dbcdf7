import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { listArchiveRenewals } from '../../domain/use-cases/list-archive-renewals.ts';
import { requirePrincipal } from '../request-context.ts';

/**
 * LTA renewals of the organisation (長期保存（タイムスタンプ更新）): the stored PDFs with their next
 * renewal, and the renewals done. Any member (or an API key with `read`); read only.
 */
export async function renewalRoutes(app: FastifyInstance, options: { context: AppContext }): Promise<void> {
  const { context } = options;
  app.get('/api/v1/renewals', async (request, reply) => {
    const principal = await requirePrincipal(context, request, { write: false, scope: 'read' });
    const result = await listArchiveRenewals(context, { organizationId: principal.organizationId });
    return reply.header('cache-control', 'private, no-store').send(result);
  });
}
