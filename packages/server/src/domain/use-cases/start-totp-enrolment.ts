import { renderSVG } from 'uqr';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { hitRateLimit } from '../accounts/rate-limit.ts';
import { inTransaction } from '../transaction.ts';
import { SECOND_FACTOR_RATE_LIMITS } from '../second-factors/second-factors.ts';
import { base32Encode, newTotpSecret, otpauthUri } from '../second-factors/totp.ts';

/** What the enrolment screen shows once: the seed (for typing), its otpauth:// URI and that URI as a QR code (SVG). */
export interface TotpEnrolment {
  secret: string;
  otpauthUri: string;
  qrSvg: string;
}

/**
 * Starts enrolling an authenticator app: a new seed, sealed (ctx.secrets, bound to the account) and unconfirmed (it guards
 * nothing until confirmTotpEnrolment). An account with a confirmed seed must remove it first
 * (VALIDATION_FAILED naming totp). The QR code is drawn here, so the seed never goes to another service.
 */
export async function startTotpEnrolment(
  ctx: DomainContext,
  input: { userId: string; email: string },
): Promise<TotpEnrolment> {
  await hitRateLimit(ctx, `totpEnrol:user:${input.userId}`, SECOND_FACTOR_RATE_LIMITS.enrol);
  const secret = newTotpSecret();
  const now = ctx.clock.now();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const existing = await tx
      .selectFrom('totp_factors')
      .select('confirmed_at')
      .where('user_id', '=', input.userId)
      .executeTakeFirst();
    if (existing?.confirmed_at)
      throw new AppError('VALIDATION_FAILED', 'an authenticator app is enrolled already; remove it first', {
        field: 'totp',
      });
    await tx.deleteFrom('totp_factors').where('user_id', '=', input.userId).execute();
    await tx
      .insertInto('totp_factors')
      .values({
        user_id: input.userId,
        secret_ciphertext: await ctx.secrets.sealSecret('totp-seed', secret, input.userId, tx),
        created_at: now.toISOString(),
        confirmed_at: null,
        last_used_step: null,
      })
      .execute();
  });
  const uri = otpauthUri(secret, 'Inkan', input.email);
  return { secret: base32Encode(secret), otpauthUri: uri, qrSvg: renderSVG(uri, { ecc: 'M', border: 2 }) };
}
