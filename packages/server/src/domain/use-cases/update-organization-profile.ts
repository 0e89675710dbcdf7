import type { DbOrTx } from '../../ports/database.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';
import { isEmail, optionalText, requireLine } from '../validation.ts';

/** The organisation's profile, shown in its mails and pages. */
export interface OrganizationProfile {
  id: string;
  name: string;
  slug: string;
  /** 送信者の連絡先 (free text), or null. */
  senderContact: string | null;
  /** サポート窓口 (free text), or null. */
  supportContact: string | null;
  /** Display name of the From of its mails (null: INKAN_MAIL_FROM's). */
  mailFromName: string | null;
  /** Reply-To of its mails, or null. */
  mailReplyTo: string | null;
  /** The logo's public URL path (changes with each upload), or null. */
  logoPath: string | null;
}

/** Bounds of the profile's fields. */
export const PROFILE_LIMITS = { name: 100, contact: 500, mailFromName: 100 } as const;

/** The public path of an organisation's logo (a version query so that mail clients and caches refresh). */
export function logoPathOf(organizationId: string, updatedAt: string | null): string | null {
  return updatedAt === null ? null : `/api/public/organizations/${organizationId}/logo?v=${Date.parse(updatedAt)}`;
}

/** The organisation's profile (read only). */
export async function getOrganizationProfile(
  ctx: DomainContext,
  input: { organizationId: string },
): Promise<OrganizationProfile> {
  return readProfile(ctx.db, input.organizationId);
}

async function readProfile(db: DbOrTx, organizationId: string): Promise<OrganizationProfile> {
  const row = await db
    .selectFrom('organizations')
    .select([
      'id',
      'name',
      'slug',
      'sender_contact',
      'support_contact',
      'mail_from_name',
      'mail_reply_to',
      'logo_updated_at',
    ])
    .where('id', '=', organizationId)
    .executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', 'no such organisation');
  return {
    id: row.id,
    name: row.name,
    slug: row.slug,
    senderContact: row.sender_contact,
    supportContact: row.support_contact,
    mailFromName: row.mail_from_name,
    mailReplyTo: row.mail_reply_to,
    logoPath: logoPathOf(row.id, row.logo_updated_at),
  };
}

/** Changes to the profile; a field left out stays, null (or '') clears an optional one. */
export interface ProfileChanges {
  name?: unknown;
  senderContact?: unknown;
  supportContact?: unknown;
  mailFromName?: unknown;
  mailReplyTo?: unknown;
}

function optional(value: unknown, field: string, max: number): string | null {
  const text = optionalText(value, field, max);
  return text === '' ? null : text;
}

/**
 * Validates and applies profile changes, recording `organization.profile-changed` (each changed field,
 * before and after) in the same transaction; nothing changed → nothing recorded.
 */
export async function updateOrganizationProfile(
  ctx: DomainContext,
  input: { organizationId: string; actor: Actor; origin?: RequestOrigin; changes: ProfileChanges },
): Promise<OrganizationProfile> {
  const c = input.changes;
  const next: Record<string, string | null> = {};
  if (c.name !== undefined) next.name = requireLine(c.name, 'name', PROFILE_LIMITS.name);
  if (c.senderContact !== undefined)
    next.sender_contact = optional(c.senderContact, 'senderContact', PROFILE_LIMITS.contact);
  if (c.supportContact !== undefined)
    next.support_contact = optional(c.supportContact, 'supportContact', PROFILE_LIMITS.contact);
  if (c.mailFromName !== undefined) {
    // A display name goes into the From header: one line, no angle brackets or quotes that could add an address.
    const name =
      c.mailFromName === null || c.mailFromName === ''
        ? null
        : requireLine(c.mailFromName, 'mailFromName', PROFILE_LIMITS.mailFromName);
    if (name !== null && /[<>"@]/.test(name))
      throw new AppError('VALIDATION_FAILED', 'mailFromName must not contain < > " or @', { field: 'mailFromName' });
    next.mail_from_name = name;
  }
  if (c.mailReplyTo !== undefined) {
    const address =
      c.mailReplyTo === null || c.mailReplyTo === ''
        ? null
        : typeof c.mailReplyTo === 'string'
          ? c.mailReplyTo.trim().toLowerCase()
          : '';
    if (address !== null && !isEmail(address))
      throw new AppError('INVALID_EMAIL', 'mailReplyTo is not an e-mail address', { field: 'mailReplyTo' });
    next.mail_reply_to = address;
  }
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const row = await tx
      .selectFrom('organizations')
      .select(['name', 'sender_contact', 'support_contact', 'mail_from_name', 'mail_reply_to'])
      .where('id', '=', input.organizationId)
      .executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', 'no such organisation');
    const before = row as Record<string, string | null>;
    const changed = Object.keys(next).filter((key) => before[key] !== next[key]);
    if (changed.length > 0) {
      await tx
        .updateTable('organizations')
        .set(Object.fromEntries(changed.map((key) => [key, next[key]])))
        .where('id', '=', input.organizationId)
        .execute();
      await recordEvent(tx, {
        organizationId: input.organizationId,
        actor: input.actor,
        action: 'organization.profile-changed',
        origin: input.origin,
        at: ctx.clock.now(),
        details: Object.fromEntries(changed.map((key) => [key, { from: before[key], to: next[key] }])),
      });
    }
    return readProfile(tx, input.organizationId);
  });
}
