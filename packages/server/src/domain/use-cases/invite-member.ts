import { hashToken, newId, newToken } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, Language, RequestOrigin, UserRole } from '../types.ts';
import { isEmail } from '../validation.ts';

/** How long an invitation link is valid. */
export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

const ROLES: readonly UserRole[] = ['admin', 'member', 'viewer'];

/** A role given by a client, or VALIDATION_FAILED (field role). */
export function requireRole(value: unknown): UserRole {
  if (typeof value !== 'string' || !(ROLES as readonly string[]).includes(value))
    throw new AppError('VALIDATION_FAILED', 'role must be admin, member or viewer', { field: 'role' });
  return value as UserRole;
}

/**
 * Invites an address to the organisation with a role: an invitation (7 days, one use) and the job
 * `mail.invitation`, which makes the link token (the token exists only in the mail). An earlier pending
 * invitation of the same address is revoked. An active member → ALREADY_MEMBER; a deactivated one is
 * reactivated by accepting. Records `member.invited`.
 */
export async function inviteMember(
  ctx: DomainContext,
  input: {
    organizationId: string;
    actor: Actor & { type: 'user' };
    origin?: RequestOrigin;
    email: unknown;
    role: unknown;
    language: Language;
  },
): Promise<{ invitationId: string; expiresAt: string }> {
  const email = typeof input.email === 'string' ? input.email.trim().toLowerCase() : '';
  if (!isEmail(email)) throw new AppError('INVALID_EMAIL', 'not an e-mail address', { field: 'email' });
  const role = requireRole(input.role);
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS).toISOString();
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const member = await tx
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select('memberships.deactivated_at')
      .where('memberships.organization_id', '=', input.organizationId)
      .where('users.email', '=', email)
      .executeTakeFirst();
    if (member && member.deactivated_at === null)
      throw new AppError('ALREADY_MEMBER', 'the address is a member already', { field: 'email' });
    await tx
      .updateTable('member_invitations')
      .set({ revoked_at: now.toISOString() })
      .where('organization_id', '=', input.organizationId)
      .where('email', '=', email)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .execute();
    const id = newId();
    // The link token is made by the mail job; until then the row holds the hash of a token nobody has.
    await tx
      .insertInto('member_invitations')
      .values({
        id,
        token_hash: hashToken(newToken().token),
        organization_id: input.organizationId,
        email,
        role,
        invited_by_user_id: input.actor.id,
        created_at: now.toISOString(),
        expires_at: expiresAt,
        accepted_at: null,
        revoked_at: null,
      })
      .execute();
    await ctx.jobs.enqueue(tx, 'mail.invitation', { invitationId: id, language: input.language });
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'member.invited',
      origin: input.origin,
      at: now,
      details: { invitationId: id, email, role },
    });
    return { invitationId: id, expiresAt };
  });
}

/** Revokes a pending invitation of the organisation (another organisation's or an unknown id → NOT_FOUND). */
export async function revokeInvitation(
  ctx: DomainContext,
  input: { organizationId: string; actor: Actor; origin?: RequestOrigin; invitationId: string },
): Promise<void> {
  const now = ctx.clock.now();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const row = await tx
      .selectFrom('member_invitations')
      .select(['id', 'email'])
      .where('id', '=', input.invitationId)
      .where('organization_id', '=', input.organizationId)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (!row) throw new AppError('NOT_FOUND', 'no such pending invitation');
    await tx
      .updateTable('member_invitations')
      .set({ revoked_at: now.toISOString() })
      .where('id', '=', row.id)
      .execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'member.invitation-revoked',
      origin: input.origin,
      at: now,
      details: { invitationId: row.id, email: row.email },
    });
  });
}
