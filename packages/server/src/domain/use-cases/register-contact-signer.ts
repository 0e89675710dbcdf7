import { sql } from 'kysely';
import { hashAccessCode, hashToken } from '../../security/tokens.ts';
import { hitRateLimit } from '../accounts/rate-limit.ts';
import { checkChosenAccessCode } from '../address-book/chosen-access-code.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Language, RequestOrigin } from '../types.ts';
import { isEmail, LIMITS, requireLine } from '../validation.ts';
import type { DbOrTx } from '../../ports/database.ts';

/** Tries per 届出 link and per IP address (an hour): bad input counts too. */
export const REGISTRATION_RATE_LIMITS = {
  link: { max: 10, windowMs: 3_600_000 },
  ip: { max: 60, windowMs: 3_600_000 },
} as const;

/** What the 届出 page shows before the counterparty registers. */
export interface RegistrationLinkView {
  organizationName: string;
  /** 送信者の連絡先 of the organisation, shown for questions. */
  senderContact: string | null;
  companyName: string;
  personName: string;
  language: Language;
  expiresAt: string;
  /** The signer registered before (to change it), never the code. */
  currentSigner: { name: string; email: string } | null;
}

async function findLink(db: DbOrTx, token: string, now: Date) {
  const row =
    typeof token === 'string' && /^[A-Za-z0-9_-]{20,100}$/.test(token)
      ? await db
          .selectFrom('address_book_registration_links as l')
          .innerJoin('address_book_contacts as c', 'c.id', 'l.contact_id')
          .innerJoin('organizations as o', 'o.id', 'l.organization_id')
          .select([
            'l.id',
            'l.language',
            'l.expires_at',
            'l.used_at',
            'l.revoked_at',
            'l.organization_id',
            'c.id as contactId',
            'c.company_name',
            'c.person_name',
            'c.email as contactEmail',
            'c.signer_name',
            'c.signer_email',
            'c.signer_access_code_hash',
            'o.name as organizationName',
            'o.sender_contact',
            'o.support_contact',
          ])
          .where('l.token_hash', '=', hashToken(token))
          .executeTakeFirst()
      : undefined;
  if (!row) throw new AppError('REGISTRATION_LINK_INVALID', 'unknown registration link');
  if (row.used_at !== null || row.revoked_at !== null || new Date(row.expires_at) <= now)
    throw new AppError('REGISTRATION_LINK_EXPIRED', 'the registration link was used, replaced or has expired', {
      organization: row.organizationName,
    });
  return row;
}

/** The 届出 page's content for a link (no side effects; a used or expired link → REGISTRATION_LINK_EXPIRED). */
export async function getRegistrationLink(ctx: DomainContext, input: { token: string }): Promise<RegistrationLinkView> {
  const row = await findLink(ctx.db, input.token, ctx.clock.now());
  return {
    organizationName: row.organizationName,
    senderContact: row.sender_contact ?? row.support_contact,
    companyName: row.company_name,
    personName: row.person_name,
    language: row.language,
    expiresAt: row.expires_at,
    currentSigner:
      row.signer_access_code_hash !== null && row.signer_email !== null
        ? { name: row.signer_name ?? '', email: row.signer_email }
        : null,
  };
}

/**
 * The counterparty registers its signer (name, e-mail, language) and the access code it chose, twice.
 * The code is checked (6–8 digits, the same twice, not trivially weak) and stored only as its keyed
 * hash (hashAccessCode, the scheme of every recipient's code); the link is used up. Envelopes of the
 * contact still waiting for that same signer take the new code at once. Records `contact.signer-registered`
 * (never the code) and queues the confirmation mail to the signer and the contact.
 */
export async function registerContactSigner(
  ctx: DomainContext,
  input: {
    token: string;
    signerName: unknown;
    signerEmail: unknown;
    language?: unknown;
    accessCode: unknown;
    accessCodeConfirmation: unknown;
    origin?: RequestOrigin;
  },
): Promise<{ registeredAt: string; organizationName: string; signerEmail: string }> {
  const now = ctx.clock.now();
  if (input.origin?.ip)
    await hitRateLimit(ctx, `signer-registration:ip:${input.origin.ip}`, REGISTRATION_RATE_LIMITS.ip);
  const link = await findLink(ctx.db, input.token, now);
  await hitRateLimit(ctx, `signer-registration:link:${link.id}`, REGISTRATION_RATE_LIMITS.link);

  const signerName = requireLine(input.signerName, 'signerName', LIMITS.recipientName);
  const signerEmail = typeof input.signerEmail === 'string' ? input.signerEmail.trim() : '';
  if (!isEmail(signerEmail))
    throw new AppError('INVALID_EMAIL', 'signerEmail is not a valid e-mail address', { field: 'signerEmail' });
  const language = input.language ?? link.language;
  if (language !== 'ja' && language !== 'en')
    throw new AppError('VALIDATION_FAILED', 'language must be ja or en', { field: 'language' });
  const code = checkChosenAccessCode(input.accessCode, input.accessCodeConfirmation);
  const codeHash = hashAccessCode(code, ctx.keys.accessCode);

  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    // Use the link up first: of two parallel submissions only one passes.
    const used = await tx
      .updateTable('address_book_registration_links')
      .set({ used_at: now.toISOString() })
      .where('id', '=', link.id)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!used) throw new AppError('REGISTRATION_LINK_EXPIRED', 'the registration link was used meanwhile');
    const changedCode = link.signer_access_code_hash !== null;
    await tx
      .updateTable('address_book_contacts')
      .set({
        signer_name: signerName,
        signer_email: signerEmail,
        signer_language: language,
        signer_access_code_hash: codeHash,
        registered_at: now.toISOString(),
        updated_at: now.toISOString(),
      })
      .where('id', '=', link.contactId)
      .execute();
    // Envelopes still waiting for this signer use the code from now on (their old code stops working).
    const updated = await tx
      .updateTable('recipients')
      .set({ access_code_hash: codeHash })
      .where('address_book_contact_id', '=', link.contactId)
      .where('auth', '=', 'access_code')
      .where('status', 'in', ['pending', 'notified', 'viewed'])
      .where(sql<boolean>`lower(email) = ${signerEmail.toLowerCase()}`)
      .executeTakeFirst();
    await recordEvent(tx, {
      organizationId: link.organization_id,
      actor: { type: 'system', id: null },
      action: 'contact.signer-registered',
      origin: input.origin,
      at: now,
      details: {
        contactId: link.contactId,
        linkId: link.id,
        signerName,
        signerEmail,
        replacedEarlierRegistration: changedCode,
        waitingRecipientsUpdated: Number(updated.numUpdatedRows),
      },
    });
    await ctx.jobs.enqueue(tx, 'mail.signer-registered', {
      contactId: link.contactId,
      registeredAt: now.toISOString(),
    });
  });
  return { registeredAt: now.toISOString(), organizationName: link.organizationName, signerEmail };
}
