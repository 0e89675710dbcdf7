import { generateRegistrationOptions, type PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import type { DomainContext } from '../domain-context.ts';
import { hitRateLimit } from '../accounts/rate-limit.ts';
import { SECOND_FACTOR_RATE_LIMITS } from '../second-factors/second-factors.ts';
import { newWebauthnChallenge, relyingParty, storeCeremony } from '../second-factors/passkeys.ts';

/**
 * Options for `navigator.credentials.create()`: a discoverable credential with user verification (so
 * the passkey can also sign in without a password), excluding the account's passkeys already there.
 */
export async function startPasskeyRegistration(
  ctx: DomainContext,
  input: { userId: string; email: string; name: string },
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  await hitRateLimit(ctx, `passkeyEnrol:user:${input.userId}`, SECOND_FACTOR_RATE_LIMITS.enrol);
  const rp = relyingParty(ctx);
  const existing = await ctx.db
    .selectFrom('passkeys')
    .select(['id', 'transports'])
    .where('user_id', '=', input.userId)
    .execute();
  const options = await generateRegistrationOptions({
    rpName: rp.rpName,
    rpID: rp.rpID,
    userName: input.email,
    userDisplayName: input.name,
    userID: new TextEncoder().encode(input.userId),
    challenge: newWebauthnChallenge(),
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({
      id: p.id,
      transports: p.transports ? (JSON.parse(p.transports) as string[]) : undefined,
    })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  });
  await storeCeremony(ctx.db, 'passkey-register', options.challenge, input.userId, ctx.clock.now());
  return options;
}
