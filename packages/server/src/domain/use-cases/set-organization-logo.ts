import { checkLogoImage } from '../administration/logo-image.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';
import { logoPathOf } from './update-organization-profile.ts';

/**
 * Sets (bytes) or removes (null) the organisation's logo. The image is checked first (PNG or JPEG, bytes
 * and pixels bounded: logo-image.ts); a refused file changes nothing. Records `organization.logo-changed`
 * with the type, size and dimensions (never the bytes).
 */
export async function setOrganizationLogo(
  ctx: DomainContext,
  input: { organizationId: string; actor: Actor; origin?: RequestOrigin; bytes: Uint8Array | null },
): Promise<{ logoPath: string | null }> {
  const image = input.bytes === null ? null : checkLogoImage(input.bytes);
  const now = ctx.clock.now();
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const row = await tx
      .selectFrom('organizations')
      .select(['id', 'logo_updated_at'])
      .where('id', '=', input.organizationId)
      .executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', 'no such organisation');
    if (image === null && row.logo_updated_at === null) return { logoPath: null };
    const updatedAt = image === null ? null : now.toISOString();
    await tx
      .updateTable('organizations')
      .set({
        logo_base64: input.bytes === null ? null : Buffer.from(input.bytes).toString('base64'),
        logo_type: image?.type ?? null,
        logo_updated_at: updatedAt,
      })
      .where('id', '=', input.organizationId)
      .execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'organization.logo-changed',
      origin: input.origin,
      at: now,
      details:
        image === null
          ? { removed: true }
          : { type: image.type, bytes: input.bytes!.byteLength, width: image.width, height: image.height },
    });
    return { logoPath: logoPathOf(input.organizationId, updatedAt) };
  });
}

/** The logo's bytes and type for the public logo URL, or NOT_FOUND. */
export async function getOrganizationLogo(
  ctx: DomainContext,
  input: { organizationId: string },
): Promise<{ type: 'image/png' | 'image/jpeg'; bytes: Buffer }> {
  if (!/^[0-9a-f-]{36}$/.test(input.organizationId)) throw new AppError('NOT_FOUND', 'no such logo');
  const row = await ctx.db
    .selectFrom('organizations')
    .select(['logo_base64', 'logo_type'])
    .where('id', '=', input.organizationId)
    .executeTakeFirst();
  if (!row?.logo_base64 || !row.logo_type) throw new AppError('NOT_FOUND', 'no such logo');
  return { type: row.logo_type, bytes: Buffer.from(row.logo_base64, 'base64') };
}
