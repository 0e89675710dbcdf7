import { hashToken, newId, newToken } from '../../security/tokens.ts';
import { findContact, REGISTRATION_LINK_TTL_MS } from '../address-book/contacts.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, Language, RequestOrigin } from '../types.ts';

/**
 * 届出依頼: makes a one-use registration link for a contact (14 days) and queues the job
 * `mail.signer-registration`, which makes the link's token (it exists only in the mail to the contact's
 * address). An earlier open link of the contact stops working. Records `contact.registration-requested`.
 * Works for a contact already registered too: that is how a counterparty changes its signer or code.
 */
export async function requestSignerRegistration(
  ctx: DomainContext,
  input: {
    organizationId: string;
    actor: Extract<Actor, { type: 'user' } | { type: 'api_key' }>;
    origin?: RequestOrigin;
    contactId: string;
    language?: Language;
  },
): Promise<{ requestedAt: string; expiresAt: string }> {
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + REGISTRATION_LINK_TTL_MS).toISOString();
  const language = input.language ?? 'ja';
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const contact = await findContact(tx, input.organizationId, input.contactId);
    await tx
      .updateTable('address_book_registration_links')
      .set({ revoked_at: now.toISOString() })
      .where('contact_id', '=', contact.id)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .execute();
    const id = newId();
    // The mail job makes the real token; until then the row holds the hash of a token nobody has.
    await tx
      .insertInto('address_book_registration_links')
      .values({
        id,
        token_hash: hashToken(newToken().token),
        contact_id: contact.id,
        organization_id: input.organizationId,
        language,
        requested_by_user_id: input.actor.type === 'user' ? input.actor.id : null,
        created_at: now.toISOString(),
        expires_at: expiresAt,
        used_at: null,
        revoked_at: null,
      })
      .execute();
    await ctx.jobs.enqueue(tx, 'mail.signer-registration', { linkId: id });
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'contact.registration-requested',
      origin: input.origin,
      at: now,
      details: { contactId: contact.id, linkId: id, to: contact.email, expiresAt },
    });
  });
  return { requestedAt: now.toISOString(), expiresAt };
}
