import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { japanDate, scopeKey, toContracts, type ContractScope } from '../register/contract-model.ts';
import { addDays, daysBetween } from '../register/reminder-days.ts';
import type { UpcomingDeadline } from '../register/contract-api-types.ts';

export type { UpcomingDeadline } from '../register/contract-api-types.ts';

/** At most this many deadlines in one answer (narrow `days` for more). */
export const DEADLINES_MAX = 500;

/** The active entries whose 契約満了日 or 解約通知期限 falls within the next `days` days (Japan dates), soonest first. */
export async function listDeadlines(
  ctx: Pick<DomainContext, 'db' | 'clock'>,
  input: { scope: ContractScope; days?: number },
): Promise<UpcomingDeadline[]> {
  const days = input.days ?? 90;
  if (!Number.isInteger(days) || days < 0 || days > 366)
    throw new AppError('VALIDATION_FAILED', 'days must be 0–366', { field: 'days' });
  const today = japanDate(ctx.clock.now());
  const until = addDays(today, days);
  const scope = scopeKey(input.scope);
  const found: Array<{ id: string; kind: 'end' | 'notice'; dueOn: string }> = [];
  for (const [kind, column] of [
    ['end', 'end_on'],
    ['notice', 'notice_on'],
  ] as const) {
    const rows = await ctx.db
      .selectFrom('contracts')
      .select(['id', `${column} as due_on`])
      .where('scope', '=', scope)
      .where('status', '=', 'active')
      .where(column, '>=', today)
      .where(column, '<=', until)
      .orderBy(column)
      .orderBy('id')
      .limit(DEADLINES_MAX)
      .execute();
    for (const row of rows) if (row.due_on !== null) found.push({ id: row.id, kind, dueOn: row.due_on });
  }
  found.sort((a, b) =>
    a.dueOn < b.dueOn ? -1 : a.dueOn > b.dueOn ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : a.id < b.id ? -1 : 1,
  );
  const top = found.slice(0, DEADLINES_MAX);
  const ids = [...new Set(top.map((d) => d.id))];
  const rows = ids.length ? await ctx.db.selectFrom('contracts').selectAll().where('id', 'in', ids).execute() : [];
  const contracts = new Map((await toContracts(ctx.db, rows)).map((c) => [c.id, c]));
  return top.map((d) => ({
    kind: d.kind,
    dueOn: d.dueOn,
    daysLeft: daysBetween(today, d.dueOn),
    contract: contracts.get(d.id)!,
  }));
}
