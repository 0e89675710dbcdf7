import type { DbOrTx } from '../../ports/database.ts';
import type { DomainContext } from '../domain-context.ts';
import { isTurnOf, recipientStatusesAllowing } from '../envelope-machine.ts';
import { toEnvelope, toRecipient } from '../rows.ts';
import { inTransaction } from '../transaction.ts';
import type { Recipient } from '../types.ts';
import { queueReminder } from './remind-recipient.ts';

const DAY_MS = 86_400_000;
/** Recipients looked at per run (a run is bounded; the next run takes the rest). */
const MAX_PER_RUN = 2000;

/**
 * The 自動リマインド settings in use (N > 0 days), smallest first: each is one query of a run, so that the
 * "due" test (last mail at least N days ago) is a plain comparison in SQL on both databases.
 */
export async function autoRemindSettingsInUse(db: DbOrTx): Promise<number[]> {
  const rows = await db
    .selectFrom('organizations')
    .select('auto_remind_days')
    .distinct()
    .where('auto_remind_days', '>', 0)
    .orderBy('auto_remind_days')
    .execute();
  return rows.map((r) => Number(r.auto_remind_days));
}

/**
 * 自動リマインド: in every organisation whose setting is N > 0 days, each signer whose turn it is and who
 * got no mail (request, resend or reminder) for N days gets a reminder, until the envelope expires.
 * Runs with the expiry sweep (once per sweep period across instances); a reminder is counted on the
 * recipient by compare-and-set, so two runs never remind one signer twice. Returns how many it queued.
 * "Due" and "their turn" are in the query, so that signers not yet due (or waiting for an earlier order
 * group) never fill the bounded batch ahead of due ones.
 */
export async function queueAutoReminders(ctx: DomainContext, options: { maxPerRun?: number } = {}): Promise<number> {
  const now = ctx.clock.now();
  const limit = options.maxPerRun ?? MAX_PER_RUN;
  const candidates: Recipient[] = [];
  for (const days of await autoRemindSettingsInUse(ctx.db)) {
    if (candidates.length >= limit) break;
    // ISO-8601 UTC texts of one format compare as the times they name (both databases store them so).
    const contactedBefore = new Date(now.getTime() - days * DAY_MS).toISOString();
    const found = await ctx.db
      .selectFrom('recipients as r')
      .innerJoin('envelopes as e', 'e.id', 'r.envelope_id')
      .innerJoin('organizations as o', 'o.id', 'e.organization_id')
      .selectAll('r')
      .where('o.auto_remind_days', '=', days)
      .where('e.status', '=', 'sent')
      .where((eb) => eb.or([eb('e.expires_at', 'is', null), eb('e.expires_at', '>', now.toISOString())]))
      .where('r.role', '=', 'signer')
      .where('r.status', 'in', recipientStatusesAllowing('remind'))
      .where('r.failed_attempts', '<', ctx.config.accessCodeMaxAttempts)
      // Due: mailed at least once, and the last mail (request or reminder) N days ago or earlier.
      .where((eb) => eb.or([eb('r.notified_at', 'is not', null), eb('r.reminded_at', 'is not', null)]))
      .where((eb) => eb.or([eb('r.notified_at', 'is', null), eb('r.notified_at', '<=', contactedBefore)]))
      .where((eb) => eb.or([eb('r.reminded_at', 'is', null), eb('r.reminded_at', '<=', contactedBefore)]))
      // Their turn: no signer of an earlier order group still to sign.
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('recipients as earlier')
              .select('earlier.id')
              .whereRef('earlier.envelope_id', '=', 'r.envelope_id')
              .where('earlier.role', '=', 'signer')
              .where('earlier.status', '!=', 'signed')
              .whereRef('earlier.signing_order', '<', 'r.signing_order'),
          ),
        ),
      )
      .orderBy('r.id')
      .limit(limit - candidates.length)
      .execute();
    candidates.push(...found.map(toRecipient));
  }
  let queued = 0;
  for (const recipient of candidates) {
    const done = await inTransaction(ctx.db, ctx.dialect, async (tx) => {
      const envelopeRow = await tx
        .selectFrom('envelopes')
        .selectAll()
        .where('id', '=', recipient.envelopeId)
        .executeTakeFirstOrThrow();
      const recipients = (
        await tx.selectFrom('recipients').selectAll().where('envelope_id', '=', recipient.envelopeId).execute()
      ).map(toRecipient);
      // Checked again in the transaction (the order group may have moved on since the query); the reminder
      // count read by the query makes the count's compare-and-set refuse a reminder queued meanwhile.
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
