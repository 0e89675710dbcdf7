import { formatMessage } from '@inkan/core/messages';
import { renderHtmlMail } from '../../mail/templates/html.ts';
import { footer } from '../../mail/templates/format.ts';
import type { MailServerAnswer } from '../../ports/mailer.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, Language, RequestOrigin } from '../types.ts';
import { isEmail } from '../validation.ts';
import { logoPathOf } from './update-organization-profile.ts';

/** The outcome of メール設定 → 送信テスト: the server's answer, or its refusal / the network error. */
export type TestMailResult =
  | ({ ok: true; to: string } & MailServerAnswer)
  | { ok: false; to: string; transport: 'smtp' | 'outbox'; error: string };

// The server's reply is shown to the administrator and logged: bounded, one line, no credentials.
function cleanReply(text: string): string {
  return text
    .replace(/[a-z][a-z0-9+.-]*:\/\/[^@\s/]*@/gi, (m) => m.replace(/\/\/[^@]*@/, '//***@'))
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 500);
}

/**
 * Sends a test mail through the configured mailer in the organisation's name (display name, Reply-To,
 * logo) to `to` (default: the administrator's own address), and returns what the mail server answered
 * or why it refused. Records `mail.test-sent` with the outcome (never credentials).
 */
export async function sendTestMail(
  ctx: DomainContext,
  input: {
    organizationId: string;
    actor: Actor & { type: 'user' };
    origin?: RequestOrigin;
    to?: unknown;
    language: Language;
  },
): Promise<TestMailResult> {
  const admin = await ctx.db
    .selectFrom('users')
    .select('email')
    .where('id', '=', input.actor.id)
    .executeTakeFirstOrThrow();
  const to =
    input.to === undefined || input.to === ''
      ? admin.email
      : typeof input.to === 'string'
        ? input.to.trim().toLowerCase()
        : '';
  if (!isEmail(to)) throw new AppError('INVALID_EMAIL', 'to is not an e-mail address', { field: 'to' });
  const org = await ctx.db
    .selectFrom('organizations')
    .select(['id', 'name', 'mail_from_name', 'mail_reply_to', 'logo_updated_at'])
    .where('id', '=', input.organizationId)
    .executeTakeFirstOrThrow();
  const subject = formatMessage(input.language, 'mail.testMail.subject', { organization: org.name });
  const body = formatMessage(input.language, 'mail.testMail.body', { organization: org.name });
  const logoPath = logoPathOf(org.id, org.logo_updated_at);
  const mail = {
    to,
    subject,
    text: `${body}\n\n--\n${footer(input.language)}`,
    html: renderHtmlMail({
      language: input.language,
      title: subject,
      blocks: [{ kind: 'paragraph', text: body }],
      footer: footer(input.language),
      ...(logoPath ? { logo: { url: `${ctx.config.publicUrl}${logoPath}`, alt: org.name } } : {}),
    }),
    ...(org.mail_from_name ? { fromName: org.mail_from_name } : {}),
    ...(org.mail_reply_to ? { replyTo: { name: '', address: org.mail_reply_to } } : {}),
  };
  let result: TestMailResult;
  try {
    const answer = await ctx.mailer.sendTest(mail);
    result = { ok: true, to, transport: answer.transport, response: cleanReply(answer.response) };
  } catch (error) {
    const e = error as { response?: unknown; message?: unknown; code?: unknown };
    const reply =
      typeof e.response === 'string' ? e.response : typeof e.message === 'string' ? e.message : String(error);
    result = {
      ok: false,
      to,
      transport: 'smtp',
      error: cleanReply(`${typeof e.code === 'string' ? `${e.code}: ` : ''}${reply}`),
    };
  }
  await inTransaction(ctx.db, ctx.dialect, (tx) =>
    recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'mail.test-sent',
      origin: input.origin,
      at: ctx.clock.now(),
      details: result.ok
        ? { to, ok: true, transport: result.transport, response: result.response }
        : { to, ok: false, error: result.error },
    }),
  );
  return result;
}
