import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { effectiveStatus } from '../envelope-state.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, Envelope, RequestOrigin } from '../types.ts';
import { getEnvelope } from './get-envelope.ts';

/**
 * Whether an actor is the sender of an envelope: the user (or API key) that created it — after a
 * hand-over (引き継ぎ), the member it was handed to. Only the sender may see access codes again:
 * the code is a secret shared between the sender and the counterparty, agreed out of band; an
 * organisation administrator who needs to help sets a NEW code (ロック解除), which the log records and
 * the counterparty is told about, rather than reading someone else's.
 */
export function isEnvelopeSender(envelope: Envelope, actor: Actor): boolean {
  if (actor.type === 'user') return envelope.createdByUserId === actor.id;
  if (actor.type === 'api_key') return envelope.createdByApiKeyId === actor.id;
  return false;
}

/**
 * Shows a recipient's access code again to the envelope's sender, while the envelope is a draft or
 * out for signing and the recipient has not signed: decrypts the sealed copy (verification keeps
 * using the HMAC) and records `access_code.revealed` (who, when, IP — never the code) in the same
 * transaction before the code is returned.
 */
export async function revealAccessCode(
  ctx: DomainContext,
  input: { organizationId: string; envelopeId: string; recipientId: string; actor: Actor; origin?: RequestOrigin },
): Promise<{ recipientId: string; accessCode: string }> {
  const details = await getEnvelope(ctx, input);
  const recipient = details.recipients.find((r) => r.id === input.recipientId);
  if (!recipient) throw new AppError('NOT_FOUND', 'no such recipient');
  if (!isEnvelopeSender(details.envelope, input.actor))
    throw new AppError('ACCESS_CODE_SENDER_ONLY', 'only the sender of the envelope can see its access codes');
  const now = ctx.clock.now();
  const status = effectiveStatus(details.envelope, now);
  if (status !== 'draft' && status !== 'sent')
    throw new AppError('ENVELOPE_NOT_ACTIVE', `the envelope is ${status}`, { status });
  if (recipient.auth !== 'access_code' || recipient.accessCodeSealed === null || recipient.status === 'signed')
    throw new AppError('ACCESS_CODE_UNAVAILABLE', 'this access code cannot be shown');
  const accessCode = (
    await ctx.secrets.openSecret('access-code', recipient.accessCodeSealed, recipient.id, ctx.db)
  ).toString('utf8');
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    await recordEvent(tx, {
      organizationId: details.envelope.organizationId,
      envelopeId: details.envelope.id,
      actor: input.actor,
      action: 'access_code.revealed',
      origin: input.origin,
      at: now,
      details: { recipientId: recipient.id, name: recipient.name, email: recipient.email },
    });
  });
  return { recipientId: recipient.id, accessCode };
}
