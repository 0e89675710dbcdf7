import { newToken } from '../../security/tokens.ts';
import { mailHelpOf } from '../../mail/templates/format.ts';
import { organizationMailIdentity } from '../administration/organization-mail.ts';
import { renderSigningRequest } from '../../mail/templates/signing-request.ts';
import type { DomainContext } from '../domain-context.ts';
import { currentRecipient, effectiveStatus, isLockedOut } from '../envelope-state.ts';
import { deliverOnce, envelopeEvents } from '../mail-delivery.ts';
import { toRecipient } from '../rows.ts';
import { contextOfRecipient } from '../signer-access.ts';
import { inTransaction } from '../transaction.ts';

/**
 * Job `mail.signing-request`: mails the recipient whose turn it is a personal link. The token is made
 * here (it exists only in the mail; the database keeps its hash) and replaces any earlier link. Each
 * request is numbered (1 = first mail, 2+ = resends) so retries of one request never send twice.
 * Does nothing when the envelope is no longer active or it is not this recipient's turn.
 */
export async function sendSigningRequestMail(ctx: DomainContext, input: { recipientId: string }): Promise<void> {
  const row = await ctx.db.selectFrom('recipients').selectAll().where('id', '=', input.recipientId).executeTakeFirst();
  if (!row) return;
  const signer = await contextOfRecipient(ctx.db, toRecipient(row));
  const { envelope, recipient } = signer;
  const now = ctx.clock.now();
  if (effectiveStatus(envelope, now) !== 'sent') return;
  if (
    recipient.status === 'signed' ||
    recipient.status === 'declined' ||
    isLockedOut(recipient, ctx.config.accessCodeMaxAttempts)
  )
    return;
  if (currentRecipient(signer.recipients)?.id !== recipient.id) return;

  // The request number counts requests (the first + each resend), not mails sent: a retry of a job
  // that already sent computes the same number and so the same idempotency key.
  const resends = (await envelopeEvents(ctx.db, envelope.id, 'recipient.resend-requested')).filter(
    (d) => d.recipientId === recipient.id,
  ).length;
  const sequence = resends + 1;
  await deliverOnce(ctx, {
    key: `signing-request:${recipient.id}:${sequence}`,
    envelope,
    action: 'mail.signing-request.sent',
    details: { recipientId: recipient.id, to: recipient.email, sequence },
    prepare: async () => {
      const { token, hash } = newToken();
      await inTransaction(ctx.db, ctx.dialect, async (tx) => {
        await tx
          .updateTable('recipients')
          .set({ link_token_hash: hash, notified_at: now.toISOString() })
          .where('id', '=', recipient.id)
          .execute();
        await tx
          .updateTable('recipients')
          .set({ status: 'notified' })
          .where('id', '=', recipient.id)
          .where('status', '=', 'pending')
          .execute();
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
