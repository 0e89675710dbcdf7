import { randomBytes } from 'node:crypto';
import type { DbOrTx } from '../../ports/database.ts';
import { hashPassword, hashToken, newToken, verifyPassword } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { RequestOrigin, UserRole } from '../types.ts';

/** The signed-in user as the UI sees it. */
export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  organization: { id: string; name: string; slug: string };
}

/** A browser session: the cookie token (only its hash is stored) and the CSRF token of the session. */
export interface UserSession {
  sessionToken: string;
  csrfToken: string;
  expiresAt: Date;
  user: SessionUser;
}

// Verified when the e-mail is unknown, so that an unknown address takes as long as a wrong password.
let dummyHash: Promise<string> | undefined;

/**
 * Signs in with e-mail and password (argon2id). Any failure is the same INVALID_CREDENTIALS, recorded as
 * `session.sign-in-failed` (with the address typed, never the password).
 */
export async function signInWithPassword(ctx: DomainContext, input: { email: unknown; password: unknown; origin?: RequestOrigin }): Promise<UserSession> {
  const email = typeof input.email === 'string' ? input.email.trim().toLowerCase() : '';
  const password = typeof input.password === 'string' ? input.password : '';
  const now = ctx.clock.now();
  const user = email && email.length <= 254 ? await ctx.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst() : undefined;
  let ok = false;
  if (user?.password_hash && password.length > 0 && password.length <= 1024) {
    ok = await verifyPassword(password, user.password_hash);
  } else {
    dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    await verifyPassword(password.slice(0, 1024) || 'x', await dummyHash);
  }
  if (!user || !ok) {
    await inTransaction(ctx.db, ctx.dialect, (tx) =>
      recordEvent(tx, {
        organizationId: user?.organization_id ?? null,
        actor: user ? { type: 'user', id: user.id } : { type: 'system', id: null },
        action: 'session.sign-in-failed',
        origin: input.origin,
        at: now,
        details: { email: email.slice(0, 254), reason: !user ? 'unknown-email' : user.password_hash ? 'wrong-password' : 'no-password-set' },
      }),
    );
    throw new AppError('INVALID_CREDENTIALS', 'the e-mail address or password is wrong');
  }
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const session = await createSession(ctx, tx, user.id, now);
    await recordEvent(tx, { organizationId: user.organization_id, actor: { type: 'user', id: user.id }, action: 'session.signed-in', origin: input.origin, at: now, details: { method: 'password' } });
    return session;
  });
}

/** Signs in with a one-time sign-in link (`/login/link?token=…`): unknown → LINK_INVALID, used or old → LINK_EXPIRED. */
export async function signInWithLink(ctx: DomainContext, input: { token: unknown; origin?: RequestOrigin }): Promise<UserSession> {
  const token = typeof input.token === 'string' ? input.token : '';
  if (!/^[A-Za-z0-9_-]{32,128}$/.test(token)) throw new AppError('LINK_INVALID', 'unknown sign-in link');
  const now = ctx.clock.now();
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const link = await tx.selectFrom('login_links').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst();
    if (!link) throw new AppError('LINK_INVALID', 'unknown sign-in link');
    if (link.used_at !== null || new Date(link.expires_at).getTime() <= now.getTime()) throw new AppError('LINK_EXPIRED', 'the sign-in link was used or has expired');
    const used = await tx.updateTable('login_links').set({ used_at: now.toISOString() }).where('token_hash', '=', link.token_hash).where('used_at', 'is', null).executeTakeFirst();
    if (Number(used.numUpdatedRows) !== 1) throw new AppError('LINK_EXPIRED', 'the sign-in link was used or has expired');
    const session = await createSession(ctx, tx, link.user_id, now);
    await recordEvent(tx, { organizationId: session.user.organization.id, actor: { type: 'user', id: link.user_id }, action: 'session.signed-in', origin: input.origin, at: now, details: { method: 'link' } });
    return session;
  });
}

async function createSession(ctx: DomainContext, tx: DbOrTx, userId: string, now: Date): Promise<UserSession> {
  const { token, hash } = newToken();
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + ctx.config.sessionTtlMs);
  await tx.insertInto('sessions').values({ token_hash: hash, user_id: userId, csrf_token: csrfToken, created_at: now.toISOString(), expires_at: expiresAt.toISOString() }).execute();
  return { sessionToken: token, csrfToken, expiresAt, user: await loadSessionUser(tx, userId) };
}

async function loadSessionUser(db: DbOrTx, userId: string): Promise<SessionUser> {
  const row = await db
    .selectFrom('users')
    .innerJoin('organizations', 'organizations.id', 'users.organization_id')
    .select(['users.id', 'users.email', 'users.name', 'users.role', 'organizations.id as orgId', 'organizations.name as orgName', 'organizations.slug as orgSlug'])
    .where('users.id', '=', userId)
    .executeTakeFirstOrThrow();
  return { id: row.id, email: row.email, name: row.name, role: row.role, organization: { id: row.orgId, name: row.orgName, slug: row.orgSlug } };
}

/** The live session of a cookie token (read only), or undefined. */
export async function authenticateSession(ctx: DomainContext, sessionToken: string | undefined): Promise<{ user: SessionUser; csrfToken: string } | undefined> {
  if (!sessionToken || !/^[A-Za-z0-9_-]{32,128}$/.test(sessionToken)) return undefined;
  const session = await ctx.db.selectFrom('sessions').selectAll().where('token_hash', '=', hashToken(sessionToken)).executeTakeFirst();
  if (!session || new Date(session.expires_at).getTime() <= ctx.clock.now().getTime()) return undefined;
  return { user: await loadSessionUser(ctx.db, session.user_id), csrfToken: session.csrf_token };
}

/** Ends a session (the row is deleted) and records `session.signed-out`. */
export async function signOut(ctx: DomainContext, input: { sessionToken: string; origin?: RequestOrigin }): Promise<void> {
  const now = ctx.clock.now();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const hash = hashToken(input.sessionToken);
    const session = await tx.selectFrom('sessions').innerJoin('users', 'users.id', 'sessions.user_id').select(['users.id', 'users.organization_id']).where('token_hash', '=', hash).executeTakeFirst();
    if (!session) return;
    await tx.deleteFrom('sessions').where('token_hash', '=', hash).execute();
    await recordEvent(tx, { organizationId: session.organization_id, actor: { type: 'user', id: session.id }, action: 'session.signed-out', origin: input.origin, at: now });
  });
}

/** Sets the signed-in user's password (argon2id, 10–200 characters). */
export async function setPassword(ctx: DomainContext, input: { userId: string; password: unknown; origin?: RequestOrigin }): Promise<void> {
  const password = input.password;
  if (typeof password !== 'string' || password.length < 10 || password.length > 200) {
    throw new AppError('VALIDATION_FAILED', 'the password must be 10–200 characters', { field: 'password', min: 10, max: 200 });
  }
  const hash = await hashPassword(password);
  const now = ctx.clock.now();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const user = await tx.selectFrom('users').select(['id', 'organization_id']).where('id', '=', input.userId).executeTakeFirstOrThrow();
    await tx.updateTable('users').set({ password_hash: hash }).where('id', '=', user.id).execute();
    await recordEvent(tx, { organizationId: user.organization_id, actor: { type: 'user', id: user.id }, action: 'session.password-set', origin: input.origin, at: now });
  });
}
