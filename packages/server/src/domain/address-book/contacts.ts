import { sql, type Selectable } from 'kysely';
import type { DbOrTx, Schema } from '../../ports/database.ts';
import { AppError } from '../app-error.ts';
import { isUuid } from '../rows.ts';
import type { Language } from '../types.ts';
import { isEmail, optionalText, requireLine } from '../validation.ts';

/** Limits of an address-book contact (the HTTP schema and the UI use them too). */
export const CONTACT_LIMITS = {
  companyName: 200,
  department: 100,
  personName: 100,
  phone: 40,
  note: 1000,
  /** Contacts per organisation: an address book, not a mailing list. */
  perOrganization: 10_000,
} as const;

/** How long a 届出 link is valid. */
export const REGISTRATION_LINK_TTL_MS = 14 * 24 * 60 * 60 * 1000;

export type ContactRow = Selectable<Schema['address_book_contacts']>;

/** The editable fields of a contact, checked. */
export interface ContactFields {
  companyName: string;
  department: string | null;
  personName: string;
  email: string;
  phone: string | null;
  note: string | null;
}

const CONTROL = /[\u0000-\u001f\u007f]/;

function optionalLine(value: unknown, field: string, max: number): string | null {
  if (value === undefined || value === null) return null;
  const text = typeof value === 'string' ? value.trim() : null;
  if (text === null || text.length > max || CONTROL.test(text))
    throw new AppError('VALIDATION_FAILED', `${field} must be at most ${max} characters on one line`, { field, max });
  return text === '' ? null : text;
}

/** Checks a contact as the sender gave it (nothing is stored for bad input). */
export function checkContactFields(input: Record<string, unknown>): ContactFields {
  const companyName = requireLine(input.companyName, 'companyName', CONTACT_LIMITS.companyName);
  const department = optionalLine(input.department, 'department', CONTACT_LIMITS.department);
  const personName = requireLine(input.personName, 'personName', CONTACT_LIMITS.personName);
  const email = typeof input.email === 'string' ? input.email.trim() : '';
  if (!isEmail(email)) throw new AppError('INVALID_EMAIL', 'email is not a valid e-mail address', { field: 'email' });
  const phone = optionalLine(input.phone, 'phone', CONTACT_LIMITS.phone);
  if (phone !== null && !/^[0-9０-９+()（）\-‐－ー ]+$/.test(phone))
    throw new AppError('VALIDATION_FAILED', 'phone may hold digits, spaces, +, - and parentheses', { field: 'phone' });
  const note = optionalText(input.note, 'note', CONTACT_LIMITS.note) || null;
  return { companyName, department, personName, email, phone, note };
}

/** A contact of the organisation, or NOT_FOUND (another organisation's contact is not found either). */
export async function findContact(db: DbOrTx, organizationId: string, contactId: string): Promise<ContactRow> {
  const row = isUuid(contactId)
    ? await db
        .selectFrom('address_book_contacts')
        .selectAll()
        .where('id', '=', contactId)
        .where('organization_id', '=', organizationId)
        .executeTakeFirst()
    : undefined;
  if (!row) throw new AppError('NOT_FOUND', 'no such contact in the address book');
  return row;
}

/** The 届出 request still open for a contact (sent, not used, revoked or expired), if any. */
export interface PendingRequest {
  requestedAt: string;
  expiresAt: string;
}

/** The Contact JSON of docs/api.md: never the code, only whether one is registered. */
export interface ContactView {
  id: string;
  companyName: string;
  department: string | null;
  personName: string;
  email: string;
  phone: string | null;
  note: string | null;
  /** The signer the counterparty registered, with 登録済みアクセスコード; null when none. */
  registeredSigner: { name: string; email: string; language: Language; registeredAt: string } | null;
  pendingRequest: PendingRequest | null;
  createdAt: string;
  updatedAt: string;
}

/** Presents a contact (and its open 届出 request). */
export function presentContact(row: ContactRow, pending: PendingRequest | null): ContactView {
  const registered =
    row.signer_access_code_hash !== null && row.signer_email !== null && row.registered_at !== null
      ? {
          name: row.signer_name ?? '',
          email: row.signer_email,
          language: row.signer_language ?? 'ja',
          registeredAt: row.registered_at,
        }
      : null;
  return {
    id: row.id,
    companyName: row.company_name,
    department: row.department,
    personName: row.person_name,
    email: row.email,
    phone: row.phone,
    note: row.note,
    registeredSigner: registered,
    pendingRequest: pending,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The open 届出 requests of some contacts, by contact id (the latest one each). */
export async function pendingRequestsOf(
  db: DbOrTx,
  contactIds: string[],
  now: Date,
): Promise<Map<string, PendingRequest>> {
  const out = new Map<string, PendingRequest>();
  if (contactIds.length === 0) return out;
  const rows = await db
    .selectFrom('address_book_registration_links')
    .select(['contact_id', 'created_at', 'expires_at'])
    .where('contact_id', 'in', contactIds)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .orderBy('created_at')
    .execute();
  for (const r of rows) out.set(r.contact_id, { requestedAt: r.created_at, expiresAt: r.expires_at });
  return out;
}

/** A LIKE pattern matching `text` anywhere, with LIKE's wildcards escaped (ESCAPE '\'). */
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The columns a search looks in (lower-cased on both databases). */
export const SEARCH_COLUMNS = [
  'company_name',
  'department',
  'person_name',
  'email',
  'signer_name',
  'signer_email',
] as const;

/** `lower(column) like pattern escape '\'`, the same on SQLite and PostgreSQL. */
export function lowerLike(column: (typeof SEARCH_COLUMNS)[number], pattern: string) {
  return sql<boolean>`lower(${sql.ref(`address_book_contacts.${column}`)}) like ${pattern} escape '\\'`;
}
