import { mailHelpOf } from '../../mail/templates/format.ts';
import { renderRecipientUnlocked } from '../../mail/templates/recipient-unlocked.ts';
import type { DomainContext } from '../domain-context.ts';
import { effectiveStatus, isLockedOut } from '../envelope-state.ts';
import { deliverOnce } from '../mail-delivery.ts';
import { toRecipient } from '../rows.ts';
import { contextOfRecipient } from '../signer-access.ts';
import { replyToOf } from './send-signing-request-mail.ts';

/**
 * Job `mail.recipient-unlocked`: tells a signer that the sender unlocked their link (and whether the
 * access code changed — never the code). One mail per unlock (`unlockedAt`); nothing when the
 * envelope closed or the recipient was locked again before the job ran.
 */
export async function sendRecipientUnlockedMail(
  ctx: DomainContext,
  input: { recipientId: string; unlockedAt: string; newCode: boolean },
): Promise<void> {
  const row = await ctx.db.selectFrom('recipients').selectAll().where('id', '=', input.recipientId).executeTakeFirst();
  if (!row) return;
  const signer = await contextOfRecipient(ctx.db, toRecipient(row));
  const { envelope, recipient } = signer;
  if (effectiveStatus(envelope, ctx.clock.now()) !== 'sent') return;
  if (recipient.status === 'signed' || recipient.status === 'declined') return;
  if (isLockedOut(recipient, ctx.config.accessCodeMaxAttempts)) return;
  await deliverOnce(ctx, {
    key: `recipient-unlocked:${recipient.id}:${input.unlockedAt}`,
    envelope,
    action: 'mail.unlocked.sent',
    details: { recipientId: recipient.id, to: recipient.email, newCodeSet: input.newCode },
    prepare: async () => ({
      to: recipient.email,
      ...renderRecipientUnlocked({
        language: recipient.language,
        recipientName: recipient.name,
        envelopeName: envelope.name,
        newCode: input.newCode,
        sender: signer.sender,
        help: mailHelpOf(ctx.config),
      }),
      replyTo: replyToOf(signer.sender),
      idempotencyKey: '',
    }),
  });
}
