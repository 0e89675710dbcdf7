import type { DbOrTx } from '../../ports/database.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { assertTurnOf, envelopeTransition, recipientTransition } from '../envelope-machine.ts';
import { isLockedOut } from '../envelope-state.ts';
import { recordEvent } from '../record-event.ts';
import { loadEnvelopeDetails, type EnvelopeDetails } from '../rows.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, Envelope, Recipient, RequestOrigin } from '../types.ts';
import { getEnvelope } from './get-envelope.ts';

/** The least time between two mails to one signer started by the リマインド button (request, resend or reminder). */
export const REMINDER_MIN_INTERVAL_MS = 60 * 60 * 1000;

/** When the signer last got a request or a reminder (queued), or null. */
export function lastContactOf(recipient: Pick<Recipient, 'notifiedAt' | 'remindedAt'>): Date | null {
  const times = [recipient.notifiedAt, recipient.remindedAt].filter((d): d is Date => d !== null);
  return times.length === 0 ? null : new Date(Math.max(...times.map((d) => d.getTime())));
}

/**
 * リマインド (the sender's button): mails a signer whose turn it is a new link, earlier links kept (the
 * access code is not reissued). Refused with the machine's code when the envelope is not active or the recipient
 * cannot sign now (CC, signed, not their turn, locked), and with REMINDER_TOO_SOON within an hour of the
 * last mail. Records `recipient.reminded` and queues the mail in one transaction.
 */
export async function remindRecipient(
  ctx: DomainContext,
  input: { organizationId: string; envelopeId: string; recipientId: string; actor: Actor; origin?: RequestOrigin },
): Promise<EnvelopeDetails> {
  const { details, recipient, now } = await signerToContact(ctx, input, 'remind');
  const last = lastContactOf(recipient);
  if (last !== null && now.getTime() - last.getTime() < REMINDER_MIN_INTERVAL_MS) {
    const retryAt = new Date(last.getTime() + REMINDER_MIN_INTERVAL_MS);
    throw new AppError('REMINDER_TOO_SOON', 'a mail went to this signer less than an hour ago', {
      retryAt: retryAt.toISOString(),
    });
  }
  const queued = await inTransaction(ctx.db, ctx.dialect, (tx) =>
    queueReminder(ctx, tx, { envelope: details.envelope, recipient, actor: input.actor, origin: input.origin, now }),
  );
  // Another click (or 自動リマインド) queued one at the same moment.
  if (!queued) throw new AppError('REMINDER_TOO_SOON', 'a reminder was queued just now');
  return loadEnvelopeDetails(ctx.db, input.organizationId, input.envelopeId);
}

/**
 * The signer a sender's resend or リマインド is for, checked by the machine: the envelope takes the event,
 * the recipient is a signer whose turn it is (not CC, not signed), and not locked out (ACCESS_CODE_LOCKED:
 * unlock first). Another organisation's envelope or an unknown recipient: NOT_FOUND.
 */
export async function signerToContact(
  ctx: DomainContext,
  input: { organizationId: string; envelopeId: string; recipientId: string },
  event: 'notify' | 'remind',
): Promise<{ details: EnvelopeDetails; recipient: Recipient; now: Date }> {
  const details = await getEnvelope(ctx, input);
  const recipient = details.recipients.find((r) => r.id === input.recipientId);
  if (!recipient) throw new AppError('NOT_FOUND', 'no such recipient');
  const now = ctx.clock.now();
  envelopeTransition(details.envelope, event, now);
  // A locked signer is told so below (the table's own refusal would be the same code).
  if (recipient.status !== 'locked') recipientTransition(recipient, event);
  assertTurnOf(details.recipients, recipient);
  if (isLockedOut(recipient, ctx.config.accessCodeMaxAttempts))
    throw new AppError('ACCESS_CODE_LOCKED', 'unlock the recipient first');
  return { details, recipient, now };
}

/**
 * Queues one reminder in the caller's transaction: counts it on the recipient (compare-and-set on the
 * count, so two racing callers queue one), records `recipient.reminded` and queues its mail. False when
 * another caller counted first.
 */
export async function queueReminder(
  ctx: Pick<DomainContext, 'jobs'>,
  tx: DbOrTx,
  input: {
    envelope: Pick<Envelope, 'id' | 'organizationId'>;
    recipient: Pick<Recipient, 'id' | 'name' | 'email' | 'reminderCount'>;
    actor: Actor;
    origin?: RequestOrigin;
    now: Date;
  },
): Promise<boolean> {
  const { recipient, now } = input;
  const reminder = recipient.reminderCount + 1;
  const counted = await tx
    .updateTable('recipients')
    .set({ reminder_count: reminder, reminded_at: now.toISOString() })
    .where('id', '=', recipient.id)
    .where('reminder_count', '=', recipient.reminderCount)
    .executeTakeFirst();
  if (Number(counted.numUpdatedRows) !== 1) return false;
  await recordEvent(tx, {
    organizationId: input.envelope.organizationId,
    envelopeId: input.envelope.id,
    actor: input.actor,
    action: 'recipient.reminded',
    origin: input.origin,
    at: now,
    details: {
      recipientId: recipient.id,
      name: recipient.name,
      email: recipient.email,
      reminder,
      automatic: input.actor.type === 'system',
    },
  });
  await ctx.jobs.enqueue(
    tx,
    'mail.signing-reminder',
    { recipientId: recipient.id, reminder },
    { dedupeKey: `signing-reminder:${recipient.id}:${reminder}` },
  );
  return true;
}
