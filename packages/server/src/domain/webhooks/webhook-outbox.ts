import type { DbOrTx } from '../../ports/database.ts';
import type { JobPayloads } from '../../ports/job-queue.ts';
import { newId } from '../../security/tokens.ts';
import { chainKeyOf, webhookData, webhookTypeOf, type PublishedEvent } from './webhook-events.ts';
import type { EventAction } from '../record-event.ts';

/** How many endpoints an organisation may have. */
export const MAX_WEBHOOK_ENDPOINTS = 20;

/**
 * Queues the job that delivers one webhook delivery, in the caller's transaction. Written here rather
 * than through the JobQueue port because recordEvent (the caller) has only the transaction; the row is
 * the one DbJobQueue.enqueue writes (same columns, a dedupe key so that a delivery has one live job).
 */
export async function queueDeliveryJob(tx: DbOrTx, deliveryId: string, at: Date): Promise<void> {
  const payload: JobPayloads['webhook.deliver'] = { deliveryId };
  await tx
    .insertInto('jobs')
    .values({
      id: newId(),
      kind: 'webhook.deliver',
      payload: JSON.stringify(payload),
      dedupe_key: `webhook:${deliveryId}`,
      status: 'queued',
      attempts: 0,
      max_attempts: 500,
      run_at: at.toISOString(),
      locked_by: null,
      locked_until: null,
      last_error: null,
      created_at: at.toISOString(),
      finished_at: null,
      worker_id: null,
      first_attempt_at: null,
      organization_id: null,
      failed_notice_at: null,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/**
 * The outbox: for an event that webhooks publish, one delivery row (and its job) per enabled endpoint of
 * the organisation subscribed to its type, in the transaction that records the event. Called by
 * recordEvent; one indexed look-up for published actions, nothing at all for the others.
 */
export async function queueWebhookDeliveries(
  tx: DbOrTx,
  event: PublishedEvent & { seq: number; organizationId: string | null; action: EventAction; at: Date },
): Promise<void> {
  const type = webhookTypeOf(event.action);
  if (type === undefined || event.organizationId === null) return;
  const endpoints = await tx
    .selectFrom('webhook_endpoints')
    .select(['id', 'events'])
    .where('organization_id', '=', event.organizationId)
    .where('enabled', '=', 1)
    .execute();
  const subscribed = endpoints.filter((e) => (JSON.parse(e.events) as string[]).includes(type));
  if (subscribed.length === 0) return;
  const data = JSON.stringify(webhookData(type, event));
  const chainKey = chainKeyOf(type, event);
  const at = event.at.toISOString();
  for (const endpoint of subscribed) {
    const id = newId();
    await tx
      .insertInto('webhook_deliveries')
      .values({
        id,
        organization_id: event.organizationId,
        endpoint_id: endpoint.id,
        event_id: event.id,
        event_type: type,
        chain_key: chainKey,
        event_seq: event.seq,
        data,
        occurred_at: at,
        status: 'pending',
        attempts: 0,
        last_attempt_at: null,
        last_status_code: null,
        last_error: null,
        delivered_at: null,
        replay_of: null,
        created_at: at,
      })
      .execute();
    await queueDeliveryJob(tx, id, event.at);
  }
}
