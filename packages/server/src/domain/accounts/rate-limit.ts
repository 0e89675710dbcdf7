import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';

/** A fixed-window limit: at most `max` attempts per `windowMs`. */
export interface RateLimit {
  max: number;
  windowMs: number;
}

/** The limits of the account surfaces, per IP and per e-mail address (docs/api.md). */
export const ACCOUNT_RATE_LIMITS = {
  signup: { ip: { max: 20, windowMs: 3_600_000 }, email: { max: 5, windowMs: 3_600_000 } },
  // Sign-in: failures per address (per IP the route's own limit applies); successes never count.
  signIn: { ip: { max: 30, windowMs: 900_000 }, email: { max: 10, windowMs: 900_000 } },
  passwordReset: { ip: { max: 20, windowMs: 3_600_000 }, email: { max: 5, windowMs: 3_600_000 } },
  emailChange: { ip: { max: 20, windowMs: 3_600_000 }, email: { max: 5, windowMs: 3_600_000 } },
} as const satisfies Record<string, { ip: RateLimit; email: RateLimit }>;

/** The bucket of an address: a hash, so that the table holds no address. */
export function addressBucket(scope: string, email: string): string {
  return `${scope}:email:${createHash('sha256').update(email.trim().toLowerCase(), 'utf8').digest('hex')}`;
}

/**
 * Counts one attempt in a bucket shared by every process (one atomic upsert) and throws RATE_LIMITED
 * when the window's count passes the limit. The counter is written even then: hammering keeps it shut.
 */
export async function hitRateLimit(ctx: DomainContext, bucket: string, limit: RateLimit): Promise<void> {
  const now = ctx.clock.now();
  const cutoff = new Date(now.getTime() - limit.windowMs).toISOString();
  const row = await ctx.db
    .insertInto('rate_limits')
    .values({ bucket, window_start: now.toISOString(), hits: 1 })
    .onConflict((oc) =>
      oc.column('bucket').doUpdateSet({
        hits: sql<number>`case when rate_limits.window_start <= ${cutoff} then 1 else rate_limits.hits + 1 end`,
        window_start: sql<string>`case when rate_limits.window_start <= ${cutoff} then ${now.toISOString()} else rate_limits.window_start end`,
      }),
    )
    .returning('hits')
    .executeTakeFirstOrThrow();
  if (Number(row.hits) > limit.max)
    throw new AppError('RATE_LIMITED', 'too many attempts; try again later', {
      retryAfterSeconds: Math.ceil(limit.windowMs / 1000),
    });
}

/** Counts an attempt per IP and per address of one account surface. */
export async function limitAccountAttempt(
  ctx: DomainContext,
  scope: keyof typeof ACCOUNT_RATE_LIMITS,
  ip: string | null | undefined,
  email: string,
): Promise<void> {
  const limits = ACCOUNT_RATE_LIMITS[scope];
  if (ip) await hitRateLimit(ctx, `${scope}:ip:${ip}`, limits.ip);
  await hitRateLimit(ctx, addressBucket(scope, email), limits.email);
}

/** Throws RATE_LIMITED when a bucket's current window is full already (counts nothing). */
export async function assertBelowRateLimit(ctx: DomainContext, bucket: string, limit: RateLimit): Promise<void> {
  const row = await ctx.db
    .selectFrom('rate_limits')
    .select(['hits', 'window_start'])
    .where('bucket', '=', bucket)
    .executeTakeFirst();
  if (!row || new Date(row.window_start).getTime() <= ctx.clock.now().getTime() - limit.windowMs) return;
  if (Number(row.hits) >= limit.max)
    throw new AppError('RATE_LIMITED', 'too many attempts; try again later', {
      retryAfterSeconds: Math.ceil(limit.windowMs / 1000),
    });
}

/** Deletes counters whose window began more than a day ago (every limit's window is at most an hour). */
export async function purgeStaleRateLimits(ctx: Pick<DomainContext, 'db' | 'clock'>): Promise<number> {
  const cutoff = new Date(ctx.clock.now().getTime() - 86_400_000).toISOString();
  const result = await ctx.db.deleteFrom('rate_limits').where('window_start', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}
