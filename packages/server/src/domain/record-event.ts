import { createHash } from 'node:crypto';
import { PostgresAdapter, sql } from 'kysely';
import { EVENT_CHAIN_LOCK_KEY, eventLogAtCommitOf, type DbOrTx, type Schema } from '../ports/database.ts';
import { newId } from '../security/tokens.ts';
import type { Actor, RequestOrigin } from './types.ts';
import { queueWebhookDeliveries, subscribedWebhookEndpoints } from './webhooks/webhook-outbox.ts';

/** The stable action names of the operation log (操作ログ). */
export type EventAction =
  | 'envelope.created'
  | 'envelope.sent'
  // Fields and seals (issue 11 part 4).
  | 'envelope.fields-set'
  | 'organization.seal-changed'
  | 'organization.signing-certificate-changed'
  // Senders' everyday tools (issue 11 part 5): draft edits, 複製 / 修正して再送, access codes shown again.
  | 'envelope.updated'
  | 'envelope.duplicated'
  | 'envelope.resubmitted'
  | 'access_code.revealed'
  | 'envelope.canceled'
  | 'envelope.completed'
  | 'envelope.declined'
  | 'envelope.expired'
  | 'envelope.sealed'
  // LTA renewal (issue 13 part 5): a stored PDF's archive timestamp renewed (a new version).
  | 'document.archive-renewed'
  | 'document.downloaded'
  | 'mail.signing-request.sent'
  | 'mail.signing-reminder.sent'
  | 'mail.completion.sent'
  | 'mail.locked.sent'
  | 'mail.declined.sent'
  | 'mail.unlocked.sent'
  | 'recipient.viewed'
  | 'recipient.signed'
  | 'recipient.declined'
  | 'recipient.locked'
  | 'recipient.unlocked'
  | 'recipient.code-failed'
  | 'recipient.code-passed'
  | 'recipient.login-passed'
  | 'recipient.resend-requested'
  | 'recipient.reminded'
  | 'recipient.signature-applied'
  | 'session.signed-in'
  | 'session.sign-in-failed'
  | 'session.signed-out'
  | 'session.password-set'
  | 'apikey.used'
  | 'apikey.revoked'
  // Evidence (issue 4).
  | 'envelope.certificate-issued'
  | 'certificate.downloaded'
  | 'key.used'
  | 'organization.settings-changed'
  | 'member.added'
  | 'member.role-changed'
  | 'audit.anchored'
  | 'audit.exported'
  // The retry policy (issue 10): a job failed for good; an administrator queued it again.
  | 'job.failed'
  | 'job.retried'
  // Accounts (issue 7).
  | 'account.signup-requested'
  | 'account.created'
  | 'account.password-reset-requested'
  | 'account.password-reset'
  | 'account.password-changed'
  | 'account.profile-updated'
  | 'account.email-change-requested'
  | 'account.email-changed'
  | 'account.session-ended'
  | 'account.organization-switched'
  | 'account.exported'
  | 'account.deleted'
  | 'mfa.totp-enrolled'
  | 'mfa.totp-removed'
  | 'mfa.recovery-codes-generated'
  | 'mfa.passkey-added'
  | 'mfa.passkey-removed'
  | 'mfa.second-factor-used'
  | 'mfa.second-factor-failed'
  | 'mail.account.sent'
  // The contract register (issue 7).
  | 'contract.registered'
  | 'contract.updated'
  | 'contract.imported'
  | 'contract.claimed'
  | 'contract.document-downloaded'
  | 'contract.reminder-queued'
  | 'register.field-defined'
  | 'register.settings-changed'
  // Sign-in security (issue 12 parts 3 and 4).
  | 'organization.ip-allow-list-changed'
  | 'sso.connection-changed'
  | 'sso.connection-removed'
  | 'sso.domain-verified'
  | 'sso.sign-in-refused'
  | 'sso.account-provisioned'
  | 'sso.member-added'
  // Written by the admin CLI (src/cli/admin-commands.ts), actor system.
  | 'organization.created'
  | 'apikey.created'
  | 'login-link.created'
  // Administration (issue 12 parts 1 and 5).
  | 'organization.profile-changed'
  | 'organization.logo-changed'
  | 'member.invited'
  | 'member.invitation-revoked'
  | 'member.joined'
  | 'member.deactivated'
  | 'member.reactivated'
  | 'member.envelopes-transferred'
  | 'member.sessions-ended'
  | 'mail.invitation.sent'
  | 'mail.test-sent'
  // Address book and pre-registration (issue 11 part 6).
  | 'contact.created'
  | 'contact.imported'
  | 'contact.updated'
  | 'contact.deleted'
  | 'contact.registration-requested'
  | 'mail.signer-registration.sent'
  | 'contact.signer-registered'
  | 'mail.signer-registered.sent'
  | 'mail.renewal-refused.sent'
  | 'contact.registration-revoked'
  // Retention and keys (issue 13 part 6).
  | 'retention.settings-changed'
  | 'legal-hold.placed'
  | 'legal-hold.released'
  | 'document.shredded'
  // Webhooks (issue 13 part 1).
  | 'webhook.created'
  | 'webhook.updated'
  | 'webhook.deleted'
  | 'webhook.secret-rotated'
  | 'webhook.replayed'
  | 'webhook.pinged'
  // 稟議 (issue 13 part 3).
  | 'approval.submitted'
  | 'approval.approved'
  | 'approval.rejected'
  | 'approval.withdrawn'
  | 'approval.reassigned'
  | 'mail.approval-request.sent'
  | 'mail.approval-rejected.sent'
  | 'approval.reminded'
  | 'mail.approval-reminder.sent'
  | 'approval-route.created'
  | 'approval-route.updated'
  | 'approval-route.deleted'
  | 'approval-route.required-changed'
  // Templates and bulk send (issue 13 part 2).
  | 'template.created'
  | 'template.updated'
  | 'template.deleted'
  | 'bulk-send.started';

/** The hash before the first event. */
export const GENESIS_HASH = '0'.repeat(64);

/** An event to append. */
export interface NewEvent {
  organizationId: string | null;
  envelopeId?: string | null;
  actor: Actor;
  action: EventAction;
  origin?: RequestOrigin;
  /** Facts about the event. Never a token, password or access code (refused). */
  details?: Record<string, unknown>;
  /** When it happened (the use case's clock). */
  at: Date;
}

type EventRow = Omit<Schema['events'], 'seq'>;

/** The fields a hash covers, in a fixed order (the canonical form of a row). */
export function canonicalEvent(row: Omit<EventRow, 'prev_hash' | 'hash'>): string {
  return JSON.stringify({
    id: row.id,
    organization_id: row.organization_id,
    envelope_id: row.envelope_id,
    actor_type: row.actor_type,
    actor_id: row.actor_id,
    action: row.action,
    ip: row.ip,
    user_agent: row.user_agent,
    details: row.details,
    created_at: row.created_at,
  });
}

/** SHA-256 (hex) of the previous hash followed by the canonical row. */
export function eventHash(prevHash: string, row: Omit<EventRow, 'prev_hash' | 'hash'>): string {
  return createHash('sha256')
    .update(prevHash + canonicalEvent(row), 'utf8')
    .digest('hex');
}

// A key in details that looks like a secret is a programming error: the log is shown to users.
const SECRET_KEY = /token|password|secret|access_?code|^code$/i;

function assertNoSecrets(value: unknown, path: string): void {
  if (value === null || typeof value !== 'object') return;
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    if (SECRET_KEY.test(key)) throw new Error(`event details must not hold secrets (${path}${key})`);
    assertNoSecrets(inner, `${path}${key}.`);
  }
}

/**
 * Appends an event to the hash-chained operation log, inside the caller's transaction (the change and
 * its event commit together). Appends are serialised so that the chain never forks: SQLite transactions
 * hold the single write lock (see inTransaction); PostgreSQL takes a transaction-scoped advisory lock.
 *
 * In PostgreSQL's write transaction (EventLogAtCommit) the event is only queued: the transaction's end
 * appends it, hashed in SQL, with its COMMIT in one round trip, so the lock is held for that alone. An
 * event that webhooks deliver is appended at once (its deliveries name its seq), after the events queued
 * before it; so is any event recorded outside a write transaction.
 */
export async function recordEvent(tx: DbOrTx, event: NewEvent): Promise<{ id: string }> {
  assertNoSecrets(event.details ?? {}, '');
  // Before the lock: the less a transaction does between the lock and its commit, the sooner the next
  // event of any other transaction can be appended.
  const subscribed = await subscribedWebhookEndpoints(tx, event);
  const row = {
    id: newId(),
    organization_id: event.organizationId,
    envelope_id: event.envelopeId ?? null,
    actor_type: event.actor.type,
    actor_id: event.actor.id,
    action: event.action,
    ip: event.origin?.ip ?? null,
    user_agent: event.origin?.userAgent ?? null,
    details: JSON.stringify(event.details ?? {}),
    created_at: event.at.toISOString(),
  };
  const atCommit = eventLogAtCommitOf(tx);
  if (atCommit !== undefined && subscribed.length === 0) {
    atCommit.queue(canonicalEvent(row));
    return { id: row.id };
  }
  await atCommit?.flush();
  if (isPostgres(tx)) await sql`select pg_advisory_xact_lock(${EVENT_CHAIN_LOCK_KEY})`.execute(tx);
  const last = await tx.selectFrom('events').select('hash').orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const prevHash = last?.hash ?? GENESIS_HASH;
  const hash = eventHash(prevHash, row);
  const { seq } = await tx
    .insertInto('events')
    .values({ ...row, prev_hash: prevHash, hash })
    .returning('seq')
    .executeTakeFirstOrThrow();
  // Webhooks: the deliveries of this event are queued in its transaction (the outbox).
  await queueWebhookDeliveries(
    tx,
    {
      id: row.id,
      seq: Number(seq),
      organizationId: event.organizationId,
      envelopeId: row.envelope_id,
      action: event.action,
      actor: event.actor,
      details: event.details ?? {},
      at: event.at,
    },
    subscribed,
  );
  return { id: row.id };
}

/** The outcome of verifyEventChain. */
export interface ChainVerification {
  /** Events checked and found intact (before the first broken one). */
  events: number;
  /** The seq of the first broken event, or null when the chain is intact. */
  brokenAt: number | null;
  /** Its id, and why: its own fields changed (`hash`), or its predecessor is not the one it names (`link`: an event before it was changed, deleted or inserted). */
  brokenId?: string;
  reason?: 'hash' | 'link';
}

/** Checks the whole chain; returns the seq and id of the first broken event, or brokenAt null when intact. */
export async function verifyEventChain(db: DbOrTx): Promise<ChainVerification> {
  let prevHash = GENESIS_HASH;
  let count = 0;
  let after = -1;
  for (;;) {
    const rows = await db
      .selectFrom('events')
      .selectAll()
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(1000)
      .execute();
    if (rows.length === 0) return { events: count, brokenAt: null };
    for (const row of rows) {
      if (row.prev_hash !== prevHash) return { events: count, brokenAt: row.seq, brokenId: row.id, reason: 'link' };
      if (eventHash(prevHash, row) !== row.hash)
        return { events: count, brokenAt: row.seq, brokenId: row.id, reason: 'hash' };
      prevHash = row.hash;
      count++;
      after = row.seq;
    }
  }
}

function isPostgres(db: DbOrTx): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
