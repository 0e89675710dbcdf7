import type { DbOrTx } from '../../ports/database.ts';
import { newId } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';
import { pendingDelivery, queueDeliveryJob } from '../webhooks/webhook-outbox.ts';
import {
  deliveryView,
  type DeliveryRow,
  type WebhookDeliveryView,
  type WebhookDomainContext,
} from '../webhooks/webhook-context.ts';

/**
 * Replays a delivered or failed delivery: a new delivery of the same event (same Inkan-Event-Id and
 * body, so an idempotent receiver recognises it) to the same endpoint, queued now, outside any chain
 * (a replay is the administrator's explicit choice, not part of the event order). Records
 * `webhook.replayed`. A delivery still pending is refused (WEBHOOK_DELIVERY_PENDING): it is being retried.
 */
export async function replayWebhookDelivery(
  ctx: WebhookDomainContext,
  input: { organizationId: string; deliveryId: string; actor: Actor; origin?: RequestOrigin },
): Promise<WebhookDeliveryView> {
  const now = ctx.clock.now();
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const original = await tx
      .selectFrom('webhook_deliveries')
      .selectAll()
      .where('id', '=', input.deliveryId)
      .where('organization_id', '=', input.organizationId)
      .executeTakeFirst();
    if (!original) throw new AppError('NOT_FOUND', 'no such webhook delivery');
    return deliveryView(await queueReplay(tx, original, { ...input, at: now }));
  });
}

/**
 * The replay itself, in the caller's transaction: refuses a pending delivery, inserts the new delivery,
 * queues its job and records `webhook.replayed` (with the failed job it answers, from 失敗した処理).
 */
export async function queueReplay(
  tx: DbOrTx,
  original: DeliveryRow,
  input: { actor: Actor; origin?: RequestOrigin; at: Date; jobId?: string },
): Promise<DeliveryRow> {
  if (original.status === 'pending')
    throw new AppError('WEBHOOK_DELIVERY_PENDING', 'this delivery is still being retried');
  const id = newId();
  const row = pendingDelivery({
    id,
    organizationId: original.organization_id,
    endpointId: original.endpoint_id,
    eventId: original.event_id,
    eventType: original.event_type,
    chainKey: `replay:${id}`,
    eventSeq: original.event_seq,
    data: original.data,
    occurredAt: original.occurred_at,
    createdAt: input.at.toISOString(),
    replayOf: original.id,
  });
  await tx.insertInto('webhook_deliveries').values(row).execute();
  await queueDeliveryJob(tx, id, input.at);
  await recordEvent(tx, {
    organizationId: original.organization_id,
    actor: input.actor,
    action: 'webhook.replayed',
    origin: input.origin,
    at: input.at,
    details: {
      endpointId: original.endpoint_id,
      deliveryId: id,
      replayOf: original.id,
      eventId: original.event_id,
      ...(input.jobId ? { jobId: input.jobId } : {}),
    },
  });
  return row;
}
