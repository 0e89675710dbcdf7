import { AppError } from '../app-error.ts';
import type { DbOrTx } from '../../ports/database.ts';

/** A contract of an organisation's register or an envelope of the organisation, as retention sees it. */
export interface RetentionSubject {
  type: 'contract' | 'envelope';
  id: string;
  organizationId: string;
  /** The envelope the contract came from (or the envelope itself). */
  envelopeId: string | null;
  /** The register entry of an envelope (organisation scope), or the contract itself. */
  contractId: string | null;
  title: string;
  shreddedAt: string | null;
}

/** Finds a contract or envelope of the organisation; another organisation's (or a personal one) is NOT_FOUND. */
export async function findRetentionSubject(
  db: DbOrTx,
  input: { organizationId: string; type: 'contract' | 'envelope'; id: string },
): Promise<RetentionSubject> {
  if (input.type === 'contract') {
    const row = await db
      .selectFrom('contracts')
      .select(['id', 'envelope_id', 'title', 'shredded_at'])
      .where('id', '=', input.id)
      .where('organization_id', '=', input.organizationId)
      .executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', 'no such contract');
    return {
      type: 'contract',
      id: row.id,
      organizationId: input.organizationId,
      envelopeId: row.envelope_id,
      contractId: row.id,
      title: row.title,
      shreddedAt: row.shredded_at,
    };
  }
  const row = await db
    .selectFrom('envelopes')
    .select(['id', 'name', 'shredded_at'])
    .where('id', '=', input.id)
    .where('organization_id', '=', input.organizationId)
    .executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', 'no such envelope');
  const entry = await db
    .selectFrom('contracts')
    .select('id')
    .where('envelope_id', '=', row.id)
    .where('organization_id', '=', input.organizationId)
    .executeTakeFirst();
  return {
    type: 'envelope',
    id: row.id,
    organizationId: input.organizationId,
    envelopeId: row.id,
    contractId: entry?.id ?? null,
    title: row.name,
    shreddedAt: row.shredded_at,
  };
}

/** The contract and envelope a hold on `subject` protects together (a hold on either keeps both). */
export function holdSubjects(subject: RetentionSubject): Array<{ type: 'contract' | 'envelope'; id: string }> {
  const subjects: Array<{ type: 'contract' | 'envelope'; id: string }> = [];
  if (subject.contractId) subjects.push({ type: 'contract', id: subject.contractId });
  if (subject.envelopeId) subjects.push({ type: 'envelope', id: subject.envelopeId });
  return subjects;
}
