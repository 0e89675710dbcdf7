import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { isMfaRequiredFor, STEP_UP_WINDOW_MS } from '../second-factors/second-factors.ts';

/** The account's second factors as the security section shows them (never a secret). */
export interface SecurityOverview {
  totp: { enrolled: boolean; confirmedAt: string | null };
  passkeys: Array<{ id: string; name: string; createdAt: string; lastUsedAt: string | null }>;
  recoveryCodesLeft: number;
  /** One of the account's organisations requires a second factor. */
  mfaRequired: boolean;
}

/** The account's second factors (read only). */
export async function getSecurityOverview(ctx: DomainContext, input: { userId: string }): Promise<SecurityOverview> {
  const totp = await ctx.db
    .selectFrom('totp_factors')
    .select('confirmed_at')
    .where('user_id', '=', input.userId)
    .executeTakeFirst();
  const passkeys = await ctx.db
    .selectFrom('passkeys')
    .select(['id', 'name', 'created_at', 'last_used_at'])
    .where('user_id', '=', input.userId)
    .orderBy('created_at')
    .execute();
  const codes = await ctx.db
    .selectFrom('recovery_codes')
    .select('code_hash')
    .where('user_id', '=', input.userId)
    .where('used_at', 'is', null)
    .execute();
  return {
    totp: { enrolled: Boolean(totp?.confirmed_at), confirmedAt: totp?.confirmed_at ?? null },
    passkeys: passkeys.map((p) => ({ id: p.id, name: p.name, createdAt: p.created_at, lastUsedAt: p.last_used_at })),
    recoveryCodesLeft: codes.length,
    mfaRequired: await isMfaRequiredFor(ctx.db, input.userId),
  };
}

/** Throws STEP_UP_REQUIRED unless a second factor was given in this session in the last 10 minutes. */
export function assertRecentSecondFactor(secondFactorAt: Date | null, now: Date): void {
  if (secondFactorAt === null || now.getTime() - secondFactorAt.getTime() > STEP_UP_WINDOW_MS) {
    throw new AppError('STEP_UP_REQUIRED', 'give your second factor again first', {
      windowSeconds: STEP_UP_WINDOW_MS / 1000,
    });
  }
}
