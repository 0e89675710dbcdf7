import type { DomainContext } from '../domain-context.ts';
import type { Actor } from '../types.ts';
import { getEnvelope } from './get-envelope.ts';

/** One entry of an envelope's timeline. */
export interface TimelineEntry {
  id: string;
  action: string;
  actor: { type: Actor['type']; id: string | null; name: string };
  createdAt: Date;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
}

/** The envelope's operation log, oldest first, with actors' names (organisation-scoped). */
export async function listEnvelopeEvents(
  ctx: DomainContext,
  input: { organizationId: string; envelopeId: string },
): Promise<TimelineEntry[]> {
  const { envelope, recipients } = await getEnvelope(ctx, input);
  const rows = await ctx.db
    .selectFrom('events')
    .selectAll()
    .where('envelope_id', '=', envelope.id)
    .where('organization_id', '=', input.organizationId)
    .orderBy('seq')
    .execute();
  const userIds = [...new Set(rows.filter((r) => r.actor_type === 'user' && r.actor_id).map((r) => r.actor_id!))];
  const keyIds = [...new Set(rows.filter((r) => r.actor_type === 'api_key' && r.actor_id).map((r) => r.actor_id!))];
  const users = userIds.length
    ? await ctx.db.selectFrom('users').select(['id', 'name']).where('id', 'in', userIds).execute()
    : [];
  const keys = keyIds.length
    ? await ctx.db.selectFrom('api_keys').select(['id', 'name']).where('id', 'in', keyIds).execute()
    : [];
  const names = new Map<string, string>([
    ...users.map((u) => [u.id, u.name] as const),
    ...keys.map((k) => [k.id, `API: ${k.name}`] as const),
    ...recipients.map((r) => [r.id, r.name] as const),
  ]);
  return rows.map((row) => ({
    id: row.id,
    action: row.action,
    actor: { type: row.actor_type, id: row.actor_id, name: row.actor_id ? (names.get(row.actor_id) ?? '') : 'Inkan' },
    createdAt: new Date(row.created_at),
    ip: row.ip,
    userAgent: row.user_agent,
    details: JSON.parse(row.details) as Record<string, unknown>,
  }));
}
