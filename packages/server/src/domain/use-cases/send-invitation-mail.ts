import { renderInvitationMail } from '../../mail/templates/invitation.ts';
import { newToken } from '../../security/tokens.ts';
import type { DomainContext } from '../domain-context.ts';
import { isMailSent } from '../mail-delivery.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Language } from '../types.ts';
import { logoPathOf } from './update-organization-profile.ts';

/**
 * Job `mail.invitation`: makes the invitation's link token (only its hash is stored; the token exists
 * only in this mail) and sends the mail once, in the organisation's name (display name, Reply-To, logo).
 * An invitation accepted, revoked or expired meanwhile gets no mail.
 */
export async function sendInvitationMail(
  ctx: DomainContext,
  payload: { invitationId: string; language: Language },
): Promise<void> {
  const key = `invitation:${payload.invitationId}`;
  if (!(await isMailSent(ctx.db, key))) {
    const now = ctx.clock.now();
    const prepared = await inTransaction(ctx.db, ctx.dialect, async (tx) => {
      const row = await tx
        .selectFrom('member_invitations')
        .innerJoin('organizations', 'organizations.id', 'member_invitations.organization_id')
        .leftJoin('users', 'users.id', 'member_invitations.invited_by_user_id')
        .select([
          'member_invitations.id',
          'member_invitations.email',
          'member_invitations.role',
          'member_invitations.expires_at',
          'member_invitations.accepted_at',
          'member_invitations.revoked_at',
          'organizations.id as organizationId',
          'organizations.name as organizationName',
          'organizations.support_contact',
          'organizations.mail_from_name',
          'organizations.mail_reply_to',
          'organizations.logo_updated_at',
          'users.name as inviterName',
        ])
        .where('member_invitations.id', '=', payload.invitationId)
        .executeTakeFirst();
      if (!row || row.accepted_at !== null || row.revoked_at !== null || new Date(row.expires_at) <= now) return null;
      const { token, hash } = newToken();
      await tx.updateTable('member_invitations').set({ token_hash: hash }).where('id', '=', row.id).execute();
      const logoPath = logoPathOf(row.organizationId, row.logo_updated_at);
      return {
        row,
        mail: {
          to: row.email,
          idempotencyKey: key,
          secrets: [token],
          ...(row.mail_from_name ? { fromName: row.mail_from_name } : {}),
          ...(row.mail_reply_to ? { replyTo: { name: '', address: row.mail_reply_to } } : {}),
          ...renderInvitationMail({
            language: payload.language,
            organizationName: row.organizationName,
            inviterName: row.inviterName,
            role: row.role,
            url: `${ctx.config.publicUrl}/invitation?token=${token}`,
            validUntil: new Date(row.expires_at),
            supportContact: row.support_contact,
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
        action: 'mail.invitation.sent',
        at: ctx.clock.now(),
        details: { invitationId: prepared.row.id, to: prepared.row.email, mailKey: key },
      }),
    );
  }
}
