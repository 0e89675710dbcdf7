import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { listArchiveRenewals } from '../../domain/use-cases/list-archive-renewals.ts';
import { requireRegisterCaller } from '../contracts/scope.ts';

/**
 * LTA renewals (長期保存（タイムスタンプ更新）): the stored PDFs with their next renewal, and the renewals
 * done — of the organisation (any member, or an API key with `read`), or, for a personal account or with
 * `?scope=personal`, of the account's own register (保管 copies and imports). Read only.
 */
export async function renewalRoutes(app: FastifyInstance, options: { context: AppContext }): Promise<void> {
  const { context } = options;
  app.get('/api/v1/renewals', async (request, reply) => {
    const caller = await requireRegisterCaller(context, request, { write: false });
    const result = await listArchiveRenewals(context, { scope: caller.scope });
    return reply.header('cache-control', 'private, no-store').send(result);
  });
}
