import { newToken } from '../security/tokens.ts';
import type { DbOrTx } from '../ports/database.ts';

/**
 * How many links of one recipient stay valid at once: each mail (request, reminder, resend) adds one,
 * so a page opened from an older mail keeps working; beyond this the oldest stop working.
 */
export const SIGNING_LINKS_PER_RECIPIENT = 5;

/**
 * Makes a new personal link for a recipient: a fresh random 256-bit token whose SHA-256 alone is
 * stored (nothing in the database, with or without the server's keys, gives the token back). With
 * `revokeEarlier` (a resend: the sender asks for a new link) every earlier link of the recipient stops
 * working; otherwise only the ones beyond SIGNING_LINKS_PER_RECIPIENT, oldest first.
 */
export async function issueSigningLink(
  tx: DbOrTx,
  input: { recipientId: string; now: Date; revokeEarlier: boolean },
): Promise<string> {
  const { token, hash } = newToken();
  if (input.revokeEarlier) await revokeSigningLinks(tx, input.recipientId);
  await tx
    .insertInto('signing_links')
    .values({ token_hash: hash, recipient_id: input.recipientId, created_at: input.now.toISOString() })
    .execute();
  const kept = await tx
    .selectFrom('signing_links')
    .select('token_hash')
    .where('recipient_id', '=', input.recipientId)
    .orderBy('created_at', 'desc')
    .orderBy('token_hash')
    .limit(SIGNING_LINKS_PER_RECIPIENT)
    .execute();
  await tx
    .deleteFrom('signing_links')
    .where('recipient_id', '=', input.recipientId)
    .where(
      'token_hash',
      'not in',
      kept.map((k) => k.token_hash),
    )
    .execute();
  return token;
}

/** Every link of a recipient stops working. */
export async function revokeSigningLinks(tx: DbOrTx, recipientId: string): Promise<void> {
  await tx.deleteFrom('signing_links').where('recipient_id', '=', recipientId).execute();
}
