/*
 * 稟議 (internal approval, issue 13 part 3): whose turn it is on an envelope's approval route. Pure.
 *
 * A route is a list of steps taken in order. A step is 「全員承認」(`all`: its approvers approve one after
 * another, in the listed order) or 「いずれか1名」(`any`: every approver of the step is asked at once and
 * the first approval completes the step; the others are skipped). One rejection (差し戻し) ends the
 * round: the envelope goes back to its sender as a draft.
 */
import * as z from 'zod';

export type StepMode = 'all' | 'any';
export type ApprovalStatus = 'open' | 'approved' | 'rejected' | 'skipped' | 'withdrawn';

/** The most steps in a route and approvers in a step (bounded work per decision). */
export const ROUTE_LIMITS = { steps: 10, approversPerStep: 20, name: 100, comment: 1000 } as const;

/** A route's steps as stored (approval_routes.steps) and sent by the API. */
export const routeStepsSchema = z
  .array(
    z.object({
      mode: z.enum(['all', 'any']),
      approverIds: z.array(z.uuid()).min(1).max(ROUTE_LIMITS.approversPerStep),
    }),
  )
  .min(1)
  .max(ROUTE_LIMITS.steps);
export type RouteStep = z.infer<typeof routeStepsSchema>[number];

/** One approver's slot in one round of an envelope's approval. */
export interface ApprovalSlot {
  id: string;
  stepIndex: number;
  stepMode: StepMode;
  position: number;
  userId: string;
  status: ApprovalStatus;
}

function stepsOf<S extends ApprovalSlot>(slots: readonly S[]): S[][] {
  const byStep = new Map<number, S[]>();
  for (const slot of slots) byStep.set(slot.stepIndex, [...(byStep.get(slot.stepIndex) ?? []), slot]);
  return [...byStep.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s.sort((a, b) => a.position - b.position));
}

function stepDone(step: readonly ApprovalSlot[]): boolean {
  return step[0].stepMode === 'any'
    ? step.some((s) => s.status === 'approved')
    : step.every((s) => s.status === 'approved');
}

/**
 * The slots whose approvers decide now: in the first unfinished step, the first open approver of an
 * `all` step, or every open approver of an `any` step. Empty when the round is over (approved, rejected
 * or withdrawn).
 */
export function currentApprovals<S extends ApprovalSlot>(slots: readonly S[]): S[] {
  if (slots.some((s) => s.status === 'rejected' || s.status === 'withdrawn')) return [];
  for (const step of stepsOf(slots)) {
    if (stepDone(step)) continue;
    const open = step.filter((s) => s.status === 'open');
    return step[0].stepMode === 'any' ? open : open.slice(0, 1);
  }
  return [];
}

/** Whether every step of the round is approved. */
export function routeApproved(slots: readonly ApprovalSlot[]): boolean {
  return slots.length > 0 && stepsOf(slots).every(stepDone);
}

/**
 * The round after `slotId` approves: its slot approved, the other open slots of an `any` step skipped;
 * whether the route is then fully approved, and the slots that became current (to be mailed).
 */
export function afterApproval<S extends ApprovalSlot>(
  slots: readonly S[],
  slotId: string,
): { slots: S[]; skipped: S[]; approved: boolean; newlyCurrent: S[] } {
  const mine = slots.find((s) => s.id === slotId);
  if (!mine) throw new Error('afterApproval: unknown slot');
  const before = new Set(currentApprovals(slots).map((s) => s.id));
  const skipped: S[] = [];
  const next = slots.map((s) => {
    if (s.id === slotId) return { ...s, status: 'approved' as const };
    if (mine.stepMode === 'any' && s.stepIndex === mine.stepIndex && s.status === 'open') {
      const changed = { ...s, status: 'skipped' as const };
      skipped.push(changed);
      return changed;
    }
    return s;
  });
  return {
    slots: next,
    skipped,
    approved: routeApproved(next),
    newlyCurrent: currentApprovals(next).filter((s) => !before.has(s.id)),
  };
}
