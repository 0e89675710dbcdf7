import type { DbOrTx } from '../../ports/database.ts';
import { AppError } from '../app-error.ts';
import { afterApproval, currentApprovals, ROUTE_LIMITS } from '../approvals/approval-flow.ts';
import { loadRound, type ApprovalRow } from '../approvals/approval-rows.ts';
import type { DomainContext } from '../domain-context.ts';
import { envelopeTransition } from '../envelope-machine.ts';
import { recordEvent } from '../record-event.ts';
import { loadEnvelopeDetails, type EnvelopeDetails } from '../rows.ts';
import { inTransaction } from '../transaction.ts';
import type { Envelope, RequestOrigin } from '../types.ts';
import { getEnvelope } from './get-envelope.ts';
import { releaseEnvelope } from './send-envelope.ts';
import { queueApprovalRequests } from './submit-for-approval.ts';

/** What an approver decides: 承認 (comment optional) or 差し戻し (reason required). */
export interface DecideApprovalInput {
  organizationId: string;
  envelopeId: string;
  /** The signed-in member deciding (approvals are personal: never an API key). */
  userId: string;
  decision: 'approve' | 'reject';
  /** The comment of an approval, or the reason of a rejection. */
  comment?: string | null;
  origin?: RequestOrigin;
}

/**
 * Takes the envelope's row lock for the decision (a no-op update that still waits for any other decision
 * on the same envelope on PostgreSQL; SQLite's write lock already serialises), and checks the round is
 * still the one decided on. Reads after it see the other decision's commit.
 */
async function lockRound(tx: DbOrTx, envelope: Envelope): Promise<void> {
  const locked = await tx
    .updateTable('envelopes')
    .set({ approval_round: envelope.approvalRound })
    .where('id', '=', envelope.id)
    .where('status', '=', 'pending_approval')
    .where('approval_round', '=', envelope.approvalRound)
    .executeTakeFirst();
  if (Number(locked.numUpdatedRows) !== 1)
    throw new AppError('APPROVAL_NOT_PENDING', 'the envelope is not waiting for approval');
}

/** The caller's slot among the current ones, or the refusal: already decided, or not (yet) their turn. */
function slotOf(rows: readonly ApprovalRow[], userId: string): ApprovalRow {
  const mine = currentApprovals(rows).find((r) => r.userId === userId);
  if (mine) return mine;
  if (rows.some((r) => r.userId === userId && r.status !== 'open'))
    throw new AppError('APPROVAL_ALREADY_DECIDED', 'this approval has already been decided');
  throw new AppError('APPROVAL_NOT_YOUR_TURN', 'only the approvers of the current step can decide');
}

function cleanComment(text: string | null | undefined, required: boolean): string | null {
  const trimmed = (text ?? '').trim();
  if (required && trimmed === '')
    throw new AppError('VALIDATION_FAILED', 'a reason is required to send the envelope back', { field: 'reason' });
  if (trimmed.length > ROUTE_LIMITS.comment)
    throw new AppError('VALIDATION_FAILED', `at most ${ROUTE_LIMITS.comment} characters`, {
      field: required ? 'reason' : 'comment',
    });
  return trimmed === '' ? null : trimmed;
}

/**
 * An approver's decision on the current step. Approval: the slot is approved (an `any` step's other
 * approvers skipped) and the next approvers are mailed — or, at the last approval, the envelope is sent
 * exactly as a send without a route would (same transaction as the approval). Rejection (差し戻し): the
 * envelope goes back to its sender as a draft, with the reason mailed. Two decisions at once: the
 * envelope row lock lets one through; the other gets APPROVAL_ALREADY_DECIDED or APPROVAL_NOT_PENDING.
 */
export async function decideApproval(ctx: DomainContext, input: DecideApprovalInput): Promise<EnvelopeDetails> {
  const details = await getEnvelope(ctx, input);
  const { envelope } = details;
  const now = ctx.clock.now();
  envelopeTransition(envelope, input.decision, now);
  const comment = cleanComment(input.comment, input.decision === 'reject');
  const rows = await loadRound(ctx.db, envelope.id, envelope.approvalRound);
  const mine = slotOf(rows, input.userId);
  const actor = { type: 'user' as const, id: input.userId };

  const decide = async (tx: DbOrTx, at: Date): Promise<boolean> => {
    await lockRound(tx, envelope);
    const fresh = await loadRound(tx, envelope.id, envelope.approvalRound);
    const slot = slotOf(fresh, input.userId);
    const status = input.decision === 'approve' ? 'approved' : 'rejected';
    const decided = await tx
      .updateTable('envelope_approvals')
      .set({ status, comment, decided_at: at.toISOString() })
      .where('id', '=', slot.id)
      .where('status', '=', 'open')
      .executeTakeFirst();
    if (Number(decided.numUpdatedRows) !== 1)
      throw new AppError('APPROVAL_ALREADY_DECIDED', 'this approval has already been decided');
    const event = {
      organizationId: envelope.organizationId,
      envelopeId: envelope.id,
      actor,
      origin: input.origin,
      at,
    };
    const facts = { round: envelope.approvalRound, step: slot.stepIndex + 1, stepMode: slot.stepMode };
    if (input.decision === 'reject') {
      // The round is over: the others' open slots are withdrawn, the envelope is a draft again.
      await tx
        .updateTable('envelope_approvals')
        .set({ status: 'withdrawn' })
        .where('envelope_id', '=', envelope.id)
        .where('round', '=', envelope.approvalRound)
        .where('status', '=', 'open')
        .execute();
      await tx
        .updateTable('envelopes')
        .set({ status: envelopeTransition(envelope, 'reject', at) })
        .where('id', '=', envelope.id)
        .execute();
      await recordEvent(tx, { ...event, action: 'approval.rejected', details: { ...facts, reason: comment } });
      await ctx.jobs.enqueue(
        tx,
        'mail.approval-rejected',
        { approvalId: slot.id },
        { dedupeKey: `approval-rejected:${slot.id}` },
      );
      return false;
    }
    const outcome = afterApproval(fresh, slot.id);
    for (const skipped of outcome.skipped)
      await tx
        .updateTable('envelope_approvals')
        .set({ status: 'skipped' })
        .where('id', '=', skipped.id)
        .where('status', '=', 'open')
        .execute();
    await recordEvent(tx, {
      ...event,
      action: 'approval.approved',
      details: { ...facts, comment, final: outcome.approved },
    });
    if (!outcome.approved) await queueApprovalRequests(ctx, tx, outcome.newlyCurrent);
    return outcome.approved;
  };

  if (input.decision === 'approve' && afterApproval(rows, mine.id).approved) {
    // The last approval: stamp and send in the transaction of the approval itself.
    await releaseEnvelope(ctx, details, {
      event: 'release',
      actor,
      origin: input.origin,
      within: async (tx, at) => {
        if (!(await decide(tx, at)))
          throw new AppError('APPROVAL_ALREADY_DECIDED', 'the approval route changed meanwhile; reload and try again');
      },
    });
  } else {
    await inTransaction(ctx.db, ctx.dialect, async (tx) => {
      if (await decide(tx, now))
        throw new AppError('APPROVAL_ALREADY_DECIDED', 'the approval route changed meanwhile; reload and try again');
    });
  }
  return loadEnvelopeDetails(ctx.db, input.organizationId, input.envelopeId);
}
