import type { DomainContext } from '../domain-context.ts';
import { isTurnOf, recipientStatusesAllowing } from '../envelope-machine.ts';
import { isLockedOut } from '../envelope-state.ts';
import { toEnvelope, toRecipient } from '../rows.ts';
import { inTransaction } from '../transaction.ts';
import { lastContactOf, queueReminder } from './remind-recipient.ts';

const DAY_MS = 86_400_000;
/** Recipients looked at per run (a run is bounded; the next run takes the rest). */
const MAX_PER_RUN = 2000;

/**
 * 自動リマインド: in every organisation whose setting is N > 0 days, each signer whose turn it is and who
 * got no mail (request, resend or reminder) for N days gets a reminder, until the envelope expires.
 * Runs with the expiry sweep (once per sweep period across instances); a reminder is counted on the
 * recipient by compare-and-set, so two runs never remind one signer twice. Returns how many it queued.
 */
export async function queueAutoReminders(ctx: DomainContext): Promise<number> {
  const now = ctx.clock.now();
  const candidates = await ctx.db
    .selectFrom('recipients as r')
    .innerJoin('envelopes as e', 'e.id', 'r.envelope_id')
    .innerJoin('organizations as o', 'o.id', 'e.organization_id')
    .selectAll('r')
    .select(['o.auto_remind_days'])
    .where('o.auto_remind_days', '>', 0)
    .where('e.status', '=', 'sent')
    .where((eb) => eb.or([eb('e.expires_at', 'is', null), eb('e.expires_at', '>', now.toISOString())]))
    .where('r.role', '=', 'signer')
    .where('r.status', 'in', recipientStatusesAllowing('remind'))
    .where('r.failed_attempts', '<', ctx.config.accessCodeMaxAttempts)
    .orderBy('r.id')
    .limit(MAX_PER_RUN)
    .execute();
  let queued = 0;
  for (const candidate of candidates) {
    const recipient = toRecipient(candidate);
    const last = lastContactOf(recipient);
    if (last === null || last.getTime() + candidate.auto_remind_days * DAY_MS > now.getTime()) continue;
    if (isLockedOut(recipient, ctx.config.accessCodeMaxAttempts)) continue;
    const done = await inTransaction(ctx.db, ctx.dialect, async (tx) => {
      const envelopeRow = await tx
        .selectFrom('envelopes')
        .selectAll()
        .where('id', '=', recipient.envelopeId)
        .executeTakeFirstOrThrow();
      const recipients = (
        await tx.selectFrom('recipients').selectAll().where('envelope_id', '=', recipient.envelopeId).execute()
      ).map(toRecipient);
      if (!isTurnOf(recipients, recipient)) return false;
      return queueReminder(ctx, tx, {
        envelope: toEnvelope(envelopeRow),
        recipient,
        actor: { type: 'system', id: null },
        now,
      });
    });
    if (done) queued++;
  }
  return queued;
}
