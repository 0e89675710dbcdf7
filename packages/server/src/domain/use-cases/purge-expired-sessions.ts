import type { DbOrTx } from '../../ports/database.ts';
import type { DomainContext } from '../domain-context.ts';
import { sessionOutlivedPolicy } from './sign-in.ts';

// Rows deleted per statement (a bounded IN list on both databases).
const DELETE_CHUNK = 500;

/**
 * Housekeeping of the scheduled sweep: deletes sessions past their expiry or their organisation's idle
 * or absolute timeout. Requests only refuse such sessions (a GET must not delete); their rows go here.
 * No event: the session already ended when it timed out, nobody acted. Returns how many were deleted.
 */
export async function purgeExpiredSessions(ctx: Pick<DomainContext, 'db' | 'clock'>): Promise<number> {
  const now = ctx.clock.now();
  const expired = await ctx.db.deleteFrom('sessions').where('expires_at', '<=', now.toISOString()).executeTakeFirst();
  return Number(expired.numDeletedRows) + (await deleteOutlivedSessions(ctx.db, now));
}

/**
 * Deletes the sessions that outlived their organisation's current idle or absolute timeout (of one
 * organisation, or all). Also run before an organisation's timeouts change, so that loosening them
 * never revives a session that had already timed out.
 */
export async function deleteOutlivedSessions(db: DbOrTx, now: Date, organizationId?: string): Promise<number> {
  let query = db
    .selectFrom('sessions')
    .innerJoin('organizations', 'organizations.id', 'sessions.organization_id')
    .select([
      'sessions.token_hash',
      'sessions.created_at',
      'sessions.last_seen_at',
      'organizations.session_idle_minutes',
      'organizations.session_absolute_hours',
    ])
    .where((eb) =>
      eb.or([
        eb('organizations.session_idle_minutes', 'is not', null),
        eb('organizations.session_absolute_hours', 'is not', null),
      ]),
    );
  if (organizationId !== undefined) query = query.where('sessions.organization_id', '=', organizationId);
  const outlived = (await query.execute()).filter((s) => sessionOutlivedPolicy(s, s, now)).map((s) => s.token_hash);
  for (let i = 0; i < outlived.length; i += DELETE_CHUNK)
    await db
      .deleteFrom('sessions')
      .where('token_hash', 'in', outlived.slice(i, i + DELETE_CHUNK))
      .execute();
  return outlived.length;
}
