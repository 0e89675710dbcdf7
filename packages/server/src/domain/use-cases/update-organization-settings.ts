import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';

/** The settings of an organisation that its administrators change. */
export interface OrganizationSettings {
  /** The completion mail carries the certificate of completion as a PDF attachment. */
  attachCertificate: boolean;
  /** Every member must have a second factor (enforced at each member's next sign-in). */
  mfaRequired: boolean;
}

/** The organisation's settings (read only). */
export async function getOrganizationSettings(
  ctx: DomainContext,
  input: { organizationId: string },
): Promise<OrganizationSettings> {
  const row = await ctx.db
    .selectFrom('organizations')
    .select(['attach_certificate', 'mfa_required'])
    .where('id', '=', input.organizationId)
    .executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', 'no such organisation');
  return { attachCertificate: row.attach_certificate === 1, mfaRequired: row.mfa_required === 1 };
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
    const row = await tx
      .selectFrom('organizations')
      .select(['attach_certificate', 'mfa_required'])
      .where('id', '=', input.organizationId)
      .executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', 'no such organisation');
    const before: OrganizationSettings = {
      attachCertificate: row.attach_certificate === 1,
      mfaRequired: row.mfa_required === 1,
    };
    const after: OrganizationSettings = { ...before, ...input.changes };
    const changed = (Object.keys(before) as Array<keyof OrganizationSettings>).filter(
      (key) => before[key] !== after[key],
    );
    if (changed.length === 0) return before;
    await tx
      .updateTable('organizations')
      .set({ attach_certificate: after.attachCertificate ? 1 : 0, mfa_required: after.mfaRequired ? 1 : 0 })
      .where('id', '=', input.organizationId)
      .execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'organization.settings-changed',
      origin: input.origin,
      at: ctx.clock.now(),
      details: Object.fromEntries(changed.map((key) => [key, { from: before[key], to: after[key] }])),
    });
    return after;
  });
}
