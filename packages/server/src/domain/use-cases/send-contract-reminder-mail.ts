import { mailHelpOf } from '../../mail/templates/format.ts';
import { renderContractReminder } from '../../mail/templates/contract-reminder.ts';
import type { DomainContext } from '../domain-context.ts';
import { isMailSent } from '../mail-delivery.ts';
import { japanDate } from '../register/contract-model.ts';
import { daysBetween } from '../register/reminder-days.ts';

/**
 * Job `mail.contract-reminder`: the reminder to the 担当者 and the watchers of the entry (an
 * organisation entry with neither goes to the organisation's administrators; a personal entry to its
 * account). One mail per person, ever (idempotency key per reminder and user).
 */
export async function sendContractReminderMail(ctx: DomainContext, input: { reminderId: string }): Promise<void> {
  const reminder = await ctx.db
    .selectFrom('contract_reminders')
    .selectAll()
    .where('id', '=', input.reminderId)
    .executeTakeFirst();
  if (!reminder) return;
  const contract = await ctx.db
    .selectFrom('contracts')
    .selectAll()
    .where('id', '=', reminder.contract_id)
    .executeTakeFirst();
  if (!contract) return;
  const ids = new Set<string>();
  if (contract.assignee_user_id) ids.add(contract.assignee_user_id);
  for (const w of await ctx.db
    .selectFrom('contract_watchers')
    .select('user_id')
    .where('contract_id', '=', contract.id)
    .execute())
    ids.add(w.user_id);
  if (contract.owner_user_id) ids.add(contract.owner_user_id);
  let users = ids.size
    ? await ctx.db
        .selectFrom('users')
        .select(['id', 'name', 'email'])
        .where('id', 'in', [...ids])
        .orderBy('email')
        .execute()
    : [];
  if (users.length === 0 && contract.organization_id) {
    users = await ctx.db
      .selectFrom('users')
      .innerJoin('memberships', 'memberships.user_id', 'users.id')
      .select(['users.id', 'users.name', 'users.email'])
      .where('memberships.organization_id', '=', contract.organization_id)
      .where('memberships.role', '=', 'admin')
      .where('memberships.deactivated_at', 'is', null)
      .orderBy('users.email')
      .execute();
  }
  // Counted from the day the reminder was queued (a retried mail does not change its words).
  const daysLeft = Math.max(0, daysBetween(japanDate(new Date(reminder.created_at)), reminder.due_on));
  for (const user of users) {
    const key = `contract-reminder:${reminder.id}:${user.id}`;
    if (await isMailSent(ctx.db, key)) continue;
    const mail = renderContractReminder({
      recipientName: user.name,
      title: contract.title,
      counterparties: JSON.parse(contract.counterparties) as string[],
      kind: reminder.kind,
      dueOn: reminder.due_on,
      daysLeft,
      autoRenew: contract.auto_renew === 1,
      url: `${ctx.config.publicUrl}/contracts/${contract.id}`,
      help: mailHelpOf(ctx.config),
    });
    await ctx.mailer.send({ to: user.email, ...mail, idempotencyKey: key });
  }
}
