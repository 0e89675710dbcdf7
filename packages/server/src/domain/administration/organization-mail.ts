import type { DbOrTx } from '../../ports/database.ts';
import { logoPathOf } from '../use-cases/update-organization-profile.ts';

/** How an organisation's mails present it: From display name, Reply-To, logo and sender contact. */
export interface OrganizationMailIdentity {
  /** Spread into an OutgoingMail: fromName and replyTo when set. */
  headers: { fromName?: string; replyTo?: { name: string; address: string } };
  /** The logo as an absolute URL of this installation, or null. */
  logo: { url: string; alt: string } | null;
  senderContact: string | null;
}

/** The mail identity of an organisation (組織情報 and メール設定). */
export async function organizationMailIdentity(
  db: DbOrTx,
  organizationId: string,
  publicUrl: string,
): Promise<OrganizationMailIdentity> {
  const row = await db
    .selectFrom('organizations')
    .select(['id', 'name', 'mail_from_name', 'mail_reply_to', 'logo_updated_at', 'sender_contact'])
    .where('id', '=', organizationId)
    .executeTakeFirst();
  if (!row) return { headers: {}, logo: null, senderContact: null };
  const logoPath = logoPathOf(row.id, row.logo_updated_at);
  return {
    headers: {
      ...(row.mail_from_name ? { fromName: row.mail_from_name } : {}),
      ...(row.mail_reply_to ? { replyTo: { name: '', address: row.mail_reply_to } } : {}),
    },
    logo: logoPath ? { url: `${publicUrl}${logoPath}`, alt: row.name } : null,
    senderContact: row.sender_contact,
  };
}
