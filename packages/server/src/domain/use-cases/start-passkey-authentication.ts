import { generateAuthenticationOptions, type PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { DomainContext } from '../domain-context.ts';
import { newWebauthnChallenge, relyingParty, storeCeremony } from '../second-factors/passkeys.ts';
import { loadSignInChallenge } from './complete-second-factor-sign-in.ts';

/**
 * Options for `navigator.credentials.get()`. Passwordless sign-in: any discoverable passkey of this
 * site. Second step of a sign-in (`challengeToken`) or step-up (`userId`): only that account's passkeys.
 */
export async function startPasskeyAuthentication(
  ctx: DomainContext,
  input: { challengeToken?: string; userId?: string },
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const now = ctx.clock.now();
  const userId =
    input.challengeToken !== undefined
      ? (await loadSignInChallenge(ctx.db, input.challengeToken, now)).user_id
      : (input.userId ?? null);
  const passkeys =
    userId === null
      ? []
      : await ctx.db.selectFrom('passkeys').select(['id', 'transports']).where('user_id', '=', userId).execute();
  const options = await generateAuthenticationOptions({
    rpID: relyingParty(ctx).rpID,
    challenge: newWebauthnChallenge(),
    userVerification: 'required',
    allowCredentials: passkeys.map((p) => ({
      id: p.id,
      transports: p.transports ? (JSON.parse(p.transports) as string[]) : undefined,
    })),
  });
  await storeCeremony(ctx.db, 'passkey-sign-in', options.challenge, userId, now);
  return options;
}
