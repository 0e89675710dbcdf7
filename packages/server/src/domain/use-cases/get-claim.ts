import type { DomainContext } from '../domain-context.ts';
import { assertClaimOpen, loadClaim } from '../register/claim-link.ts';
import type { ClaimView } from '../register/contract-api-types.ts';

export type { ClaimView } from '../register/contract-api-types.ts';

/**
 * GET of a claim link (no side effect, no session needed): claimable, already claimed by the signed-in
 * account (its entry), or claimed by another account. CLAIM_INVALID for a malformed or unknown token;
 * CLAIM_EXPIRED (with the sender) after INKAN_CLAIM_TTL, except for the account that claimed it.
 */
export async function getClaim(
  ctx: Pick<DomainContext, 'db' | 'clock'>,
  input: { token: string; userId?: string },
): Promise<ClaimView> {
  const claim = await loadClaim(ctx.db, input.token);
  const base = {
    envelope: { name: claim.envelope.name, certificateId: claim.envelope.certificate_id },
    sender: claim.sender,
    expiresAt: claim.link.expires_at,
  };
  if (claim.link.claimed_by_user_id !== null && claim.link.claimed_by_user_id === input.userId) {
    return {
      status: 'claimed-by-you',
      ...base,
      ...(claim.link.contract_id ? { contractId: claim.link.contract_id } : {}),
    };
  }
  assertClaimOpen(claim, ctx.clock.now());
  return { status: claim.link.claimed_by_user_id === null ? 'claimable' : 'claimed', ...base };
}
