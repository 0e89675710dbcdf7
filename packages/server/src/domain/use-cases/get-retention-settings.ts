import type { DomainContext } from '../domain-context.ts';
import { DEFAULT_RETENTION_YEARS, retentionRules } from '../retention/retention-policy.ts';

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
}

/** Reads the retention settings and active legal holds of an organisation (administrators). */
export async function getRetentionSettings(
  ctx: Pick<DomainContext, 'db'>,
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
  };
}
