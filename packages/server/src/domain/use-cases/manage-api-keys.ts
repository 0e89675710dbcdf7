import { randomBytes } from 'node:crypto';
import { hashToken, newId } from '../../security/tokens.ts';
import { parseStoredScopes, requireScopes, type ApiKeyScope } from '../administration/api-key-scopes.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';
import { requireLine } from '../validation.ts';

/** Length of api_keys.prefix: "inkan_" and 6 characters of the random part. */
export const API_KEY_PREFIX_LENGTH = 12;

/** An API key as the APIキー screen lists it (never the key itself). */
export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  createdAt: string;
  createdBy: { id: string; name: string } | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** The organisation's API keys, live first, newest first. */
export async function listApiKeys(ctx: DomainContext, input: { organizationId: string }): Promise<ApiKeyView[]> {
  const rows = await ctx.db
    .selectFrom('api_keys')
    .leftJoin('users', 'users.id', 'api_keys.created_by_user_id')
    .select([
      'api_keys.id',
      'api_keys.name',
      'api_keys.prefix',
      'api_keys.scopes',
      'api_keys.created_at',
      'api_keys.last_used_at',
      'api_keys.revoked_at',
      'users.id as userId',
      'users.name as userName',
    ])
    .where('api_keys.organization_id', '=', input.organizationId)
    .orderBy('api_keys.created_at', 'desc')
    .orderBy('api_keys.id')
    .limit(500)
    .execute();
  return rows
    .map((r) => ({
      id: r.id,
      name: r.name,
      prefix: r.prefix,
      scopes: parseStoredScopes(r.scopes),
      createdAt: r.created_at,
      createdBy: r.userId && r.userName !== null ? { id: r.userId, name: r.userName } : null,
      lastUsedAt: r.last_used_at,
      revokedAt: r.revoked_at,
    }))
    .sort((a, b) => ((a.revokedAt === null) === (b.revokedAt === null) ? 0 : a.revokedAt === null ? -1 : 1));
}

/**
 * Creates an API key with scopes: 256 random bits, shown once (returned here, never stored), kept as
 * SHA-256 with a recognisable prefix. Records `apikey.created` (name, prefix, scopes — not the key).
 */
export async function createOrganizationApiKey(
  ctx: DomainContext,
  input: {
    organizationId: string;
    actor: Actor & { type: 'user' };
    origin?: RequestOrigin;
    name: unknown;
    scopes: unknown;
  },
): Promise<{ key: string; apiKey: ApiKeyView }> {
  const name = requireLine(input.name, 'name', 100);
  const scopes = requireScopes(input.scopes);
  const now = ctx.clock.now();
  const key = `inkan_${randomBytes(32).toString('base64url')}`;
  const id = newId();
  const prefix = key.slice(0, API_KEY_PREFIX_LENGTH);
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    await tx
      .insertInto('api_keys')
      .values({
        id,
        organization_id: input.organizationId,
        name,
        key_hash: hashToken(key),
        prefix,
        created_at: now.toISOString(),
        revoked_at: null,
        last_used_at: null,
        scopes: JSON.stringify(scopes),
        created_by_user_id: input.actor.id,
      })
      .execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'apikey.created',
      origin: input.origin,
      at: now,
      details: { apiKeyId: id, name, prefix, scopes },
    });
  });
  const creator = await ctx.db
    .selectFrom('users')
    .select(['id', 'name'])
    .where('id', '=', input.actor.id)
    .executeTakeFirst();
  return {
    key,
    apiKey: {
      id,
      name,
      prefix,
      scopes,
      createdAt: now.toISOString(),
      createdBy: creator ?? null,
      lastUsedAt: null,
      revokedAt: null,
    },
  };
}

/** Revokes one of the organisation's keys (unknown, another organisation's or already revoked → NOT_FOUND). Records `apikey.revoked`. */
export async function revokeOrganizationApiKey(
  ctx: DomainContext,
  input: { organizationId: string; actor: Actor; origin?: RequestOrigin; apiKeyId: string },
): Promise<void> {
  const now = ctx.clock.now();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const key = await tx
      .selectFrom('api_keys')
      .select(['id', 'name', 'prefix'])
      .where('id', '=', input.apiKeyId)
      .where('organization_id', '=', input.organizationId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!key) throw new AppError('NOT_FOUND', 'no such live API key');
    await tx.updateTable('api_keys').set({ revoked_at: now.toISOString() }).where('id', '=', key.id).execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'apikey.revoked',
      origin: input.origin,
      at: now,
      details: { apiKeyId: key.id, name: key.name, prefix: key.prefix },
    });
  });
}
