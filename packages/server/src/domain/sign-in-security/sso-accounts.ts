import type { DbOrTx } from '../../ports/database.ts';
import { newId } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { RequestOrigin } from '../types.ts';
import { createSession, type UserSession } from '../use-cases/sign-in.ts';
import { emailDomain, verifiedDomains, type SsoConnectionRow } from './sso-connections.ts';

/** Who the identity provider vouched for. */
export interface SsoIdentity {
  subject: string;
  email: string | null;
  name: string | null;
}

const MAX_SUBJECT = 512;

/**
 * Records a refused single sign-on in the organisation's log (`sso.sign-in-refused`, with the reason
 * and never a token or assertion) and returns the error to throw: SSO_FAILED for a response that did
 * not verify, SSO_ACCOUNT_REFUSED for a verified person the organisation does not let in.
 */
export async function refuseSsoSignIn(
  ctx: DomainContext,
  connection: SsoConnectionRow | undefined,
  input: { reason: string; origin?: RequestOrigin; code?: 'SSO_FAILED' | 'SSO_ACCOUNT_REFUSED' },
): Promise<AppError> {
  const code = input.code ?? 'SSO_FAILED';
  await inTransaction(ctx.db, ctx.dialect, (tx) =>
    recordEvent(tx, {
      organizationId: connection?.organization_id ?? null,
      actor: { type: 'system', id: null },
      action: 'sso.sign-in-refused',
      origin: input.origin,
      at: ctx.clock.now(),
      details: { protocol: connection?.protocol ?? null, reason: input.reason.slice(0, 300) },
    }),
  );
  return new AppError(code, `single sign-on refused: ${input.reason}`, { reason: input.reason.slice(0, 300) });
}

/**
 * The account of a verified identity, inside the caller's transaction: the account already linked to
 * the IdP's subject; else the account of the asserted e-mail, which must be in a domain the
 * connection's organisation claimed and proved in DNS (so that an IdP cannot take over addresses of other domains). An
 * existing account of that address is linked only if it is a member already (invite it first); a new
 * one is created, and made a member with the default role, when just-in-time provisioning is on.
 * Throws SSO_ACCOUNT_REFUSED (with a reason).
 */
async function accountFor(
  ctx: DomainContext,
  tx: DbOrTx,
  connection: SsoConnectionRow,
  identity: SsoIdentity,
  origin: RequestOrigin | undefined,
): Promise<string> {
  const now = ctx.clock.now().toISOString();
  const refuse = (reason: string) =>
    new AppError('SSO_ACCOUNT_REFUSED', `single sign-on refused: ${reason}`, { reason });
  if (identity.subject.length === 0 || identity.subject.length > MAX_SUBJECT) throw refuse('subject');
  const linked = await tx
    .selectFrom('sso_identities')
    .select('user_id')
    .where('connection_id', '=', connection.id)
    .where('subject', '=', identity.subject)
    .executeTakeFirst();
  let userId = linked?.user_id;
  if (userId === undefined) {
    const email = identity.email?.trim().toLowerCase() ?? '';
    if (!/^[^@\s]{1,64}@[^@\s]{1,189}$/.test(email)) throw refuse('no-email');
    const domain = emailDomain(email);
    if (!domain || !(await verifiedDomains(tx, connection.organization_id)).includes(domain))
      throw refuse('domain-not-claimed');
    const existing = await tx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
    if (existing) {
      // An account that exists already is linked only when it is a member: an identity provider (run
      // by the organisation) never takes over someone else's account, even of a claimed domain.
      const member = await tx
        .selectFrom('memberships')
        .select('user_id')
        .where('organization_id', '=', connection.organization_id)
        .where('user_id', '=', existing.id)
        .executeTakeFirst();
      if (!member) throw refuse('existing-account-not-member');
      userId = existing.id;
    } else {
      if (connection.jit_enabled !== 1) throw refuse('no-account');
      userId = newId();
      const name = (identity.name ?? email.split('@')[0] ?? email).trim().slice(0, 100) || email;
      await tx.insertInto('users').values({ id: userId, email, name, password_hash: null, created_at: now }).execute();
      await recordEvent(tx, {
        organizationId: connection.organization_id,
        actor: { type: 'system', id: null },
        action: 'sso.account-provisioned',
        origin,
        at: new Date(now),
        details: { userId, email, protocol: connection.protocol },
      });
    }
    await tx
      .insertInto('sso_identities')
      .values({
        connection_id: connection.id,
        subject: identity.subject,
        user_id: userId,
        created_at: now,
        last_used_at: now,
      })
      .execute();
  } else {
    await tx
      .updateTable('sso_identities')
      .set({ last_used_at: now })
      .where('connection_id', '=', connection.id)
      .where('subject', '=', identity.subject)
      .execute();
  }
  const membership = await tx
    .selectFrom('memberships')
    .select('role')
    .where('organization_id', '=', connection.organization_id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (!membership) {
    if (connection.jit_enabled !== 1) throw refuse('not-a-member');
    await tx
      .insertInto('memberships')
      .values({
        user_id: userId,
        organization_id: connection.organization_id,
        role: connection.default_role,
        created_at: now,
      })
      .execute();
    await recordEvent(tx, {
      organizationId: connection.organization_id,
      actor: { type: 'system', id: null },
      action: 'sso.member-added',
      origin,
      at: new Date(now),
      details: { userId, role: connection.default_role, protocol: connection.protocol },
    });
  }
  return userId;
}

/**
 * The account of a verified identity (provisioning as the connection allows, in its own transaction);
 * a refusal is recorded (`sso.sign-in-refused`) and thrown as SSO_ACCOUNT_REFUSED.
 */
export async function provisionSsoAccount(
  ctx: DomainContext,
  connection: SsoConnectionRow,
  identity: SsoIdentity,
  origin: RequestOrigin | undefined,
): Promise<string> {
  try {
    return await inTransaction(ctx.db, ctx.dialect, (tx) => accountFor(ctx, tx, connection, identity, origin));
  } catch (error) {
    if (error instanceof AppError && error.code === 'SSO_ACCOUNT_REFUSED')
      throw await refuseSsoSignIn(ctx, connection, {
        reason: String(error.details?.reason ?? 'account'),
        origin,
        code: 'SSO_ACCOUNT_REFUSED',
      });
    throw error;
  }
}

/**
 * Opens a session of an account in the connection's organisation and records `session.signed-in`
 * (method oidc or saml). The account must still be a member (SSO_ACCOUNT_REFUSED otherwise).
 */
export async function openSsoSession(
  ctx: DomainContext,
  connection: SsoConnectionRow,
  userId: string,
  origin: RequestOrigin | undefined,
): Promise<UserSession> {
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const membership = await tx
      .selectFrom('memberships')
      .select('role')
      .where('organization_id', '=', connection.organization_id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!membership)
      throw new AppError('SSO_ACCOUNT_REFUSED', 'single sign-on refused: not-a-member', { reason: 'not-a-member' });
    const now = ctx.clock.now();
    const session = await createSession(ctx, tx, userId, now, origin, undefined, {
      organizationId: connection.organization_id,
    });
    await recordEvent(tx, {
      organizationId: connection.organization_id,
      actor: { type: 'user', id: userId },
      action: 'session.signed-in',
      origin,
      at: now,
      details: { method: connection.protocol },
    });
    return session;
  });
}
