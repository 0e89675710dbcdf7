import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';

/** The settings of an organisation that its administrators change. */
export interface OrganizationSettings {
  /** The completion mail carries the certificate of completion as a PDF attachment. */
  attachCertificate: boolean;
}

/** The organisation's settings (read only). */
export async function getOrganizationSettings(ctx: DomainContext, input: { organizationId: string }): Promise<OrganizationSettings> {
  const row = await ctx.db.selectFrom('organizations').select('attach_certificate').where('id', '=', input.organizationId).executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', 'no such organisation');
  return { attachCertificate: row.attach_certificate === 1 };
}

/**
 * Changes the organisation's settings and records `organization.settings-changed` (each changed setting,
 * before and after) in the same transaction; a request that changes nothing records nothing.
 */
export async function updateOrganizationSettings(
  ctx: DomainContext,
  input: { organizationId: string; actor: Actor; origin?: RequestOrigin; changes: Partial<OrganizationSettings> },
): Promise<OrganizationSettings> {
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const row = await tx.selectFrom('organizations').select('attach_certificate').where('id', '=', input.organizationId).executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', 'no such organisation');
    const before: OrganizationSettings = { attachCertificate: row.attach_certificate === 1 };
    const after: OrganizationSettings = { ...before, ...input.changes };
    if (after.attachCertificate === before.attachCertificate) return before;
    await tx.updateTable('organizations').set({ attach_certificate: after.attachCertificate ? 1 : 0 }).where('id', '=', input.organizationId).execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'organization.settings-changed',
      origin: input.origin,
      at: ctx.clock.now(),
      details: { attachCertificate: { from: before.attachCertificate, to: after.attachCertificate } },
    });
    return after;
  });
}
