import { currentApprovals } from '../approvals/approval-flow.ts';
import { loadRound, userNames } from '../approvals/approval-rows.ts';
import type { DomainContext } from '../domain-context.ts';
import type { EnvelopeDetails } from '../rows.ts';
import { getEnvelope } from './get-envelope.ts';

/** One approver's slot as shown on the approval page and the envelope page. */
export interface ApprovalView {
  id: string;
  step: number;
  stepMode: 'all' | 'any';
  userId: string;
  name: string;
  email: string;
  status: 'open' | 'approved' | 'rejected' | 'skipped' | 'withdrawn';
  /** Whether this approver decides now. */
  current: boolean;
  /** Whether the approver is still an active member (an administrator reassigns otherwise). */
  active: boolean;
  comment: string | null;
  decidedAt: Date | null;
  reassignedFrom: string | null;
}

/** Every round of an envelope's approval, newest first, and whether the caller decides now. */
export interface EnvelopeApprovals {
  details: EnvelopeDetails;
  rounds: Array<{ round: number; routeName: string; approvals: ApprovalView[] }>;
  canDecide: boolean;
}

/**
 * 稟議: the approval state of an envelope of the caller's organisation (NOT_FOUND for another's). Every
 * member may read it (envelopes are shared within the organisation); only current approvers decide.
 */
export async function getEnvelopeApprovals(
  ctx: DomainContext,
  input: { organizationId: string; envelopeId: string; userId: string | null },
): Promise<EnvelopeApprovals> {
  const details = await getEnvelope(ctx, input);
  const { envelope } = details;
  const rounds: EnvelopeApprovals['rounds'] = [];
  let canDecide = false;
  for (let round = envelope.approvalRound; round >= 1; round -= 1) {
    const rows = await loadRound(ctx.db, envelope.id, round);
    if (rows.length === 0) continue;
    const live = envelope.status === 'pending_approval' && round === envelope.approvalRound;
    const current = new Set(live ? currentApprovals(rows).map((r) => r.id) : []);
    const names = await userNames(ctx.db, [
      ...rows.map((r) => r.user_id),
      ...rows.flatMap((r) => (r.reassigned_from_user_id ? [r.reassigned_from_user_id] : [])),
    ]);
    const active = new Set(
      (
        await ctx.db
          .selectFrom('memberships')
          .select('user_id')
          .where('organization_id', '=', envelope.organizationId)
          .where('deactivated_at', 'is', null)
          .where(
            'user_id',
            'in',
            rows.map((r) => r.user_id),
          )
          .execute()
      ).map((m) => m.user_id),
    );
    if (live && input.userId !== null) canDecide = rows.some((r) => current.has(r.id) && r.user_id === input.userId);
    rounds.push({
      round,
      routeName: rows[0].route_name,
      approvals: rows.map((r) => ({
        id: r.id,
        step: r.step_index + 1,
        stepMode: r.step_mode,
        userId: r.user_id,
        name: names.get(r.user_id)?.name ?? '',
        email: names.get(r.user_id)?.email ?? '',
        status: r.status,
        current: current.has(r.id),
        active: active.has(r.user_id),
        comment: r.comment,
        decidedAt: r.decided_at ? new Date(r.decided_at) : null,
        reassignedFrom: r.reassigned_from_user_id ? (names.get(r.reassigned_from_user_id)?.name ?? '') : null,
      })),
    });
  }
  return { details, rounds, canDecide };
}
