import { AppError } from '../app-error.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';
import { optionalText } from '../validation.ts';
import { newId } from '../../security/tokens.ts';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../webhooks/webhook-events.ts';
import { MAX_WEBHOOK_ENDPOINTS } from '../webhooks/webhook-outbox.ts';
import { newWebhookSecret, secretHint } from '../webhooks/webhook-secrets.ts';
import { checkWebhookUrl } from '../webhooks/webhook-target.ts';
import { endpointView, type WebhookDomainContext, type WebhookEndpointView } from '../webhooks/webhook-context.ts';

/** The default overlap of a rotation: the old secret keeps signing (a second v1) for 24 hours. */
export const DEFAULT_ROTATION_OVERLAP_HOURS = 24;
const MAX_ROTATION_OVERLAP_HOURS = 7 * 24;

function requireEvents(value: unknown): WebhookEventType[] {
  const known = new Set<string>(WEBHOOK_EVENT_TYPES);
  if (!Array.isArray(value) || value.length === 0 || value.length > WEBHOOK_EVENT_TYPES.length)
    throw new AppError('VALIDATION_FAILED', 'events must name at least one event type', { field: 'events' });
  for (const t of value)
    if (typeof t !== 'string' || !known.has(t))
      throw new AppError('VALIDATION_FAILED', `unknown event type ${String(t).slice(0, 50)}`, { field: 'events' });
  return WEBHOOK_EVENT_TYPES.filter((t) => value.includes(t));
}

function requireBoolean(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw new AppError('VALIDATION_FAILED', `${field} must be true or false`, { field });
  return value;
}

/** The organisation's webhook endpoints, oldest first. */
export async function listWebhookEndpoints(
  ctx: WebhookDomainContext,
  input: { organizationId: string },
): Promise<WebhookEndpointView[]> {
  const rows = await ctx.db
    .selectFrom('webhook_endpoints')
    .selectAll()
    .where('organization_id', '=', input.organizationId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const now = ctx.clock.now();
  return rows.map((r) => endpointView(r, now));
}

/**
 * Adds an endpoint: its URL checked (https, not a private or loopback target unless the operator
 * allows them), the event types it subscribes to, and a new signing secret returned ONCE (stored
 * encrypted, needed in clear to sign). Records `webhook.created` (URL and types, not the secret).
 */
export async function createWebhookEndpoint(
  ctx: WebhookDomainContext,
  input: {
    organizationId: string;
    actor: Actor;
    origin?: RequestOrigin;
    url: unknown;
    description?: unknown;
    events: unknown;
    enabled?: unknown;
  },
): Promise<{ secret: string; endpoint: WebhookEndpointView }> {
  const url = checkWebhookUrl(input.url, { allowPrivate: ctx.config.webhooks.allowPrivate });
  const description = optionalText(input.description, 'description', 200);
  const events = requireEvents(input.events);
  const enabled = input.enabled === undefined ? true : requireBoolean(input.enabled, 'enabled');
  const now = ctx.clock.now();
  const id = newId();
  const secret = newWebhookSecret();
  const row = {
    id,
    organization_id: input.organizationId,
    url,
    description,
    events: JSON.stringify(events),
    enabled: enabled ? 1 : 0,
    secret_ciphertext: await ctx.secrets.sealSecret('webhook-secret', secret, id, ctx.db),
    secret_hint: secretHint(secret),
    previous_secret_ciphertext: null,
    previous_secret_expires_at: null,
    secret_rotated_at: null,
    created_by_user_id: input.actor.type === 'user' ? input.actor.id : null,
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
  };
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const count = await tx
      .selectFrom('webhook_endpoints')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('organization_id', '=', input.organizationId)
      .executeTakeFirstOrThrow();
    if (Number(count.n) >= MAX_WEBHOOK_ENDPOINTS)
      throw new AppError('WEBHOOK_LIMIT', 'too many webhook endpoints', { max: MAX_WEBHOOK_ENDPOINTS });
    await tx.insertInto('webhook_endpoints').values(row).execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'webhook.created',
      origin: input.origin,
      at: now,
      details: { endpointId: id, url, events, enabled },
    });
  });
  return { secret, endpoint: endpointView(row, now) };
}

/** Changes an endpoint's URL, description, event types or enabled flag. Records `webhook.updated`. */
export async function updateWebhookEndpoint(
  ctx: WebhookDomainContext,
  input: {
    organizationId: string;
    endpointId: string;
    actor: Actor;
    origin?: RequestOrigin;
    changes: { url?: unknown; description?: unknown; events?: unknown; enabled?: unknown };
  },
): Promise<WebhookEndpointView> {
  const c = input.changes;
  const set: { url?: string; description?: string; events?: string; enabled?: number } = {};
  if (c.url !== undefined) set.url = checkWebhookUrl(c.url, { allowPrivate: ctx.config.webhooks.allowPrivate });
  if (c.description !== undefined) set.description = optionalText(c.description, 'description', 200);
  if (c.events !== undefined) set.events = JSON.stringify(requireEvents(c.events));
  if (c.enabled !== undefined) set.enabled = requireBoolean(c.enabled, 'enabled') ? 1 : 0;
  const now = ctx.clock.now();
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const existing = await tx
      .selectFrom('webhook_endpoints')
      .select('id')
      .where('id', '=', input.endpointId)
      .where('organization_id', '=', input.organizationId)
      .executeTakeFirst();
    if (!existing) throw new AppError('NOT_FOUND', 'no such webhook endpoint');
    await tx
      .updateTable('webhook_endpoints')
      .set({ ...set, updated_at: now.toISOString() })
      .where('id', '=', existing.id)
      .execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'webhook.updated',
      origin: input.origin,
      at: now,
      details: {
        endpointId: existing.id,
        ...(set.url === undefined ? {} : { url: set.url }),
        ...(set.events === undefined ? {} : { events: JSON.parse(set.events) as string[] }),
        ...(set.enabled === undefined ? {} : { enabled: set.enabled === 1 }),
        ...(set.description === undefined ? {} : { description: set.description }),
      },
    });
    const row = await tx
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', existing.id)
      .executeTakeFirstOrThrow();
    return endpointView(row, now);
  });
}

/** Deletes an endpoint and its delivery log (pending deliveries are dropped). Records `webhook.deleted`. */
export async function deleteWebhookEndpoint(
  ctx: WebhookDomainContext,
  input: { organizationId: string; endpointId: string; actor: Actor; origin?: RequestOrigin },
): Promise<void> {
  const now = ctx.clock.now();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const existing = await tx
      .selectFrom('webhook_endpoints')
      .select(['id', 'url'])
      .where('id', '=', input.endpointId)
      .where('organization_id', '=', input.organizationId)
      .executeTakeFirst();
    if (!existing) throw new AppError('NOT_FOUND', 'no such webhook endpoint');
    await tx.deleteFrom('webhook_deliveries').where('endpoint_id', '=', existing.id).execute();
    await tx.deleteFrom('webhook_endpoints').where('id', '=', existing.id).execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'webhook.deleted',
      origin: input.origin,
      at: now,
      details: { endpointId: existing.id, url: existing.url },
    });
  });
}

/**
 * Rotates an endpoint's signing secret: the new one is returned ONCE; the old one keeps signing as a
 * second `v1` for the overlap (default 24 h, 0–168 h) so that receivers can switch without losing a
 * delivery. Records `webhook.secret-rotated`.
 */
export async function rotateWebhookSecret(
  ctx: WebhookDomainContext,
  input: { organizationId: string; endpointId: string; actor: Actor; origin?: RequestOrigin; overlapHours?: unknown },
): Promise<{ secret: string; endpoint: WebhookEndpointView }> {
  const hours = input.overlapHours ?? DEFAULT_ROTATION_OVERLAP_HOURS;
  if (typeof hours !== 'number' || !Number.isInteger(hours) || hours < 0 || hours > MAX_ROTATION_OVERLAP_HOURS)
    throw new AppError('VALIDATION_FAILED', 'overlapHours must be a whole number of hours, 0 to 168', {
      field: 'overlapHours',
      max: MAX_ROTATION_OVERLAP_HOURS,
    });
  const now = ctx.clock.now();
  const secret = newWebhookSecret();
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const row = await tx
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('id', '=', input.endpointId)
      .where('organization_id', '=', input.organizationId)
      .executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', 'no such webhook endpoint');
    const update = {
      secret_ciphertext: await ctx.secrets.sealSecret('webhook-secret', secret, row.id, tx),
      secret_hint: secretHint(secret),
      previous_secret_ciphertext: hours === 0 ? null : row.secret_ciphertext,
      previous_secret_expires_at: hours === 0 ? null : new Date(now.getTime() + hours * 3_600_000).toISOString(),
      secret_rotated_at: now.toISOString(),
      updated_at: now.toISOString(),
    };
    await tx.updateTable('webhook_endpoints').set(update).where('id', '=', row.id).execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'webhook.secret-rotated',
      origin: input.origin,
      at: now,
      details: { endpointId: row.id, overlapHours: hours, hint: update.secret_hint },
    });
    return { secret, endpoint: endpointView({ ...row, ...update }, now) };
  });
}
