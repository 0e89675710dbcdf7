import { formatMessage } from '@inkan/core/messages';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import type { AppContext } from '../../context.ts';
import { exportAuditEvents } from '../../domain/use-cases/export-audit-events.ts';
import { listAuditEvents } from '../../domain/use-cases/list-audit-events.ts';
import { requireAdmin } from '../admin-access.ts';
import { parseWith } from '../envelopes/schema.ts';
import { contentDisposition, originOf } from '../request-context.ts';
import { UTF8_BOM, csvRecord } from './csv.ts';
import { AUDIT_CSV_HEADER, auditCsvRecord, formatJstCell, presentAuditEntry } from './present.ts';

const filterQuery = z.object({
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  action: z.string().max(64).optional(),
  envelopeId: z.string().max(64).optional(),
  actor: z.string().max(200).optional(),
});
const listQuery = filterQuery.extend({
  limit: z.coerce.number().int().optional(),
  cursor: z.string().max(64).optional(),
});

/** The operation log (操作ログ) for the organisation's administrators: JSON pages and the CSV export. */
export async function auditRoutes(app: FastifyInstance, options: { context: AppContext }): Promise<void> {
  const { context } = options;

  app.get('/api/v1/audit-events', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    const query = parseWith(listQuery, request.query);
    const page = await listAuditEvents(context, { organizationId: principal.organizationId, ...query });
    return reply
      .header('cache-control', 'private, no-store')
      .send({ items: page.items.map(presentAuditEntry), nextCursor: page.nextCursor });
  });

  app.get('/api/v1/audit-events.csv', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    const query = parseWith(filterQuery, request.query);
    const entries = await exportAuditEvents(context, {
      organizationId: principal.organizationId,
      ...query,
      actorOfExport: principal.actor,
      origin: originOf(request),
    });
    async function* lines(): AsyncGenerator<string> {
      yield UTF8_BOM + csvRecord(AUDIT_CSV_HEADER);
      for await (const entry of entries) yield auditCsvRecord(entry);
    }
    const stamp = formatJstCell(context.clock.now()).replace(/[-: ]/g, '').slice(0, 12);
    return reply
      .type('text/csv; charset=utf-8')
      .header(
        'content-disposition',
        contentDisposition('attachment', formatMessage('ja', 'audit.export.fileName', { stamp })),
      )
      .header('cache-control', 'private, no-store')
      .header('x-content-type-options', 'nosniff')
      .send(Readable.from(lines(), { objectMode: false }));
  });
}
