import { mailHelpOf } from '../../mail/templates/format.ts';
import { renderApprovalRejected, renderApprovalRequest } from '../../mail/templates/approval.ts';
import { userNames } from '../approvals/approval-rows.ts';
import type { DomainContext } from '../domain-context.ts';
import { deliverOnce, senderUsers } from '../mail-delivery.ts';
import { toEnvelope } from '../rows.ts';

async function approvalContext(ctx: DomainContext, approvalId: string) {
  const row = await ctx.db.selectFrom('envelope_approvals').selectAll().where('id', '=', approvalId).executeTakeFirst();
  if (!row) return undefined;
  const envelopeRow = await ctx.db
    .selectFrom('envelopes')
    .selectAll()
    .where('id', '=', row.envelope_id)
    .executeTakeFirst();
  return envelopeRow ? { row, envelope: toEnvelope(envelopeRow) } : undefined;
}

/**
 * Job `mail.approval-request`: asks the slot's approver to decide. Nothing is sent when the slot was
 * decided, withdrawn or reassigned to someone else meanwhile, or the envelope left 承認待ち.
 */
export async function sendApprovalRequestMail(
  ctx: DomainContext,
  input: { approvalId: string; userId: string },
): Promise<void> {
  await sendApproverMail(ctx, input, null);
}

/** Job `mail.approval-reminder`: the reminder number `reminder` of a slot, on the same conditions as the request. */
export async function sendApprovalReminderMail(
  ctx: DomainContext,
  input: { approvalId: string; userId: string; reminder: number },
): Promise<void> {
  await sendApproverMail(ctx, input, input.reminder);
}

async function sendApproverMail(
  ctx: DomainContext,
  input: { approvalId: string; userId: string },
  reminder: number | null,
): Promise<void> {
  const found = await approvalContext(ctx, input.approvalId);
  if (!found) return;
  const { row, envelope } = found;
  if (row.status !== 'open' || row.user_id !== input.userId || envelope.status !== 'pending_approval') return;
  const users = await userNames(ctx.db, [row.user_id, ...(envelope.createdByUserId ? [envelope.createdByUserId] : [])]);
  const approver = users.get(row.user_id);
  if (!approver) return;
  const organization = await ctx.db
    .selectFrom('organizations')
    .select('name')
    .where('id', '=', envelope.organizationId)
    .executeTakeFirstOrThrow();
  const senderName = envelope.createdByUserId
    ? (users.get(envelope.createdByUserId)?.name ?? organization.name)
    : organization.name;
  const key =
    reminder === null
      ? `approval-request:${row.id}:${row.user_id}`
      : `approval-reminder:${row.id}:${row.user_id}:${reminder}`;
  await deliverOnce(ctx, {
    key,
    envelope,
    action: reminder === null ? 'mail.approval-request.sent' : 'mail.approval-reminder.sent',
    details: {
      approvalId: row.id,
      userId: row.user_id,
      to: approver.email,
      ...(reminder === null ? {} : { reminder }),
    },
    prepare: async () => ({
      to: approver.email,
      ...renderApprovalRequest({
        approverName: approver.name,
        envelopeName: envelope.name,
        senderName,
        routeName: row.route_name,
        step: row.step_index + 1,
        approvalUrl: `${ctx.config.publicUrl}/approvals/${envelope.id}`,
        help: mailHelpOf(ctx.config),
        reminder: reminder !== null,
      }),
      idempotencyKey: '',
    }),
  });
}

/** Job `mail.approval-rejected`: tells the sender an approver sent the envelope back, with the reason. */
export async function sendApprovalRejectedMail(ctx: DomainContext, input: { approvalId: string }): Promise<void> {
  const found = await approvalContext(ctx, input.approvalId);
  if (!found || found.row.status !== 'rejected') return;
  const { row, envelope } = found;
  const approver = (await userNames(ctx.db, [row.user_id])).get(row.user_id);
  for (const user of await senderUsers(ctx.db, envelope)) {
    await deliverOnce(ctx, {
      key: `approval-rejected:${row.id}:${user.id}`,
      envelope,
      action: 'mail.approval-rejected.sent',
      details: { approvalId: row.id, userId: user.id, to: user.email },
      prepare: async () => ({
        to: user.email,
        ...renderApprovalRejected({
          envelopeName: envelope.name,
          approverName: approver?.name ?? '',
          reason: row.comment ?? '',
          envelopeUrl: `${ctx.config.publicUrl}/envelopes/${envelope.id}`,
          help: mailHelpOf(ctx.config),
        }),
        idempotencyKey: '',
      }),
    });
  }
}
