import { addMonthsIso } from '@inkan/core';
import type { DbOrTx } from '../../ports/database.ts';
import { japanDate } from '../register/contract-model.ts';

/** Retention when an organisation set nothing: 10 years (会社法 §432, 電子帳簿保存法 up to 10 years). */
export const DEFAULT_RETENTION_YEARS = 10;
/** Bounds of a period in years (a longer one is a mistake; 1 year is the shortest that makes sense). */
export const RETENTION_YEARS = { min: 1, max: 100 } as const;
/** At most this many rules per organisation; a 契約種別 label at most this long. */
export const RETENTION_LIMITS = { rules: 100, contractType: 100 } as const;

/**
 * What a rule applies to: the organisation's default, the source of a register entry (an envelope
 * signed here, or an imported PDF), or a 契約種別 of the register.
 */
export type RetentionDocumentType = 'default' | 'source:envelope' | 'source:import' | `type:${string}`;

/** The rule applied to one contract or envelope, and the dates it gives. */
export interface AppliedRetention {
  /** The rule's document type, or 'built-in' when the organisation set nothing that applies. */
  documentType: RetentionDocumentType | 'built-in';
  years: number;
  /** The Japan date retention counts from (締結日, or the completion / end of the envelope). */
  startsOn: string;
  /** The first Japan date on which the documents may be shredded. */
  endsOn: string;
}

/** The organisation's rules by document type. */
export async function retentionRules(db: DbOrTx, organizationId: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('retention_rules')
    .select(['document_type', 'years'])
    .where('organization_id', '=', organizationId)
    .execute();
  return new Map(rows.map((r) => [r.document_type, Number(r.years)]));
}

/**
 * The period of a document: its 契約種別's rule, else its source's, else the organisation's default,
 * else 10 years. `startsOn` is a Japan date (YYYY-MM-DD).
 */
export function applyRetention(
  rules: ReadonlyMap<string, number>,
  subject: { contractType: string | null; source: 'envelope' | 'import'; startsOn: string },
): AppliedRetention {
  const candidates: RetentionDocumentType[] = [];
  if (subject.contractType) candidates.push(`type:${subject.contractType}`);
  candidates.push(`source:${subject.source}`, 'default');
  for (const documentType of candidates) {
    const years = rules.get(documentType);
    if (years !== undefined)
      return { documentType, years, startsOn: subject.startsOn, endsOn: addYears(subject.startsOn, years) };
  }
  return {
    documentType: 'built-in',
    years: DEFAULT_RETENTION_YEARS,
    startsOn: subject.startsOn,
    endsOn: addYears(subject.startsOn, DEFAULT_RETENTION_YEARS),
  };
}

/** `date` (YYYY-MM-DD) plus whole years; 29 February becomes 28 February in a common year. */
export function addYears(date: string, years: number): string {
  return addMonthsIso(date, years * 12);
}

/** Whether a document type is well-formed (the API refuses others). */
export function isRetentionDocumentType(value: string): value is RetentionDocumentType {
  if (value === 'default' || value === 'source:envelope' || value === 'source:import') return true;
  if (!value.startsWith('type:')) return false;
  const label = value.slice('type:'.length);
  return label.trim().length > 0 && label.length <= RETENTION_LIMITS.contractType && !/[\u0000-\u001f]/.test(label);
}

/** The active legal hold on any of the subjects, or undefined. */
export async function activeLegalHold(
  db: DbOrTx,
  subjects: ReadonlyArray<{ type: 'contract' | 'envelope'; id: string }>,
): Promise<
  | { id: string; subject_type: 'contract' | 'envelope'; subject_id: string; reason: string; placed_at: string }
  | undefined
> {
  if (subjects.length === 0) return undefined;
  return db
    .selectFrom('legal_holds')
    .select(['id', 'subject_type', 'subject_id', 'reason', 'placed_at'])
    .where('released_at', 'is', null)
    .where((eb) => eb.or(subjects.map((s) => eb.and([eb('subject_type', '=', s.type), eb('subject_id', '=', s.id)]))))
    .orderBy('placed_at')
    .executeTakeFirst();
}

/** Where a register entry's retention starts: its 締結日, else the envelope's completion, else its entry. */
export function contractStartsOn(row: {
  signed_on: string | null;
  completed_at: string | null;
  created_at: string;
}): string {
  return row.signed_on ?? japanDate(new Date(row.completed_at ?? row.created_at));
}

/** Where an envelope's retention starts: when it was completed, canceled, declined or expired. */
export function envelopeStartsOn(row: {
  completed_at: string | null;
  canceled_at: string | null;
  declined_at: string | null;
  expires_at: string | null;
  sent_at: string | null;
  created_at: string;
}): string {
  return japanDate(
    new Date(row.completed_at ?? row.canceled_at ?? row.declined_at ?? row.expires_at ?? row.sent_at ?? row.created_at),
  );
}

/** Envelopes with the times their retention may start from (the last decline comes from the recipients). */
export function envelopesWithEndTimes(db: DbOrTx) {
  return db
    .selectFrom('envelopes as e')
    .select(['e.id', 'e.status', 'e.completed_at', 'e.canceled_at', 'e.expires_at', 'e.sent_at', 'e.created_at'])
    .select((eb) =>
      eb
        .selectFrom('recipients as r')
        .select((inner) => inner.fn.max('r.declined_at').as('d'))
        .whereRef('r.envelope_id', '=', 'e.id')
        .as('declined_at'),
    );
}

/** Register entries with what their retention depends on (契約種別, source, 締結日, the envelope's completion). */
export function contractsWithStartTimes(db: DbOrTx) {
  return db
    .selectFrom('contracts as c')
    .leftJoin('envelopes as e', 'e.id', 'c.envelope_id')
    .select(['c.id', 'c.source', 'c.envelope_id', 'c.contract_type', 'c.signed_on', 'c.created_at', 'e.completed_at']);
}
