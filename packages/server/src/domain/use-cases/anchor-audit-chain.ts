import type { SigningServices } from '../../signing-services.ts';
import { newId } from '../../security/tokens.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';

/** A domain context that can reach the TSA. */
export interface AnchorDomainContext extends DomainContext {
  signing: Pick<SigningServices, 'timestampAuthority'>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The UTC date of a time, `YYYY-MM-DD`. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Midnight UTC of the day after `day`. */
export function startOfNextDay(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + DAY_MS);
}

/** The dedupe key of the anchor job of a day: one queued job per day. */
export function anchorJobKey(day: string): string {
  return `audit.anchor:${day}`;
}

/** Queues the anchor job of the day of `now` (due at once) — called when a worker starts. */
export async function scheduleAuditAnchor(ctx: DomainContext, now: Date): Promise<void> {
  const day = utcDay(now);
  await ctx.jobs.enqueue(ctx.db, 'audit.anchor', { day }, { dedupeKey: anchorJobKey(day), runAt: now });
}

/**
 * Job `audit.anchor`: at most once a (UTC) day, asks the TSA for a timestamp whose message imprint is
 * the hash of the operation log's last event (the chain head), and stores the token with the head it
 * names (table audit_anchors) and an `audit.anchored` event in one transaction. Since every event's hash
 * covers its predecessors, the token proves that the whole log up to that event existed at that time:
 * rewriting history afterwards would change the anchored hash.
 *
 * First queues tomorrow's run, so that the daily schedule survives a failure of today's. Skips a day
 * that has an anchor already, and a log that has not grown since the last anchor.
 */
export async function anchorAuditChain(ctx: AnchorDomainContext): Promise<'anchored' | 'skipped'> {
  const now = ctx.clock.now();
  const today = utcDay(now);
  const tomorrow = startOfNextDay(today);
  await ctx.jobs.enqueue(
    ctx.db,
    'audit.anchor',
    { day: utcDay(tomorrow) },
    { dedupeKey: anchorJobKey(utcDay(tomorrow)), runAt: tomorrow },
  );

  const anchoredToday = async (): Promise<boolean> =>
    (await ctx.db
      .selectFrom('audit_anchors')
      .select('id')
      .where('created_at', '>=', `${today}T00:00:00.000Z`)
      .where('created_at', '<', tomorrow.toISOString())
      .executeTakeFirst()) !== undefined;
  if (await anchoredToday()) return 'skipped';
  const head = await ctx.db
    .selectFrom('events')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!head) return 'skipped';
  const last = await ctx.db
    .selectFrom('audit_anchors')
    .select('head_seq')
    .orderBy('head_seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (last) {
    // The anchor's own event does not count as growth (else every day would anchor just that).
    const grown = await ctx.db
      .selectFrom('events')
      .select('seq')
      .where('seq', '>', last.head_seq)
      .where('action', '!=', 'audit.anchored')
      .limit(1)
      .executeTakeFirst();
    if (!grown) return 'skipped';
  }

  const token = await ctx.signing.timestampAuthority.timestamp(new Uint8Array(Buffer.from(head.hash, 'hex')));
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    // Another worker may have anchored meanwhile: the check repeats under the write lock.
    const again = await tx
      .selectFrom('audit_anchors')
      .select('id')
      .where('created_at', '>=', `${today}T00:00:00.000Z`)
      .where('created_at', '<', tomorrow.toISOString())
      .executeTakeFirst();
    if (again) return 'skipped' as const;
    const id = newId();
    await tx
      .insertInto('audit_anchors')
      .values({
        id,
        head_seq: head.seq,
        head_hash: head.hash,
        token: Buffer.from(token).toString('base64'),
        created_at: now.toISOString(),
      })
      .execute();
    await recordEvent(tx, {
      organizationId: null,
      actor: { type: 'system', id: null },
      action: 'audit.anchored',
      at: now,
      details: { anchorId: id, headSeq: head.seq, headHash: head.hash },
    });
    return 'anchored' as const;
  });
}
