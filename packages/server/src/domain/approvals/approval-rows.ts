import type { Selectable } from 'kysely';
import type { DbOrTx, Schema } from '../../ports/database.ts';
import { AppError } from '../app-error.ts';
import { routeStepsSchema, type ApprovalSlot, type RouteStep } from './approval-flow.ts';

/** An approval row with the flow's view of it. */
export type ApprovalRow = Selectable<Schema['envelope_approvals']> & ApprovalSlot;

/** The rows of one round of an envelope's approval, in route order. */
export async function loadRound(db: DbOrTx, envelopeId: string, round: number): Promise<ApprovalRow[]> {
  const rows = await db
    .selectFrom('envelope_approvals')
    .selectAll()
    .where('envelope_id', '=', envelopeId)
    .where('round', '=', round)
    .orderBy('step_index')
    .orderBy('position')
    .execute();
  return rows.map((r) => ({
    ...r,
    stepIndex: r.step_index,
    stepMode: r.step_mode,
    position: r.position,
    userId: r.user_id,
    status: r.status,
  }));
}

/** A route of the organisation as the API shows it. */
export interface ApprovalRoute {
  id: string;
  name: string;
  steps: RouteStep[];
  createdAt: Date;
  updatedAt: Date;
}

/** A route row as the domain type. */
export function toRoute(row: Selectable<Schema['approval_routes']>): ApprovalRoute {
  return {
    id: row.id,
    name: row.name,
    steps: routeStepsSchema.parse(JSON.parse(row.steps)),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

/** A live (not deleted) route of the organisation, or VALIDATION_FAILED on `field`. */
export async function loadRoute(
  db: DbOrTx,
  organizationId: string,
  routeId: string,
  field = 'approvalRouteId',
): Promise<ApprovalRoute> {
  const row = await db
    .selectFrom('approval_routes')
    .selectAll()
    .where('id', '=', routeId)
    .where('organization_id', '=', organizationId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!row) throw new AppError('VALIDATION_FAILED', 'no such approval route in this organisation', { field });
  return toRoute(row);
}

/** Active members of the organisation who may approve (administrators and members, not viewers). */
export async function activeApprovers(
  db: DbOrTx,
  organizationId: string,
  userIds: readonly string[],
): Promise<Map<string, { id: string; name: string; email: string }>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('users')
    .innerJoin('memberships', 'memberships.user_id', 'users.id')
    .select(['users.id', 'users.name', 'users.email'])
    .where('memberships.organization_id', '=', organizationId)
    .where('memberships.deactivated_at', 'is', null)
    .where('memberships.role', 'in', ['admin', 'member'])
    .where('users.id', 'in', [...new Set(userIds)])
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/** Names and addresses of users (any state), for display. */
export async function userNames(
  db: DbOrTx,
  userIds: readonly string[],
): Promise<Map<string, { id: string; name: string; email: string }>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('users')
    .select(['id', 'name', 'email'])
    .where('id', 'in', [...new Set(userIds)])
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}
