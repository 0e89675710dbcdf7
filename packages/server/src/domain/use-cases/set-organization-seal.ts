import { isCoreError, readSealImage, SEAL_IMAGE_LIMITS } from '@inkan/core';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { sha256Hex } from '../hashing.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';

/** The organisation's 社印/角印 image as the API shows it (the bytes are served separately). */
export interface OrganizationSeal {
  mediaType: 'image/png' | 'image/jpeg';
  width: number;
  height: number;
  size: number;
  sha256: string;
  updatedAt: string;
}

/** The organisation's seal image, or null when none was uploaded. */
export async function getOrganizationSeal(
  ctx: DomainContext,
  input: { organizationId: string },
): Promise<OrganizationSeal | null> {
  const row = await ctx.db
    .selectFrom('organization_seals')
    .selectAll()
    .where('organization_id', '=', input.organizationId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    mediaType: row.media_type,
    width: row.width,
    height: row.height,
    size: row.size,
    sha256: row.sha256,
    updatedAt: row.updated_at,
  };
}

/** The seal image's bytes (NOT_FOUND when none). */
export async function getOrganizationSealImage(
  ctx: DomainContext,
  input: { organizationId: string },
): Promise<{ mediaType: string; bytes: Uint8Array }> {
  const row = await ctx.db
    .selectFrom('organization_seals')
    .select(['blob_key', 'media_type'])
    .where('organization_id', '=', input.organizationId)
    .executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', 'the organisation has no seal image');
  return { mediaType: row.media_type, bytes: await ctx.blobs.get(row.blob_key) };
}

/**
 * Sets (or, with `bytes` null, removes) the organisation's 社印/角印: a PNG or JPEG checked by the core
 * (size, dimensions, decodable) before anything is stored; the new image replaces the old one and
 * `organization.seal-changed` is recorded in one transaction. Envelopes signed later use it as the 印影
 * of the organisation's own signers; documents already signed keep the image they were signed with.
 */
export async function setOrganizationSeal(
  ctx: DomainContext,
  input: { organizationId: string; actor: Actor; origin?: RequestOrigin; bytes: Uint8Array | null },
): Promise<OrganizationSeal | null> {
  const now = ctx.clock.now();
  let stored: { key: string; mediaType: 'image/png' | 'image/jpeg'; width: number; height: number } | undefined;
  if (input.bytes !== null) {
    if (input.bytes.length > SEAL_IMAGE_LIMITS.bytes)
      throw new AppError('PAYLOAD_TOO_LARGE', 'the seal image is too large', { maxBytes: SEAL_IMAGE_LIMITS.bytes });
    let image;
    try {
      image = readSealImage(input.bytes);
    } catch (error) {
      if (isCoreError(error, 'IMAGE_INVALID'))
        throw new AppError('IMAGE_INVALID', error.message, { reason: error.message });
      throw error;
    }
    stored = {
      key: await ctx.blobs.put(input.bytes),
      mediaType: image.format === 'png' ? 'image/png' : 'image/jpeg',
      width: image.width,
      height: image.height,
    };
  }
  let oldKey: string | undefined;
  try {
    await inTransaction(ctx.db, ctx.dialect, async (tx) => {
      const old = await tx
        .selectFrom('organization_seals')
        .select(['blob_key'])
        .where('organization_id', '=', input.organizationId)
        .executeTakeFirst();
      oldKey = old?.blob_key;
      await tx.deleteFrom('organization_seals').where('organization_id', '=', input.organizationId).execute();
      if (stored && input.bytes) {
        await tx
          .insertInto('organization_seals')
          .values({
            organization_id: input.organizationId,
            blob_key: stored.key,
            media_type: stored.mediaType,
            width: stored.width,
            height: stored.height,
            size: input.bytes.length,
            sha256: sha256Hex([input.bytes]),
            updated_at: now.toISOString(),
            updated_by_user_id: input.actor.type === 'user' ? input.actor.id : null,
          })
          .execute();
      }
      await recordEvent(tx, {
        organizationId: input.organizationId,
        actor: input.actor,
        action: 'organization.seal-changed',
        origin: input.origin,
        at: now,
        details: stored
          ? {
              change: old ? 'replaced' : 'added',
              mediaType: stored.mediaType,
              width: stored.width,
              height: stored.height,
            }
          : { change: 'removed' },
      });
    });
  } catch (error) {
    if (stored) await ctx.blobs.delete(stored.key).catch(() => undefined);
    throw error;
  }
  if (oldKey) await ctx.blobs.delete(oldKey).catch(() => undefined);
  return getOrganizationSeal(ctx, { organizationId: input.organizationId });
}
