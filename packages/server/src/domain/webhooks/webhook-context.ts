import type { Selectable } from 'kysely';
import type { DbOrTx, Schema } from '../../ports/database.ts';
import type { WebhookSender } from '../../ports/webhook-sender.ts';
import { sql } from 'kysely';
import type { DomainContext } from '../domain-context.ts';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from './webhook-events.ts';

/** What the webhook use cases need beyond the ports every use case has. */
export type WebhookDomainContext = DomainContext & {
  webhooks: WebhookSender;
};

export type EndpointRow = Selectable<Schema['webhook_endpoints']>;
export type DeliveryRow = Selectable<Schema['webhook_deliveries']>;

/** An endpoint as the Webhook screen and the API show it (never its secret). */
export interface WebhookEndpointView {
  id: string;
  url: string;
  description: string;
  events: WebhookEventType[];
  enabled: boolean;
  secretHint: string;
  /** During a rotation's overlap: until when the previous secret still signs (a second v1). */
  previousSecretExpiresAt: string | null;
  secretRotatedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A delivery as the delivery log shows it. */
export interface WebhookDeliveryView {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  occurredAt: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  replayOf: string | null;
  createdAt: string;
}

const KNOWN = new Set<string>(WEBHOOK_EVENT_TYPES);

/** The stored JSON list of event types (unknown ones dropped). */
export function parseStoredEvents(text: string): WebhookEventType[] {
  const parsed = JSON.parse(text) as unknown;
  return Array.isArray(parsed) ? (parsed.filter((t) => KNOWN.has(t as string)) as WebhookEventType[]) : [];
}

export function endpointView(row: EndpointRow, now: Date): WebhookEndpointView {
  const overlap =
    row.previous_secret_expires_at !== null && new Date(row.previous_secret_expires_at) > now
      ? row.previous_secret_expires_at
      : null;
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: parseStoredEvents(row.events),
    enabled: row.enabled === 1,
    secretHint: row.secret_hint,
    previousSecretExpiresAt: overlap,
    secretRotatedAt: row.secret_rotated_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function deliveryView(row: DeliveryRow): WebhookDeliveryView {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    eventType: row.event_type,
    occurredAt: row.occurred_at,
    status: row.status,
    attempts: Number(row.attempts),
    lastAttemptAt: row.last_attempt_at,
    lastStatusCode: row.last_status_code === null ? null : Number(row.last_status_code),
    lastError: row.last_error,
    deliveredAt: row.delivered_at,
    replayOf: row.replay_of,
    createdAt: row.created_at,
  };
}

/**
 * Serialises the delivery bookkeeping of one endpoint: PostgreSQL locks the endpoint's row until the
 * transaction ends (SQLite transactions already hold the single write lock). Taken by every transaction
 * that decides "is this delivery the first pending one of its chain?" or moves a chain on, so that a
 * delivery finishing and its successor's check cannot both miss each other.
 */
export async function lockEndpoint(tx: DbOrTx, dialect: 'sqlite' | 'postgres', endpointId: string): Promise<void> {
  if (dialect === 'postgres')
    await sql`select id from webhook_endpoints where id = ${endpointId} for update`.execute(tx);
}
