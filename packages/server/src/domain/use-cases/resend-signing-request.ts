import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { isLockedOut } from '../envelope-state.ts';
import { assertTurnOf, envelopeTransition, recipientTransition } from '../envelope-machine.ts';
import { recordEvent } from '../record-event.ts';
import { loadEnvelopeDetails, type EnvelopeDetails } from '../rows.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';
import { getEnvelope } from './get-envelope.ts';

/**
 * Sends the request mail again to the recipient whose turn it is (with a fresh link; the old one stops
 * working). A resend while the previous mail is still queued is merged into it.
 */
export async function resendSigningRequest(
  ctx: DomainContext,
  input: { organizationId: string; envelopeId: string; recipientId: string; actor: Actor; origin?: RequestOrigin },
): Promise<EnvelopeDetails> {
  const details = await getEnvelope(ctx, input);
  const recipient = details.recipients.find((r) => r.id === input.recipientId);
  if (!recipient) throw new AppError('NOT_FOUND', 'no such recipient');
  const now = ctx.clock.now();
  envelopeTransition(details.envelope, 'notify', now);
  if (recipient.status !== 'locked') recipientTransition(recipient, 'notify');
  assertTurnOf(details.recipients, recipient);
  if (isLockedOut(recipient, ctx.config.accessCodeMaxAttempts))
    throw new AppError('ACCESS_CODE_LOCKED', 'unlock the recipient first');
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    await recordEvent(tx, {
      organizationId: details.envelope.organizationId,
      envelopeId: details.envelope.id,
      actor: input.actor,
      action: 'recipient.resend-requested',
      origin: input.origin,
      at: now,
      details: { recipientId: recipient.id, name: recipient.name, email: recipient.email },
    });
    await ctx.jobs.enqueue(
      tx,
      'mail.signing-request',
      { recipientId: recipient.id },
      { dedupeKey: `signing-request:${recipient.id}` },
    );
  });
  return loadEnvelopeDetails(ctx.db, input.organizationId, input.envelopeId);
}
