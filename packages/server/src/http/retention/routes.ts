import * as z from 'zod';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../../context.ts';
import { getRetentionSettings } from '../../domain/use-cases/get-retention-settings.ts';
import { getRetentionStatus } from '../../domain/use-cases/get-retention-status.ts';
import { placeLegalHold, releaseLegalHold } from '../../domain/use-cases/set-legal-hold.ts';
import { updateRetentionSettings } from '../../domain/use-cases/update-retention-settings.ts';
import { requireAdmin } from '../admin-access.ts';
import { parseWith } from '../envelopes/schema.ts';
import { originOf, requirePrincipal } from '../request-context.ts';

const UUID = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'not an id');
const subjectParams = z.object({ id: UUID });
/** PUT /api/v1/admin/retention. */
export const settingsBody = z.object({
  defaultYears: z.number().int(),
  rules: z
    .array(z.object({ documentType: z.string().max(120), years: z.number().int() }))
    .max(100)
    .default([]),
});
/** A legal hold's placing or release. */
export const reasonBody = z.object({ reason: z.string().max(2000) });

function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'private, no-store');
}

const SUBJECTS = [
  { type: 'contract', path: '/api/v1/contracts/:id' },
  { type: 'envelope', path: '/api/v1/envelopes/:id' },
] as const;

/**
 * Retention (issue 13 part 6): the organisation's periods (保存期間) for administrators, and legal holds
 * on contracts and envelopes. Reading a document's retention status is open to every member (another
 * organisation's object: 404); settings and holds are administrators' changes with step-up and an event.
 */
export async function retentionRoutes(app: FastifyInstance, options: { context: AppContext }): Promise<void> {
  const { context } = options;

  app.get('/api/v1/admin/retention', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    return noStore(reply).send(await getRetentionSettings(context, { organizationId: principal.organizationId }));
  });

  app.put('/api/v1/admin/retention', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    const body = parseWith(settingsBody, request.body ?? {});
    return noStore(reply).send(
      await updateRetentionSettings(context, {
        organizationId: principal.organizationId,
        defaultYears: body.defaultYears,
        rules: body.rules,
        actor: principal.actor,
        origin: originOf(request),
      }),
    );
  });

  for (const subject of SUBJECTS) {
    app.get(`${subject.path}/retention`, async (request, reply) => {
      const principal = await requirePrincipal(context, request, { write: false });
      const { id } = parseWith(subjectParams, request.params);
      return noStore(reply).send(
        await getRetentionStatus(context, {
          organizationId: principal.organizationId,
          subjectType: subject.type,
          subjectId: id,
        }),
      );
    });

    app.post(`${subject.path}/legal-hold`, async (request, reply) => {
      const principal = await requireAdmin(context, request);
      const { id } = parseWith(subjectParams, request.params);
      const { reason } = parseWith(reasonBody, request.body ?? {});
      const hold = await placeLegalHold(context, {
        organizationId: principal.organizationId,
        subjectType: subject.type,
        subjectId: id,
        reason,
        actor: principal.actor,
        origin: originOf(request),
      });
      return noStore(reply).code(201).send(hold);
    });

    app.post(`${subject.path}/legal-hold/release`, async (request, reply) => {
      const principal = await requireAdmin(context, request);
      const { id } = parseWith(subjectParams, request.params);
      const { reason } = parseWith(reasonBody, request.body ?? {});
      await releaseLegalHold(context, {
        organizationId: principal.organizationId,
        subjectType: subject.type,
        subjectId: id,
        reason,
        actor: principal.actor,
        origin: originOf(request),
      });
      return reply.code(204).send();
    });
  }
}
