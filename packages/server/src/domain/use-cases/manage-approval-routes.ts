import { newId } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import { ROUTE_LIMITS, type RouteStep } from '../approvals/approval-flow.ts';
import { activeApprovers, loadRoute, toRoute, type ApprovalRoute } from '../approvals/approval-rows.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { isUuid } from '../rows.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';

/** The most routes an organisation keeps (the list is read whole). */
const ROUTES_PER_ORGANIZATION = 100;

/** The organisation's routes (not deleted, by name) and the route required for every envelope. */
export async function listApprovalRoutes(
  ctx: DomainContext,
  input: { organizationId: string },
): Promise<{ routes: ApprovalRoute[]; requiredRouteId: string | null }> {
  const rows = await ctx.db
    .selectFrom('approval_routes')
    .selectAll()
    .where('organization_id', '=', input.organizationId)
    .where('deleted_at', 'is', null)
    .orderBy('name')
    .orderBy('id')
    .execute();
  const organization = await ctx.db
    .selectFrom('organizations')
    .select('required_approval_route_id')
    .where('id', '=', input.organizationId)
    .executeTakeFirstOrThrow();
  return { routes: rows.map(toRoute), requiredRouteId: organization.required_approval_route_id };
}

/** What an administrator writes: a name and the steps. */
export interface RouteInput {
  name: string;
  steps: RouteStep[];
}

interface Who {
  organizationId: string;
  actor: Actor;
  origin?: RequestOrigin;
}

/** Checks a route: its name, and every approver an active administrator or member, once per step. */
async function checkedRoute(ctx: DomainContext, organizationId: string, input: RouteInput): Promise<RouteInput> {
  const name = input.name.trim();
  if (name === '' || name.length > ROUTE_LIMITS.name)
    throw new AppError('VALIDATION_FAILED', `a name of 1 to ${ROUTE_LIMITS.name} characters`, { field: 'name' });
  const approvers = await activeApprovers(
    ctx.db,
    organizationId,
    input.steps.flatMap((s) => s.approverIds),
  );
  input.steps.forEach((step, i) => {
    const seen = new Set<string>();
    step.approverIds.forEach((id, j) => {
      const field = `steps[${i}].approverIds[${j}]`;
      if (!approvers.has(id))
        throw new AppError('VALIDATION_FAILED', 'approvers must be active administrators or members', { field });
      if (seen.has(id)) throw new AppError('VALIDATION_FAILED', 'an approver appears twice in one step', { field });
      seen.add(id);
    });
  });
  return { name, steps: input.steps };
}

function routeFacts(id: string, route: RouteInput): Record<string, unknown> {
  return { routeId: id, name: route.name, steps: route.steps.map((s) => ({ mode: s.mode, approvers: s.approverIds })) };
}

/** Creates a route (administrators). */
export async function createApprovalRoute(ctx: DomainContext, input: Who & RouteInput): Promise<ApprovalRoute> {
  const route = await checkedRoute(ctx, input.organizationId, input);
  const count = await ctx.db
    .selectFrom('approval_routes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organization_id', '=', input.organizationId)
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow();
  if (Number(count.n) >= ROUTES_PER_ORGANIZATION)
    throw new AppError('VALIDATION_FAILED', `at most ${ROUTES_PER_ORGANIZATION} approval routes`, { field: 'name' });
  const id = newId();
  const now = ctx.clock.now();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    await tx
      .insertInto('approval_routes')
      .values({
        id,
        organization_id: input.organizationId,
        name: route.name,
        steps: JSON.stringify(route.steps),
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
        deleted_at: null,
      })
      .execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'approval-route.created',
      origin: input.origin,
      at: now,
      details: routeFacts(id, route),
    });
  });
  return loadRoute(ctx.db, input.organizationId, id);
}

/** Replaces a route's name and steps (envelopes already waiting keep the copy they were submitted with). */
export async function updateApprovalRoute(
  ctx: DomainContext,
  input: Who & RouteInput & { routeId: string },
): Promise<ApprovalRoute> {
  await existingRoute(ctx, input.organizationId, input.routeId);
  const route = await checkedRoute(ctx, input.organizationId, input);
  const now = ctx.clock.now();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    await tx
      .updateTable('approval_routes')
      .set({ name: route.name, steps: JSON.stringify(route.steps), updated_at: now.toISOString() })
      .where('id', '=', input.routeId)
      .execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'approval-route.updated',
      origin: input.origin,
      at: now,
      details: routeFacts(input.routeId, route),
    });
  });
  return loadRoute(ctx.db, input.organizationId, input.routeId);
}

/** Deletes a route (kept for the record); it stops being required if it was. */
export async function deleteApprovalRoute(ctx: DomainContext, input: Who & { routeId: string }): Promise<void> {
  const route = await existingRoute(ctx, input.organizationId, input.routeId);
  const now = ctx.clock.now();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    await tx.updateTable('approval_routes').set({ deleted_at: now.toISOString() }).where('id', '=', route.id).execute();
    await tx
      .updateTable('organizations')
      .set({ required_approval_route_id: null })
      .where('id', '=', input.organizationId)
      .where('required_approval_route_id', '=', route.id)
      .execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'approval-route.deleted',
      origin: input.origin,
      at: now,
      details: { routeId: route.id, name: route.name },
    });
  });
}

/** Sets (or clears, null) the route every envelope of the organisation must go through. */
export async function setRequiredApprovalRoute(
  ctx: DomainContext,
  input: Who & { routeId: string | null },
): Promise<void> {
  if (input.routeId !== null) await loadRoute(ctx.db, input.organizationId, input.routeId, 'routeId');
  const now = ctx.clock.now();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    await tx
      .updateTable('organizations')
      .set({ required_approval_route_id: input.routeId })
      .where('id', '=', input.organizationId)
      .execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'approval-route.required-changed',
      origin: input.origin,
      at: now,
      details: { routeId: input.routeId },
    });
  });
}

async function existingRoute(ctx: DomainContext, organizationId: string, routeId: string): Promise<ApprovalRoute> {
  if (!isUuid(routeId)) throw new AppError('NOT_FOUND', 'no such approval route');
  const row = await ctx.db
    .selectFrom('approval_routes')
    .selectAll()
    .where('id', '=', routeId)
    .where('organization_id', '=', organizationId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', 'no such approval route');
  return toRoute(row);
}
