import { renderRenewalRefused } from '../../mail/templates/renewal-refused.ts';
import type { DomainContext } from '../domain-context.ts';
import { activeAdministrators, isMailSent } from '../mail-delivery.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';

/**
 * Job `mail.renewal-refused`: tells each active administrator of the organisation that today's LTA
 * renewal of its files was refused because the TSA's own certificate ends too soon. Once per
 * administrator, organisation and day (idempotency key); records `mail.renewal-refused.sent`.
 */
export async function sendRenewalRefusedMail(
  ctx: DomainContext,
  input: { organizationId: string; day: string; tsaNotAfter: string; files: number },
): Promise<void> {
  const organization = await ctx.db
    .selectFrom('organizations')
    .select(['id', 'name', 'mail_from_name'])
    .where('id', '=', input.organizationId)
    .executeTakeFirst();
  if (!organization) return;
  const administrators = await activeAdministrators(ctx.db, organization.id);
  const mail = renderRenewalRefused({
    organizationName: organization.name,
    files: input.files,
    tsaNotAfter: new Date(input.tsaNotAfter),
    url: `${ctx.config.publicUrl}/contracts/renewals`,
  });
  for (const administrator of administrators) {
    const key = `renewal-refused:${organization.id}:${input.day}:${administrator.id}`;
    if (await isMailSent(ctx.db, key)) continue;
    await ctx.mailer.send({
      to: administrator.email,
      idempotencyKey: key,
      ...(organization.mail_from_name ? { fromName: organization.mail_from_name } : {}),
      ...mail,
    });
    await inTransaction(ctx.db, ctx.dialect, (tx) =>
      recordEvent(tx, {
        organizationId: organization.id,
        actor: { type: 'system', id: null },
        action: 'mail.renewal-refused.sent',
        at: ctx.clock.now(),
        details: { to: administrator.email, day: input.day, files: input.files, mailKey: key },
      }),
    );
  }
}
