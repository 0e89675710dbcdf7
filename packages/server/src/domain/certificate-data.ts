import type { CompletionCertificateData } from '@inkan/core';
import type { DbOrTx } from '../ports/database.ts';
import { actionLabelJa, actorNames } from './event-labels.ts';
import type { EnvelopeDetails } from './rows.ts';
import type { RecipientAuth } from './types.ts';

/** How a party was authenticated, as printed on the certificate (Japanese first). */
export function authenticationLabel(auth: RecipientAuth): string {
  return auth === 'login' ? 'メール + ログイン（email + sign-in）' : 'メール + アクセスコード（email + access code）';
}

// Technical entries that would only repeat a neighbouring line of the timeline.
const LEFT_OUT = new Set(['key.used', 'apikey.used']);

/** A short fact appended to an action's label: to whom a mail went, whose signature, which file. */
function detailOf(action: string, details: Record<string, unknown>): string {
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  if (action.startsWith('mail.')) return text(details.to);
  if (action === 'recipient.signature-applied') return text(details.name);
  if (action === 'recipient.code-failed' && typeof details.attempts === 'number') return `${details.attempts}回目`;
  if (action === 'document.downloaded' || action === 'certificate.downloaded') return text(details.name);
  return '';
}

/**
 * The data of the certificate of completion of a completed envelope, read from the database: documents
 * (SHA-256 before and after signing), parties (authentication, IP address, user agent, time of
 * signing), the sender and the envelope's timeline with Japanese labels.
 */
export async function buildCertificateData(
  db: DbOrTx,
  details: EnvelopeDetails,
  options: { publicUrl: string; issuedAt: Date },
): Promise<CompletionCertificateData> {
  const { envelope, documents, recipients } = details;
  const organization = await db
    .selectFrom('organizations')
    .select('name')
    .where('id', '=', envelope.organizationId)
    .executeTakeFirstOrThrow();
  let sender = { name: organization.name, email: '—' };
  if (envelope.createdByUserId) {
    const user = await db
      .selectFrom('users')
      .select(['name', 'email'])
      .where('id', '=', envelope.createdByUserId)
      .executeTakeFirst();
    if (user) sender = user;
  } else if (envelope.createdByApiKeyId) {
    const key = await db
      .selectFrom('api_keys')
      .select(['name', 'prefix'])
      .where('id', '=', envelope.createdByApiKeyId)
      .executeTakeFirst();
    if (key) sender = { name: `APIキー: ${key.name}`, email: `${key.prefix}…` };
  }
  const evidence = await db
    .selectFrom('recipients')
    .select(['id', 'signed_ip', 'signed_user_agent', 'signed_at'])
    .where('envelope_id', '=', envelope.id)
    .execute();
  const byId = new Map(evidence.map((r) => [r.id, r]));
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .where('envelope_id', '=', envelope.id)
    .orderBy('seq')
    .execute();
  const kept = rows.filter((r) => !LEFT_OUT.has(r.action));
  const nameOf = await actorNames(db, kept);
  const completedAt = envelope.completedAt ?? options.issuedAt;
  return {
    certificateId: envelope.certificateId,
    envelope: {
      id: envelope.id,
      name: envelope.name,
      createdAt: envelope.createdAt,
      sentAt: envelope.sentAt ?? envelope.createdAt,
      completedAt,
    },
    sender: { organization: organization.name, name: sender.name, email: sender.email },
    documents: documents.map((d) => ({
      name: d.name,
      pages: d.pages,
      sha256Original: d.sha256Original,
      sha256Signed: d.sha256Current,
    })),
    parties: recipients.map((r) => {
      const row = byId.get(r.id);
      return {
        name: r.name,
        email: r.email,
        authentication: authenticationLabel(r.auth),
        ip: row?.signed_ip ?? null,
        userAgent: row?.signed_user_agent ?? null,
        signedAt: row?.signed_at ? new Date(row.signed_at) : (r.signedAt ?? completedAt),
      };
    }),
    events: kept.map((row) => {
      const fact = detailOf(row.action, JSON.parse(row.details) as Record<string, unknown>);
      const actor = row.actor_type === 'system' ? 'システム (system)' : nameOf(row);
      return {
        at: new Date(row.created_at),
        actor,
        action: fact ? `${actionLabelJa(row.action)}: ${fact}` : actionLabelJa(row.action),
        ip: row.ip,
      };
    }),
    verification: { url: `${options.publicUrl}/verify` },
    issuedAt: options.issuedAt,
  };
}
