import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';

/** A member's session in the organisation, as the admin's セッション screen lists it. */
export interface MemberSessionView {
  /** The stored hash of the session token (an id, not the token). */
  id: string;
  userId: string;
  email: string;
  name: string;
  createdAt: string;
  lastSeenAt: string | null;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
}

/** Live sessions acting for the organisation (of every member, or of one), newest first. */
export async function listMemberSessions(
  ctx: DomainContext,
  input: { organizationId: string; userId?: string },
): Promise<MemberSessionView[]> {
  let query = ctx.db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.token_hash',
      'sessions.user_id',
      'users.email',
      'users.name',
      'sessions.created_at',
      'sessions.last_seen_at',
      'sessions.expires_at',
      'sessions.ip',
      'sessions.user_agent',
    ])
    .where('sessions.organization_id', '=', input.organizationId)
    .where('sessions.expires_at', '>', ctx.clock.now().toISOString());
  if (input.userId !== undefined) query = query.where('sessions.user_id', '=', input.userId);
  const rows = await query.orderBy('sessions.created_at', 'desc').orderBy('sessions.token_hash').limit(500).execute();
  return rows.map((r) => ({
    id: r.token_hash,
    userId: r.user_id,
    email: r.email,
    name: r.name,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    expiresAt: r.expires_at,
    ip: r.ip,
    userAgent: r.user_agent,
  }));
}

/**
 * An administrator ends a member's session (one by id) or all of a member's sessions in the
 * organisation (`which: 'all'`). Sessions of other organisations are out of reach (NOT_FOUND). Records
 * `member.sessions-ended`.
 */
export async function endMemberSessions(
  ctx: DomainContext,
  input: {
    organizationId: string;
    actor: Actor;
    origin?: RequestOrigin;
    userId: string;
    which: { id: unknown } | 'all';
  },
): Promise<{ ended: number }> {
  const now = ctx.clock.now();
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const member = await tx
      .selectFrom('memberships')
      .select('user_id')
      .where('organization_id', '=', input.organizationId)
      .where('user_id', '=', input.userId)
      .executeTakeFirst();
    if (!member) throw new AppError('NOT_FOUND', 'no such member');
    let query = tx
      .deleteFrom('sessions')
      .where('user_id', '=', input.userId)
      .where('organization_id', '=', input.organizationId);
    if (input.which !== 'all') {
      const id = input.which.id;
      if (typeof id !== 'string' || !/^[0-9a-f]{64}$/.test(id)) throw new AppError('NOT_FOUND', 'no such session');
      query = query.where('token_hash', '=', id);
    }
    const ended = Number((await query.executeTakeFirst()).numDeletedRows);
    if (input.which !== 'all' && ended === 0) throw new AppError('NOT_FOUND', 'no such session');
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'member.sessions-ended',
      origin: input.origin,
      at: now,
      details: { userId: input.userId, scope: input.which === 'all' ? 'all' : 'one', ended },
    });
    return { ended };
  });
}
