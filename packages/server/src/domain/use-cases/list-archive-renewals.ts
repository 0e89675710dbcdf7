import type { DomainContext } from '../domain-context.ts';
import type { ContractScope } from '../register/contract-model.ts';
import type { ArchiveRenewalItem, ArchiveRenewals } from '../archive-renewal-types.ts';
import { renewalReason } from './renew-archive-timestamps.ts';

export type { ArchiveRenewalItem, ArchiveRenewals } from '../archive-renewal-types.ts';

/** Rows per list: the page shows the nearest renewals and the latest done ones. */
const LIMIT = 500;

/**
 * LTA renewals of an owner (read only): an organisation (its sealed files and its register's imports)
 * or an account (its personal register's 保管 copies and imports). `upcoming` — the current version of
 * every stored PDF, soonest due first (files without a document timestamp last: they cannot be
 * renewed); `done` — the versions made by renewals, newest first. The owner's rows only.
 */
export async function listArchiveRenewals(
  ctx: Pick<DomainContext, 'db' | 'clock' | 'config'>,
  input: { scope: ContractScope },
): Promise<ArchiveRenewals> {
  const { scope } = input;
  const base = ctx.db
    .selectFrom('archive_versions as v')
    .leftJoin('envelopes as e', 'e.id', 'v.envelope_id')
    .leftJoin('contracts as c', 'c.id', 'v.contract_id')
    .selectAll('v')
    .select(['e.name as envelope_name', 'e.certificate_id as certificate_id', 'c.title as contract_title'])
    .where((eb) =>
      scope.kind === 'organization'
        ? eb('v.organization_id', '=', scope.organizationId)
        : eb('v.owner_user_id', '=', scope.userId),
    );
  const [current, renewed] = await Promise.all([
    base.where('v.current', '=', 1).orderBy('v.tsa_expires_at').orderBy('v.id').limit(LIMIT).execute(),
    base.where('v.version', '>', 1).orderBy('v.renewed_at', 'desc').orderBy('v.id').limit(LIMIT).execute(),
  ]);
  const now = ctx.clock.now();
  const policy = ctx.config.renewal;
  const present = (v: (typeof current)[number]): ArchiveRenewalItem => {
    const due = renewalReason(v, now, policy) !== null;
    const byExpiry = v.tsa_expires_at === null ? null : new Date(Date.parse(v.tsa_expires_at) - policy.marginMs);
    return {
      envelopeId: v.envelope_id,
      envelopeName: v.envelope_name,
      certificateId: v.certificate_id,
      contractId: v.contract_id,
      contractTitle: v.contract_title,
      subjectKind: v.subject_kind,
      name: v.name,
      version: v.version,
      sha256: v.sha256,
      sha256Original: v.sha256_original,
      sha256Previous: v.sha256_previous,
      timestampAt: v.timestamp_at,
      tsaSubject: v.tsa_subject,
      tsaExpiresAt: v.tsa_expires_at,
      timestampHash: v.timestamp_hash,
      reason: v.reason,
      renewedAt: v.renewed_at,
      dueAt: byExpiry === null ? null : (due && byExpiry > now ? now : byExpiry).toISOString(),
      due,
    };
  };
  const upcoming = current.map(present);
  // Due ones first, then by due date; unrenewable ones (no document timestamp) last.
  upcoming.sort((a, b) => Number(b.due) - Number(a.due) || (a.dueAt ?? '\uffff').localeCompare(b.dueAt ?? '\uffff'));
  return {
    marginDays: Math.round(policy.marginMs / 86_400_000),
    minimumHash: policy.minimumHash,
    upcoming,
    done: renewed.map(present),
  };
}
