import type { DomainContext } from '../domain-context.ts';
import {
  activeLegalHold,
  applyRetention,
  contractStartsOn,
  contractsWithStartTimes,
  envelopesWithEndTimes,
  envelopeStartsOn,
  retentionRules,
  type AppliedRetention,
} from '../retention/retention-policy.ts';
import { findRetentionSubject, holdSubjects } from '../retention/retention-subject.ts';

/** Retention of one contract or envelope: its period, an active legal hold, and whether it is shredded. */
export interface RetentionStatus {
  /** The period that applies; null for an envelope still in progress (it starts when the envelope ends). */
  retention: AppliedRetention | null;
  /** The active hold on it or on its linked envelope/contract, or null. */
  hold: { id: string; subjectType: 'contract' | 'envelope'; reason: string; placedAt: string } | null;
  shreddedAt: string | null;
}

const FINISHED = ['completed', 'declined', 'canceled', 'expired'];

/** The retention status of a contract or envelope of the organisation (another organisation's: NOT_FOUND). */
export async function getRetentionStatus(
  ctx: Pick<DomainContext, 'db'>,
  input: { organizationId: string; subjectType: 'contract' | 'envelope'; subjectId: string },
): Promise<RetentionStatus> {
  const subject = await findRetentionSubject(ctx.db, {
    organizationId: input.organizationId,
    type: input.subjectType,
    id: input.subjectId,
  });
  const rules = await retentionRules(ctx.db, input.organizationId);
  let retention: AppliedRetention | null = null;
  if (subject.contractId) {
    const c = await contractsWithStartTimes(ctx.db).where('c.id', '=', subject.contractId).executeTakeFirstOrThrow();
    retention = applyRetention(rules, {
      contractType: c.contract_type,
      source: c.source === 'import' ? 'import' : 'envelope',
      startsOn: contractStartsOn(c),
    });
  } else if (subject.envelopeId) {
    const e = await envelopesWithEndTimes(ctx.db).where('e.id', '=', subject.envelopeId).executeTakeFirstOrThrow();
    if (FINISHED.includes(e.status))
      retention = applyRetention(rules, { contractType: null, source: 'envelope', startsOn: envelopeStartsOn(e) });
  }
  const hold = await activeLegalHold(ctx.db, holdSubjects(subject));
  return {
    retention,
    hold: hold ? { id: hold.id, subjectType: hold.subject_type, reason: hold.reason, placedAt: hold.placed_at } : null,
    shreddedAt: subject.shreddedAt,
  };
}
