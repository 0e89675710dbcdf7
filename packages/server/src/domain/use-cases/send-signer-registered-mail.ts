import {
  renderRegistrationConfirmedMail,
  renderRegistrationNoticeMail,
} from '../../mail/templates/signer-registration.ts';
import type { DomainContext } from '../domain-context.ts';
import { isMailSent } from '../mail-delivery.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import { logoPathOf } from './update-organization-profile.ts';

/**
 * Job `mail.signer-registered`: tells the registered signer and the contact (when another address)
 * that the registration was received — who, when, how to change it; never the code — and the member
 * who requested it (still an active member) that it came in. A registration revoked or replaced
 * meanwhile gets no mail. Each address gets it once.
 */
export async function sendSignerRegisteredMail(
  ctx: DomainContext,
  payload: { contactId: string; registeredAt: string },
): Promise<void> {
  const row = await ctx.db
    .selectFrom('address_book_contacts as c')
    .innerJoin('organizations as o', 'o.id', 'c.organization_id')
    .select([
      'c.id',
      'c.company_name',
      'c.person_name',
      'c.email',
      'c.signer_name',
      'c.signer_email',
      'c.signer_language',
      'c.registered_at',
      'o.id as organizationId',
      'o.name as organizationName',
      'o.sender_contact',
      'o.support_contact',
      'o.mail_from_name',
      'o.mail_reply_to',
      'o.logo_updated_at',
    ])
    .where('c.id', '=', payload.contactId)
    .executeTakeFirst();
  if (!row || row.registered_at !== payload.registeredAt || row.signer_email === null) return;
  const addresses = [row.signer_email];
  if (row.email.toLowerCase() !== row.signer_email.toLowerCase()) addresses.push(row.email);
  const logoPath = logoPathOf(row.organizationId, row.logo_updated_at);
  const rendered = renderRegistrationConfirmedMail({
    language: row.signer_language ?? 'ja',
    organizationName: row.organizationName,
    companyName: row.company_name,
    signerName: row.signer_name ?? '',
    signerEmail: row.signer_email,
    registeredAt: new Date(row.registered_at),
    supportContact: row.sender_contact ?? row.support_contact,
    logoUrl: logoPath ? `${ctx.config.publicUrl}${logoPath}` : null,
  });
  const mails = addresses.map((to) => ({ to, rendered }));
  const requester = await ctx.db
    .selectFrom('address_book_registration_links as l')
    .innerJoin('users as u', 'u.id', 'l.requested_by_user_id')
    .innerJoin('memberships as m', (join) =>
      join.onRef('m.user_id', '=', 'u.id').onRef('m.organization_id', '=', 'l.organization_id'),
    )
    .select(['u.email'])
    .where('l.contact_id', '=', row.id)
    .where('l.used_at', '=', row.registered_at)
    .where('m.deactivated_at', 'is', null)
    .executeTakeFirst();
  if (requester)
    mails.push({
      to: requester.email,
      rendered: renderRegistrationNoticeMail({
        organizationName: row.organizationName,
        companyName: row.company_name,
        personName: row.person_name,
        signerName: row.signer_name ?? '',
        signerEmail: row.signer_email,
        addressBookUrl: `${ctx.config.publicUrl}/address-book`,
        supportContact: null,
        logoUrl: logoPath ? `${ctx.config.publicUrl}${logoPath}` : null,
      }),
    });
  for (const [index, { to, rendered: mail }] of mails.entries()) {
    const key = `signer-registered:${row.id}:${row.registered_at}:${index}`;
    if (await isMailSent(ctx.db, key)) continue;
    await ctx.mailer.send({
      to,
      idempotencyKey: key,
      ...(row.mail_from_name ? { fromName: row.mail_from_name } : {}),
      ...(row.mail_reply_to ? { replyTo: { name: '', address: row.mail_reply_to } } : {}),
      ...mail,
    });
    await inTransaction(ctx.db, ctx.dialect, (tx) =>
      recordEvent(tx, {
        organizationId: row.organizationId,
        actor: { type: 'system', id: null },
        action: 'mail.signer-registered.sent',
        at: ctx.clock.now(),
        details: { contactId: row.id, to, mailKey: key },
      }),
    );
  }
}
