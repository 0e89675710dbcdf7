import { AppError } from '../app-error.ts';
import { currentApprovals } from '../approvals/approval-flow.ts';
import { activeApprovers, loadRound, userNames } from '../approvals/approval-rows.ts';
import type { DomainContext } from '../domain-context.ts';
import { envelopeTransition } from '../envelope-machine.ts';
import { recordEvent } from '../record-event.ts';
import { isUuid } from '../rows.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';
import { getEnvelope } from './get-envelope.ts';
import { queueApprovalRequests } from './submit-for-approval.ts';

/**
 * 稟議: an administrator hands an open approval slot to another active member (an approver who was
 * deactivated, on leave …). The new approver is mailed if the slot is current. The member must not
 * already approve in the same step (VALIDATION_FAILED).
 */
export async function reassignApprover(
  ctx: DomainContext,
  input: {
    organizationId: string;
    envelopeId: string;
    approvalId: string;
    toUserId: string;
    actor: Actor;
    origin?: RequestOrigin;
  },
): Promise<void> {
  const { envelope } = await getEnvelope(ctx, input);
  const now = ctx.clock.now();
  envelopeTransition(envelope, 'reassign', now);
  if (!isUuid(input.approvalId)) throw new AppError('NOT_FOUND', 'no such approval');
  const rows = await loadRound(ctx.db, envelope.id, envelope.approvalRound);
  const slot = rows.find((r) => r.id === input.approvalId);
  if (!slot) throw new AppError('NOT_FOUND', 'no such approval');
  if (slot.status !== 'open') throw new AppError('APPROVAL_ALREADY_DECIDED', 'this approval has already been decided');
  const target = (await activeApprovers(ctx.db, input.organizationId, [input.toUserId])).get(input.toUserId);
  if (!target)
    throw new AppError('VALIDATION_FAILED', 'the new approver must be an active administrator or member', {
      field: 'userId',
    });
  if (rows.some((r) => r.stepIndex === slot.stepIndex && r.userId === input.toUserId))
    throw new AppError('VALIDATION_FAILED', 'this member already approves in the same step', { field: 'userId' });
  const previous = (await userNames(ctx.db, [slot.userId])).get(slot.userId);
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const updated = await tx
      .updateTable('envelope_approvals')
      .set({ user_id: target.id, reassigned_from_user_id: slot.userId })
      .where('id', '=', slot.id)
      .where('status', '=', 'open')
      .where('user_id', '=', slot.userId)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1)
      throw new AppError('APPROVAL_ALREADY_DECIDED', 'this approval has already been decided');
    await recordEvent(tx, {
      organizationId: envelope.organizationId,
      envelopeId: envelope.id,
      actor: input.actor,
      action: 'approval.reassigned',
      origin: input.origin,
      at: now,
      details: {
        round: envelope.approvalRound,
        step: slot.stepIndex + 1,
        fromUserId: slot.userId,
        fromName: previous?.name ?? '',
        toUserId: target.id,
        toName: target.name,
      },
    });
    const fresh = await loadRound(tx, envelope.id, envelope.approvalRound);
    await queueApprovalRequests(
      ctx,
      tx,
      currentApprovals(fresh).filter((r) => r.id === slot.id),
    );
  });
}
