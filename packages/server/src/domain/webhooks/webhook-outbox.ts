import type { DbOrTx } from '../../ports/database.ts';
import { queuedJobRow } from '../../ports/job-queue.ts';
import type { DeliveryRow } from './webhook-context.ts';
import { newId } from '../../security/tokens.ts';
import { chainKeyOf, webhookData, webhookTypeOf, type PublishedEvent } from './webhook-events.ts';
import type { EventAction } from '../record-event.ts';

/** How many endpoints an organisation may have. */
export const MAX_WEBHOOK_ENDPOINTS = 20;

/** Attempts before the queue fails a delivery whatever the time (DbJobQueue's default; 72 h is ~80). */
const MAX_ATTEMPTS = 500;

/** Queues the job that delivers one delivery, in the caller's transaction (one live job per delivery). */
export async function queueDeliveryJob(tx: DbOrTx, deliveryId: string, at: Date): Promise<void> {
  await tx
    .insertInto('jobs')
    .values(
      queuedJobRow('webhook.deliver', { deliveryId }, at, {
        dedupeKey: `webhook:${deliveryId}`,
        maxAttempts: MAX_ATTEMPTS,
      }),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** A new pending delivery row. */
export function pendingDelivery(input: {
  id: string;
  organizationId: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  chainKey: string;
  eventSeq: number;
  data: string;
  occurredAt: string;
  createdAt: string;
  replayOf?: string;
}): DeliveryRow {
  return {
    id: input.id,
    organization_id: input.organizationId,
    endpoint_id: input.endpointId,
    event_id: input.eventId,
    event_type: input.eventType,
    chain_key: input.chainKey,
    event_seq: input.eventSeq,
    data: input.data,
    occurred_at: input.occurredAt,
    status: 'pending',
    attempts: 0,
    last_attempt_at: null,
    last_status_code: null,
    last_error: null,
    delivered_at: null,
    replay_of: input.replayOf ?? null,
    created_at: input.createdAt,
  };
}

/**
 * The enabled endpoints of the organisation subscribed to an event's type: one indexed look-up for
 * published actions, nothing at all for the others. recordEvent asks before it takes the chain's lock
 * (on PostgreSQL every statement under that lock delays every other transaction that records an event).
 */
export async function subscribedWebhookEndpoints(
  tx: DbOrTx,
  event: { organizationId: string | null; action: EventAction },
): Promise<Array<{ id: string }>> {
  const type = webhookTypeOf(event.action);
  if (type === undefined || event.organizationId === null) return [];
  const endpoints = await tx
    .selectFrom('webhook_endpoints')
    .select(['id', 'events'])
    .where('organization_id', '=', event.organizationId)
    .where('enabled', '=', 1)
    .execute();
  return endpoints.filter((e) => (JSON.parse(e.events) as string[]).includes(type));
}

/**
 * The outbox: for an event that webhooks publish, one delivery row (and its job) per endpoint of
 * `subscribed` (subscribedWebhookEndpoints), in the transaction that records the event. Called by recordEvent.
 */
export async function queueWebhookDeliveries(
  tx: DbOrTx,
  event: PublishedEvent & { seq: number; organizationId: string | null; action: EventAction; at: Date },
  subscribed: ReadonlyArray<{ id: string }>,
): Promise<void> {
  const type = webhookTypeOf(event.action);
  if (type === undefined || event.organizationId === null || subscribed.length === 0) return;
  const data = JSON.stringify(webhookData(type, event));
  const chainKey = chainKeyOf(type, event);
  const at = event.at.toISOString();
  for (const endpoint of subscribed) {
    const id = newId();
    await tx
      .insertInto('webhook_deliveries')
      .values(
        pendingDelivery({
          id,
          organizationId: event.organizationId,
          endpointId: endpoint.id,
          eventId: event.id,
          eventType: type,
          chainKey,
          eventSeq: event.seq,
          data,
          occurredAt: at,
          createdAt: at,
        }),
      )
      .execute();
    await queueDeliveryJob(tx, id, event.at);
  }
}
