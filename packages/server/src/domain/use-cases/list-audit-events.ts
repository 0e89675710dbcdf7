import { sql } from 'kysely';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { actorNames } from '../event-labels.ts';
import { isUuid } from '../rows.ts';
import type { Actor } from '../types.ts';

/** One entry of the operation log as administrators see it. */
export interface AuditEntry {
  id: string;
  seq: number;
  createdAt: Date;
  action: string;
  actor: { type: Actor['type']; id: string | null; name: string };
  envelope: { id: string; name: string | null } | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
}

/** Filters of the operation log (the query string of GET /api/v1/audit-events). */
export interface AuditFilter {
  /** From this time on: an ISO 8601 time, or a date `YYYY-MM-DD` meaning 00:00 JST of that day. */
  from?: string;
  /** Before this time: an ISO 8601 time (exclusive), or a date meaning the end of that day in JST (inclusive). */
  to?: string;
  /** One action (`envelope.sent`) or a group ending in a dot (`envelope.`). */
  action?: string;
  envelopeId?: string;
  /** An actor type (user, recipient, api_key, system), an actor's id, or text found in an actor's name or e-mail. */
  actor?: string;
}

const JST_OFFSET_MS = 9 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const ACTOR_TYPES = ['user', 'recipient', 'api_key', 'system'] as const;
export const AUDIT_PAGE_MAX = 200;

/** A filter's time bound as ISO 8601 UTC; a bare date is a day in Japan Standard Time. */
function timeBound(text: string | undefined, field: 'from' | 'to'): string | undefined {
  if (text === undefined || text === '') return undefined;
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  let ms: number;
  if (day) {
    ms = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])) - JST_OFFSET_MS + (field === 'to' ? DAY_MS : 0);
  } else {
    ms = /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : Number.NaN;
  }
  if (Number.isNaN(ms))
    throw new AppError('VALIDATION_FAILED', `${field} must be a date (YYYY-MM-DD) or an ISO 8601 time`, { field });
  return new Date(ms).toISOString();
}

const likePattern = (text: string): string => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The ids of actors whose name or e-mail contains `text`: the organisation's users, its envelopes' recipients, its API keys. */
async function actorIdsMatching(ctx: DomainContext, organizationId: string, text: string): Promise<string[]> {
  const pattern = likePattern(text);
  const users = await ctx.db
    .selectFrom('users')
    .innerJoin('memberships', 'memberships.user_id', 'users.id')
    .select('users.id')
    .where('memberships.organization_id', '=', organizationId)
    .where(
      sql<boolean>`(lower(users.name) like ${pattern} escape '\\' or lower(users.email) like ${pattern} escape '\\')`,
    )
    .execute();
  const recipients = await ctx.db
    .selectFrom('recipients')
    .innerJoin('envelopes', 'envelopes.id', 'recipients.envelope_id')
    .select('recipients.id')
    .where('envelopes.organization_id', '=', organizationId)
    .where(
      sql<boolean>`(lower(recipients.name) like ${pattern} escape '\\' or lower(recipients.email) like ${pattern} escape '\\')`,
    )
    .execute();
  const keys = await ctx.db
    .selectFrom('api_keys')
    .select('id')
    .where('organization_id', '=', organizationId)
    .where(sql<boolean>`(lower(name) like ${pattern} escape '\\' or lower(prefix) like ${pattern} escape '\\')`)
    .execute();
  return [...users, ...recipients, ...keys].map((r) => r.id);
}

/**
 * One page of the organisation's operation log, newest first, filtered by time, action, envelope and
 * actor; `nextCursor` pages on (keyset on seq, so new events never shift a page).
 */
export async function listAuditEvents(
  ctx: DomainContext,
  input: AuditFilter & { organizationId: string; limit?: number; cursor?: string },
): Promise<{ items: AuditEntry[]; nextCursor: string | null }> {
  const limit = input.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > AUDIT_PAGE_MAX)
    throw new AppError('VALIDATION_FAILED', `limit must be 1–${AUDIT_PAGE_MAX}`, { field: 'limit' });
  const from = timeBound(input.from, 'from');
  const to = timeBound(input.to, 'to');
  let query = ctx.db.selectFrom('events').selectAll().where('organization_id', '=', input.organizationId);
  if (from) query = query.where('created_at', '>=', from);
  if (to) query = query.where('created_at', '<', to);
  const action = input.action?.trim();
  if (action) {
    if (!/^[a-z0-9.-]{1,64}$/.test(action))
      throw new AppError('VALIDATION_FAILED', 'action is not an action name', { field: 'action' });
    query = action.endsWith('.')
      ? query.where(sql<boolean>`action like ${`${action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`} escape '\\'`)
      : query.where('action', '=', action);
  }
  if (input.envelopeId) {
    // An id of another organisation's envelope simply matches nothing here.
    if (!isUuid(input.envelopeId))
      throw new AppError('VALIDATION_FAILED', 'envelopeId is not an id', { field: 'envelopeId' });
    query = query.where('envelope_id', '=', input.envelopeId);
  }
  const actor = input.actor?.trim();
  if (actor) {
    if (actor.length > 200) throw new AppError('VALIDATION_FAILED', 'actor is too long', { field: 'actor' });
    if ((ACTOR_TYPES as readonly string[]).includes(actor))
      query = query.where('actor_type', '=', actor as Actor['type']);
    else if (isUuid(actor)) query = query.where('actor_id', '=', actor);
    else {
      const ids = await actorIdsMatching(ctx, input.organizationId, actor);
      if (ids.length === 0) return { items: [], nextCursor: null };
      query = query.where('actor_id', 'in', ids);
    }
  }
  if (input.cursor) query = query.where('seq', '<', decodeCursor(input.cursor));
  const rows = await query
    .orderBy('seq', 'desc')
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const nameOf = await actorNames(ctx.db, page);
  const envelopeIds = [...new Set(page.map((r) => r.envelope_id).filter((id): id is string => id !== null))];
  const envelopes = envelopeIds.length
    ? await ctx.db
        .selectFrom('envelopes')
        .select(['id', 'name'])
        .where('id', 'in', envelopeIds)
        .where('organization_id', '=', input.organizationId)
        .execute()
    : [];
  const envelopeNames = new Map(envelopes.map((e) => [e.id, e.name]));
  const items = page.map((row) => ({
    id: row.id,
    seq: Number(row.seq),
    createdAt: new Date(row.created_at),
    action: row.action,
    actor: { type: row.actor_type, id: row.actor_id, name: nameOf(row) },
    envelope: row.envelope_id ? { id: row.envelope_id, name: envelopeNames.get(row.envelope_id) ?? null } : null,
    ip: row.ip,
    userAgent: row.user_agent,
    details: JSON.parse(row.details) as Record<string, unknown>,
  }));
  const last = page[page.length - 1];
  return {
    items,
    nextCursor: rows.length > limit && last ? Buffer.from(String(last.seq), 'utf8').toString('base64url') : null,
  };
}

function decodeCursor(text: string): number {
  const decoded = /^[A-Za-z0-9_-]{1,24}$/.test(text) ? Buffer.from(text, 'base64url').toString('utf8') : '';
  const seq = /^\d{1,15}$/.test(decoded) ? Number(decoded) : Number.NaN;
  if (!Number.isSafeInteger(seq)) throw new AppError('VALIDATION_FAILED', 'cursor is not valid', { field: 'cursor' });
  return seq;
}
