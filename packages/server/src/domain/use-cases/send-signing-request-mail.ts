import { mailHelpOf } from '../../mail/templates/format.ts';
import { organizationMailIdentity } from '../administration/organization-mail.ts';
import { renderSigningRequest } from '../../mail/templates/signing-request.ts';
import type { DomainContext } from '../domain-context.ts';
import { isLockedOut } from '../envelope-state.ts';
import { envelopeAllows, isTurnOf, recipientTransition } from '../envelope-machine.ts';
import type { RecipientStatus } from '../types.ts';
import { deliverOnce, envelopeEvents } from '../mail-delivery.ts';
import { toRecipient } from '../rows.ts';
import { contextOfRecipient } from '../signer-access.ts';
import { issueSigningLink } from '../signing-links.ts';
import { inTransaction } from '../transaction.ts';
import type { JobCompletion } from '../../ports/job-queue.ts';

/**
 * Job `mail.signing-request`: mails a recipient whose turn it is (every signer of the current order
 * group) a personal link: a fresh random token made here, which exists only in the mail (the database
 * keeps its hash). A resend (request 2+) revokes the recipient's earlier links. Each request is numbered
 * (1 = first mail, 2+ = resends) so retries of one request never send twice. Does nothing when the
 * envelope is no longer active or it is not this recipient's turn.
 */
export async function sendSigningRequestMail(
  ctx: DomainContext,
  input: { recipientId: string },
  job: JobCompletion = {},
): Promise<void> {
  await sendSignerMail(ctx, input.recipientId, { kind: 'request' }, job);
}

/**
 * Job `mail.signing-reminder`: the reminder (リマインド, by the button or 自動リマインド) — a new link of
 * its own, while the links of earlier mails keep working (the access code is not reissued); the
 * validity of all of them starts again from now. `reminder` numbers the reminders of this recipient
 * (one mail each, ever).
 */
export async function sendSigningReminderMail(
  ctx: DomainContext,
  input: { recipientId: string; reminder: number },
): Promise<void> {
  await sendSignerMail(ctx, input.recipientId, { kind: 'reminder', reminder: input.reminder });
}

async function sendSignerMail(
  ctx: DomainContext,
  recipientId: string,
  mailKind: { kind: 'request' } | { kind: 'reminder'; reminder: number },
  job: JobCompletion = {},
): Promise<void> {
  const row = await ctx.db.selectFrom('recipients').selectAll().where('id', '=', recipientId).executeTakeFirst();
  if (!row) return;
  const signer = await contextOfRecipient(ctx.db, toRecipient(row));
  const { envelope, recipient } = signer;
  const now = ctx.clock.now();
  const event = mailKind.kind === 'request' ? 'notify' : 'remind';
  if (!envelopeAllows(envelope, event, now) || isLockedOut(recipient, ctx.config.accessCodeMaxAttempts)) return;
  let next: RecipientStatus;
  try {
    next = recipientTransition(recipient, event);
  } catch {
    return; // signed, declined, locked or CC meanwhile: nothing to mail
  }
  if (!isTurnOf(signer.recipients, recipient)) return;

  // The request number counts requests (the first + each resend), not mails sent: a retry of a job
  // that already sent computes the same number and so the same idempotency key.
  const resends = (await envelopeEvents(ctx.db, envelope.id, 'recipient.resend-requested')).filter(
    (d) => d.recipientId === recipient.id,
  ).length;
  const sequence = resends + 1;
  const reminder = mailKind.kind === 'reminder' ? mailKind.reminder : 0;
  await deliverOnce(ctx, {
    key:
      mailKind.kind === 'request'
        ? `signing-request:${recipient.id}:${sequence}`
        : `signing-reminder:${recipient.id}:${reminder}`,
    envelope,
    action: mailKind.kind === 'request' ? 'mail.signing-request.sent' : 'mail.signing-reminder.sent',
    details: { recipientId: recipient.id, to: recipient.email, sequence, ...(reminder > 0 ? { reminder } : {}) },
    job,
    prepare: async () => {
      const token = await inTransaction(ctx.db, ctx.dialect, async (tx) => {
        const issued = await issueSigningLink(tx, {
          recipientId: recipient.id,
          now,
          revokeEarlier: mailKind.kind === 'request' && sequence > 1,
        });
        await tx
          .updateTable('recipients')
          .set({ notified_at: now.toISOString() })
          .where('id', '=', recipient.id)
          .execute();
        await tx
          .updateTable('recipients')
          .set({ status: next })
          .where('id', '=', recipient.id)
          .where('status', '=', recipient.status)
          .execute();
        return issued;
      });
      const identity = await organizationMailIdentity(ctx.db, envelope.organizationId, ctx.config.publicUrl);
      const linkEnd = now.getTime() + ctx.config.linkTtlMs;
      const validUntil = new Date(envelope.expiresAt ? Math.min(envelope.expiresAt.getTime(), linkEnd) : linkEnd);
      // Replies go to the person who sent; without one (an API key), to the organisation's Reply-To.
      const replyTo = replyToOf(signer.sender) ?? identity.headers.replyTo;
      const mail = renderSigningRequest({
        language: recipient.language,
        organizationName: signer.organizationName,
        senderName: signer.senderName,
        envelopeName: envelope.name,
        message: envelope.message,
        recipientName: recipient.name,
        url: `${ctx.config.publicUrl}/s/${token}`,
        validUntil,
        auth: recipient.auth,
        sequence,
        reminder: reminder > 0,
        sender: signer.sender,
        help: mailHelpOf(ctx.config),
        logo: identity.logo,
        repliesAnswered: replyTo !== undefined,
      });
      return {
        to: recipient.email,
        ...mail,
        ...(identity.headers.fromName ? { fromName: identity.headers.fromName } : {}),
        ...(replyTo ? { replyTo } : {}),
        secrets: [token],
        idempotencyKey: '',
      };
    },
  });
}

/** The Reply-To of mails to a signer: the person who sent the envelope, when known. */
export function replyToOf(sender: {
  organization: string;
  name: string | null;
  email: string | null;
}): { name: string; address: string } | undefined {
  if (!sender.email) return undefined;
  return {
    name: sender.name ? `${sender.name}（${sender.organization}）` : sender.organization,
    address: sender.email,
  };
}
