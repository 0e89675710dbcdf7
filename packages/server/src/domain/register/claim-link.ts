import type { Selectable } from 'kysely';
import type { DbOrTx, Schema } from '../../ports/database.ts';
import { hashToken } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import type { ClaimSender } from './contract-api-types.ts';

export type { ClaimSender } from './contract-api-types.ts';

/** A claim link with what the claim page and the claim need. */
export interface LoadedClaim {
  link: Selectable<Schema['claim_links']>;
  envelope: Selectable<Schema['envelopes']>;
  sender: ClaimSender;
}

/**
 * Finds a claim link by its token: CLAIM_INVALID when the token is malformed or unknown (or its
 * envelope is gone). Does not look at expiry: callers decide (the account that claimed keeps its copy).
 */
export async function loadClaim(db: DbOrTx, token: string): Promise<LoadedClaim> {
  if (!/^[A-Za-z0-9_-]{32,128}$/.test(token)) throw new AppError('CLAIM_INVALID', 'malformed claim token');
  const link = await db
    .selectFrom('claim_links')
    .selectAll()
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!link) throw new AppError('CLAIM_INVALID', 'unknown claim token');
  const envelope = await db.selectFrom('envelopes').selectAll().where('id', '=', link.envelope_id).executeTakeFirst();
  if (!envelope) throw new AppError('CLAIM_INVALID', 'the envelope of this claim link no longer exists');
  const organization = await db
    .selectFrom('organizations')
    .select('name')
    .where('id', '=', envelope.organization_id)
    .executeTakeFirst();
  const user = envelope.created_by_user_id
    ? await db
        .selectFrom('users')
        .select(['name', 'email'])
        .where('id', '=', envelope.created_by_user_id)
        .executeTakeFirst()
    : undefined;
  return {
    link,
    envelope,
    sender: { organization: organization?.name ?? '', name: user?.name ?? null, email: user?.email ?? null },
  };
}

/** CLAIM_EXPIRED (410) naming the sender to contact, when the link is past INKAN_CLAIM_TTL. */
export function assertClaimOpen(claim: LoadedClaim, now: Date): void {
  if (new Date(claim.link.expires_at).getTime() <= now.getTime()) {
    throw new AppError('CLAIM_EXPIRED', 'the claim period has passed', {
      sender: claim.sender,
      expiresAt: claim.link.expires_at,
    });
  }
}
