import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { loadEnvelopeDetails, type EnvelopeDetails } from '../rows.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';
import { signerToContact } from './remind-recipient.ts';

/**
 * Sends the request mail again to the recipient whose turn it is (with a fresh link; the old one stops
 * working). A resend while the previous mail is still queued is merged into it.
 */
export async function resendSigningRequest(
  ctx: DomainContext,
  input: { organizationId: string; envelopeId: string; recipientId: string; actor: Actor; origin?: RequestOrigin },
): Promise<EnvelopeDetails> {
  const { details, recipient, now } = await signerToContact(ctx, input, 'notify');
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
