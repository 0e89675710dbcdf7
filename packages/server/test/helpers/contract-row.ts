/** A bare register row for tests that need a contract to exist (no documents, no text). */
import type { Insertable } from 'kysely';
import type { Schema } from '../../src/ports/database.ts';

/** The row of an organisation's (`organizationId`) or an account's (`ownerUserId`) entry, all fields empty. */
export function contractRow(
  input: { id: string; at: string; title: string; source: 'envelope' | 'claim' | 'import' } & (
    { organizationId: string } | { ownerUserId: string }
  ),
): Insertable<Schema['contracts']> {
  const organizationId = 'organizationId' in input ? input.organizationId : null;
  const ownerUserId = 'ownerUserId' in input ? input.ownerUserId : null;
  return {
    id: input.id,
    scope: organizationId !== null ? `o:${organizationId}` : `u:${ownerUserId}`,
    organization_id: organizationId,
    owner_user_id: ownerUserId,
    source: input.source,
    envelope_id: null,
    certificate_id: null,
    title: input.title,
    counterparties: '[]',
    counterparty_norm: null,
    signed_on: null,
    start_on: null,
    end_on: null,
    notice_on: null,
    amount: null,
    tax: null,
    renewal_months: null,
    contract_type: null,
    reference_number: null,
    assignee_user_id: null,
    imported_at: input.source === 'import' ? input.at : null,
    created_at: input.at,
    updated_at: input.at,
  };
}
