import type { DomainContext } from '../domain-context.ts';
import { japanDate } from '../register/contract-model.ts';
import { addDays } from '../register/reminder-days.ts';
import { retentionCandidates } from '../retention/retention-candidates.ts';
import { DEFAULT_RETENTION_YEARS, retentionRules } from '../retention/retention-policy.ts';

/** How far ahead the administrators' list of documents whose period ends looks, and how many it shows. */
export const UPCOMING = { days: 90, max: 200 } as const;

/** A document whose retention period ends soon (or ended, when a hold keeps it). */
export interface UpcomingShredding {
  subjectType: 'contract' | 'envelope';
  subjectId: string;
  title: string;
  documentType: string;
  years: number;
  endsOn: string;
  /** A legal hold keeps it past the end. */
  held: boolean;
}

/** An active legal hold as the administrators' list shows it. */
export interface LegalHoldSummary {
  id: string;
  subjectType: 'contract' | 'envelope';
  subjectId: string;
  /** The contract's title or the envelope's name. */
  title: string;
  reason: string;
  placedAt: string;
  placedBy: string | null;
}

/** The organisation's retention settings (保存期間) and active legal holds. */
export interface RetentionSettings {
  /** The organisation's default period in years (10 unless changed). */
  defaultYears: number;
  /** The period when nothing is set (10 years). */
  builtInYears: number;
  /** Periods by source ('source:envelope', 'source:import') or 契約種別 ('type:<label>'). */
  rules: Array<{ documentType: string; years: number }>;
  /** 契約種別 used in the organisation's register (choices for a rule). */
  contractTypes: string[];
  holds: LegalHoldSummary[];
  /** Documents whose period ends within 90 days (or has ended), soonest first: erased then unless held. */
  upcoming: UpcomingShredding[];
}

/** Reads the retention settings and active legal holds of an organisation (administrators). */
export async function getRetentionSettings(
  ctx: Pick<DomainContext, 'db' | 'clock'>,
  input: { organizationId: string },
): Promise<RetentionSettings> {
  const rules = await retentionRules(ctx.db, input.organizationId);
  const types = await ctx.db
    .selectFrom('contracts')
    .select('contract_type')
    .distinct()
    .where('organization_id', '=', input.organizationId)
    .where('contract_type', 'is not', null)
    .orderBy('contract_type')
    .limit(200)
    .execute();
  const holds = await ctx.db
    .selectFrom('legal_holds as h')
    .leftJoin('contracts as c', (join) => join.onRef('c.id', '=', 'h.subject_id').on('h.subject_type', '=', 'contract'))
    .leftJoin('envelopes as e', (join) => join.onRef('e.id', '=', 'h.subject_id').on('h.subject_type', '=', 'envelope'))
    .leftJoin('users as u', 'u.id', 'h.placed_by_user_id')
    .select([
      'h.id',
      'h.subject_type',
      'h.subject_id',
      'h.reason',
      'h.placed_at',
      'c.title',
      'e.name',
      'u.name as placed_by',
    ])
    .where('h.organization_id', '=', input.organizationId)
    .where('h.released_at', 'is', null)
    .orderBy('h.placed_at', 'desc')
    .limit(500)
    .execute();
  const held = new Set(holds.map((h) => `${h.subject_type}:${h.subject_id}`));
  const until = addDays(japanDate(ctx.clock.now()), UPCOMING.days);
  const upcoming = (await retentionCandidates(ctx.db, input.organizationId, until)).slice(0, UPCOMING.max).map((c) => ({
    subjectType: c.contractId ? ('contract' as const) : ('envelope' as const),
    subjectId: (c.contractId ?? c.envelopeId)!,
    title: c.title,
    documentType: c.applied.documentType,
    years: c.applied.years,
    endsOn: c.applied.endsOn,
    held:
      (c.contractId !== null && held.has(`contract:${c.contractId}`)) ||
      (c.envelopeId !== null && held.has(`envelope:${c.envelopeId}`)),
  }));
  return {
    defaultYears: rules.get('default') ?? DEFAULT_RETENTION_YEARS,
    builtInYears: DEFAULT_RETENTION_YEARS,
    rules: [...rules.entries()]
      .filter(([documentType]) => documentType !== 'default')
      .map(([documentType, years]) => ({ documentType, years }))
      .sort((a, b) => a.documentType.localeCompare(b.documentType)),
    contractTypes: types.map((t) => t.contract_type).filter((t): t is string => t !== null),
    holds: holds.map((h) => ({
      id: h.id,
      subjectType: h.subject_type,
      subjectId: h.subject_id,
      title: h.title ?? h.name ?? '',
      reason: h.reason,
      placedAt: h.placed_at,
      placedBy: h.placed_by,
    })),
    upcoming,
  };
}
