import type { DomainContext } from '../domain-context.ts';
import type { UserRole } from '../types.ts';

/** A member as the members screen shows it. */
export interface MemberView {
  userId: string;
  email: string;
  name: string;
  role: UserRole;
  status: 'active' | 'deactivated';
  joinedAt: string;
  deactivatedAt: string | null;
  /** The account has TOTP or a passkey. */
  hasSecondFactor: boolean;
  /** Envelopes the member created (any status). */
  envelopes: number;
}

/** A pending invitation. */
export interface InvitationView {
  id: string;
  email: string;
  role: UserRole;
  createdAt: string;
  expiresAt: string;
}

// An organisation's members fit one screen; the bound keeps a huge one from a huge answer.
const MAX_MEMBERS = 1000;

/** The organisation's members (active first, then by e-mail) and its pending invitations. */
export async function listMembers(
  ctx: DomainContext,
  input: { organizationId: string },
): Promise<{ members: MemberView[]; invitations: InvitationView[] }> {
  const rows = await ctx.db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select([
      'users.id',
      'users.email',
      'users.name',
      'memberships.role',
      'memberships.created_at',
      'memberships.deactivated_at',
    ])
    .where('memberships.organization_id', '=', input.organizationId)
    .orderBy('users.email')
    .limit(MAX_MEMBERS)
    .execute();
  const ids = rows.map((r) => r.id);
  const withFactor = new Set<string>();
  const envelopeCounts = new Map<string, number>();
  if (ids.length > 0) {
    for (const r of await ctx.db
      .selectFrom('totp_factors')
      .select('user_id')
      .where('user_id', 'in', ids)
      .where('confirmed_at', 'is not', null)
      .execute())
      withFactor.add(r.user_id);
    for (const r of await ctx.db.selectFrom('passkeys').select('user_id').where('user_id', 'in', ids).execute())
      withFactor.add(r.user_id);
    for (const r of await ctx.db
      .selectFrom('envelopes')
      .select(['created_by_user_id', (eb) => eb.fn.countAll<number>().as('n')])
      .where('organization_id', '=', input.organizationId)
      .where('created_by_user_id', 'in', ids)
      .groupBy('created_by_user_id')
      .execute())
      envelopeCounts.set(r.created_by_user_id!, Number(r.n));
  }
  const members = rows
    .map((r): MemberView => ({
      userId: r.id,
      email: r.email,
      name: r.name,
      role: r.role,
      status: r.deactivated_at === null ? 'active' : 'deactivated',
      joinedAt: r.created_at,
      deactivatedAt: r.deactivated_at,
      hasSecondFactor: withFactor.has(r.id),
      envelopes: envelopeCounts.get(r.id) ?? 0,
    }))
    .sort((a, b) => (a.status === b.status ? 0 : a.status === 'active' ? -1 : 1));
  const now = ctx.clock.now().toISOString();
  const invitations = await ctx.db
    .selectFrom('member_invitations')
    .select(['id', 'email', 'role', 'created_at', 'expires_at'])
    .where('organization_id', '=', input.organizationId)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('created_at', 'desc')
    .limit(MAX_MEMBERS)
    .execute();
  return {
    members,
    invitations: invitations.map((i) => ({
      id: i.id,
      email: i.email,
      role: i.role,
      createdAt: i.created_at,
      expiresAt: i.expires_at,
    })),
  };
}
