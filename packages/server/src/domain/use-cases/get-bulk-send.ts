import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { isUuid } from '../rows.ts';

/** Progress of a bulk send: rows of the file, rows queued (valid), and how many are sent or failed. */
export interface BulkSendProgress {
  id: string;
  templateId: string;
  fileName: string;
  createdAt: string;
  totalRows: number;
  queued: number;
  sent: number;
  failed: number;
  pending: number;
  done: boolean;
}

/** One row's result: its envelope (when made) or the code of what went wrong. */
export interface BulkRowResult {
  row: number;
  status: 'pending' | 'sent' | 'failed';
  envelopeId: string | null;
  envelopeName: string | null;
  errorCode: string | null;
}

async function loadBulkSend(ctx: DomainContext, organizationId: string, bulkSendId: string) {
  if (!isUuid(bulkSendId)) throw new AppError('NOT_FOUND', 'no such bulk send');
  const bulk = await ctx.db
    .selectFrom('bulk_sends')
    .selectAll()
    .where('id', '=', bulkSendId)
    .where('organization_id', '=', organizationId)
    .executeTakeFirst();
  if (!bulk) throw new AppError('NOT_FOUND', 'no such bulk send');
  return bulk;
}

/** 進捗: counts by status (one grouped query; the page polls it). */
export async function getBulkSendProgress(
  ctx: DomainContext,
  input: { organizationId: string; bulkSendId: string },
): Promise<BulkSendProgress> {
  const bulk = await loadBulkSend(ctx, input.organizationId, input.bulkSendId);
  const counts = await ctx.db
    .selectFrom('bulk_send_rows')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('bulk_send_id', '=', bulk.id)
    .groupBy('status')
    .execute();
  const count = (status: string) => Number(counts.find((c) => c.status === status)?.n ?? 0);
  const queued = counts.reduce((sum, c) => sum + Number(c.n), 0);
  return {
    id: bulk.id,
    templateId: bulk.template_id,
    fileName: bulk.file_name,
    createdAt: bulk.created_at,
    totalRows: bulk.total_rows,
    queued,
    sent: count('sent'),
    failed: count('failed'),
    pending: count('pending'),
    done: count('pending') === 0,
  };
}

/** 送信結果: every queued row in file order with its envelope or error (at most 1,500 rows). */
export async function listBulkSendRows(
  ctx: DomainContext,
  input: { organizationId: string; bulkSendId: string },
): Promise<BulkRowResult[]> {
  const bulk = await loadBulkSend(ctx, input.organizationId, input.bulkSendId);
  const rows = await ctx.db
    .selectFrom('bulk_send_rows')
    .leftJoin('envelopes', 'envelopes.id', 'bulk_send_rows.envelope_id')
    .select([
      'bulk_send_rows.row_number',
      'bulk_send_rows.status',
      'bulk_send_rows.envelope_id',
      'bulk_send_rows.error_code',
      'envelopes.name as envelope_name',
    ])
    .where('bulk_send_rows.bulk_send_id', '=', bulk.id)
    .orderBy('bulk_send_rows.row_number')
    .execute();
  return rows.map((r) => ({
    row: r.row_number,
    status: r.status,
    envelopeId: r.status === 'failed' ? null : r.envelope_id,
    envelopeName: r.status === 'failed' ? null : (r.envelope_name ?? null),
    errorCode: r.error_code,
  }));
}
