import { createHmac, randomBytes } from 'node:crypto';
import type { DbOrTx } from '../../ports/database.ts';
import type { DomainContext } from '../domain-context.ts';
import { assertBelowRateLimit, hitRateLimit, type RateLimit } from '../accounts/rate-limit.ts';
import { matchTotpStep } from './totp.ts';

/** A second factor counts for step-up this long after it was given. */
export const STEP_UP_WINDOW_MS = 10 * 60_000;
/** The second step of sign-in must be completed within this time of the password. */
export const SIGN_IN_CHALLENGE_TTL_MS = 5 * 60_000;
/** Wrong codes allowed per sign-in challenge before it is spent. */
export const SIGN_IN_CHALLENGE_MAX_ATTEMPTS = 5;
/** How many recovery codes a set has. */
export const RECOVERY_CODE_COUNT = 10;

/** Limits of the second-factor surfaces: failures per account (routes add their own per-IP limit). */
export const SECOND_FACTOR_RATE_LIMITS = {
  verify: { max: 10, windowMs: 15 * 60_000 },
  enrol: { max: 20, windowMs: 60 * 60_000 },
} as const satisfies Record<string, RateLimit>;

/** Whether an account has a usable second factor (a confirmed TOTP seed or a passkey). */
export async function hasSecondFactor(db: DbOrTx, userId: string): Promise<boolean> {
  const totp = await db
    .selectFrom('totp_factors')
    .select('user_id')
    .where('user_id', '=', userId)
    .where('confirmed_at', 'is not', null)
    .executeTakeFirst();
  if (totp) return true;
  const passkey = await db.selectFrom('passkeys').select('id').where('user_id', '=', userId).executeTakeFirst();
  return passkey !== undefined;
}

/** Whether one of the account's organisations requires a second factor of its members. */
export async function isMfaRequiredFor(db: DbOrTx, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('memberships')
    .innerJoin('organizations', 'organizations.id', 'memberships.organization_id')
    .select('organizations.id')
    .where('memberships.user_id', '=', userId)
    .where('organizations.mfa_required', '=', 1)
    .where('memberships.deactivated_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}

// Recovery codes: 16 characters of an alphabet without look-alikes (80 bits), shown as XXXX-XXXX-XXXX-XXXX.
const RECOVERY_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A new recovery code (80 random bits), formatted for reading aloud. */
export function newRecoveryCode(): string {
  const bytes = randomBytes(16);
  let out = '';
  for (let i = 0; i < 16; i++) out += RECOVERY_ALPHABET[bytes[i]! & 31];
  return out.match(/.{4}/g)!.join('-');
}

/** The normal form of a typed recovery code (case, spaces and dashes ignored), or undefined when malformed. */
export function normalizeRecoveryCode(input: string): string | undefined {
  const compact = input.toUpperCase().replace(/[\s-]/g, '');
  return /^[A-Z0-9]{16}$/.test(compact) ? compact : undefined;
}

/** HMAC-SHA-256 of a normalised recovery code under the server's recovery-code key. */
export function hashRecoveryCode(key: Uint8Array, normalized: string): string {
  return createHmac('sha256', key).update(normalized, 'utf8').digest('hex');
}

/** Replaces the account's recovery codes with a new set; returns the codes (shown once). */
export async function replaceRecoveryCodes(
  ctx: DomainContext,
  tx: DbOrTx,
  userId: string,
  now: Date,
): Promise<string[]> {
  await tx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await tx
    .insertInto('recovery_codes')
    .values(
      codes.map((code) => ({
        code_hash: hashRecoveryCode(ctx.keys.recoveryCode, normalizeRecoveryCode(code)!),
        user_id: userId,
        created_at: now.toISOString(),
        used_at: null,
      })),
    )
    .execute();
  return codes;
}

/**
 * Opens an account's stored TOTP seed (ctx.secrets, purpose 'totp-seed', bound to the user id; seeds
 * of the first format still open) for `use`, and wipes the clear seed afterwards.
 */
export async function openTotpSeed<T>(
  ctx: DomainContext,
  via: DbOrTx,
  userId: string,
  sealed: string,
  use: (seed: Uint8Array) => T,
): Promise<T> {
  const seed = await ctx.secrets.openSecret('totp-seed', sealed, userId, via);
  try {
    return use(seed);
  } finally {
    seed.fill(0);
  }
}

/** A code typed at the second step: a TOTP code or a recovery code. */
export type SecondFactorInput = { code: string } | { recoveryCode: string };

/**
 * Checks a TOTP or recovery code of an account inside the caller's transaction and spends it: the
 * TOTP step is remembered (the same code, or an older one, is refused afterwards), the recovery code is
 * marked used. Returns the method, or undefined when the code is wrong, used or replayed.
 */
export async function consumeSecondFactorCode(
  ctx: DomainContext,
  tx: DbOrTx,
  userId: string,
  input: SecondFactorInput,
  now: Date,
): Promise<'totp' | 'recovery-code' | undefined> {
  if ('code' in input) {
    const factor = await tx
      .selectFrom('totp_factors')
      .selectAll()
      .where('user_id', '=', userId)
      .where('confirmed_at', 'is not', null)
      .executeTakeFirst();
    if (!factor) return undefined;
    const step = await openTotpSeed(ctx, tx, userId, factor.secret_ciphertext, (seed) =>
      matchTotpStep(seed, input.code.trim(), now),
    );
    if (step === undefined) return undefined;
    // Compare-and-set: of two requests with the same code, only one moves the step forward.
    const moved = await tx
      .updateTable('totp_factors')
      .set({ last_used_step: step })
      .where('user_id', '=', userId)
      .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', step)]))
      .executeTakeFirst();
    return Number(moved.numUpdatedRows) === 1 ? 'totp' : undefined;
  }
  const normalized = normalizeRecoveryCode(input.recoveryCode);
  if (!normalized) return undefined;
  const hash = hashRecoveryCode(ctx.keys.recoveryCode, normalized);
  const used = await tx
    .updateTable('recovery_codes')
    .set({ used_at: now.toISOString() })
    .where('code_hash', '=', hash)
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(used.numUpdatedRows) === 1 ? 'recovery-code' : undefined;
}

/** Counts a failed second-factor attempt of an account; throws RATE_LIMITED past the limit. */
export async function countSecondFactorFailure(ctx: DomainContext, userId: string): Promise<void> {
  await hitRateLimit(ctx, `secondFactor:user:${userId}`, SECOND_FACTOR_RATE_LIMITS.verify);
}

/** Throws RATE_LIMITED when an account's failures already fill the window (counts nothing). */
export async function assertSecondFactorAllowed(ctx: DomainContext, userId: string): Promise<void> {
  await assertBelowRateLimit(ctx, `secondFactor:user:${userId}`, SECOND_FACTOR_RATE_LIMITS.verify);
}

/** Marks a session as having given a second factor now, and lifts the enrolment requirement. */
export async function markSessionSecondFactor(tx: DbOrTx, sessionHash: string, now: Date): Promise<void> {
  await tx
    .updateTable('sessions')
    .set({ second_factor_at: now.toISOString(), mfa_enrolment_required: 0 })
    .where('token_hash', '=', sessionHash)
    .execute();
}

/** After a first second factor is enrolled: no session of the account is held at the enrolment page any more. */
export async function liftEnrolmentRequirement(tx: DbOrTx, userId: string): Promise<void> {
  await tx.updateTable('sessions').set({ mfa_enrolment_required: 0 }).where('user_id', '=', userId).execute();
}
