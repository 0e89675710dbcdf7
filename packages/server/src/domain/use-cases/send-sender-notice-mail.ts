import { mailHelpOf } from '../../mail/templates/format.ts';
import { renderRecipientDeclined, renderRecipientLocked } from '../../mail/templates/sender-notices.ts';
import type { DomainContext } from '../domain-context.ts';
import { deliverOnce, senderUsers } from '../mail-delivery.ts';
import { toRecipient } from '../rows.ts';
import { contextOfRecipient } from '../signer-access.ts';

/** Job `mail.recipient-locked`: tells the sender that wrong access codes locked a recipient. */
export async function sendRecipientLockedMail(ctx: DomainContext, input: { recipientId: string }): Promise<void> {
  const row = await ctx.db.selectFrom('recipients').selectAll().where('id', '=', input.recipientId).executeTakeFirst();
  // Unlocked before the mail went out: nothing to tell.
  if (!row || row.locked_at === null) return;
  const { envelope, recipient } = await contextOfRecipient(ctx.db, toRecipient(row));
  const lockedAt = new Date(row.locked_at).getTime();
  for (const user of await senderUsers(ctx.db, envelope)) {
    await deliverOnce(ctx, {
      key: `recipient-locked:${recipient.id}:${lockedAt}:${user.id}`,
      envelope,
      action: 'mail.locked.sent',
      details: { recipientId: recipient.id, userId: user.id, to: user.email },
      prepare: async () => ({
        to: user.email,
        ...renderRecipientLocked({
          envelopeName: envelope.name,
          recipientName: recipient.name,
          recipientEmail: recipient.email,
          attempts: ctx.config.accessCodeMaxAttempts,
          envelopeUrl: `${ctx.config.publicUrl}/envelopes/${envelope.id}`,
          help: mailHelpOf(ctx.config),
        }),
        idempotencyKey: '',
      }),
    });
  }
}

/** Job `mail.recipient-declined`: tells the sender that a recipient declined, with the reason. */
export async function sendRecipientDeclinedMail(ctx: DomainContext, input: { recipientId: string }): Promise<void> {
  const row = await ctx.db.selectFrom('recipients').selectAll().where('id', '=', input.recipientId).executeTakeFirst();
  if (!row || row.status !== 'declined') return;
  const { envelope, recipient } = await contextOfRecipient(ctx.db, toRecipient(row));
  for (const user of await senderUsers(ctx.db, envelope)) {
    await deliverOnce(ctx, {
      key: `recipient-declined:${recipient.id}:${user.id}`,
      envelope,
      action: 'mail.declined.sent',
      details: { recipientId: recipient.id, userId: user.id, to: user.email },
      prepare: async () => ({
        to: user.email,
        ...renderRecipientDeclined({
          envelopeName: envelope.name,
          recipientName: recipient.name,
          recipientEmail: recipient.email,
          reason: recipient.declineReason ?? '',
          envelopeUrl: `${ctx.config.publicUrl}/envelopes/${envelope.id}`,
          help: mailHelpOf(ctx.config),
        }),
        idempotencyKey: '',
      }),
    });
  }
}
