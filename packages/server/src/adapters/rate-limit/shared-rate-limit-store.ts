/*
 * Where the HTTP rate-limit counters (@fastify/rate-limit) live, so that several web instances count
 * together: Redis when INKAN_REDIS_URL is set (the plugin's own atomic Lua script), else the database's
 * `rate_limits` table when it is PostgreSQL (one atomic upsert per request), else — SQLite, one
 * instance — the plugin's in-process store. The counters of the domain (sign-in, sign-up, second
 * factors) and the access-code lockout are in the database already, whatever the store.
 */
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import type { Clock } from '../../ports/clock.ts';
import type { Db } from '../../ports/database.ts';

/** What @fastify/rate-limit needs of a store. */
interface RateLimitStore {
  incr(
    key: string,
    callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
    timeWindow: number,
    max: number,
  ): void;
  child(routeOptions: { routeInfo: { method: string | string[]; url: string } }): RateLimitStore;
}

/** Counts one request of `bucket` in a fixed window of `windowMs`; resolves with the count and the time left. */
export async function countInDatabase(
  db: Db,
  clock: Clock,
  bucket: string,
  windowMs: number,
): Promise<{ current: number; ttl: number }> {
  const now = clock.now();
  const cutoff = new Date(now.getTime() - windowMs).toISOString();
  const row = await db
    .insertInto('rate_limits')
    .values({ bucket, window_start: now.toISOString(), hits: 1 })
    .onConflict((oc) =>
      oc.column('bucket').doUpdateSet({
        hits: sql<number>`case when rate_limits.window_start <= ${cutoff} then 1 else rate_limits.hits + 1 end`,
        window_start: sql<string>`case when rate_limits.window_start <= ${cutoff} then ${now.toISOString()} else rate_limits.window_start end`,
      }),
    )
    .returning(['hits', 'window_start'])
    .executeTakeFirstOrThrow();
  const ttl = Math.max(0, new Date(row.window_start).getTime() + windowMs - now.getTime());
  return { current: Number(row.hits), ttl };
}

/** A @fastify/rate-limit store class over the `rate_limits` table (buckets `http:<route>:<key>`). */
export function databaseRateLimitStore(db: Db, clock: Clock): new (options: unknown) => RateLimitStore {
  const make = (prefix: string): RateLimitStore => ({
    incr(key, callback, timeWindow) {
      countInDatabase(db, clock, `http:${prefix}${key}`.slice(0, 500), timeWindow).then(
        (result) => callback(null, result),
        (error: Error) => callback(error),
      );
    },
    child(routeOptions) {
      const method = [routeOptions.routeInfo.method].flat().join(',');
      return make(`${method}${routeOptions.routeInfo.url}:`);
    },
  });
  return class DatabaseRateLimitStore {
    constructor() {
      return make('global:');
    }
  } as unknown as new (options: unknown) => RateLimitStore;
}

/** The plugin options that choose the store, and how to release it. */
export interface SharedRateLimitStore {
  /** Merged into the options of @fastify/rate-limit. */
  pluginOptions: Record<string, unknown>;
  /** Which store: for logs and tests. */
  kind: 'redis' | 'database' | 'memory';
  close(): Promise<void>;
}

/** Picks the store for this installation (see the top of this file). */
export function openSharedRateLimitStore(options: {
  redisUrl?: string;
  /** Key prefix in Redis (tests give each run its own). */
  redisPrefix?: string;
  db: Db;
  dialect: 'sqlite' | 'postgres';
  clock: Clock;
}): SharedRateLimitStore {
  if (options.redisUrl) {
    const redis = new Redis(options.redisUrl, {
      // A request must not wait long for a Redis that is gone: fail fast and let the request through
      // (skipOnError below); the database-backed limits of the authentication surfaces still apply.
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      commandTimeout: 1000,
    });
    redis.on('error', () => undefined);
    return {
      kind: 'redis',
      pluginOptions: { redis, nameSpace: options.redisPrefix ?? 'inkan:rate-limit:', skipOnError: true },
      close: async () => {
        await redis.quit().catch(() => redis.disconnect());
      },
    };
  }
  if (options.dialect === 'postgres') {
    return {
      kind: 'database',
      pluginOptions: { store: databaseRateLimitStore(options.db, options.clock) },
      close: async () => undefined,
    };
  }
  return { kind: 'memory', pluginOptions: {}, close: async () => undefined };
}
