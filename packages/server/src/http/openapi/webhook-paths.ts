import { WEBHOOK_EVENT_TYPES } from '../../domain/webhooks/webhook-events.ts';
import { createWebhookBody, rotateSecretBody, updateWebhookBody } from '../webhooks/schema.ts';
import { adminAuth, body, error, iso, json, listOf, pathParameter, ref, refusals } from './helpers.ts';

/*
 * Webhooks (issue 13 part 1) in the OpenAPI document: endpoints, secret rotation, the delivery log with
 * replay, the test ping. The payload, the signature header and the verification recipe are in docs/api.md.
 */

const id = (description: string) => pathParameter('id', description, 'uuid');
const withSecret = (description: string) => ({
  description,
  ...json({
    type: 'object',
    properties: {
      secret: { type: 'string', description: 'whsec_… — shown in this answer only; stored encrypted' },
      endpoint: ref('WebhookEndpoint'),
    },
  }),
});

/** Schemas of the webhook API. */
export const webhookSchemas = {
  WebhookEndpoint: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      url: { type: 'string' },
      description: { type: 'string' },
      events: { type: 'array', items: { type: 'string', enum: [...WEBHOOK_EVENT_TYPES] } },
      enabled: { type: 'boolean' },
      secretHint: { type: 'string', description: 'the first characters of the current secret' },
      previousSecretExpiresAt: { ...iso, description: 'during a rotation: until when the old secret also signs' },
      secretRotatedAt: iso,
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
    },
  },
  WebhookDelivery: {
    type: 'object',
    properties: {
      id: { type: 'string', description: 'Inkan-Delivery-Id' },
      endpointId: { type: 'string' },
      eventId: { type: 'string', description: 'Inkan-Event-Id (the same on retries and replays)' },
      eventType: { type: 'string' },
      occurredAt: { type: 'string', format: 'date-time' },
      status: { type: 'string', enum: ['pending', 'delivered', 'failed'] },
      attempts: { type: 'integer' },
      lastAttemptAt: iso,
      lastStatusCode: { type: ['integer', 'null'] },
      lastError: { type: ['string', 'null'] },
      deliveredAt: iso,
      replayOf: { type: ['string', 'null'] },
      createdAt: { type: 'string', format: 'date-time' },
    },
  },
};

export const webhookPaths = {
  '/api/v1/admin/webhooks': {
    get: {
      summary: "The organisation's webhook endpoints (never their secrets) and the event types they can subscribe to",
      security: adminAuth,
      responses: {
        200: {
          description: '{ items, eventTypes }',
          ...json(
            listOf(ref('WebhookEndpoint'), 'items', { eventTypes: { type: 'array', items: { type: 'string' } } }),
          ),
        },
        ...refusals(),
      },
    },
    post: {
      summary:
        'Add an endpoint (https; private, loopback and link-local targets refused unless INKAN_WEBHOOK_ALLOW_PRIVATE=true; at most 20). The signing secret is in this answer only',
      security: adminAuth,
      requestBody: body(createWebhookBody),
      responses: {
        201: withSecret('{ secret, endpoint }'),
        400: error('WEBHOOK_URL_INVALID, WEBHOOK_TARGET_REFUSED or VALIDATION_FAILED (events)'),
        409: error('WEBHOOK_LIMIT'),
        ...refusals(),
      },
    },
  },
  '/api/v1/admin/webhooks/{id}': {
    patch: {
      summary: 'Change the URL, description, event types or enabled flag of an endpoint',
      security: adminAuth,
      parameters: [id('endpoint id')],
      requestBody: body(updateWebhookBody),
      responses: {
        200: { description: 'The endpoint', ...json(ref('WebhookEndpoint')) },
        400: error('WEBHOOK_URL_INVALID, WEBHOOK_TARGET_REFUSED or VALIDATION_FAILED'),
        404: error('NOT_FOUND'),
        ...refusals(),
      },
    },
    delete: {
      summary: 'Delete an endpoint and its delivery log (pending deliveries are dropped)',
      security: adminAuth,
      parameters: [id('endpoint id')],
      responses: { 204: { description: 'Deleted' }, 404: error('NOT_FOUND'), ...refusals() },
    },
  },
  '/api/v1/admin/webhooks/{id}/rotate-secret': {
    post: {
      summary:
        'New signing secret (in this answer only); the old one keeps signing as a second v1 for overlapHours (default 24, 0–168)',
      security: adminAuth,
      parameters: [id('endpoint id')],
      requestBody: body(rotateSecretBody, false),
      responses: {
        200: withSecret('{ secret, endpoint }'),
        400: error('VALIDATION_FAILED'),
        404: error('NOT_FOUND'),
        ...refusals(),
      },
    },
  },
  '/api/v1/admin/webhooks/{id}/ping': {
    post: {
      summary: 'Send a signed `ping` event now (one attempt) and answer with the outcome, as the delivery log shows it',
      security: adminAuth,
      parameters: [id('endpoint id')],
      responses: {
        200: {
          description: '{ ok, delivery }',
          ...json({ type: 'object', properties: { ok: { type: 'boolean' }, delivery: ref('WebhookDelivery') } }),
        },
        404: error('NOT_FOUND'),
        ...refusals(),
      },
    },
  },
  '/api/v1/admin/webhook-deliveries': {
    get: {
      summary: 'The delivery log, newest first: event, status, attempts, the last status code or error',
      security: adminAuth,
      parameters: [
        { name: 'endpointId', in: 'query', required: false, schema: { type: 'string', format: 'uuid' } },
        {
          name: 'status',
          in: 'query',
          required: false,
          schema: { type: 'string', enum: ['pending', 'delivered', 'failed'] },
        },
        { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 200 } },
      ],
      responses: {
        200: {
          description: '{ items }',
          ...json(listOf(ref('WebhookDelivery'))),
        },
        400: error('VALIDATION_FAILED'),
        404: error('NOT_FOUND (endpointId of another organisation)'),
        ...refusals(),
      },
    },
  },
  '/api/v1/admin/webhook-deliveries/{id}/replay': {
    post: {
      summary:
        'Send a delivered or failed delivery again: a new delivery of the same event (same Inkan-Event-Id and body), queued now',
      security: adminAuth,
      parameters: [id('delivery id')],
      responses: {
        202: {
          description: '{ delivery }',
          ...json({ type: 'object', properties: { delivery: ref('WebhookDelivery') } }),
        },
        404: error('NOT_FOUND'),
        409: error('WEBHOOK_DELIVERY_PENDING'),
        ...refusals(),
      },
    },
  },
};
