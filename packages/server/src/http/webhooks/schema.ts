import * as z from 'zod';
import { MAX_WEBHOOK_URL_LENGTH } from '../../domain/webhooks/webhook-target.ts';
import { WEBHOOK_DELIVERIES_PAGE_MAX } from '../../domain/use-cases/list-webhook-deliveries.ts';

// Shapes and bounds only: the use cases check the values (URL target, known event types) with their own codes.
const url = z.string().max(MAX_WEBHOOK_URL_LENGTH + 100);
const description = z.string().max(1000).nullable();
const events = z.array(z.string().max(100)).max(50);

export const createWebhookBody = z.object({
  url,
  description: description.optional(),
  events,
  enabled: z.boolean().optional(),
});

export const updateWebhookBody = z.object({
  url: url.optional(),
  description: description.optional(),
  events: events.optional(),
  enabled: z.boolean().optional(),
});

export const rotateSecretBody = z.object({ overlapHours: z.number().optional() }).optional();

export const idParams = z.object({ id: z.uuid() });

export const deliveriesQuery = z.object({
  endpointId: z.uuid().optional(),
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(WEBHOOK_DELIVERIES_PAGE_MAX).optional(),
});
