import { randomFillSync } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { DbOrTx, Schema } from '../../ports/database.ts';
import { hashToken } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';

/** A WebAuthn ceremony must finish within this time of its options. */
export const PASSKEY_CEREMONY_TTL_MS = 5 * 60_000;

/** The relying party: this installation's public URL (its host is the RP ID, its origin the expected origin). */
export function relyingParty(ctx: DomainContext): { rpID: string; origin: string; rpName: string } {
  const url = new URL(ctx.config.publicUrl);
  return { rpID: url.hostname, origin: url.origin, rpName: 'Inkan' };
}

/** A fresh 256-bit WebAuthn challenge. */
export function newWebauthnChallenge(): Uint8Array<ArrayBuffer> {
  return randomFillSync(new Uint8Array(32));
}

/** Stores a ceremony's challenge (keyed by its hash: the browser's answer names it). */
export async function storeCeremony(
  tx: DbOrTx,
  purpose: 'passkey-register' | 'passkey-sign-in',
  challenge: string,
  userId: string | null,
  now: Date,
): Promise<void> {
  await tx
    .insertInto('second_factor_challenges')
    .values({
      token_hash: hashToken(challenge),
      purpose,
      user_id: userId,
      webauthn_challenge: challenge,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + PASSKEY_CEREMONY_TTL_MS).toISOString(),
      used_at: null,
    })
    .execute();
}

/** The challenge a browser answered (from clientDataJSON), bounded; PASSKEY_FAILED when unreadable. */
export function answeredChallenge(response: unknown): string {
  const clientData = (response as { response?: { clientDataJSON?: unknown } } | null)?.response?.clientDataJSON;
  if (typeof clientData !== 'string' || clientData.length > 4096)
    throw new AppError('PASSKEY_FAILED', 'no client data');
  try {
    const parsed = JSON.parse(Buffer.from(clientData, 'base64url').toString('utf8')) as { challenge?: unknown };
    if (typeof parsed.challenge === 'string' && /^[A-Za-z0-9_-]{16,128}$/.test(parsed.challenge))
      return parsed.challenge;
  } catch {
    // fall through: unreadable client data is a failed ceremony
  }
  throw new AppError('PASSKEY_FAILED', 'unreadable client data');
}

/** Spends the live ceremony of a challenge (one use, unexpired, of the purpose); PASSKEY_FAILED otherwise. */
export async function spendCeremony(
  tx: DbOrTx,
  purpose: 'passkey-register' | 'passkey-sign-in',
  challenge: string,
  now: Date,
): Promise<Selectable<Schema['second_factor_challenges']>> {
  const row = await tx
    .selectFrom('second_factor_challenges')
    .selectAll()
    .where('token_hash', '=', hashToken(challenge))
    .where('purpose', '=', purpose)
    .executeTakeFirst();
  if (!row || row.used_at !== null || new Date(row.expires_at).getTime() <= now.getTime())
    throw new AppError('PASSKEY_FAILED', 'unknown, used or expired passkey challenge');
  const spent = await tx
    .updateTable('second_factor_challenges')
    .set({ used_at: now.toISOString() })
    .where('token_hash', '=', row.token_hash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  if (Number(spent.numUpdatedRows) !== 1)
    throw new AppError('PASSKEY_FAILED', 'the passkey challenge was used already');
  return row;
}
