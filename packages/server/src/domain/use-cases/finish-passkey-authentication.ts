import { verifyAuthenticationResponse, type AuthenticationResponseJSON } from '@simplewebauthn/server';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { RequestOrigin } from '../types.ts';
import { assertSecondFactorAllowed, markSessionSecondFactor } from '../second-factors/second-factors.ts';
import { answeredChallenge, relyingParty, spendCeremony } from '../second-factors/passkeys.ts';
import { loadSignInChallenge, recordSecondFactorFailure } from './complete-second-factor-sign-in.ts';
import { createSession, type UserSession } from './sign-in.ts';
import { assertNonSsoSignInAllowed } from '../sign-in-security/sso-connections.ts';

/** What a verified passkey is for: a passwordless sign-in, the second step of one, or step-up of a session. */
export type PasskeyPurpose =
  | { kind: 'sign-in' }
  | { kind: 'second-step'; challengeToken: string }
  | { kind: 'step-up'; userId: string; sessionHash: string };

/**
 * Verifies the browser's answer to startPasskeyAuthentication (challenge, origin, RP ID, user
 * verification, signature with the stored public key, counter) and then: opens a session (sign-in and
 * second step; the passkey with user verification counts as the second factor) or marks the session
 * stepped up. A passkey of another account than the ceremony's is refused. Records `mfa.second-factor-used`
 * and `session.signed-in`, or `mfa.second-factor-failed` for a known account.
 */
export async function finishPasskeyAuthentication(
  ctx: DomainContext,
  input: { response: unknown; purpose: PasskeyPurpose; origin?: RequestOrigin },
): Promise<UserSession | { secondFactorAt: string }> {
  const now = ctx.clock.now();
  const challenge = answeredChallenge(input.response);
  const credentialId = (input.response as { id?: unknown }).id;
  if (typeof credentialId !== 'string' || credentialId.length > 1024)
    throw new AppError('PASSKEY_FAILED', 'no credential id');
  const signIn =
    input.purpose.kind === 'second-step'
      ? await loadSignInChallenge(ctx.db, input.purpose.challengeToken, now)
      : undefined;
  const expectedUser = signIn?.user_id ?? (input.purpose.kind === 'step-up' ? input.purpose.userId : undefined);
  if (expectedUser) await assertSecondFactorAllowed(ctx, expectedUser);
  const rp = relyingParty(ctx);
  try {
    return await inTransaction(ctx.db, ctx.dialect, async (tx) => {
      const ceremony = await spendCeremony(tx, 'passkey-sign-in', challenge, now);
      const passkey = await tx.selectFrom('passkeys').selectAll().where('id', '=', credentialId).executeTakeFirst();
      if (!passkey) throw new AppError('PASSKEY_FAILED', 'unknown passkey');
      if (
        (ceremony.user_id !== null && ceremony.user_id !== passkey.user_id) ||
        (expectedUser !== undefined && expectedUser !== passkey.user_id)
      )
        throw new AppError('PASSKEY_FAILED', 'the passkey belongs to another account');
      let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
      try {
        verified = await verifyAuthenticationResponse({
          response: input.response as AuthenticationResponseJSON,
          expectedChallenge: challenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.rpID,
          requireUserVerification: true,
          credential: {
            id: passkey.id,
            publicKey: new Uint8Array(Buffer.from(passkey.public_key, 'base64url')),
            counter: Number(passkey.counter),
            transports: passkey.transports ? (JSON.parse(passkey.transports) as string[]) : undefined,
          },
        });
      } catch (cause) {
        throw new AppError(
          'PASSKEY_FAILED',
          `passkey refused: ${cause instanceof Error ? cause.message.slice(0, 200) : 'unknown'}`,
        );
      }
      if (!verified.verified) throw new AppError('PASSKEY_FAILED', 'passkey not verified');
      await tx
        .updateTable('passkeys')
        .set({ counter: verified.authenticationInfo.newCounter, last_used_at: now.toISOString() })
        .where('id', '=', passkey.id)
        .execute();
      const actor = { type: 'user', id: passkey.user_id } as const;
      if (input.purpose.kind === 'step-up') {
        await markSessionSecondFactor(tx, input.purpose.sessionHash, now);
        const organizationId =
          (
            await tx
              .selectFrom('sessions')
              .select('organization_id')
              .where('token_hash', '=', input.purpose.sessionHash)
              .executeTakeFirst()
          )?.organization_id ?? null;
        await recordEvent(tx, {
          organizationId,
          actor,
          action: 'mfa.second-factor-used',
          origin: input.origin,
          at: now,
          details: { method: 'passkey', purpose: 'step-up' },
        });
        return { secondFactorAt: now.toISOString() };
      }
      if (signIn) {
        const spent = await tx
          .updateTable('second_factor_challenges')
          .set({ used_at: now.toISOString() })
          .where('token_hash', '=', signIn.token_hash)
          .where('used_at', 'is', null)
          .executeTakeFirst();
        if (Number(spent.numUpdatedRows) !== 1)
          throw new AppError('SECOND_FACTOR_EXPIRED', 'the sign-in challenge was used already');
      }
      // A passwordless sign-in is a sign-in outside single sign-on: a domain that requires SSO refuses it.
      if (!signIn) {
        const owner = await tx
          .selectFrom('users')
          .select(['id', 'email'])
          .where('id', '=', passkey.user_id)
          .executeTakeFirst();
        if (owner) await assertNonSsoSignInAllowed(tx, owner);
      }
      const session = await createSession(ctx, tx, passkey.user_id, now, input.origin, now);
      const organizationId = session.user.organization?.id ?? null;
      await recordEvent(tx, {
        organizationId,
        actor,
        action: 'mfa.second-factor-used',
        origin: input.origin,
        at: now,
        details: { method: 'passkey', purpose: input.purpose.kind },
      });
      await recordEvent(tx, {
        organizationId,
        actor,
        action: 'session.signed-in',
        origin: input.origin,
        at: now,
        details: { method: signIn ? 'password+passkey' : 'passkey' },
      });
      return session;
    });
  } catch (error) {
    if (error instanceof AppError && error.code === 'PASSKEY_FAILED') {
      const owner =
        expectedUser ??
        (await ctx.db.selectFrom('passkeys').select('user_id').where('id', '=', credentialId).executeTakeFirst())
          ?.user_id;
      if (owner)
        await recordSecondFactorFailure(
          ctx,
          owner,
          'passkey',
          input.purpose.kind === 'step-up' ? 'step-up' : 'sign-in',
          input.origin,
          signIn?.token_hash,
        );
    }
    throw error;
  }
}
