import { AppError } from '../app-error.ts';
import { deliveryView, type WebhookDeliveryView, type WebhookDomainContext } from '../webhooks/webhook-context.ts';

/** The most deliveries one page of the log shows. */
export const WEBHOOK_DELIVERIES_PAGE_MAX = 200;

/**
 * The delivery log of the organisation (newest first), optionally of one endpoint and one status:
 * event, status, attempts, the last status code or error.
 */
export async function listWebhookDeliveries(
  ctx: Pick<WebhookDomainContext, 'db'>,
  input: {
    organizationId: string;
    endpointId?: string;
    status?: 'pending' | 'delivered' | 'failed';
    limit?: number;
  },
): Promise<{ items: WebhookDeliveryView[] }> {
  if (input.endpointId !== undefined) {
    const endpoint = await ctx.db
      .selectFrom('webhook_endpoints')
      .select('id')
      .where('id', '=', input.endpointId)
      .where('organization_id', '=', input.organizationId)
      .executeTakeFirst();
    if (!endpoint) throw new AppError('NOT_FOUND', 'no such webhook endpoint');
  }
  let query = ctx.db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('organization_id', '=', input.organizationId)
    .orderBy('created_at', 'desc')
    .orderBy('event_seq', 'desc')
    .orderBy('id')
    .limit(Math.min(input.limit ?? 50, WEBHOOK_DELIVERIES_PAGE_MAX));
  if (input.endpointId !== undefined) query = query.where('endpoint_id', '=', input.endpointId);
  if (input.status !== undefined) query = query.where('status', '=', input.status);
  const rows = await query.execute();
  return { items: rows.map(deliveryView) };
}
