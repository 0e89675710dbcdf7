import type { DomainContext } from '../domain-context.ts';

/** How long the delivery log keeps delivered and failed deliveries (pending ones stay until they end). */
export const WEBHOOK_LOG_RETENTION_DAYS = 90;

/**
 * Housekeeping of the delivery log (run with the expiry sweep): deletes delivered and failed deliveries
 * created more than 90 days ago. The events themselves stay in the operation log.
 */
export async function purgeWebhookDeliveries(ctx: Pick<DomainContext, 'db' | 'clock'>): Promise<number> {
  const cutoff = new Date(ctx.clock.now().getTime() - WEBHOOK_LOG_RETENTION_DAYS * 86_400_000).toISOString();
  const result = await ctx.db
    .deleteFrom('webhook_deliveries')
    .where('status', 'in', ['delivered', 'failed'])
    .where('created_at', '<', cutoff)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
