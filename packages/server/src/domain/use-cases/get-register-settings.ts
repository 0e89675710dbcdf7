import type { DomainContext } from '../domain-context.ts';
import { parseReminderDays } from '../register/reminder-days.ts';

/** An organisation's register settings: the reminder thresholds (days before a deadline). */
export async function getRegisterSettings(
  ctx: Pick<DomainContext, 'db'>,
  input: { organizationId: string },
): Promise<{ reminderDays: number[] }> {
  const row = await ctx.db
    .selectFrom('organizations')
    .select('contract_reminder_days')
    .where('id', '=', input.organizationId)
    .executeTakeFirstOrThrow();
  return { reminderDays: parseReminderDays(row.contract_reminder_days) };
}
