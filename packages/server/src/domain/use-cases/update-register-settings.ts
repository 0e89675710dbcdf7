import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { parseReminderDays } from '../register/reminder-days.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';

/** Changes the reminder thresholds (administrators; 0–5 values of 1–365 days) with `register.settings-changed`. */
export async function updateRegisterSettings(
  ctx: DomainContext,
  input: { organizationId: string; role: string | null; reminderDays: number[]; actor: Actor; origin?: RequestOrigin },
): Promise<{ reminderDays: number[] }> {
  if (input.role !== 'admin') throw new AppError('FORBIDDEN', 'only administrators change the register settings');
  const days = [...new Set(input.reminderDays)].sort((a, b) => b - a);
  if (days.length > 5 || days.some((d) => !Number.isInteger(d) || d < 1 || d > 365))
    throw new AppError('VALIDATION_FAILED', 'reminderDays: up to 5 whole numbers of 1–365', { field: 'reminderDays' });
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const before = await tx
      .selectFrom('organizations')
      .select('contract_reminder_days')
      .where('id', '=', input.organizationId)
      .executeTakeFirstOrThrow();
    await tx
      .updateTable('organizations')
      .set({ contract_reminder_days: JSON.stringify(days) })
      .where('id', '=', input.organizationId)
      .execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'register.settings-changed',
      origin: input.origin,
      at: ctx.clock.now(),
      details: { reminderDays: { from: parseReminderDays(before.contract_reminder_days), to: days } },
    });
    return { reminderDays: days };
  });
}
