import type { DbOrTx } from '../../ports/database.ts';
import { AppError } from '../app-error.ts';
import { currentApprovals } from '../approvals/approval-flow.ts';
import { loadRound, userNames, type ApprovalRow } from '../approvals/approval-rows.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { loadEnvelopeDetails, type EnvelopeDetails } from '../rows.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, Envelope, RequestOrigin } from '../types.ts';
import { getEnvelope } from './get-envelope.ts';
import { autoRemindSettingsInUse } from './queue-auto-reminders.ts';
import { REMINDER_MIN_INTERVAL_MS } from './remind-recipient.ts';
import { isEnvelopeSender } from './reveal-access-code.ts';

const DAY_MS = 86_400_000;
/** Open approval slots looked at per automatic run (bounded; the next run takes the rest). */
const MAX_PER_RUN = 2000;

/**
 * Queues one reminder to an approver in the caller's transaction: counts it on the slot (compare-and-set
 * on the count, so two racing callers queue one), records `approval.reminded` and queues the mail. False
 * when another caller counted first or the slot is no longer open.
 */
async function queueApprovalReminder(
  ctx: Pick<DomainContext, 'jobs'>,
  tx: DbOrTx,
  input: {
    envelope: Pick<Envelope, 'id' | 'organizationId'>;
    slot: Pick<ApprovalRow, 'id' | 'user_id' | 'reminder_count' | 'round' | 'step_index'>;
    actor: Actor;
    origin?: RequestOrigin;
    now: Date;
  },
): Promise<boolean> {
  const reminder = input.slot.reminder_count + 1;
  const counted = await tx
    .updateTable('envelope_approvals')
    .set({ reminder_count: reminder, asked_at: input.now.toISOString() })
    .where('id', '=', input.slot.id)
    .where('status', '=', 'open')
    .where('reminder_count', '=', input.slot.reminder_count)
    .executeTakeFirst();
  if (Number(counted.numUpdatedRows) !== 1) return false;
  await recordEvent(tx, {
    organizationId: input.envelope.organizationId,
    envelopeId: input.envelope.id,
    actor: input.actor,
    action: 'approval.reminded',
    origin: input.origin,
    at: input.now,
    details: {
      approvalId: input.slot.id,
      userId: input.slot.user_id,
      round: input.slot.round,
      step: input.slot.step_index + 1,
      reminder,
      automatic: input.actor.type === 'system',
    },
  });
  await ctx.jobs.enqueue(
    tx,
    'mail.approval-reminder',
    { approvalId: input.slot.id, userId: input.slot.user_id, reminder },
    { dedupeKey: `approval-reminder:${input.slot.id}:${reminder}` },
  );
  return true;
}

/**
 * 稟議 リマインド (the sender's button): mails every approver whose turn it is a reminder. Only the
 * envelope's sender (FORBIDDEN otherwise) and only while it waits for approval (APPROVAL_NOT_PENDING).
 * REMINDER_TOO_SOON (details.retryAt) when each current approver got a mail (request or reminder) less than
 * an hour ago; APPROVAL_NOBODY_TO_REMIND when no approval slot is open (waiting would not help).
 * Returns the envelope and the names of the approvers reminded.
 */
export async function remindApprovers(
  ctx: DomainContext,
  input: { organizationId: string; envelopeId: string; actor: Actor; origin?: RequestOrigin },
): Promise<{ details: EnvelopeDetails; reminded: string[] }> {
  const { envelope } = await getEnvelope(ctx, input);
  if (!isEnvelopeSender(envelope, input.actor))
    throw new AppError('FORBIDDEN', 'only the sender of the envelope can remind its approvers');
  if (envelope.status !== 'pending_approval')
    throw new AppError('APPROVAL_NOT_PENDING', 'the envelope is not waiting for approval');
  const now = ctx.clock.now();
  const current = currentApprovals(await loadRound(ctx.db, envelope.id, envelope.approvalRound));
  // No open slot at all (a round left without one): no time to wait for, nobody to remind.
  if (current.length === 0)
    throw new AppError('APPROVAL_NOBODY_TO_REMIND', 'no approver is waiting to decide on this envelope');
  const due = current.filter(
    (s) => s.asked_at === null || now.getTime() - new Date(s.asked_at).getTime() >= REMINDER_MIN_INTERVAL_MS,
  );
  if (due.length === 0) {
    // Every current slot was asked within the hour (asked_at set): the first becomes due an hour after its mail.
    const first = Math.min(...current.map((s) => new Date(s.asked_at!).getTime()));
    throw new AppError('REMINDER_TOO_SOON', 'the approvers got a mail less than an hour ago', {
      retryAt: new Date(first + REMINDER_MIN_INTERVAL_MS).toISOString(),
    });
  }
  const queued = await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const done: string[] = [];
    for (const slot of due)
      if (await queueApprovalReminder(ctx, tx, { envelope, slot, actor: input.actor, origin: input.origin, now }))
        done.push(slot.user_id);
    return done;
  });
  // Another click (or 自動リマインド) queued them at the same moment.
  if (queued.length === 0) throw new AppError('REMINDER_TOO_SOON', 'a reminder was queued just now');
  const names = await userNames(ctx.db, queued);
  return {
    details: await loadEnvelopeDetails(ctx.db, input.organizationId, input.envelopeId),
    reminded: queued.map((id) => names.get(id)?.name ?? ''),
  };
}

/**
 * 自動リマインド for 稟議: in every organisation whose setting (`auto_remind_days`, the signers' one) is N > 0,
 * each approver whose turn it is and who was not asked (request or reminder) for N days gets a reminder,
 * until the envelope's expiry date.
 * Runs with the expiry sweep, after the signers' reminders. Returns how many it queued.
 */
export async function queueApprovalAutoReminders(
  ctx: DomainContext,
  options: { maxPerRun?: number } = {},
): Promise<number> {
  const now = ctx.clock.now();
  const limit = options.maxPerRun ?? MAX_PER_RUN;
  // Due and current in the query, per setting (1–30 days: a few queries), so that slots not yet due, or
  // not yet their turn, never fill the bounded batch ahead of due ones.
  const candidates: Array<{ id: string; envelope_id: string; askedBefore: string }> = [];
  for (const days of await autoRemindSettingsInUse(ctx.db)) {
    if (candidates.length >= limit) break;
    const askedBefore = new Date(now.getTime() - days * DAY_MS).toISOString();
    const found = await ctx.db
      .selectFrom('envelope_approvals as a')
      .innerJoin('envelopes as e', 'e.id', 'a.envelope_id')
      .innerJoin('organizations as o', 'o.id', 'e.organization_id')
      .select(['a.id', 'a.envelope_id'])
      .where('o.auto_remind_days', '=', days)
      .where('e.status', '=', 'pending_approval')
      // As for signers: no reminders past the envelope's expiry date.
      .where((eb) => eb.or([eb('e.expires_at', 'is', null), eb('e.expires_at', '>', now.toISOString())]))
      .whereRef('a.round', '=', 'e.approval_round')
      .where('a.status', '=', 'open')
      .where('a.asked_at', 'is not', null)
      .where('a.asked_at', '<=', askedBefore)
      // Current (as currentApprovals): no open slot of the round in an earlier step, nor before it in an
      // `all` step. Migration 030 gave every open slot an asked_at, later steps' too.
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('envelope_approvals as earlier')
              .select('earlier.id')
              .whereRef('earlier.envelope_id', '=', 'a.envelope_id')
              .whereRef('earlier.round', '=', 'a.round')
              .where('earlier.status', '=', 'open')
              .where((eb) =>
                eb.or([
                  eb('earlier.step_index', '<', eb.ref('a.step_index')),
                  eb.and([
                    eb('earlier.step_index', '=', eb.ref('a.step_index')),
                    eb('a.step_mode', '=', 'all'),
                    eb('earlier.position', '<', eb.ref('a.position')),
                  ]),
                ]),
              ),
          ),
        ),
      )
      .orderBy('a.id')
      .limit(limit - candidates.length)
      .execute();
    candidates.push(...found.map((f) => ({ ...f, askedBefore })));
  }
  let queued = 0;
  for (const candidate of candidates) {
    const done = await inTransaction(ctx.db, ctx.dialect, async (tx) => {
      const envelopeRow = await tx
        .selectFrom('envelopes')
        .select(['id', 'organization_id', 'status', 'approval_round'])
        .where('id', '=', candidate.envelope_id)
        .executeTakeFirstOrThrow();
      if (envelopeRow.status !== 'pending_approval') return false;
      const slot = currentApprovals(await loadRound(tx, envelopeRow.id, envelopeRow.approval_round)).find(
        (s) => s.id === candidate.id,
      );
      // Decided, or asked again (the sender's button), since the query.
      if (!slot || slot.asked_at === null || slot.asked_at > candidate.askedBefore) return false;
      return queueApprovalReminder(ctx, tx, {
        envelope: { id: envelopeRow.id, organizationId: envelopeRow.organization_id },
        slot,
        actor: { type: 'system', id: null },
        now,
      });
    });
    if (done) queued++;
  }
  return queued;
}
