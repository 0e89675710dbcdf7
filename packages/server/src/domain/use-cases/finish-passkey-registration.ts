import { formatMessage } from '@inkan/core/messages';
import { verifyRegistrationResponse, type RegistrationResponseJSON } from '@simplewebauthn/server';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import { liftEnrolmentRequirement, markSessionSecondFactor } from '../second-factors/second-factors.ts';
import { answeredChallenge, relyingParty, spendCeremony } from '../second-factors/passkeys.ts';
import type { AccountActor } from './confirm-totp-enrolment.ts';

/**
 * Verifies the browser's answer to startPasskeyRegistration (challenge of this account, origin, RP ID,
 * user verification) and stores the public key under a name. The session counts as having given a
 * second factor and the MFA policy stops holding the account's sessions. Records `mfa.passkey-added`.
 */
export async function finishPasskeyRegistration(
  ctx: DomainContext,
  input: AccountActor & { response: unknown; name: string },
): Promise<{ id: string; name: string }> {
  const now = ctx.clock.now();
  const challenge = answeredChallenge(input.response);
  const rp = relyingParty(ctx);
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const ceremony = await spendCeremony(tx, 'passkey-register', challenge, now);
    if (ceremony.user_id !== input.userId)
      throw new AppError('PASSKEY_FAILED', 'the passkey challenge belongs to another account');
    let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
    try {
      verified = await verifyRegistrationResponse({
        response: input.response as RegistrationResponseJSON,
        expectedChallenge: challenge,
        expectedOrigin: rp.origin,
        expectedRPID: rp.rpID,
        requireUserVerification: true,
      });
    } catch (cause) {
      throw new AppError(
        'PASSKEY_FAILED',
        `passkey registration refused: ${cause instanceof Error ? cause.message.slice(0, 200) : 'unknown'}`,
      );
    }
    if (!verified.verified) throw new AppError('PASSKEY_FAILED', 'passkey registration not verified');
    const { credential } = verified.registrationInfo;
    const taken = await tx.selectFrom('passkeys').select('id').where('id', '=', credential.id).executeTakeFirst();
    if (taken) throw new AppError('PASSKEY_FAILED', 'this passkey is registered already');
    const name = input.name.trim().slice(0, 100) || formatMessage('ja', 'account.passkey.defaultName');
    await tx
      .insertInto('passkeys')
      .values({
        id: credential.id,
        user_id: input.userId,
        public_key: Buffer.from(credential.publicKey).toString('base64url'),
        counter: credential.counter,
        transports: credential.transports ? JSON.stringify(credential.transports) : null,
        name,
        created_at: now.toISOString(),
        last_used_at: null,
      })
      .execute();
    await markSessionSecondFactor(tx, input.sessionHash, now);
    await liftEnrolmentRequirement(tx, input.userId);
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: { type: 'user', id: input.userId },
      action: 'mfa.passkey-added',
      origin: input.origin,
      at: now,
      details: { passkeyName: name },
    });
    return { id: credential.id, name };
  });
}
