import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../domain/app-error.ts';
import { userNames } from '../../domain/approvals/approval-rows.ts';
import type { ApprovalRoute } from '../../domain/approvals/approval-rows.ts';
import { decideApproval } from '../../domain/use-cases/decide-approval.ts';
import { getEnvelopeApprovals } from '../../domain/use-cases/get-envelope-approvals.ts';
import { listApprovalInbox } from '../../domain/use-cases/list-approval-inbox.ts';
import {
  createApprovalRoute,
  deleteApprovalRoute,
  listApprovalRoutes,
  setRequiredApprovalRoute,
  updateApprovalRoute,
} from '../../domain/use-cases/manage-approval-routes.ts';
import { reassignApprover } from '../../domain/use-cases/reassign-approver.ts';
import { remindApprovers } from '../../domain/use-cases/remind-approvers.ts';
import { withdrawApproval } from '../../domain/use-cases/withdraw-approval.ts';
import { isEnvelopeSender } from '../../domain/use-cases/reveal-access-code.ts';
import { requireAdmin } from '../admin-access.ts';
import { envelopeParams, parseWith } from '../envelopes/schema.ts';
import { presentEnvelope } from '../envelopes/present.ts';
import { REMIND_RATE_LIMIT } from '../envelopes/routes.ts';
import { originOf, requirePrincipal, type Principal } from '../request-context.ts';
import {
  approveBody,
  reassignBody,
  reassignParams,
  rejectBody,
  requiredBody,
  routeBody,
  routeParams,
} from './schema.ts';

/** Approvals are personal decisions: a signed-in member, never an API key. */
function memberOf(principal: Principal): string {
  if (principal.actor.type !== 'user')
    throw new AppError('FORBIDDEN', 'approvals are decided by signed-in members, not API keys', {
      reason: 'session-required',
    });
  return principal.actor.id;
}

/** 稟議 (issue 13 part 3): approval routes, the approver's inbox, decisions, withdrawal and reassignment. */
export async function approvalRoutes(app: FastifyInstance, options: { context: AppContext }): Promise<void> {
  const { context } = options;
  const now = () => context.clock.now();

  /** A route with its approvers' names (a removed user shows with an empty name). */
  async function presentRoutes(routes: ApprovalRoute[]) {
    const names = await userNames(
      context.db,
      routes.flatMap((r) => r.steps.flatMap((s) => s.approverIds)),
    );
    return routes.map((r) => ({
      id: r.id,
      name: r.name,
      steps: r.steps.map((s) => ({
        mode: s.mode,
        approverIds: s.approverIds,
        approvers: s.approverIds.map((id) => ({
          id,
          name: names.get(id)?.name ?? '',
          email: names.get(id)?.email ?? '',
        })),
      })),
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    }));
  }

  app.get('/api/v1/approval-routes', async (request) => {
    const principal = await requirePrincipal(context, request, { write: false });
    const list = await listApprovalRoutes(context, { organizationId: principal.organizationId });
    return { items: await presentRoutes(list.routes), requiredRouteId: list.requiredRouteId };
  });

  app.post('/api/v1/approval-routes', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    const body = parseWith(routeBody, request.body);
    const route = await createApprovalRoute(context, {
      organizationId: principal.organizationId,
      actor: principal.actor,
      origin: originOf(request),
      ...body,
    });
    return reply.code(201).send((await presentRoutes([route]))[0]);
  });

  app.put('/api/v1/approval-routes/required', async (request) => {
    const principal = await requireAdmin(context, request);
    const body = parseWith(requiredBody, request.body);
    await setRequiredApprovalRoute(context, {
      organizationId: principal.organizationId,
      actor: principal.actor,
      origin: originOf(request),
      routeId: body.routeId,
    });
    return { requiredRouteId: body.routeId };
  });

  app.put('/api/v1/approval-routes/:id', async (request) => {
    const principal = await requireAdmin(context, request);
    const { id } = parseWith(routeParams, request.params);
    const body = parseWith(routeBody, request.body);
    const route = await updateApprovalRoute(context, {
      organizationId: principal.organizationId,
      actor: principal.actor,
      origin: originOf(request),
      routeId: id,
      ...body,
    });
    return (await presentRoutes([route]))[0];
  });

  app.delete('/api/v1/approval-routes/:id', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    const { id } = parseWith(routeParams, request.params);
    await deleteApprovalRoute(context, {
      organizationId: principal.organizationId,
      actor: principal.actor,
      origin: originOf(request),
      routeId: id,
    });
    return reply.code(204).send();
  });

  // 承認待ち一覧: envelopes on which the signed-in member decides now.
  app.get('/api/v1/approvals', async (request) => {
    const principal = await requirePrincipal(context, request, { write: false });
    const items = await listApprovalInbox(context, {
      organizationId: principal.organizationId,
      userId: memberOf(principal),
    });
    return {
      items: items.map((i) => ({ ...i, submittedAt: i.submittedAt.toISOString() })),
    };
  });

  app.get('/api/v1/envelopes/:id/approvals', async (request) => {
    const principal = await requirePrincipal(context, request, { write: false });
    const { id } = parseWith(envelopeParams, request.params);
    const view = await getEnvelopeApprovals(context, {
      organizationId: principal.organizationId,
      envelopeId: id,
      userId: principal.actor.type === 'user' ? principal.actor.id : null,
    });
    return {
      envelope: presentEnvelope(view.details, now()),
      isSender: isEnvelopeSender(view.details.envelope, principal.actor),
      canDecide: view.canDecide,
      rounds: view.rounds.map((r) => ({
        ...r,
        approvals: r.approvals.map((a) => ({ ...a, decidedAt: a.decidedAt?.toISOString() ?? null })),
      })),
    };
  });

  for (const decision of ['approve', 'reject'] as const) {
    app.post(`/api/v1/envelopes/:id/approvals/${decision}`, async (request) => {
      const principal = await requirePrincipal(context, request, { write: true });
      const { id } = parseWith(envelopeParams, request.params);
      const comment =
        decision === 'approve'
          ? (parseWith(approveBody, request.body)?.comment ?? null)
          : parseWith(rejectBody, request.body).reason;
      const details = await decideApproval(context, {
        organizationId: principal.organizationId,
        envelopeId: id,
        userId: memberOf(principal),
        decision,
        comment,
        origin: originOf(request),
      });
      return presentEnvelope(details, now());
    });
  }

  app.post('/api/v1/envelopes/:id/approvals/withdraw', async (request) => {
    const principal = await requirePrincipal(context, request, { write: true });
    const { id } = parseWith(envelopeParams, request.params);
    const details = await withdrawApproval(context, {
      organizationId: principal.organizationId,
      envelopeId: id,
      actor: principal.actor,
      origin: originOf(request),
    });
    return presentEnvelope(details, now());
  });

  // リマインド to the current approvers (the sender; rate-limited per client, one per hour per approver).
  app.post('/api/v1/envelopes/:id/approvals/remind', { config: { rateLimit: REMIND_RATE_LIMIT } }, async (request) => {
    const principal = await requirePrincipal(context, request, { write: true });
    const { id } = parseWith(envelopeParams, request.params);
    const result = await remindApprovers(context, {
      organizationId: principal.organizationId,
      envelopeId: id,
      actor: principal.actor,
      origin: originOf(request),
    });
    return { envelope: presentEnvelope(result.details, now()), reminded: result.reminded };
  });

  app.post('/api/v1/envelopes/:id/approvals/:approvalId/reassign', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    const { id, approvalId } = parseWith(reassignParams, request.params);
    const body = parseWith(reassignBody, request.body);
    await reassignApprover(context, {
      organizationId: principal.organizationId,
      envelopeId: id,
      approvalId,
      toUserId: body.userId,
      actor: principal.actor,
      origin: originOf(request),
    });
    return reply.code(204).send();
  });
}
