import { hashToken } from '../../security/tokens.ts';
import { parseStoredScopes, type ApiKeyScope } from '../administration/api-key-scopes.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { readStoredAllowList } from '../sign-in-security/ip-allow-list.ts';
import { inTransaction } from '../transaction.ts';
import type { RequestOrigin } from '../types.ts';

/** How often the use of one API key is written to the operation log, at most. */
const USE_LOG_INTERVAL_MS = 60_000;

/**
 * The organisation of an API key (`Authorization: Bearer …`), or undefined for an unknown or revoked
 * key. Records `apikey.used` at most once a minute per key (the log must not grow with every call).
 */
export async function authenticateApiKey(
  ctx: DomainContext,
  input: { key: string; origin?: RequestOrigin },
): Promise<{ apiKeyId: string; organizationId: string; scopes: ApiKeyScope[]; ipAllowList: string[] } | undefined> {
  if (!/^inkan_[A-Za-z0-9_-]{20,128}$/.test(input.key)) return undefined;
  // With the organisation's IP allow-list, which every API request checks next (one statement, not two).
  const row = await ctx.db
    .selectFrom('api_keys')
    .innerJoin('organizations', 'organizations.id', 'api_keys.organization_id')
    .selectAll('api_keys')
    .select('organizations.ip_allow_list')
    .where('api_keys.key_hash', '=', hashToken(input.key))
    .where('api_keys.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  const now = ctx.clock.now();
  if (row.last_used_at === null || new Date(row.last_used_at).getTime() + USE_LOG_INTERVAL_MS <= now.getTime()) {
    const threshold = new Date(now.getTime() - USE_LOG_INTERVAL_MS).toISOString();
    await inTransaction(ctx.db, ctx.dialect, async (tx) => {
      // Conditional: of parallel requests, one writes the event.
      const claimed = await tx
        .updateTable('api_keys')
        .set({ last_used_at: now.toISOString() })
        .where('id', '=', row.id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', threshold)]))
        .executeTakeFirst();
      if (Number(claimed.numUpdatedRows) !== 1) return;
      await recordEvent(tx, {
        organizationId: row.organization_id,
        actor: { type: 'api_key', id: row.id },
        action: 'apikey.used',
        origin: input.origin,
        at: now,
        details: { prefix: row.prefix },
      });
    });
  }
  return {
    apiKeyId: row.id,
    organizationId: row.organization_id,
    scopes: parseStoredScopes(row.scopes),
    ipAllowList: readStoredAllowList(row.ip_allow_list),
  };
}
