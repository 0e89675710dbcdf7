import { mailHelpOf } from '../../mail/templates/format.ts';
import {
  renderEmailChangedMail,
  renderEmailChangeMail,
  renderPasswordResetMail,
  renderSignupExistingMail,
  renderSignupMail,
} from '../../mail/templates/account.ts';
import type { AccountMailPayload } from '../../ports/job-queue.ts';
import type { OutgoingMail } from '../../ports/mailer.ts';
import { ACCOUNT_TOKEN_TTL_MS, issueAccountToken } from '../accounts/account-tokens.ts';
import type { DomainContext } from '../domain-context.ts';
import { isMailSent } from '../mail-delivery.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';

/**
 * Job `mail.account`: writes and sends one account mail, at most once per request. The link token is
 * made here (only its hash is stored; the token exists only in the mail). Sign-up to an address that has
 * an account sends "you have an account already" instead; a reset for an unknown address sends nothing.
 */
export async function sendAccountMail(ctx: DomainContext, payload: AccountMailPayload): Promise<void> {
  const key = `account:${payload.purpose}:${payload.requestId}`;
  if (await isMailSent(ctx.db, key)) return;
  const now = ctx.clock.now();
  const base = ctx.config.publicUrl;
  const mail = await inTransaction(
    ctx.db,
    ctx.dialect,
    async (tx): Promise<{ mail: OutgoingMail; userId: string | null; variant: string } | null> => {
      const account = await tx
        .selectFrom('users')
        .select(['id', 'email'])
        .where('email', '=', payload.email)
        .executeTakeFirst();
      const validUntil = new Date(
        now.getTime() + (payload.purpose === 'email_changed' ? 0 : ACCOUNT_TOKEN_TTL_MS[payload.purpose]),
      );
      const common = { to: payload.email, idempotencyKey: key };
      switch (payload.purpose) {
        case 'signup': {
          if (account) {
            const next = payload.nextPath ? `?next=${encodeURIComponent(payload.nextPath)}` : '';
            const rendered = renderSignupExistingMail({
              language: payload.language,
              help: mailHelpOf(ctx.config),
              signInUrl: `${base}/login${next}`,
              resetUrl: `${base}/password/forgot`,
            });
            return { mail: { ...common, ...rendered }, userId: account.id, variant: 'existing-account' };
          }
          const token = await issueAccountToken(tx, {
            purpose: 'signup',
            email: payload.email,
            userId: null,
            nextPath: payload.nextPath,
            now,
          });
          return {
            mail: {
              ...common,
              secrets: [token],
              ...renderSignupMail({
                language: payload.language,
                help: mailHelpOf(ctx.config),
                url: `${base}/signup/complete?token=${token}`,
                validUntil,
              }),
            },
            userId: null,
            variant: 'signup-link',
          };
        }
        case 'password_reset': {
          if (!account) return null;
          const token = await issueAccountToken(tx, {
            purpose: 'password_reset',
            email: account.email,
            userId: account.id,
            nextPath: null,
            now,
          });
          return {
            mail: {
              ...common,
              secrets: [token],
              ...renderPasswordResetMail({
                language: payload.language,
                help: mailHelpOf(ctx.config),
                url: `${base}/password/reset?token=${token}`,
                validUntil,
              }),
            },
            userId: account.id,
            variant: 'reset-link',
          };
        }
        case 'email_change': {
          if (payload.userId === null) return null;
          const owner = await tx.selectFrom('users').select('id').where('id', '=', payload.userId).executeTakeFirst();
          if (!owner) return null;
          const token = await issueAccountToken(tx, {
            purpose: 'email_change',
            email: payload.email,
            userId: owner.id,
            nextPath: null,
            now,
          });
          return {
            mail: {
              ...common,
              secrets: [token],
              ...renderEmailChangeMail({
                language: payload.language,
                help: mailHelpOf(ctx.config),
                url: `${base}/account/email/confirm?token=${token}`,
                validUntil,
              }),
            },
            userId: owner.id,
            variant: 'confirm-link',
          };
        }
        case 'email_changed': {
          const rendered = renderEmailChangedMail({
            language: payload.language,
            help: mailHelpOf(ctx.config),
            newEmail: payload.newEmail ?? '',
            at: now,
          });
          return { mail: { ...common, ...rendered }, userId: payload.userId, variant: 'notice' };
        }
      }
    },
  );
  if (mail === null) return;
  await ctx.mailer.send(mail.mail);
  await inTransaction(ctx.db, ctx.dialect, (tx) =>
    recordEvent(tx, {
      organizationId: null,
      actor: { type: 'system', id: null },
      action: 'mail.account.sent',
      at: now,
      details: {
        purpose: payload.purpose,
        variant: mail.variant,
        to: payload.email,
        userId: mail.userId,
        requestId: payload.requestId,
      },
    }),
  );
}
