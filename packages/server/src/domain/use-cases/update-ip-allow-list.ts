import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { addressAllowed, loadAllowList, parseAllowList } from '../sign-in-security/ip-allow-list.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';

/**
 * Replaces an organisation's IP allow-list (members' sessions and API keys; an empty list lifts the
 * limit). A list that would not cover the administrator's own current address is refused
 * (IP_LIST_LOCKOUT): nobody locks themselves out. Records `organization.ip-allow-list-changed`
 * (before and after) when something changed.
 */
export async function updateIpAllowList(
  ctx: DomainContext,
  input: { organizationId: string; actor: Actor; origin?: RequestOrigin; ipAllowList: unknown },
): Promise<{ ipAllowList: string[] }> {
  const list = parseAllowList(input.ipAllowList);
  const address = input.origin?.ip ?? null;
  if (!addressAllowed(list, address))
    throw new AppError('IP_LIST_LOCKOUT', 'the list does not cover the current address', { address });
  const now = ctx.clock.now();
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const before = await loadAllowList(tx, input.organizationId);
    if (JSON.stringify(before) === JSON.stringify(list)) return { ipAllowList: list };
    await tx
      .updateTable('organizations')
      .set({ ip_allow_list: JSON.stringify(list) })
      .where('id', '=', input.organizationId)
      .execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'organization.ip-allow-list-changed',
      origin: input.origin,
      at: now,
      details: { before, after: list },
    });
    return { ipAllowList: list };
  });
}
