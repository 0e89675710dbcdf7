import { sql } from 'kysely';
import { newId } from '../../security/tokens.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { japanDate } from '../register/contract-model.ts';
import { addDays, DEFAULT_REMINDER_DAYS, parseReminderDays } from '../register/reminder-days.ts';
import { inTransaction } from '../transaction.ts';

const KINDS = [
  { kind: 'end', column: 'end_on' },
  { kind: 'notice', column: 'notice_on' },
] as const;

/** The next midnight in Japan (15:00 UTC), when the next day's run is due. */
function nextJapanMidnight(now: Date): Date {
  const today = japanDate(now);
  return new Date(Date.parse(`${addDays(today, 1)}T00:00:00+09:00`));
}

/** Queues today's reminder run (once per Japan day, by its dedupe key). */
export async function scheduleDeadlineReminders(
  ctx: Pick<DomainContext, 'db' | 'jobs' | 'clock'>,
  now: Date,
): Promise<void> {
  const day = japanDate(now);
  await ctx.jobs.enqueue(ctx.db, 'register.reminders', { day }, { dedupeKey: `register-reminders:${day}`, runAt: now });
}

/**
 * Job `register.reminders` (daily): for every register and every threshold N of its setting (default 60
 * and 14 days), each entry whose 契約満了日 or 解約通知期限 lies between the next smaller threshold and N
 * days ahead gets ONE reminder: a row in contract_reminders (unique per entry, kind, threshold and
 * deadline) and its mail job, in the same transaction. Two workers racing insert the same row; the
 * unique key lets one win and the other do nothing, so each threshold mails once. An entry first seen
 * inside a window (added late, a missed day) gets the smallest threshold that applies, once.
 * First queues tomorrow's run, so the daily schedule survives a failure of today's.
 */
export async function queueDeadlineReminders(ctx: DomainContext, input: { day: string }): Promise<number> {
  const now = ctx.clock.now();
  const tomorrow = nextJapanMidnight(now);
  await ctx.jobs.enqueue(
    ctx.db,
    'register.reminders',
    { day: japanDate(tomorrow) },
    { dedupeKey: `register-reminders:${japanDate(tomorrow)}`, runAt: tomorrow },
  );
  // The run is for its day; a late run (a stopped worker) still counts from the day it is for.
  const day = input.day;
  const organizations = await ctx.db.selectFrom('organizations').select(['id', 'contract_reminder_days']).execute();
  const groups: Array<{ organizationId: string | null; days: number[] }> = [
    ...organizations.map((o) => ({ organizationId: o.id, days: parseReminderDays(o.contract_reminder_days) })),
    { organizationId: null, days: [...DEFAULT_REMINDER_DAYS] },
  ];
  let queued = 0;
  for (const group of groups) {
    const ascending = [...group.days].sort((a, b) => a - b);
    for (let i = 0; i < ascending.length; i++) {
      const threshold = ascending[i]!;
      const after = i === 0 ? addDays(day, -1) : addDays(day, ascending[i - 1]!);
      const until = addDays(day, threshold);
      for (const { kind, column } of KINDS) {
        let query = ctx.db
          .selectFrom('contracts as c')
          .select(['c.id', 'c.organization_id', `c.${column} as due_on`])
          .where(`c.${column}`, '>', after)
          .where(`c.${column}`, '<=', until)
          .where('c.status', '=', 'active')
          .where((eb) =>
            eb.not(
              eb.exists(
                eb
                  .selectFrom('contract_reminders as r')
                  .select(sql`1`.as('one'))
                  .whereRef('r.contract_id', '=', 'c.id')
                  .where('r.kind', '=', kind)
                  .where('r.threshold_days', '=', threshold)
                  .whereRef('r.due_on', '=', `c.${column}`),
              ),
            ),
          );
        query =
          group.organizationId === null
            ? query.where('c.organization_id', 'is', null)
            : query.where('c.organization_id', '=', group.organizationId);
        for (const candidate of await query.orderBy('c.id').execute()) {
          if (candidate.due_on === null) continue;
          const dueOn = candidate.due_on;
          const inserted = await inTransaction(ctx.db, ctx.dialect, async (tx) => {
            const id = newId();
            const result = await tx
              .insertInto('contract_reminders')
              .values({
                id,
                contract_id: candidate.id,
                kind,
                threshold_days: threshold,
                due_on: dueOn,
                created_at: now.toISOString(),
              })
              .onConflict((oc) => oc.columns(['contract_id', 'kind', 'threshold_days', 'due_on']).doNothing())
              .executeTakeFirst();
            if (Number(result.numInsertedOrUpdatedRows ?? 0) !== 1) return false;
            await ctx.jobs.enqueue(
              tx,
              'mail.contract-reminder',
              { reminderId: id },
              { dedupeKey: `contract-reminder:${id}` },
            );
            await recordEvent(tx, {
              organizationId: candidate.organization_id,
              actor: { type: 'system', id: null },
              action: 'contract.reminder-queued',
              at: now,
              details: { contractId: candidate.id, kind, thresholdDays: threshold, dueOn },
            });
            return true;
          });
          if (inserted) queued++;
        }
      }
    }
  }
  return queued;
}
