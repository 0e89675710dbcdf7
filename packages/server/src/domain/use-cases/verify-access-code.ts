import { accessCodeMatches, newToken } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import {
  assertLinkUsable,
  contextOfRecipient,
  findByLinkToken,
  signerCsrfToken,
  signerView,
  type SignerContext,
  type SignerView,
} from '../signer-access.ts';
import { inTransaction } from '../transaction.ts';
import type { RequestOrigin } from '../types.ts';
import { ACCESS_CODE_PATTERN } from '../validation.ts';
import { recipientTransition } from '../envelope-machine.ts';
import { toRecipient } from '../rows.ts';
import type { DbOrTx } from '../../ports/database.ts';

/** A signer session opened by the right code (or by signing in, for auth 'login'). */
export interface SignerSession {
  /** Goes into the signer cookie; only its hash is stored. */
  sessionToken: string;
  csrfToken: string;
  expiresAt: Date;
  view: SignerView;
}

type Outcome = { kind: 'passed'; session: SignerSession } | { kind: 'wrong'; remaining: number } | { kind: 'locked' };

/**
 * Checks an access code. Attempts are counted in the database, atomically and before the comparison,
 * so the limit (INKAN_ACCESS_CODE_MAX_ATTEMPTS) holds across instances, IP addresses and parallel
 * requests: at most that many codes are ever compared. The last wrong one locks the recipient,
 * records it and queues a mail to the sender. A well-formed right code resets the count and opens a
 * signer session. Codes that are not 4–8 digits cannot match and are refused without counting.
 */
export async function verifyAccessCode(
  ctx: DomainContext,
  input: { token: string; code: unknown; origin?: RequestOrigin },
): Promise<SignerSession> {
  const now = ctx.clock.now();
  const signer = await findByLinkToken(ctx.db, input.token);
  assertLinkUsable(ctx, signer, now);
  if (signer.recipient.auth !== 'access_code' || signer.recipient.accessCodeHash === null) {
    throw new AppError('FORBIDDEN', 'this recipient signs in with an account instead of an access code');
  }
  if (typeof input.code !== 'string' || !ACCESS_CODE_PATTERN.test(input.code)) {
    throw new AppError('INVALID_ACCESS_CODE_FORMAT', 'the access code is 4–8 digits');
  }
  const code = input.code;
  const max = ctx.config.accessCodeMaxAttempts;
  const recipientId = signer.recipient.id;
  const base = {
    organizationId: signer.envelope.organizationId,
    envelopeId: signer.envelope.id,
    actor: { type: 'recipient' as const, id: recipientId },
    origin: input.origin,
    at: now,
  };

  const outcome = await inTransaction(ctx.db, ctx.dialect, async (tx): Promise<Outcome> => {
    // Reserve an attempt first: the row lock (PostgreSQL) or the write lock (SQLite) orders parallel tries.
    const reserved = await tx
      .updateTable('recipients')
      .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) }))
      .where('id', '=', recipientId)
      .where('failed_attempts', '<', max)
      .where('status', '!=', 'locked')
      .returning(['failed_attempts', 'access_code_hash'])
      .executeTakeFirst();
    if (!reserved || reserved.access_code_hash === null) return { kind: 'locked' };
    if (accessCodeMatches(code, reserved.access_code_hash, ctx.keys.accessCode)) {
      const reset = await tx
        .updateTable('recipients')
        .set({ failed_attempts: 0 })
        .where('id', '=', recipientId)
        .returningAll()
        .executeTakeFirstOrThrow();
      await recordEvent(tx, { ...base, action: 'recipient.code-passed', details: { auth: 'access_code' } });
      // The view: the recipient as this transaction left it, the envelope as read for this request.
      const fresh = toRecipient(reset);
      const view = {
        ...signer,
        recipient: fresh,
        recipients: signer.recipients.map((r) => (r.id === recipientId ? fresh : r)),
      };
      return { kind: 'passed', session: await openSession(ctx, tx, recipientId, now, view) };
    }
    const attempts = reserved.failed_attempts;
    await recordEvent(tx, { ...base, action: 'recipient.code-failed', details: { attempts, maxAttempts: max } });
    if (attempts < max) return { kind: 'wrong', remaining: max - attempts };
    // A signed or declined recipient keeps that status (the machine's lock); the attempt count alone
    // keeps them locked out.
    const current = toRecipient(
      await tx.selectFrom('recipients').selectAll().where('id', '=', recipientId).executeTakeFirstOrThrow(),
    );
    await tx
      .updateTable('recipients')
      .set({ status: recipientTransition(current, 'lock') })
      .where('id', '=', recipientId)
      .where('status', '=', current.status)
      .execute();
    await tx.updateTable('recipients').set({ locked_at: now.toISOString() }).where('id', '=', recipientId).execute();
    await recordEvent(tx, { ...base, action: 'recipient.locked', details: { attempts } });
    await ctx.jobs.enqueue(
      tx,
      'mail.recipient-locked',
      { recipientId },
      { dedupeKey: `recipient-locked:${recipientId}` },
    );
    return { kind: 'locked' };
  });

  if (outcome.kind === 'locked')
    throw new AppError(
      'ACCESS_CODE_LOCKED',
      'too many wrong access codes; the sender has been told and can unlock the link',
    );
  if (outcome.kind === 'wrong')
    throw new AppError('ACCESS_CODE_WRONG', 'the access code is wrong', { remainingAttempts: outcome.remaining });
  return outcome.session;
}

/**
 * Stores a new signer session (hash only) in the caller's transaction and builds the signer's view (from
 * `signer` when the caller has it, else read in the transaction).
 */
export async function openSession(
  ctx: DomainContext,
  tx: DbOrTx,
  recipientId: string,
  now: Date,
  signer?: SignerContext,
): Promise<SignerSession> {
  const { token, hash } = newToken();
  const expiresAt = new Date(now.getTime() + ctx.config.sessionTtlMs);
  await tx
    .insertInto('recipient_sessions')
    .values({
      token_hash: hash,
      recipient_id: recipientId,
      created_at: now.toISOString(),
      expires_at: expiresAt.toISOString(),
    })
    .execute();
  const context =
    signer ??
    (await contextOfRecipient(
      tx,
      toRecipient(
        await tx.selectFrom('recipients').selectAll().where('id', '=', recipientId).executeTakeFirstOrThrow(),
      ),
    ));
  return {
    sessionToken: token,
    csrfToken: signerCsrfToken(ctx.keys.cookie, token),
    expiresAt,
    view: signerView(context, now),
  };
}
