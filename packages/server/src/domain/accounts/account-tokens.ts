import type { DbOrTx, Schema } from '../../ports/database.ts';
import { hashToken, newToken } from '../../security/tokens.ts';
import { AppError, type AppErrorCode } from '../app-error.ts';

type Purpose = Schema['account_tokens']['purpose'];

/** How long each kind of link is valid: sign-up 24 h, password reset 1 h, e-mail change 24 h. */
export const ACCOUNT_TOKEN_TTL_MS: Record<Purpose, number> = {
  signup: 24 * 3_600_000,
  password_reset: 3_600_000,
  email_change: 24 * 3_600_000,
};

const EXPIRED_CODE: Record<Purpose, AppErrorCode> = {
  signup: 'SIGNUP_LINK_EXPIRED',
  password_reset: 'RESET_LINK_EXPIRED',
  email_change: 'EMAIL_LINK_EXPIRED',
};

/** Stores a new one-use link token (only its SHA-256) and returns the token for the mail. */
export async function issueAccountToken(
  tx: DbOrTx,
  input: { purpose: Purpose; email: string; userId: string | null; nextPath: string | null; now: Date },
): Promise<string> {
  const { token, hash } = newToken();
  await tx
    .insertInto('account_tokens')
    .values({
      token_hash: hash,
      purpose: input.purpose,
      email: input.email,
      user_id: input.userId,
      next_path: input.nextPath,
      created_at: input.now.toISOString(),
      expires_at: new Date(input.now.getTime() + ACCOUNT_TOKEN_TTL_MS[input.purpose]).toISOString(),
      used_at: null,
    })
    .execute();
  return token;
}

/**
 * The live token row of a link, read only: malformed or unknown → LINK_INVALID (404), used or expired →
 * the purpose's *_LINK_EXPIRED (410).
 */
export async function findLiveAccountToken(
  db: DbOrTx,
  purpose: Purpose,
  token: unknown,
  now: Date,
): Promise<Schema['account_tokens']> {
  if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{32,128}$/.test(token))
    throw new AppError('LINK_INVALID', 'unknown link');
  const row = await db
    .selectFrom('account_tokens')
    .selectAll()
    .where('token_hash', '=', hashToken(token))
    .where('purpose', '=', purpose)
    .executeTakeFirst();
  if (!row) throw new AppError('LINK_INVALID', 'unknown link');
  if (row.used_at !== null || new Date(row.expires_at).getTime() <= now.getTime())
    throw new AppError(EXPIRED_CODE[purpose], 'the link was used or has expired');
  return row;
}

/** Marks a live token used, inside the transaction of what it allows (a second use loses the race: *_LINK_EXPIRED). */
export async function consumeAccountToken(
  tx: DbOrTx,
  purpose: Purpose,
  token: unknown,
  now: Date,
): Promise<Schema['account_tokens']> {
  const row = await findLiveAccountToken(tx, purpose, token, now);
  const used = await tx
    .updateTable('account_tokens')
    .set({ used_at: now.toISOString() })
    .where('token_hash', '=', row.token_hash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  if (Number(used.numUpdatedRows) !== 1) throw new AppError(EXPIRED_CODE[purpose], 'the link was used or has expired');
  return row;
}
