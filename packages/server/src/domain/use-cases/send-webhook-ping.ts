import { newId } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';
import { WEBHOOK_PING_TYPE } from '../webhooks/webhook-events.ts';
import { deliveryView, type WebhookDeliveryView, type WebhookDomainContext } from '../webhooks/webhook-context.ts';
import { pendingDelivery } from '../webhooks/webhook-outbox.ts';
import { postDelivery } from './deliver-webhook.ts';

/**
 * 送信テスト: sends a signed `ping` event to an endpoint now (even when it is disabled) and answers
 * with the outcome — the receiver's status code or the network error — as the delivery log shows it.
 * One attempt, no retry. Records `webhook.pinged` with the outcome.
 */
export async function sendWebhookPing(
  ctx: WebhookDomainContext,
  input: { organizationId: string; endpointId: string; actor: Actor; origin?: RequestOrigin },
): Promise<{ ok: boolean; delivery: WebhookDeliveryView }> {
  const endpoint = await ctx.db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('id', '=', input.endpointId)
    .where('organization_id', '=', input.organizationId)
    .executeTakeFirst();
  if (!endpoint) throw new AppError('NOT_FOUND', 'no such webhook endpoint');
  const now = ctx.clock.now();
  const id = newId();
  const row = pendingDelivery({
    id,
    organizationId: input.organizationId,
    endpointId: endpoint.id,
    eventId: newId(),
    eventType: WEBHOOK_PING_TYPE,
    chainKey: `ping:${id}`,
    eventSeq: 0,
    data: JSON.stringify({ endpoint: { id: endpoint.id } }),
    occurredAt: now.toISOString(),
    createdAt: now.toISOString(),
  });
  const response = await postDelivery(ctx, row, endpoint);
  const at = ctx.clock.now();
  const final = {
    ...row,
    status: response.ok ? ('delivered' as const) : ('failed' as const),
    attempts: 1,
    last_attempt_at: at.toISOString(),
    last_status_code: response.statusCode,
    last_error: response.error,
    delivered_at: response.ok ? at.toISOString() : null,
  };
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    await tx.insertInto('webhook_deliveries').values(final).execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'webhook.pinged',
      origin: input.origin,
      at,
      details: { endpointId: endpoint.id, ok: response.ok, statusCode: response.statusCode, error: response.error },
    });
  });
  return { ok: response.ok, delivery: deliveryView(final) };
}
