import type { EventAction } from '../record-event.ts';

/** The event types an endpoint can subscribe to (the `type` of a payload), in the order the screen lists them. */
export const WEBHOOK_EVENT_TYPES = [
  'envelope.sent',
  'envelope.viewed',
  'envelope.signed',
  'envelope.declined',
  'envelope.completed',
  'envelope.expired',
  'envelope.canceled',
  'contract.created',
  'contract.updated',
  'contract.deadline-reached',
  'approval.requested',
  'approval.approved',
  'approval.rejected',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The type of the test delivery (送信テスト); not subscribable, always sent when asked. */
export const WEBHOOK_PING_TYPE = 'ping';

/** Which operation-log action becomes which webhook event (the others are not published). */
const TYPE_OF_ACTION: Partial<Record<EventAction, WebhookEventType>> = {
  'envelope.sent': 'envelope.sent',
  'recipient.viewed': 'envelope.viewed',
  'recipient.signed': 'envelope.signed',
  'envelope.declined': 'envelope.declined',
  'envelope.completed': 'envelope.completed',
  'envelope.expired': 'envelope.expired',
  'envelope.canceled': 'envelope.canceled',
  'contract.registered': 'contract.created',
  'contract.imported': 'contract.created',
  'contract.updated': 'contract.updated',
  // The register queues a reminder when a deadline (end, renewal notice …) reaches one of its thresholds.
  'contract.reminder-queued': 'contract.deadline-reached',
  // 稟議: a submission asks the route's approvers; each approval and a 差し戻し are their own events.
  'approval.submitted': 'approval.requested',
  'approval.approved': 'approval.approved',
  'approval.rejected': 'approval.rejected',
};

/** The webhook event type an action publishes, or undefined. */
export function webhookTypeOf(action: EventAction): WebhookEventType | undefined {
  return TYPE_OF_ACTION[action];
}

/** What the outbox needs to know of a recorded event. */
export interface PublishedEvent {
  id: string;
  envelopeId: string | null;
  actor: { type: string; id: string | null };
  details: Record<string, unknown>;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number | null => (typeof value === 'number' ? value : null);

/**
 * The payload's `data` of an event: identifiers and a few plain facts, never access codes, tokens,
 * names, addresses or document bytes (the receiver fetches what it needs through the API, with its key).
 * Links are added when sending (they depend on the installation's public URL).
 */
export function webhookData(type: WebhookEventType, event: PublishedEvent): Record<string, unknown> {
  const d = event.details;
  const data: Record<string, unknown> = {};
  if (event.envelopeId !== null) data.envelope = { id: event.envelopeId };
  const contractId = str(d.contractId);
  if (contractId !== undefined) data.contract = { id: contractId };
  switch (type) {
    case 'envelope.viewed':
    case 'envelope.signed':
      if (event.actor.type === 'recipient' && event.actor.id !== null) data.recipient = { id: event.actor.id };
      break;
    case 'envelope.declined':
      if (str(d.byRecipient) !== undefined) data.recipient = { id: d.byRecipient };
      break;
    case 'envelope.expired':
      if (str(d.expiresAt) !== undefined) data.expiresAt = d.expiresAt;
      break;
    case 'envelope.canceled':
      if (str(d.previousStatus) !== undefined) data.previousStatus = d.previousStatus;
      break;
    case 'contract.created':
      if (str(d.source) !== undefined) data.source = d.source;
      break;
    case 'contract.updated':
      if (Array.isArray(d.fields)) data.fields = d.fields.filter((f) => typeof f === 'string');
      break;
    case 'contract.deadline-reached':
      data.deadline = {
        kind: str(d.kind) ?? null,
        dueOn: str(d.dueOn) ?? null,
        daysBefore: typeof d.thresholdDays === 'number' ? d.thresholdDays : null,
      };
      break;
    case 'approval.requested':
      data.approval = { round: num(d.round), routeId: str(d.routeId) ?? null };
      break;
    case 'approval.approved':
    case 'approval.rejected':
      // The approver as an identifier; the comment or reason (free text) stays in Inkan.
      if (event.actor.type === 'user' && event.actor.id !== null) data.approver = { id: event.actor.id };
      data.approval = {
        round: num(d.round),
        step: num(d.step),
        ...(type === 'approval.approved' ? { final: d.final === true } : {}),
      };
      break;
    case 'envelope.sent':
    case 'envelope.completed':
      break;
  }
  return data;
}

/**
 * The ordering key: deliveries of one endpoint with the same key go out one after the other in event
 * order (per contract for contract events, per envelope for envelope events).
 */
export function chainKeyOf(type: WebhookEventType, event: PublishedEvent): string {
  const contractId = str(event.details.contractId);
  if (type.startsWith('contract.') && contractId !== undefined) return `contract:${contractId}`;
  if (event.envelopeId !== null) return `envelope:${event.envelopeId}`;
  return `event:${event.id}`;
}

/** Adds the API links of the objects `data` names (the installation's public URL is known when sending). */
export function withLinks(data: Record<string, unknown>, publicUrl: string): Record<string, unknown> {
  const out = { ...data };
  const link = (key: 'envelope' | 'contract', path: string) => {
    const value = out[key] as { id?: unknown } | undefined;
    if (value && typeof value.id === 'string')
      out[key] = { ...value, url: `${publicUrl}/api/v1/${path}/${encodeURIComponent(value.id)}` };
  };
  link('envelope', 'envelopes');
  link('contract', 'contracts');
  return out;
}
