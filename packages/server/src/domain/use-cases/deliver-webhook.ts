import type { DbOrTx } from '../../ports/database.ts';
import type { WebhookResponse } from '../../ports/webhook-sender.ts';
import { inTransaction } from '../transaction.ts';
import { withLinks } from '../webhooks/webhook-events.ts';
import { queueDeliveryJob } from '../webhooks/webhook-outbox.ts';
import { SIGNATURE_HEADER, signatureHeader } from '../webhooks/webhook-signature.ts';
import {
  lockEndpoint,
  type DeliveryRow,
  type EndpointRow,
  type WebhookDomainContext,
} from '../webhooks/webhook-context.ts';

/** A failed attempt: the job queue retries it with its backoff, then gives up (giveUpWebhookDelivery). */
export class WebhookAttemptFailed extends Error {
  constructor(readonly response: WebhookResponse) {
    super(`webhook delivery failed: ${response.error ?? 'no answer'}`);
    this.name = 'WebhookAttemptFailed';
  }
}

/** The JSON body of a delivery: the same bytes on every attempt and replay (the signature's timestamp changes). */
export function deliveryBody(delivery: DeliveryRow, publicUrl: string): string {
  return JSON.stringify({
    id: delivery.event_id,
    type: delivery.event_type,
    occurredAt: delivery.occurred_at,
    organization: { id: delivery.organization_id },
    data: withLinks(JSON.parse(delivery.data) as Record<string, unknown>, publicUrl),
  });
}

/** The secrets an endpoint signs with now: the current one, and the previous one during a rotation's overlap. */
async function signingSecrets(ctx: WebhookDomainContext, endpoint: EndpointRow, now: Date): Promise<string[]> {
  const open = async (sealed: string) =>
    (await ctx.secrets.openSecret('webhook-secret', sealed, endpoint.id, ctx.db)).toString('utf8');
  const secrets = [await open(endpoint.secret_ciphertext)];
  if (
    endpoint.previous_secret_ciphertext !== null &&
    endpoint.previous_secret_expires_at !== null &&
    new Date(endpoint.previous_secret_expires_at) > now
  )
    secrets.push(await open(endpoint.previous_secret_ciphertext));
  return secrets;
}

/** POSTs a delivery's body to its endpoint, signed now with the endpoint's secrets (writes nothing). */
export async function postDelivery(
  ctx: WebhookDomainContext,
  delivery: DeliveryRow,
  endpoint: EndpointRow,
): Promise<WebhookResponse> {
  const now = ctx.clock.now();
  const body = deliveryBody(delivery, ctx.config.publicUrl);
  const timestamp = Math.floor(now.getTime() / 1000);
  return ctx.webhooks.post({
    url: endpoint.url,
    body,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Inkan-Webhooks/1',
      'inkan-event-id': delivery.event_id,
      'inkan-event-type': delivery.event_type,
      'inkan-delivery-id': delivery.id,
      [SIGNATURE_HEADER.toLowerCase()]: signatureHeader(await signingSecrets(ctx, endpoint, now), timestamp, body),
    },
  });
}

/**
 * Sends one attempt of a delivery and writes its outcome on the delivery row: attempts, time, the
 * status code or the error; `delivered` on a 2xx answer. Does not move the chain on.
 */
async function attemptDelivery(
  ctx: WebhookDomainContext,
  delivery: DeliveryRow,
  endpoint: EndpointRow,
): Promise<WebhookResponse> {
  const response = await postDelivery(ctx, delivery, endpoint);
  const at = ctx.clock.now().toISOString();
  await ctx.db
    .updateTable('webhook_deliveries')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      last_attempt_at: at,
      last_status_code: response.statusCode,
      last_error: response.error,
      ...(response.ok ? { status: 'delivered' as const, delivered_at: at } : {}),
    }))
    .where('id', '=', delivery.id)
    .where('status', '=', 'pending')
    .execute();
  return response;
}

/** A delivery read under its endpoint's lock (undefined when it is gone: its endpoint was deleted). */
async function lockedDelivery(
  tx: DbOrTx,
  dialect: 'sqlite' | 'postgres',
  deliveryId: string,
): Promise<DeliveryRow | undefined> {
  const head = await tx
    .selectFrom('webhook_deliveries')
    .select('endpoint_id')
    .where('id', '=', deliveryId)
    .executeTakeFirst();
  if (!head) return undefined;
  await lockEndpoint(tx, dialect, head.endpoint_id);
  return tx.selectFrom('webhook_deliveries').selectAll().where('id', '=', deliveryId).executeTakeFirst();
}

/** Queues the next pending delivery of the chain (the caller holds the endpoint lock). */
async function queueNextInChain(tx: DbOrTx, delivery: DeliveryRow, at: Date): Promise<void> {
  const next = await tx
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('endpoint_id', '=', delivery.endpoint_id)
    .where('chain_key', '=', delivery.chain_key)
    .where('status', '=', 'pending')
    .where('id', '!=', delivery.id)
    .orderBy('event_seq')
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst();
  if (next) await queueDeliveryJob(tx, next.id, at);
}

/**
 * Job `webhook.deliver`. Ordering: a delivery goes out only when no earlier delivery of the same
 * endpoint and chain (envelope or contract) is still pending; otherwise the job ends at once, and the
 * earlier delivery queues it again when it is delivered or given up. The check and the hand-over run
 * under the endpoint's lock (lockEndpoint), so neither side can miss the other. A failed attempt throws
 * (the queue retries with capped exponential backoff for INKAN_JOB_RETRY_FOR, 72 h). Idempotent: a
 * delivery no longer pending is left alone.
 */
export async function deliverWebhook(ctx: WebhookDomainContext, input: { deliveryId: string }): Promise<void> {
  const turn = await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const delivery = await lockedDelivery(tx, ctx.dialect, input.deliveryId);
    if (!delivery) return undefined;
    if (delivery.status !== 'pending') {
      // Ended by an earlier run that stopped before handing the chain on (a crash): hand it on now.
      await queueNextInChain(tx, delivery, ctx.clock.now());
      return undefined;
    }
    const earlier = await tx
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('endpoint_id', '=', delivery.endpoint_id)
      .where('chain_key', '=', delivery.chain_key)
      .where('status', '=', 'pending')
      .where((eb) =>
        eb.or([
          eb('event_seq', '<', delivery.event_seq),
          eb.and([eb('event_seq', '=', delivery.event_seq), eb('created_at', '<', delivery.created_at)]),
        ]),
      )
      .limit(1)
      .executeTakeFirst();
    if (earlier) return undefined;
    const endpoint = await tx
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', delivery.endpoint_id)
      .executeTakeFirstOrThrow();
    return { delivery, endpoint };
  });
  if (!turn) return;
  const { delivery, endpoint } = turn;
  if (endpoint.enabled !== 1) {
    await finishDelivery(ctx, delivery.id, { failWith: 'endpoint disabled' });
    return;
  }
  const response = await attemptDelivery(ctx, delivery, endpoint);
  if (!response.ok) throw new WebhookAttemptFailed(response);
  await finishDelivery(ctx, delivery.id, {});
}

/** Ends a delivery (failed with a reason, or already marked delivered) and hands the chain on. */
async function finishDelivery(
  ctx: Pick<WebhookDomainContext, 'db' | 'dialect' | 'clock'>,
  deliveryId: string,
  options: { failWith?: string },
): Promise<void> {
  await inTransaction(ctx.db, ctx.dialect, (tx) => endDelivery(tx, ctx.dialect, deliveryId, ctx.clock.now(), options));
}

async function endDelivery(
  tx: DbOrTx,
  dialect: 'sqlite' | 'postgres',
  deliveryId: string,
  at: Date,
  options: { failWith?: string },
): Promise<void> {
  const delivery = await lockedDelivery(tx, dialect, deliveryId);
  if (!delivery) return;
  if (options.failWith !== undefined && delivery.status === 'pending')
    await tx
      .updateTable('webhook_deliveries')
      .set({ status: 'failed', last_error: delivery.last_error ?? options.failWith })
      .where('id', '=', delivery.id)
      .execute();
  await queueNextInChain(tx, delivery, at);
}

/**
 * The queue's give-up for `webhook.deliver` (in the transaction that fails the job, after 72 h of
 * retries): the delivery is marked failed, keeps its last status code and error for the log, and the
 * next delivery of its chain is queued.
 */
export async function giveUpWebhookDelivery(
  tx: DbOrTx,
  dialect: 'sqlite' | 'postgres',
  payload: unknown,
  at: Date,
): Promise<void> {
  const deliveryId = (payload as { deliveryId?: unknown } | null)?.deliveryId;
  if (typeof deliveryId !== 'string') return;
  await endDelivery(tx, dialect, deliveryId, at, { failWith: 'given up' });
}
