import { renderRegistrationRequestMail } from '../../mail/templates/signer-registration.ts';
import { newToken } from '../../security/tokens.ts';
import type { DomainContext } from '../domain-context.ts';
import { isMailSent } from '../mail-delivery.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import { logoPathOf } from './update-organization-profile.ts';

/**
 * Job `mail.signer-registration`: makes the 届出 link's token (only its hash is stored; the token
 * exists only in this mail) and sends the request to the contact once, in the organisation's name.
 * A link used, revoked or expired meanwhile gets no mail.
 */
export async function sendSignerRegistrationMail(ctx: DomainContext, payload: { linkId: string }): Promise<void> {
  const key = `signer-registration:${payload.linkId}`;
  if (await isMailSent(ctx.db, key)) return;
  const now = ctx.clock.now();
  const prepared = await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const row = await tx
      .selectFrom('address_book_registration_links as l')
      .innerJoin('address_book_contacts as c', 'c.id', 'l.contact_id')
      .innerJoin('organizations as o', 'o.id', 'l.organization_id')
      .leftJoin('users as u', 'u.id', 'l.requested_by_user_id')
      .select([
        'l.id',
        'l.language',
        'l.expires_at',
        'l.used_at',
        'l.revoked_at',
        'c.id as contactId',
        'c.company_name',
        'c.person_name',
        'c.email',
        'o.id as organizationId',
        'o.name as organizationName',
        'o.support_contact',
        'o.sender_contact',
        'o.mail_from_name',
        'o.mail_reply_to',
        'o.logo_updated_at',
        'u.name as requesterName',
        'u.email as requesterEmail',
      ])
      .where('l.id', '=', payload.linkId)
      .executeTakeFirst();
    if (!row || row.used_at !== null || row.revoked_at !== null || new Date(row.expires_at) <= now) return null;
    const { token, hash } = newToken();
    await tx
      .updateTable('address_book_registration_links')
      .set({ token_hash: hash })
      .where('id', '=', row.id)
      .execute();
    const logoPath = logoPathOf(row.organizationId, row.logo_updated_at);
    // Replies go to the person who asked, else to the organisation's Reply-To.
    const replyTo = row.requesterEmail
      ? { name: row.requesterName ?? '', address: row.requesterEmail }
      : row.mail_reply_to
        ? { name: '', address: row.mail_reply_to }
        : null;
    return {
      row,
      mail: {
        to: row.email,
        idempotencyKey: key,
        secrets: [token],
        ...(row.mail_from_name ? { fromName: row.mail_from_name } : {}),
        ...(replyTo ? { replyTo } : {}),
        ...renderRegistrationRequestMail({
          language: row.language,
          organizationName: row.organizationName,
          companyName: row.company_name,
          personName: row.person_name,
          requesterName: row.requesterName,
          url: `${ctx.config.publicUrl}/signer-registration/${token}`,
          validUntil: new Date(row.expires_at),
          supportContact: row.sender_contact ?? row.support_contact,
          logoUrl: logoPath ? `${ctx.config.publicUrl}${logoPath}` : null,
        }),
      },
    };
  });
  if (!prepared) return;
  await ctx.mailer.send(prepared.mail);
  await inTransaction(ctx.db, ctx.dialect, (tx) =>
    recordEvent(tx, {
      organizationId: prepared.row.organizationId,
      actor: { type: 'system', id: null },
      action: 'mail.signer-registration.sent',
      at: ctx.clock.now(),
      details: { contactId: prepared.row.contactId, linkId: prepared.row.id, to: prepared.row.email, mailKey: key },
    }),
  );
}
