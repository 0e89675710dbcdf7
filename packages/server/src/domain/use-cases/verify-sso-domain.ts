import type { DnsResolver } from '../../ports/dns-resolver.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import {
  domainClaims,
  domainRecordName,
  domainRecordValue,
  type DomainClaim,
} from '../sign-in-security/sso-connections.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';

/**
 * 確認 of a claimed domain: looks up the TXT record `_inkan.<domain>` and, when one of its records is
 * exactly `inkan-domain-verification=<token>`, marks the claim verified (from then on it counts for
 * single sign-on) and records `sso.domain-verified`. No record → SSO_DOMAIN_RECORD_NOT_FOUND; records
 * with other values → SSO_DOMAIN_RECORD_MISMATCH; no answer from the resolver → SSO_DOMAIN_LOOKUP_FAILED.
 * A refusal writes nothing. A claim verified already stays so (no lookup, no event).
 */
export async function verifySsoDomain(
  ctx: DomainContext & { dns: DnsResolver },
  input: { organizationId: string; domain: string; actor: Actor; origin?: RequestOrigin },
): Promise<DomainClaim> {
  const domain = input.domain.trim().toLowerCase();
  const claimOf = async () =>
    (await domainClaims(ctx.db, input.organizationId)).find((claim) => claim.domain === domain);
  const claim = await claimOf();
  // Another organisation's claim is as unknown here as no claim at all.
  if (!claim) throw new AppError('NOT_FOUND', 'this organisation has not claimed that domain');
  if (claim.verifiedAt !== null) return claim;

  // The lookup runs outside the transaction: a slow resolver must not hold a database connection.
  const name = domainRecordName(domain);
  const found = await ctx.dns.txt(name);
  if (found.kind === 'failed')
    throw new AppError('SSO_DOMAIN_LOOKUP_FAILED', `no answer for ${name}`, { name, reason: found.reason });
  if (found.kind === 'not-found' || found.records.length === 0)
    throw new AppError('SSO_DOMAIN_RECORD_NOT_FOUND', `no TXT record at ${name}`, { name });
  if (!found.records.some((record) => record.trim() === claim.record.value))
    throw new AppError('SSO_DOMAIN_RECORD_MISMATCH', `the TXT records at ${name} hold other values`, { name });

  const now = ctx.clock.now();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    // Only the claim whose token was looked up (it may have been dropped and claimed anew meanwhile).
    const updated = await tx
      .updateTable('sso_domains')
      .set({ verified_at: now.toISOString() })
      .where('domain', '=', domain)
      .where('organization_id', '=', input.organizationId)
      .where('verification_token', '=', claim.record.value.slice(domainRecordValue('').length))
      .where('verified_at', 'is', null)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return;
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'sso.domain-verified',
      origin: input.origin,
      at: now,
      details: { domain, record: name },
    });
  });
  return (await claimOf()) ?? claim;
}
