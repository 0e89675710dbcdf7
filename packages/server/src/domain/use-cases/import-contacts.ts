import { newId } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import { checkContactFields, CONTACT_LIMITS, type ContactFields } from '../address-book/contacts.ts';
import { contactsFromCsv, CSV_IMPORT_LIMITS } from '../address-book/contacts-csv.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';

/**
 * CSVから取り込む: adds the contacts of a CSV file (header 会社名, 部署, 担当者名, メールアドレス, 電話番号,
 * メモ or their English names). All or nothing: any bad row → VALIDATION_FAILED naming every bad line
 * (`details.rows`, at most 20) and nothing is stored. A row whose company and e-mail are already in the
 * book (or earlier in the file) is skipped. Records one `contact.imported` event.
 */
export async function importContacts(
  ctx: DomainContext,
  input: {
    organizationId: string;
    actor: Extract<Actor, { type: 'user' } | { type: 'api_key' }>;
    origin?: RequestOrigin;
    csv: string;
  },
): Promise<{ created: number; skipped: number }> {
  if (Buffer.byteLength(input.csv, 'utf8') > CSV_IMPORT_LIMITS.bytes)
    throw new AppError('PAYLOAD_TOO_LARGE', 'the CSV is larger than 1 MB', { maxBytes: CSV_IMPORT_LIMITS.bytes });
  const checked: ContactFields[] = [];
  const bad: Array<{ line: number; field: string; code: string }> = [];
  for (const { line, fields } of contactsFromCsv(input.csv)) {
    try {
      checked.push(checkContactFields(fields));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      bad.push({ line, field: String(error.details?.field ?? ''), code: error.code });
    }
  }
  if (bad.length > 0)
    throw new AppError('VALIDATION_FAILED', `${bad.length} rows of the CSV are not valid (line ${bad[0].line})`, {
      field: 'csv',
      rows: bad.slice(0, 20),
      badRows: bad.length,
    });
  const now = ctx.clock.now();
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const existing = await tx
      .selectFrom('address_book_contacts')
      .select(['company_name', 'email'])
      .where('organization_id', '=', input.organizationId)
      .execute();
    const keyOf = (company: string, email: string) => `${company}\u0000${email.toLowerCase()}`;
    const seen = new Set(existing.map((r) => keyOf(r.company_name, r.email)));
    const fresh = checked.filter((c) => {
      const key = keyOf(c.companyName, c.email);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    if (existing.length + fresh.length > CONTACT_LIMITS.perOrganization)
      throw new AppError('VALIDATION_FAILED', `at most ${CONTACT_LIMITS.perOrganization} contacts`, {
        max: CONTACT_LIMITS.perOrganization,
      });
    for (const c of fresh) {
      await tx
        .insertInto('address_book_contacts')
        .values({
          id: newId(),
          organization_id: input.organizationId,
          company_name: c.companyName,
          department: c.department,
          person_name: c.personName,
          email: c.email,
          phone: c.phone,
          note: c.note,
          signer_name: null,
          signer_email: null,
          signer_access_code_hash: null,
          signer_language: null,
          registered_at: null,
          created_at: now.toISOString(),
          updated_at: now.toISOString(),
          created_by_user_id: input.actor.type === 'user' ? input.actor.id : null,
        })
        .execute();
    }
    const result = { created: fresh.length, skipped: checked.length - fresh.length };
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'contact.imported',
      origin: input.origin,
      at: now,
      details: result,
    });
    return result;
  });
}
