import { sql, type Selectable } from 'kysely';
import type { DbOrTx, Schema } from '../../ports/database.ts';
import { AppError } from '../app-error.ts';
import type { Contract, ContractDocument, ContractStatus } from './contract-api-types.ts';

export type { Contract, ContractDocument } from './contract-api-types.ts';

/** Whose register an entry is in: an organisation's, or a personal account's. */
export type ContractScope = { kind: 'organization'; organizationId: string } | { kind: 'personal'; userId: string };

/** The `scope` column's value of a scope. */
export function scopeKey(scope: ContractScope): string {
  return scope.kind === 'organization' ? `o:${scope.organizationId}` : `u:${scope.userId}`;
}

/** The owner columns of a new entry in a scope. */
export function ownerColumns(scope: ContractScope): {
  scope: string;
  organization_id: string | null;
  owner_user_id: string | null;
} {
  return scope.kind === 'organization'
    ? { scope: scopeKey(scope), organization_id: scope.organizationId, owner_user_id: null }
    : { scope: scopeKey(scope), organization_id: null, owner_user_id: scope.userId };
}

/** The search form of text: NFKC (full-width digits and letters, half-width kana unified) and lower case. */
export function normalizeForSearch(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

/** The counterparty filter's and sort's column: the normalised names joined by U+001F (no name contains it); null when there are none. */
export function counterpartyNorm(names: readonly string[]): string | null {
  return names.length === 0 ? null : names.map(normalizeForSearch).join('\u001f');
}

/** The `q` column: title, counterparties and the documents' text, normalised. */
export function searchNorm(title: string, counterparties: readonly string[], extracted: string): string {
  return normalizeForSearch(`${title}\n${counterparties.join('\n')}\n${extracted}`);
}

/** Today's date (YYYY-MM-DD) in Japan: 締結日 and deadlines are Japanese calendar days. */
export function japanDate(at: Date): string {
  return new Date(at.getTime() + 9 * 3600_000).toISOString().slice(0, 10);
}

export const CONTRACT_STATUSES = ['active', 'expired', 'terminated'] as const satisfies readonly ContractStatus[];
export type { ContractStatus } from './contract-api-types.ts';

/** Limits of an entry's fields (bad input beyond them is refused, never truncated). */
export const CONTRACT_LIMITS = {
  title: 300,
  counterparties: 20,
  counterparty: 200,
  tags: 30,
  tag: 50,
  memo: 10_000,
  text: 200,
  watchers: 50,
  customFields: 50,
  choices: 100,
} as const;

type ContractRow = Selectable<Schema['contracts']>;

/**
 * Compares by code point: the order of SQLite's BINARY and PostgreSQL's "C" collation. UTF-16 order
 * differs only for characters above U+FFFF (surrogates), which must sort after U+E000–U+FFFF.
 */
function byCodePoint(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    return xSurrogate === ySurrogate ? x - y : xSurrogate ? 1 : -1;
  }
  return a.length - b.length;
}

/**
 * Loads the tags, watchers and custom field values of rows and returns them as Contracts, in order.
 * The three side tables come back in one round trip (UNION ALL keyed by the rows' ids), and the
 * definitions of number fields in a second only when the rows have custom field values.
 */
export async function toContracts(db: DbOrTx, rows: readonly ContractRow[]): Promise<Contract[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const side = await db
    .selectFrom('contract_tags')
    .select(['contract_id', sql<string>`'t'`.as('kind'), 'tag as name', sql<string | null>`null`.as('value')])
    .where('contract_id', 'in', ids)
    .unionAll(
      db
        .selectFrom('contract_watchers')
        .select(['contract_id', sql<string>`'w'`.as('kind'), 'user_id as name', sql<string | null>`null`.as('value')])
        .where('contract_id', 'in', ids),
    )
    .unionAll(
      db
        .selectFrom('contract_field_values')
        .select(['contract_id', sql<string>`'f'`.as('kind'), 'key as name', 'value'])
        .where('contract_id', 'in', ids),
    )
    .execute();
  side.sort((a, b) => byCodePoint(a.name, b.name));
  const tags = new Map<string, string[]>();
  const watchers = new Map<string, string[]>();
  const values = new Map<string, Array<{ key: string; value: string }>>();
  for (const s of side) {
    if (s.kind === 't') pushTo(tags, s.contract_id, s.name);
    else if (s.kind === 'w') pushTo(watchers, s.contract_id, s.name);
    else pushTo(values, s.contract_id, { key: s.name, value: s.value ?? '' });
  }
  const organizations = [
    ...new Set(
      rows
        .filter((r) => values.has(r.id))
        .map((r) => r.organization_id)
        .filter((id): id is string => id !== null),
    ),
  ];
  const numberKeys = new Set(
    organizations.length
      ? (
          await db
            .selectFrom('contract_field_definitions')
            .select(['organization_id', 'key'])
            .where('organization_id', 'in', organizations)
            .where('type', '=', 'number')
            .execute()
        ).map((d) => `${d.organization_id}:${d.key}`)
      : [],
  );
  return rows.map((row) => {
    const fields: Record<string, string | number> = {};
    for (const v of values.get(row.id) ?? [])
      fields[v.key] = numberKeys.has(`${row.organization_id}:${v.key}`) ? Number(v.value) : v.value;
    return {
      id: row.id,
      scope: row.organization_id !== null ? 'organization' : 'personal',
      source: row.source,
      envelopeId: row.envelope_id,
      certificateId: row.certificate_id,
      title: row.title,
      counterparties: JSON.parse(row.counterparties) as string[],
      signedOn: row.signed_on,
      startOn: row.start_on,
      endOn: row.end_on,
      noticeOn: row.notice_on,
      amount: row.amount === null ? null : Number(row.amount),
      currency: row.currency,
      tax: row.tax,
      autoRenew: row.auto_renew === 1,
      renewalMonths: row.renewal_months,
      contractType: row.contract_type,
      referenceNumber: row.reference_number,
      owner: row.assignee_user_id,
      memo: row.memo,
      status: row.status,
      tags: tags.get(row.id) ?? [],
      watchers: watchers.get(row.id) ?? [],
      fields,
      imported: row.source === 'import',
      importedAt: row.imported_at,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      shreddedAt: row.shredded_at,
    };
  });
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The entry's row when it is in the scope; NOT_FOUND otherwise (another scope's entry does not exist for the caller). */
export async function findContractRow(db: DbOrTx, scope: ContractScope, id: string): Promise<ContractRow> {
  const row = await db
    .selectFrom('contracts')
    .selectAll()
    .where('id', '=', id)
    .where('scope', '=', scopeKey(scope))
    .executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', 'no such contract');
  return row;
}

/** The documents of an entry, in order. */
export async function contractDocuments(db: DbOrTx, contractId: string): Promise<ContractDocument[]> {
  const rows = await db
    .selectFrom('contract_documents as d')
    // The archived version whose blob the entry serves (renewals move the entry to the new blob).
    .leftJoin('archive_versions as v', (join) => join.onRef('v.blob', '=', 'd.blob').on('v.current', '=', 1))
    .select([
      'd.id',
      'd.kind',
      'd.name',
      'd.size',
      'd.sha256',
      'v.version',
      'v.sha256_original',
      'v.renewed_at',
      'v.tsa_expires_at',
    ])
    .where('d.contract_id', '=', contractId)
    .orderBy('d.position')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    name: r.name,
    size: r.size,
    sha256: r.sha256,
    archive:
      r.version === null || r.sha256_original === null
        ? null
        : {
            version: r.version,
            sha256Original: r.sha256_original,
            renewedAt: r.renewed_at,
            tsaExpiresAt: r.tsa_expires_at,
          },
  }));
}
