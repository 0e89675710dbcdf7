import { sql } from 'kysely';
import type { DbOrTx } from '../../ports/database.ts';
import {
  applyRetention,
  contractStartsOn,
  contractsWithStartTimes,
  envelopesWithEndTimes,
  envelopeStartsOn,
  retentionRules,
  type AppliedRetention,
} from './retention-policy.ts';

/** A register entry (with its envelope) or a finished envelope without one, whose period ends by a day. */
export interface RetentionCandidate {
  contractId: string | null;
  envelopeId: string | null;
  title: string;
  applied: AppliedRetention;
}

/**
 * The organisation's documents not yet shredded whose retention period ends on or before `until` (a
 * Japan date), soonest first: register entries signed here or imported (a claim is personal, never
 * here), and finished envelopes (completed, declined, canceled, expired) that have no register entry.
 */
export async function retentionCandidates(
  db: DbOrTx,
  organizationId: string,
  until: string,
): Promise<RetentionCandidate[]> {
  const rules = await retentionRules(db, organizationId);
  const candidates: RetentionCandidate[] = [];
  const contracts = await contractsWithStartTimes(db)
    .select('c.title')
    .where('c.organization_id', '=', organizationId)
    .where('c.shredded_at', 'is', null)
    .where('c.source', 'in', ['envelope', 'import'])
    .execute();
  for (const c of contracts) {
    const applied = applyRetention(rules, {
      contractType: c.contract_type,
      source: c.source === 'import' ? 'import' : 'envelope',
      startsOn: contractStartsOn(c),
    });
    if (applied.endsOn <= until)
      candidates.push({ contractId: c.id, envelopeId: c.envelope_id, title: c.title, applied });
  }
  const envelopes = await finishedEnvelopesWithoutEntry(db, organizationId).execute();
  for (const e of envelopes) {
    const applied = applyRetention(rules, { contractType: null, source: 'envelope', startsOn: envelopeStartsOn(e) });
    if (applied.endsOn <= until) candidates.push({ contractId: null, envelopeId: e.id, title: e.name, applied });
  }
  return candidates.sort((a, b) => a.applied.endsOn.localeCompare(b.applied.endsOn));
}

/**
 * The organisation's finished envelopes (completed, declined, canceled, expired), not shredded, that have
 * no register entry: one probe of the register per envelope, by contracts_envelope (migration 032).
 */
export function finishedEnvelopesWithoutEntry(db: DbOrTx, organizationId: string) {
  return envelopesWithEndTimes(db)
    .select('e.name')
    .where('e.organization_id', '=', organizationId)
    .where('e.shredded_at', 'is', null)
    .where('e.status', 'in', ['completed', 'declined', 'canceled', 'expired'])
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('contracts as c')
            .select(sql`1`.as('one'))
            .whereRef('c.envelope_id', '=', 'e.id')
            .where('c.organization_id', 'is not', null),
        ),
      ),
    );
}
