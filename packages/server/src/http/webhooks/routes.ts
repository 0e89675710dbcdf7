import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { listWebhookDeliveries } from '../../domain/use-cases/list-webhook-deliveries.ts';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  listWebhookEndpoints,
  rotateWebhookSecret,
  updateWebhookEndpoint,
} from '../../domain/use-cases/manage-webhook-endpoints.ts';
import { replayWebhookDelivery } from '../../domain/use-cases/replay-webhook-delivery.ts';
import { sendWebhookPing } from '../../domain/use-cases/send-webhook-ping.ts';
import { WEBHOOK_EVENT_TYPES } from '../../domain/webhooks/webhook-events.ts';
import { requireAdmin } from '../admin-access.ts';
import { parseWith } from '../envelopes/schema.ts';
import { originOf } from '../request-context.ts';
import { createWebhookBody, deliveriesQuery, idParams, rotateSecretBody, updateWebhookBody } from './schema.ts';

const PING_RATE_LIMIT = { max: 10, timeWindow: '1 minute' } as const;

/**
 * Webhooks (issue 13 part 1), for the organisation's administrators (a session, or an API key with the
 * admin scope): endpoints, secret rotation, the delivery log with replay, and a test ping. Changes need
 * the CSRF header (sessions) and step-up like every admin change.
 */
export async function webhookRoutes(app: FastifyInstance, options: { context: AppContext }): Promise<void> {
  const { context } = options;

  app.get('/api/v1/admin/webhooks', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    const items = await listWebhookEndpoints(context, { organizationId: principal.organizationId });
    return reply.header('cache-control', 'private, no-store').send({ items, eventTypes: WEBHOOK_EVENT_TYPES });
  });

  app.post('/api/v1/admin/webhooks', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    const body = parseWith(createWebhookBody, request.body);
    const result = await createWebhookEndpoint(context, {
      organizationId: principal.organizationId,
      actor: principal.actor,
      origin: originOf(request),
      ...body,
    });
    return reply.code(201).header('cache-control', 'no-store').send(result);
  });

  app.patch('/api/v1/admin/webhooks/:id', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    const { id } = parseWith(idParams, request.params);
    const changes = parseWith(updateWebhookBody, request.body);
    const endpoint = await updateWebhookEndpoint(context, {
      organizationId: principal.organizationId,
      endpointId: id,
      actor: principal.actor,
      origin: originOf(request),
      changes,
    });
    return reply.header('cache-control', 'no-store').send(endpoint);
  });

  app.delete('/api/v1/admin/webhooks/:id', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    const { id } = parseWith(idParams, request.params);
    await deleteWebhookEndpoint(context, {
      organizationId: principal.organizationId,
      endpointId: id,
      actor: principal.actor,
      origin: originOf(request),
    });
    return reply.code(204).send();
  });

  app.post('/api/v1/admin/webhooks/:id/rotate-secret', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    const { id } = parseWith(idParams, request.params);
    const body = parseWith(rotateSecretBody, request.body ?? undefined);
    const result = await rotateWebhookSecret(context, {
      organizationId: principal.organizationId,
      endpointId: id,
      actor: principal.actor,
      origin: originOf(request),
      overlapHours: body?.overlapHours,
    });
    return reply.header('cache-control', 'no-store').send(result);
  });

  // Each ping is an outgoing request made on demand: bounded like the mail test.
  app.post('/api/v1/admin/webhooks/:id/ping', { config: { rateLimit: PING_RATE_LIMIT } }, async (request, reply) => {
    const principal = await requireAdmin(context, request);
    const { id } = parseWith(idParams, request.params);
    const result = await sendWebhookPing(context, {
      organizationId: principal.organizationId,
      endpointId: id,
      actor: principal.actor,
      origin: originOf(request),
    });
    return reply.header('cache-control', 'no-store').send(result);
  });

  app.get('/api/v1/admin/webhook-deliveries', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    const query = parseWith(deliveriesQuery, request.query);
    const result = await listWebhookDeliveries(context, { organizationId: principal.organizationId, ...query });
    return reply.header('cache-control', 'private, no-store').send(result);
  });

  app.post('/api/v1/admin/webhook-deliveries/:id/replay', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    const { id } = parseWith(idParams, request.params);
    const delivery = await replayWebhookDelivery(context, {
      organizationId: principal.organizationId,
      deliveryId: id,
      actor: principal.actor,
      origin: originOf(request),
    });
    return reply.code(202).header('cache-control', 'no-store').send({ delivery });
  });
}
