import type { DomainContext } from '../domain-context.ts';
import type { DbOrTx } from '../../ports/database.ts';
import { envelopeStatusesAllowing, envelopeTransition } from '../envelope-machine.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';

/** Envelopes swept per batch, and batches per run: a run is bounded; the next run takes the rest. */
const BATCH = 200;
const MAX_BATCHES = 50;

/** The sweep slot at or before `now`: sweeps run at multiples of INKAN_EXPIRY_SWEEP since the epoch. */
export function expirySweepSlot(now: Date, intervalMs: number): Date {
  return new Date(Math.floor(now.getTime() / intervalMs) * intervalMs);
}

/** Queues the sweep of the slot at or before `now` (due at once); one per slot by its dedupe key and claim. */
export async function scheduleExpirySweep(
  ctx: Pick<DomainContext, 'db' | 'jobs' | 'config'>,
  now: Date,
): Promise<void> {
  const slot = expirySweepSlot(now, ctx.config.expirySweepMs);
  await ctx.jobs.enqueue(
    ctx.db,
    'envelope.expiry-sweep',
    { slot: slot.toISOString() },
    { dedupeKey: `expiry-sweep:${slot.toISOString()}`, runAt: now },
  );
}

/** Queues the sweep of the slot after `slot`. */
export async function scheduleNextExpirySweep(
  ctx: Pick<DomainContext, 'db' | 'jobs' | 'config'>,
  slot: Date,
): Promise<void> {
  const next = new Date(slot.getTime() + ctx.config.expirySweepMs);
  await ctx.jobs.enqueue(
    ctx.db,
    'envelope.expiry-sweep',
    { slot: next.toISOString() },
    { dedupeKey: `expiry-sweep:${next.toISOString()}`, runAt: next },
  );
}

/**
 * The expiry sweep: every sent envelope whose expiry date has passed becomes `expired`, with its
 * `envelope.expired` event in the same transaction, and its signers' sessions end. Until the sweep runs
 * such an envelope is already shown and treated as expired (effectiveStatus); the sweep makes it so in
 * the database, the register and the operation log. Each envelope is expired by a conditional update,
 * so two sweeps (or a sweep and a last-minute signature) never both act on one envelope.
 * Returns how many envelopes it expired.
 */
export async function expireEnvelopes(ctx: DomainContext): Promise<number> {
  const now = ctx.clock.now();
  let expired = 0;
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const due = await envelopesPastExpiry(ctx.db, now).limit(BATCH).execute();
    for (const envelope of due) {
      const next = envelopeTransition(
        { status: envelope.status, expiresAt: envelope.expires_at ? new Date(envelope.expires_at) : null },
        'expire',
        now,
      );
      const changed = await inTransaction(ctx.db, ctx.dialect, async (tx) => {
        const result = await tx
          .updateTable('envelopes')
          .set({ status: next })
          .where('id', '=', envelope.id)
          .where('status', 'in', envelopeStatusesAllowing('expire'))
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) return false;
        await tx
          .deleteFrom('recipient_sessions')
          .where('recipient_id', 'in', (eb) =>
            eb.selectFrom('recipients').select('id').where('envelope_id', '=', envelope.id),
          )
          .execute();
        await recordEvent(tx, {
          organizationId: envelope.organization_id,
          envelopeId: envelope.id,
          actor: { type: 'system', id: null },
          action: 'envelope.expired',
          at: now,
          details: { expiresAt: envelope.expires_at },
        });
        return true;
      });
      if (changed) expired++;
    }
    if (due.length < BATCH) break;
  }
  return expired;
}

/** Envelopes that may still expire whose expiry is `now` or earlier, soonest first (envelopes_status_expires). */
export function envelopesPastExpiry(db: DbOrTx, now: Date) {
  return db
    .selectFrom('envelopes')
    .select(['id', 'organization_id', 'status', 'expires_at'])
    .where('status', 'in', envelopeStatusesAllowing('expire'))
    .where('expires_at', 'is not', null)
    .where('expires_at', '<=', now.toISOString())
    .orderBy('expires_at');
}
