import { renderCompletion } from '../../mail/templates/completion.ts';
import { mailHelpOf } from '../../mail/templates/format.ts';
import type { MailAttachment } from '../../ports/mailer.ts';
import { newId, newToken } from '../../security/tokens.ts';
import type { DomainContext } from '../domain-context.ts';
import { deliverOnce, senderUsers } from '../mail-delivery.ts';
import { loadDetailsOf } from '../rows.ts';
import { loadSenderContact } from '../signer-access.ts';
import { replyToOf } from './send-signing-request-mail.ts';
import { inTransaction } from '../transaction.ts';
import type { Language } from '../types.ts';
import { certificateFileName } from './get-completion-certificate.ts';

/**
 * Job `mail.completion`: 電子署名完了のお知らせ to every recipient and to the sender, each with a personal
 * ダウンロード link valid for INKAN_DOWNLOAD_TTL, and the certificate of completion attached when the
 * organisation's `attach_certificate` setting is on; recipients also get an Inkanで保管 (claim) link valid
 * for INKAN_CLAIM_TTL. One mail per party, ever (idempotency keys); the link is
 * created only for a mail that has not gone out yet.
 */
export async function sendCompletionMail(ctx: DomainContext, input: { envelopeId: string }): Promise<void> {
  const row = await ctx.db.selectFrom('envelopes').selectAll().where('id', '=', input.envelopeId).executeTakeFirst();
  if (!row || row.status !== 'completed') return;
  const { envelope, recipients } = await loadDetailsOf(ctx.db, row);
  const organization = await ctx.db
    .selectFrom('organizations')
    .select(['name', 'attach_certificate'])
    .where('id', '=', envelope.organizationId)
    .executeTakeFirstOrThrow();
  // The organisation's setting: the certificate of completion goes with the mail when it exists.
  let attachment: MailAttachment | undefined;
  if (organization.attach_certificate === 1 && row.certificate_blob !== null) {
    attachment = {
      filename: certificateFileName(envelope.certificateId),
      contentType: 'application/pdf',
      content: await ctx.blobs.get(row.certificate_blob),
    };
  }
  const sender = await loadSenderContact(ctx.db, envelope);
  const parties: Array<{
    key: string;
    recipientId: string | null;
    name: string;
    email: string;
    language: Language;
    details: Record<string, unknown>;
  }> = recipients.map((r) => ({
    key: `completion:${envelope.id}:${r.id}`,
    recipientId: r.id,
    name: r.name,
    email: r.email,
    language: r.language,
    details: { recipientId: r.id, to: r.email },
  }));
  const recipientEmails = new Set(recipients.map((r) => r.email.toLowerCase()));
  for (const user of await senderUsers(ctx.db, envelope)) {
    // The sender who also signed already gets the recipient's mail.
    if (recipientEmails.has(user.email.toLowerCase())) continue;
    parties.push({
      key: `completion:${envelope.id}:user:${user.id}`,
      recipientId: null,
      name: user.name,
      email: user.email,
      language: 'ja',
      details: { userId: user.id, to: user.email },
    });
  }
  for (const party of parties) {
    await deliverOnce(ctx, {
      key: party.key,
      envelope,
      action: 'mail.completion.sent',
      details: attachment ? { ...party.details, attachments: [attachment.filename] } : party.details,
      prepare: async () => {
        const now = ctx.clock.now();
        const validUntil = new Date(now.getTime() + ctx.config.downloadTtlMs);
        const { token, hash } = newToken();
        // Recipients also get an Inkanで保管 link (one per recipient, INKAN_CLAIM_TTL); the sender's users do not.
        const claim =
          party.recipientId !== null
            ? { ...newToken(), validUntil: new Date(now.getTime() + ctx.config.claimTtlMs) }
            : undefined;
        const recipientId = party.recipientId;
        await inTransaction(ctx.db, ctx.dialect, async (tx) => {
          await tx
            .insertInto('download_links')
            .values({
              token_hash: hash,
              envelope_id: envelope.id,
              recipient_id: recipientId,
              created_at: now.toISOString(),
              expires_at: validUntil.toISOString(),
            })
            .execute();
          if (claim && recipientId !== null) {
            await tx
              .insertInto('claim_links')
              .values({
                id: newId(),
                token_hash: claim.hash,
                envelope_id: envelope.id,
                recipient_id: recipientId,
                organization_id: envelope.organizationId,
                created_at: now.toISOString(),
                expires_at: claim.validUntil.toISOString(),
                claimed_by_user_id: null,
                claimed_at: null,
                contract_id: null,
              })
              .execute();
          }
        });
        const mail = renderCompletion({
          language: party.language,
          organizationName: organization.name,
          envelopeName: envelope.name,
          certificateId: envelope.certificateId,
          recipientName: party.name,
          downloadUrl: `${ctx.config.publicUrl}/d/${token}`,
          validUntil,
          validForMs: ctx.config.downloadTtlMs,
          certificateAttached: attachment !== undefined,
          verifyUrl: `${ctx.config.publicUrl}/verify`,
          rootCertificateUrl: `${ctx.config.publicUrl}/pki/ca/root.cer`,
          help: mailHelpOf(ctx.config),
          // Recipients can reply to the sender; the sender's own copy needs no contact.
          ...(party.recipientId !== null ? { sender } : {}),
          ...(claim
            ? {
                claimUrl: `${ctx.config.publicUrl}/claim/${claim.token}`,
                claimValidUntil: claim.validUntil,
                claimValidForMs: ctx.config.claimTtlMs,
              }
            : {}),
        });
        return {
          to: party.email,
          ...mail,
          idempotencyKey: party.key,
          // Neither link is kept in an SMTP mailer's sent-mail record.
          secrets: claim ? [token, claim.token] : [token],
          ...(party.recipientId !== null && replyToOf(sender) ? { replyTo: replyToOf(sender) } : {}),
          ...(attachment ? { attachments: [attachment] } : {}),
        };
      },
    });
  }
}
