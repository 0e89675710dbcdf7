import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import type { AppContext } from '../../context.ts';
import {
  getOrganizationSettings,
  updateOrganizationSettings,
} from '../../domain/use-cases/update-organization-settings.ts';
import { requireAdmin } from '../admin-access.ts';
import { parseWith } from '../envelopes/schema.ts';
import { originOf } from '../request-context.ts';

const settingsBody = z
  .object({ attachCertificate: z.boolean().optional(), mfaRequired: z.boolean().optional() })
  .strict();

/** The organisation's settings, for its administrators. */
export async function organizationRoutes(app: FastifyInstance, options: { context: AppContext }): Promise<void> {
  const { context } = options;

  app.get('/api/v1/organization/settings', async (request) => {
    const principal = await requireAdmin(context, request);
    return getOrganizationSettings(context, { organizationId: principal.organizationId });
  });

  app.patch('/api/v1/organization/settings', async (request) => {
    const principal = await requireAdmin(context, request);
    const changes = parseWith(settingsBody, request.body ?? {});
    return updateOrganizationSettings(context, {
      organizationId: principal.organizationId,
      actor: principal.actor,
      origin: originOf(request),
      changes,
    });
  });
}
