import { signersOf } from './envelope-machine.ts';
import { sealCharacters, type CompletionCertificateData } from '@inkan/core';
import { formatMessage, type MessageKey, type MessageVars } from '@inkan/core/messages';
import type { DbOrTx } from '../ports/database.ts';
import { actionLabelJa, actorNames } from './event-labels.ts';
import { loadFields, type EnvelopeField } from './fields/envelope-fields.ts';
import type { EnvelopeDetails } from './rows.ts';
import type { RecipientAuth } from './types.ts';

/** The certificate's Japanese wording of `name` (certificate.data.* in the catalog). */
const ja = (name: string, vars?: MessageVars): string =>
  formatMessage('ja', `certificate.data.${name}` as MessageKey, vars);
/** The Japanese wording with the English after it: `open` and `close` are the brackets printed around it. */
const jaEn = (name: string, open = ' (', close = ')'): string =>
  `${ja(name)}${open}${formatMessage('en', `certificate.data.${name}` as MessageKey)}${close}`;

function fieldLabel(field: EnvelopeField): string {
  const kind = jaEn(`kind.${field.kind}`);
  return field.label ? ja('labelledField', { kind, label: field.label }) : kind;
}

/** What was drawn into a field, in words: the seal's characters, the date, the text, ☑/☐. */
function fieldValueText(field: EnvelopeField, organizationSeal: boolean): string {
  const value = field.value ?? '';
  switch (field.kind) {
    case 'seal':
      return organizationSeal ? jaEn('organizationSeal') : ja('sealCharacters', { characters: sealCharacters(value) });
    case 'checkbox':
      return jaEn(value === 'true' ? 'checked' : 'unchecked');
    case 'date':
    case 'text':
      return value === '' ? jaEn('empty', '', '') : value;
  }
}

/** How a party was authenticated, as printed on the certificate (Japanese first). */
export function authenticationLabel(auth: RecipientAuth): string {
  return jaEn(auth === 'login' ? 'auth.login' : 'auth.code', '（', '）');
}

// Technical entries that would only repeat a neighbouring line of the timeline.
const LEFT_OUT = new Set(['key.used', 'apikey.used']);

/** A short fact appended to an action's label: to whom a mail went, whose signature, which file. */
function detailOf(action: string, details: Record<string, unknown>): string {
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  if (action.startsWith('mail.')) return text(details.to);
  // Which certificate signed, when it was the organisation's trusted one rather than a witness certificate.
  const certificate = details.signingCertificate as { subject?: unknown; root?: unknown } | undefined;
  const signedWith = certificate
    ? ja('signedWith', { subject: text(certificate.subject), root: text(certificate.root) })
    : '';
  if (action === 'recipient.signature-applied')
    return signedWith ? `${text(details.name)} — ${signedWith}` : text(details.name);
  if (action === 'envelope.sealed') return signedWith;
  if (action === 'recipient.code-failed' && typeof details.attempts === 'number')
    return ja('attempt', { n: details.attempts });
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
    if (key) sender = { name: ja('apiKey', { name: key.name }), email: `${key.prefix}…` };
  }
  const fields = await loadFields(db, envelope.id);
  const hasOrganizationSeal =
    (await db
      .selectFrom('organization_seals')
      .select('organization_id')
      .where('organization_id', '=', envelope.organizationId)
      .executeTakeFirst()) !== undefined;
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
    ccRecipients: recipients.filter((r) => r.role === 'cc').map((r) => ({ name: r.name, email: r.email })),
    parties: signersOf(recipients).map((r) => {
      const row = byId.get(r.id);
      const fieldLines = fields
        .filter((f) => f.recipientId === r.id)
        .map((f) => {
          const document = documents.find((d) => d.id === f.documentId)?.name ?? '';
          const value = fieldValueText(f, r.auth === 'login' && hasOrganizationSeal);
          return ja('fieldLine', { document, page: f.page, field: fieldLabel(f), value });
        });
      return {
        ...(fieldLines.length > 0 ? { fields: fieldLines } : {}),
        name: r.name,
        email: r.email,
        authentication: authenticationLabel(r.auth),
        ip: row?.signed_ip ?? null,
        userAgent: row?.signed_user_agent ?? null,
        signedAt: row?.signed_at ? new Date(row.signed_at) : (r.signedAt ?? completedAt),
      };
    }),
    ...(await approvalsOf(db, envelope.id)),
    events: kept.map((row) => {
      const fact = detailOf(row.action, JSON.parse(row.details) as Record<string, unknown>);
      const actor = row.actor_type === 'system' ? jaEn('system') : nameOf(row);
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

/** 稟議: every round's approvers in route order, for the certificate (empty when there was none). */
async function approvalsOf(
  db: DbOrTx,
  envelopeId: string,
): Promise<Pick<CompletionCertificateData, 'approvals'> | Record<string, never>> {
  const rows = await db
    .selectFrom('envelope_approvals as a')
    .innerJoin('users as u', 'u.id', 'a.user_id')
    .select(['a.round', 'a.route_name', 'a.step_index', 'a.step_mode', 'a.status', 'a.decided_at', 'a.comment'])
    .select(['u.name', 'u.email'])
    .where('a.envelope_id', '=', envelopeId)
    .orderBy('a.round')
    .orderBy('a.step_index')
    .orderBy('a.position')
    .execute();
  if (rows.length === 0) return {};
  return {
    approvals: rows.map((r) => ({
      round: r.round,
      routeName: r.route_name,
      step: r.step_index + 1,
      stepMode: r.step_mode === 'all' ? jaEn('stepMode.all', '(', ')') : jaEn(`stepMode.${r.step_mode}`),
      name: r.name,
      email: r.email,
      decision: jaEn(`decision.${r.status}`),
      decidedAt: r.decided_at ? new Date(r.decided_at) : null,
      comment: r.comment,
    })),
  };
}
