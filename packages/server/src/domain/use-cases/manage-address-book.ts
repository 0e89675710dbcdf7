import { newId } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import {
  checkContactFields,
  CONTACT_LIMITS,
  containsPattern,
  findContact,
  lowerLike,
  pendingRequestsOf,
  presentContact,
  SEARCH_COLUMNS,
  type ContactView,
} from '../address-book/contacts.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';

/** Who changes the address book: a member (not a viewer) or an API key of the organisation. */
type SenderActor = Extract<Actor, { type: 'user' } | { type: 'api_key' }>;

interface Mutation {
  organizationId: string;
  actor: SenderActor;
  origin?: RequestOrigin;
}

/**
 * Lists the organisation's contacts, sorted by company and person; `q` finds text in the company,
 * department, person, e-mail or registered signer (case-insensitive substring); `registered` keeps
 * only contacts with a registered signer (the envelope form's suggestions).
 */
export async function listContacts(
  ctx: DomainContext,
  input: { organizationId: string; q?: string; registered?: boolean; limit?: number; offset?: number },
): Promise<{ items: ContactView[]; total: number }> {
  const limit = input.limit ?? 50;
  const offset = input.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > 200)
    throw new AppError('VALIDATION_FAILED', 'limit must be 1–200', { field: 'limit' });
  if (!Number.isInteger(offset) || offset < 0 || offset > CONTACT_LIMITS.perOrganization)
    throw new AppError('VALIDATION_FAILED', 'offset must be a whole number from 0', { field: 'offset' });
  const q = (input.q ?? '').trim();
  if (q.length > 200) throw new AppError('VALIDATION_FAILED', 'q must be at most 200 characters', { field: 'q' });
  let query = ctx.db.selectFrom('address_book_contacts').where('organization_id', '=', input.organizationId);
  if (q !== '') {
    const pattern = containsPattern(q);
    query = query.where((eb) => eb.or(SEARCH_COLUMNS.map((column) => lowerLike(column, pattern))));
  }
  if (input.registered) query = query.where('signer_access_code_hash', 'is not', null);
  const total = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await query
    .selectAll()
    .orderBy('company_name')
    .orderBy('person_name')
    .orderBy('id')
    .limit(limit)
    .offset(offset)
    .execute();
  const pending = await pendingRequestsOf(
    ctx.db,
    rows.map((r) => r.id),
    ctx.clock.now(),
  );
  return { items: rows.map((r) => presentContact(r, pending.get(r.id) ?? null)), total: Number(total.n) };
}

/** One contact of the organisation (another organisation's → NOT_FOUND). */
export async function getContact(
  ctx: DomainContext,
  input: { organizationId: string; contactId: string },
): Promise<ContactView> {
  const row = await findContact(ctx.db, input.organizationId, input.contactId);
  const pending = await pendingRequestsOf(ctx.db, [row.id], ctx.clock.now());
  return presentContact(row, pending.get(row.id) ?? null);
}

/** Adds a contact (取引先) to the address book; records `contact.created`. */
export async function createContact(
  ctx: DomainContext,
  input: Mutation & { fields: Record<string, unknown> },
): Promise<ContactView> {
  const fields = checkContactFields(input.fields);
  const now = ctx.clock.now().toISOString();
  const id = newId();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const count = await tx
      .selectFrom('address_book_contacts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('organization_id', '=', input.organizationId)
      .executeTakeFirstOrThrow();
    if (Number(count.n) >= CONTACT_LIMITS.perOrganization)
      throw new AppError('VALIDATION_FAILED', `at most ${CONTACT_LIMITS.perOrganization} contacts`, {
        max: CONTACT_LIMITS.perOrganization,
      });
    await tx
      .insertInto('address_book_contacts')
      .values({
        id,
        organization_id: input.organizationId,
        company_name: fields.companyName,
        department: fields.department,
        person_name: fields.personName,
        email: fields.email,
        phone: fields.phone,
        note: fields.note,
        signer_name: null,
        signer_email: null,
        signer_access_code_hash: null,
        signer_language: null,
        registered_at: null,
        created_at: now,
        updated_at: now,
        created_by_user_id: input.actor.type === 'user' ? input.actor.id : null,
      })
      .execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'contact.created',
      origin: input.origin,
      at: new Date(now),
      details: { contactId: id, companyName: fields.companyName, personName: fields.personName, email: fields.email },
    });
  });
  return getContact(ctx, { organizationId: input.organizationId, contactId: id });
}

/**
 * Changes a contact's fields (the whole set, as in the form). The registered signer stays: only the
 * counterparty changes it, through a new 届出 link. Records `contact.updated` with the changed fields' names.
 */
export async function updateContact(
  ctx: DomainContext,
  input: Mutation & { contactId: string; fields: Record<string, unknown> },
): Promise<ContactView> {
  const fields = checkContactFields(input.fields);
  const now = ctx.clock.now();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const row = await findContact(tx, input.organizationId, input.contactId);
    const before: Record<string, string | null> = {
      companyName: row.company_name,
      department: row.department,
      personName: row.person_name,
      email: row.email,
      phone: row.phone,
      note: row.note,
    };
    const changed = Object.keys(before).filter((k) => before[k] !== fields[k as keyof typeof fields]);
    if (changed.length === 0) return;
    await tx
      .updateTable('address_book_contacts')
      .set({
        company_name: fields.companyName,
        department: fields.department,
        person_name: fields.personName,
        email: fields.email,
        phone: fields.phone,
        note: fields.note,
        updated_at: now.toISOString(),
      })
      .where('id', '=', row.id)
      .execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'contact.updated',
      origin: input.origin,
      at: now,
      details: { contactId: row.id, changed },
    });
  });
  return getContact(ctx, input);
}

/**
 * Deletes a contact with its 届出 links and registration. Envelopes already made for it keep their
 * recipients (their copy of the signer and code). Records `contact.deleted`.
 */
export async function deleteContact(ctx: DomainContext, input: Mutation & { contactId: string }): Promise<void> {
  const now = ctx.clock.now();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const row = await findContact(tx, input.organizationId, input.contactId);
    await tx.deleteFrom('address_book_registration_links').where('contact_id', '=', row.id).execute();
    await tx.deleteFrom('address_book_contacts').where('id', '=', row.id).execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'contact.deleted',
      origin: input.origin,
      at: now,
      details: { contactId: row.id, companyName: row.company_name, personName: row.person_name },
    });
  });
}
