import type { DomainContext } from '../domain-context.ts';

/** One of the account's live sessions as the sessions list shows it. */
export interface AccountSessionView {
  /** The stored hash of the session token: an id, not the token. */
  id: string;
  current: boolean;
  createdAt: string;
  lastSeenAt: string | null;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
  organization: { id: string; name: string } | null;
}

/** The account's live sessions, newest first (the current one marked). */
export async function listAccountSessions(
  ctx: DomainContext,
  input: { userId: string; sessionHash: string },
): Promise<AccountSessionView[]> {
  const now = ctx.clock.now().toISOString();
  const rows = await ctx.db
    .selectFrom('sessions')
    .leftJoin('organizations', 'organizations.id', 'sessions.organization_id')
    .select([
      'sessions.token_hash',
      'sessions.created_at',
      'sessions.last_seen_at',
      'sessions.expires_at',
      'sessions.ip',
      'sessions.user_agent',
      'organizations.id as orgId',
      'organizations.name as orgName',
    ])
    .where('sessions.user_id', '=', input.userId)
    .where('sessions.expires_at', '>', now)
    .orderBy('sessions.created_at', 'desc')
    .orderBy('sessions.token_hash')
    // A person has a handful of sessions; the bound keeps a pathological account from a huge answer.
    .limit(200)
    .execute();
  return rows.map((r) => ({
    id: r.token_hash,
    current: r.token_hash === input.sessionHash,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    expiresAt: r.expires_at,
    ip: r.ip,
    userAgent: r.user_agent,
    organization: r.orgId && r.orgName ? { id: r.orgId, name: r.orgName } : null,
  }));
}
