import type { DomainContext } from '../domain-context.ts';

/** A mail of the local outbox as an organisation's administrator sees it. */
export interface OutboxMail {
  id: string;
  to: string;
  from: string;
  subject: string;
  text: string;
  createdAt: string;
  envelope: { id: string; name: string } | null;
}

/** Where mail goes: the local outbox (no SMTP server configured) or SMTP. */
export type MailDelivery = 'outbox' | 'smtp';

export const OUTBOX_PAGE_MAX = 100;

/**
 * The newest mails of the local outbox that belong to one organisation, newest first. A mail belongs to
 * the organisation whose operation log recorded it (`mail.*` events carry the mail's idempotency key),
 * so no other organisation's mail, nor a mail no event claims, is ever listed. With SMTP configured
 * the mails went out and the list is empty: the outbox exists only for an installation without SMTP.
 */
export async function listOutboxMails(
  ctx: DomainContext,
  input: { organizationId: string; limit?: number },
): Promise<{ delivery: MailDelivery; items: OutboxMail[] }> {
  if (ctx.config.smtpUrl !== undefined) return { delivery: 'smtp', items: [] };
  const limit = Math.min(Math.max(input.limit ?? 50, 1), OUTBOX_PAGE_MAX);
  const events = await ctx.db
    .selectFrom('events')
    .select(['envelope_id', 'details'])
    .where('organization_id', '=', input.organizationId)
    .where('action', 'like', 'mail.%')
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
  const envelopeOfKey = new Map<string, string | null>();
  for (const event of events) {
    const key = (JSON.parse(event.details) as { mailKey?: unknown }).mailKey;
    if (typeof key === 'string' && !envelopeOfKey.has(key)) envelopeOfKey.set(key, event.envelope_id);
  }
  if (envelopeOfKey.size === 0) return { delivery: 'outbox', items: [] };
  const mails = await ctx.db
    .selectFrom('mails')
    .select(['id', 'to_address', 'from_address', 'subject', 'text_body', 'created_at', 'idempotency_key'])
    .where('idempotency_key', 'in', [...envelopeOfKey.keys()])
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  const envelopeIds = [...new Set([...envelopeOfKey.values()].filter((id): id is string => id !== null))];
  const envelopes =
    envelopeIds.length === 0
      ? []
      : await ctx.db
          .selectFrom('envelopes')
          .select(['id', 'name'])
          .where('organization_id', '=', input.organizationId)
          .where('id', 'in', envelopeIds)
          .execute();
  const names = new Map(envelopes.map((e) => [e.id, e.name]));
  return {
    delivery: 'outbox',
    items: mails.map((m) => {
      const envelopeId = envelopeOfKey.get(m.idempotency_key ?? '') ?? null;
      const name = envelopeId === null ? undefined : names.get(envelopeId);
      return {
        id: m.id,
        to: m.to_address,
        from: m.from_address,
        subject: m.subject,
        text: m.text_body,
        createdAt: m.created_at,
        envelope: envelopeId !== null && name !== undefined ? { id: envelopeId, name } : null,
      };
    }),
  };
}
