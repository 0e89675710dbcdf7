import { hashAccessCode } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { envelopeTransition, recipientTransition } from '../envelope-machine.ts';
import { recordEvent } from '../record-event.ts';
import { loadEnvelopeDetails, type EnvelopeDetails } from '../rows.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';
import { ACCESS_CODE_PATTERN } from '../validation.ts';
import { getEnvelope } from './get-envelope.ts';

/**
 * Unlocks a recipient (wrong codes forgotten) and optionally sets a new access code; with a new code,
 * the recipient's open signer sessions end. Works on locked and not-yet-locked recipients of an active
 * envelope, so the sender can also just change a code. A code the counterparty registered (届出,
 * 登録済みアクセスコード) is the counterparty's secret: the sender may only unlock (attempts forgotten, the
 * registered code kept); a new code → ACCESS_CODE_REGISTERED, nothing written. Otherwise the sender would
 * know the code that stands for the counterparty's own choice.
 */
export async function unlockRecipient(
  ctx: DomainContext,
  input: {
    organizationId: string;
    envelopeId: string;
    recipientId: string;
    accessCode?: unknown;
    actor: Actor;
    origin?: RequestOrigin;
  },
): Promise<EnvelopeDetails> {
  const details = await getEnvelope(ctx, input);
  const recipient = details.recipients.find((r) => r.id === input.recipientId);
  if (!recipient) throw new AppError('NOT_FOUND', 'no such recipient');
  const code = input.accessCode;
  const newCode = code !== undefined && code !== null && code !== '';
  if (newCode && (typeof code !== 'string' || !ACCESS_CODE_PATTERN.test(code))) {
    throw new AppError('INVALID_ACCESS_CODE_FORMAT', 'the access code must be 4–8 digits', { field: 'accessCode' });
  }
  if (newCode && recipient.addressBookContactId)
    throw new AppError('ACCESS_CODE_REGISTERED', 'the counterparty registered this access code; only unlock', {
      field: 'accessCode',
    });
  if (newCode && recipient.auth !== 'access_code')
    throw new AppError('VALIDATION_FAILED', 'this recipient signs in and has no access code', { field: 'accessCode' });
  const now = ctx.clock.now();
  const status = envelopeTransition(details.envelope, 'unlock', now);
  const restored = recipientTransition(recipient, 'unlock');
  const wasLocked = recipient.status === 'locked' || recipient.lockedAt !== null;
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    await tx
      .updateTable('recipients')
      .set({ failed_attempts: 0, locked_at: null })
      .where('id', '=', recipient.id)
      .execute();
    await tx
      .updateTable('recipients')
      .set({ status: restored })
      .where('id', '=', recipient.id)
      .where('status', '=', 'locked')
      .execute();
    if (newCode) {
      await tx
        .updateTable('recipients')
        .set({
          access_code_hash: hashAccessCode(code as string, ctx.keys.accessCode),
          access_code_sealed: await ctx.secrets.sealSecret('access-code', code as string, recipient.id, tx),
        })
        .where('id', '=', recipient.id)
        .execute();
      await tx.deleteFrom('recipient_sessions').where('recipient_id', '=', recipient.id).execute();
    }
    await recordEvent(tx, {
      organizationId: details.envelope.organizationId,
      envelopeId: details.envelope.id,
      actor: input.actor,
      action: 'recipient.unlocked',
      origin: input.origin,
      at: now,
      details: {
        recipientId: recipient.id,
        name: recipient.name,
        newCodeSet: newCode,
        wasLocked,
      },
    });
    // The signer hears that the link works again (and whether the code changed, never the code) —
    // once they have a link, that is: a recipient not yet invited gets the request mail instead.
    if ((wasLocked || newCode) && recipient.notifiedAt !== null && status === 'sent') {
      await ctx.jobs.enqueue(
        tx,
        'mail.recipient-unlocked',
        { recipientId: recipient.id, unlockedAt: now.toISOString(), newCode },
        { dedupeKey: `recipient-unlocked:${recipient.id}:${now.toISOString()}` },
      );
    }
  });
  return loadEnvelopeDetails(ctx.db, input.organizationId, input.envelopeId);
}
