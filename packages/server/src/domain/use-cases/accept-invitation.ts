import { hashPassword, hashToken, newId } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { checkNewPassword } from '../password-policy.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { RequestOrigin, UserRole } from '../types.ts';
import { requireLine } from '../validation.ts';
import type { DbOrTx } from '../../ports/database.ts';
import { createSession, loadSessionUser, type UserSession } from './sign-in.ts';

/** What the invitation page shows before accepting. */
export interface InvitationPreview {
  organizationName: string;
  email: string;
  role: UserRole;
  /** The address has an account with a password: accept it signed in as that account. */
  accountExists: boolean;
}

type InvitationRow = {
  id: string;
  organization_id: string;
  email: string;
  role: UserRole;
  expires_at: string;
  accepted_at: string | null;
  revoked_at: string | null;
  organizationName: string;
};

async function findInvitation(db: DbOrTx, token: unknown, now: Date): Promise<InvitationRow> {
  if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{32,128}$/.test(token))
    throw new AppError('LINK_INVALID', 'unknown invitation link');
  const row = await db
    .selectFrom('member_invitations')
    .innerJoin('organizations', 'organizations.id', 'member_invitations.organization_id')
    .select([
      'member_invitations.id',
      'member_invitations.organization_id',
      'member_invitations.email',
      'member_invitations.role',
      'member_invitations.expires_at',
      'member_invitations.accepted_at',
      'member_invitations.revoked_at',
      'organizations.name as organizationName',
    ])
    .where('member_invitations.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row) throw new AppError('LINK_INVALID', 'unknown invitation link');
  if (row.accepted_at !== null || row.revoked_at !== null || new Date(row.expires_at).getTime() <= now.getTime())
    throw new AppError('LINK_EXPIRED', 'the invitation was used, revoked or has expired');
  return row;
}

/** The invitation of a link, for the page that accepts it (no change). */
export async function getInvitation(ctx: DomainContext, input: { token: unknown }): Promise<InvitationPreview> {
  const row = await findInvitation(ctx.db, input.token, ctx.clock.now());
  const account = await ctx.db
    .selectFrom('users')
    .select('password_hash')
    .where('email', '=', row.email)
    .executeTakeFirst();
  return {
    organizationName: row.organizationName,
    email: row.email,
    role: row.role,
    accountExists: account?.password_hash != null,
  };
}

/**
 * Accepts an invitation. The invited address's account with a password must be the signed-in one
 * (`signedInUserId`; otherwise FORBIDDEN reason invitation-account): it gains the membership. An address
 * without an account (or without a password) sets its name and password here: the account is created
 * (or completed), gains the membership and a session starts. A deactivated membership is reactivated
 * with the invited role. Records `member.joined`.
 */
export async function acceptInvitation(
  ctx: DomainContext,
  input: { token: unknown; name?: unknown; password?: unknown; signedInUserId: string | null; origin?: RequestOrigin },
): Promise<{ organizationId: string; session: UserSession | null }> {
  const now = ctx.clock.now();
  // Validate what can be validated before the transaction (argon2 is slow; no lock held meanwhile).
  const preview = await findInvitation(ctx.db, input.token, now);
  const existing = await ctx.db
    .selectFrom('users')
    .select(['id', 'password_hash'])
    .where('email', '=', preview.email)
    .executeTakeFirst();
  let passwordHash: string | null = null;
  let name: string | null = null;
  if (existing?.password_hash) {
    if (input.signedInUserId !== existing.id)
      throw new AppError('FORBIDDEN', 'sign in as the invited account to accept', { reason: 'invitation-account' });
  } else {
    name = requireLine(input.name, 'name', 100);
    passwordHash = await hashPassword(checkNewPassword(input.password));
  }
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const invitation = await findInvitation(tx, input.token, now);
    const used = await tx
      .updateTable('member_invitations')
      .set({ accepted_at: now.toISOString() })
      .where('id', '=', invitation.id)
      .where('accepted_at', 'is', null)
      .executeTakeFirst();
    if (Number(used.numUpdatedRows) !== 1) throw new AppError('LINK_EXPIRED', 'the invitation was used already');
    let userId = existing?.id;
    if (userId === undefined) {
      userId = newId();
      await tx
        .insertInto('users')
        .values({
          id: userId,
          email: invitation.email,
          name: name!,
          password_hash: passwordHash,
          created_at: now.toISOString(),
        })
        .execute();
    } else if (passwordHash !== null) {
      await tx
        .updateTable('users')
        .set({ password_hash: passwordHash, name: name! })
        .where('id', '=', userId)
        .execute();
    }
    const membership = await tx
      .selectFrom('memberships')
      .select('deactivated_at')
      .where('user_id', '=', userId)
      .where('organization_id', '=', invitation.organization_id)
      .executeTakeFirst();
    if (membership && membership.deactivated_at === null)
      throw new AppError('ALREADY_MEMBER', 'the account is a member already');
    if (membership) {
      await tx
        .updateTable('memberships')
        .set({ deactivated_at: null, role: invitation.role })
        .where('user_id', '=', userId)
        .where('organization_id', '=', invitation.organization_id)
        .execute();
    } else {
      await tx
        .insertInto('memberships')
        .values({
          user_id: userId,
          organization_id: invitation.organization_id,
          role: invitation.role,
          created_at: now.toISOString(),
        })
        .execute();
    }
    await recordEvent(tx, {
      organizationId: invitation.organization_id,
      actor: { type: 'user', id: userId },
      action: 'member.joined',
      origin: input.origin,
      at: now,
      details: {
        invitationId: invitation.id,
        email: invitation.email,
        role: invitation.role,
        newAccount: existing === undefined,
        reactivated: membership !== undefined,
      },
    });
    const session = passwordHash === null ? null : await createSession(ctx, tx, userId, now, input.origin);
    if (session && session.user.organization?.id !== invitation.organization_id) {
      // The new session acts for the organisation the person just joined.
      await tx
        .updateTable('sessions')
        .set({ organization_id: invitation.organization_id })
        .where('token_hash', '=', hashToken(session.sessionToken))
        .execute();
      session.user = await loadSessionUser(tx, userId, invitation.organization_id);
    }
    return { organizationId: invitation.organization_id, session };
  });
}
