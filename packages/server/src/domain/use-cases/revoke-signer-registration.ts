import { findContact } from '../address-book/contacts.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';

/**
 * The sender revokes a contact's registration (届出の取消): the registered signer and the code's hash
 * are removed and any open 届出 link stops working, so new envelopes can no longer use it. Envelopes
 * made before keep their recipients (cancel them to stop those). Nothing registered and no open link →
 * CONTACT_NOT_REGISTERED. Records `contact.registration-revoked`.
 */
export async function revokeSignerRegistration(
  ctx: DomainContext,
  input: {
    organizationId: string;
    actor: Extract<Actor, { type: 'user' } | { type: 'api_key' }>;
    origin?: RequestOrigin;
    contactId: string;
  },
): Promise<void> {
  const now = ctx.clock.now();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const contact = await findContact(tx, input.organizationId, input.contactId);
    const links = await tx
      .updateTable('address_book_registration_links')
      .set({ revoked_at: now.toISOString() })
      .where('contact_id', '=', contact.id)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    const hadSigner = contact.signer_access_code_hash !== null;
    if (!hadSigner && Number(links.numUpdatedRows) === 0)
      throw new AppError('CONTACT_NOT_REGISTERED', 'the contact has no registration to revoke');
    await tx
      .updateTable('address_book_contacts')
      .set({
        signer_name: null,
        signer_email: null,
        signer_language: null,
        signer_access_code_hash: null,
        registered_at: null,
        updated_at: now.toISOString(),
      })
      .where('id', '=', contact.id)
      .execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'contact.registration-revoked',
      origin: input.origin,
      at: now,
      details: {
        contactId: contact.id,
        signerEmail: contact.signer_email,
        openLinksRevoked: Number(links.numUpdatedRows),
      },
    });
  });
}
