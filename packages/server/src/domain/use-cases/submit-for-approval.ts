import type { DbOrTx } from '../../ports/database.ts';
import { newId } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import { currentApprovals } from '../approvals/approval-flow.ts';
import { activeApprovers, loadRound, loadRoute } from '../approvals/approval-rows.ts';
import type { DomainContext } from '../domain-context.ts';
import { currentSigners, envelopeStatusesAllowing, envelopeTransition } from '../envelope-machine.ts';
import { recordEvent } from '../record-event.ts';
import { loadEnvelopeDetails, type EnvelopeDetails } from '../rows.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, Envelope, RequestOrigin } from '../types.ts';

/**
 * The approval route a send goes through: the organisation's required route, else the one the sender
 * chose (null: send at once).
 */
export async function approvalRouteFor(
  db: DbOrTx,
  envelope: Envelope,
  chosen: string | null | undefined,
): Promise<string | null> {
  const organization = await db
    .selectFrom('organizations')
    .select('required_approval_route_id')
    .where('id', '=', envelope.organizationId)
    .executeTakeFirstOrThrow();
  return organization.required_approval_route_id ?? chosen ?? null;
}

/** Queues the approval-request mails of the slots that are now current (asked now: reminders count from here). */
export async function queueApprovalRequests(
  ctx: DomainContext,
  tx: DbOrTx,
  slots: ReadonlyArray<{ id: string; userId: string }>,
): Promise<void> {
  const askedAt = ctx.clock.now().toISOString();
  for (const slot of slots) {
    await tx.updateTable('envelope_approvals').set({ asked_at: askedAt }).where('id', '=', slot.id).execute();
    await ctx.jobs.enqueue(
      tx,
      'mail.approval-request',
      { approvalId: slot.id, userId: slot.userId },
      { dedupeKey: `approval-request:${slot.id}:${slot.userId}` },
    );
  }
}

/**
 * 稟議: puts a draft into `pending_approval` on a route (copied into the envelope's approval rows, a new
 * round), records `approval.submitted` and mails the first approvers. Nothing goes to the recipients.
 * A route with an approver who is no longer an active member → VALIDATION_FAILED (an administrator
 * must change the route first).
 */
export async function submitForApproval(
  ctx: DomainContext,
  input: {
    organizationId: string;
    envelopeId: string;
    actor: Actor;
    origin?: RequestOrigin;
    details: EnvelopeDetails;
    routeId: string;
  },
): Promise<EnvelopeDetails> {
  const now = ctx.clock.now();
  const { envelope } = input.details;
  const next = envelopeTransition(envelope, 'submit', now);
  if (envelope.expiresAt !== null && envelope.expiresAt.getTime() <= now.getTime())
    throw new AppError('VALIDATION_FAILED', 'the expiry date has passed; set a later date first', {
      field: 'expiresAt',
    });
  if (currentSigners(input.details.recipients).length === 0)
    throw new AppError('NO_RECIPIENTS', 'an envelope needs at least one signer');
  const route = await loadRoute(ctx.db, input.organizationId, input.routeId);
  const approvers = await activeApprovers(
    ctx.db,
    input.organizationId,
    route.steps.flatMap((s) => s.approverIds),
  );
  route.steps.forEach((step, i) =>
    step.approverIds.forEach((userId, j) => {
      if (!approvers.has(userId))
        throw new AppError(
          'VALIDATION_FAILED',
          'an approver of this route is no longer an active member: an administrator must change the route',
          { field: `steps[${i}].approverIds[${j}]` },
        );
    }),
  );
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const round = envelope.approvalRound + 1;
    const updated = await tx
      .updateTable('envelopes')
      .set({ status: next, approval_route_id: route.id, approval_round: round })
      .where('id', '=', envelope.id)
      .where('status', 'in', envelopeStatusesAllowing('submit'))
      .where('approval_round', '=', envelope.approvalRound)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) throw new AppError('ENVELOPE_NOT_DRAFT', 'only a draft can be sent');
    for (const [stepIndex, step] of route.steps.entries())
      for (const [position, userId] of step.approverIds.entries())
        await tx
          .insertInto('envelope_approvals')
          .values({
            id: newId(),
            envelope_id: envelope.id,
            organization_id: envelope.organizationId,
            round,
            route_name: route.name,
            step_index: stepIndex,
            step_mode: step.mode,
            position,
            user_id: userId,
            status: 'open',
            comment: null,
            decided_at: null,
            reassigned_from_user_id: null,
            created_at: now.toISOString(),
          })
          .execute();
    await recordEvent(tx, {
      organizationId: envelope.organizationId,
      envelopeId: envelope.id,
      actor: input.actor,
      action: 'approval.submitted',
      origin: input.origin,
      at: now,
      details: {
        round,
        routeId: route.id,
        routeName: route.name,
        steps: route.steps.map((s) => ({
          mode: s.mode,
          approvers: s.approverIds.map((id) => ({ userId: id, name: approvers.get(id)?.name ?? '' })),
        })),
      },
    });
    await queueApprovalRequests(ctx, tx, currentApprovals(await loadRound(tx, envelope.id, round)));
  });
  return loadEnvelopeDetails(ctx.db, input.organizationId, input.envelopeId);
}
