import { randomBytes } from 'node:crypto';
import type { DbOrTx } from '../../ports/database.ts';
import { hashPassword, hashToken, newToken, verifyPassword } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { RequestOrigin, UserRole } from '../types.ts';
import { checkNewPassword } from '../password-policy.ts';
import { hasSecondFactor, isMfaRequiredFor, SIGN_IN_CHALLENGE_TTL_MS } from '../second-factors/second-factors.ts';
import { assertNonSsoSignInAllowed } from '../sign-in-security/sso-connections.ts';
import { ACCOUNT_RATE_LIMITS, addressBucket, assertBelowRateLimit, hitRateLimit } from '../accounts/rate-limit.ts';

/** An organisation the account belongs to, with its role there. */
export interface AccountMembership {
  id: string;
  name: string;
  slug: string;
  role: UserRole;
}

/** The signed-in account as the UI sees it. */
export interface SessionUser {
  id: string;
  email: string;
  name: string;
  companyName: string | null;
  /** 電話番号, shown to signers as the sender's contact (optional). */
  phone: string | null;
  /** The session's active organisation, or null for a personal session. */
  organization: { id: string; name: string; slug: string } | null;
  /** The role in the active organisation, or null for a personal session. */
  role: UserRole | null;
  /** Every organisation the account is a member of. */
  memberships: AccountMembership[];
}

/** A browser session: the cookie token (only its hash is stored) and the CSRF token of the session. */
export interface UserSession {
  sessionToken: string;
  csrfToken: string;
  expiresAt: Date;
  user: SessionUser;
  /** An organisation's MFA policy holds the session at enrolling a second factor before anything else. */
  mfaEnrolmentRequired: boolean;
}

/** The password (or link) was right and the account has a second factor: the sign-in continues with it. */
export interface SecondFactorPending {
  secondFactorRequired: true;
  /** Identifies this half-done sign-in (5 minutes, a few attempts); only its hash is stored. */
  challengeToken: string;
  methods: Array<'totp' | 'recovery-code' | 'passkey'>;
}

// Verified when the e-mail is unknown, so that an unknown address takes as long as a wrong password.
let dummyHash: Promise<string> | undefined;

/**
 * Signs in with e-mail and password (argon2id). Any failure is the same INVALID_CREDENTIALS, recorded as
 * `session.sign-in-failed` (with the address typed, never the password).
 */
export async function signInWithPassword(
  ctx: DomainContext,
  input: { email: unknown; password: unknown; origin?: RequestOrigin },
): Promise<UserSession | SecondFactorPending> {
  const email = typeof input.email === 'string' ? input.email.trim().toLowerCase() : '';
  const password = typeof input.password === 'string' ? input.password : '';
  const now = ctx.clock.now();
  // Failures per address are limited (per IP the route limits); a full window refuses even the right password.
  const bucket = addressBucket('signIn', email);
  await assertBelowRateLimit(ctx, bucket, ACCOUNT_RATE_LIMITS.signIn.email);
  const user =
    email && email.length <= 254
      ? await ctx.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst()
      : undefined;
  let ok = false;
  if (user?.password_hash && password.length > 0 && password.length <= 1024) {
    ok = await verifyPassword(password, user.password_hash);
  } else {
    dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    await verifyPassword(password.slice(0, 1024) || 'x', await dummyHash);
  }
  if (!user || !ok) {
    // A member's failed sign-in shows in the log of the organisation a session would open in.
    const organizationId = user ? ((await loadMemberships(ctx.db, user.id))[0]?.id ?? null) : null;
    await inTransaction(ctx.db, ctx.dialect, (tx) =>
      recordEvent(tx, {
        organizationId,
        actor: user ? { type: 'user', id: user.id } : { type: 'system', id: null },
        action: 'session.sign-in-failed',
        origin: input.origin,
        at: now,
        details: {
          email: email.slice(0, 254),
          reason: !user ? 'unknown-email' : user.password_hash ? 'wrong-password' : 'no-password-set',
        },
      }),
    );
    await hitRateLimit(ctx, bucket, ACCOUNT_RATE_LIMITS.signIn.email).catch((error: unknown) => {
      // The attempt that fills the window still answers INVALID_CREDENTIALS; the next one is refused.
      if (!(error instanceof AppError && error.code === 'RATE_LIMITED')) throw error;
    });
    throw new AppError('INVALID_CREDENTIALS', 'the e-mail address or password is wrong');
  }
  // Only after the password was right: an unknown address and a claimed domain look alike before it.
  await assertNonSsoSignInAllowed(ctx.db, user);
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const pending = await startSecondStep(tx, user.id, now);
    if (pending) return pending;
    const session = await createSession(ctx, tx, user.id, now, input.origin);
    await recordEvent(tx, {
      organizationId: session.user.organization?.id ?? null,
      actor: { type: 'user', id: user.id },
      action: 'session.signed-in',
      origin: input.origin,
      at: now,
      details: { method: 'password' },
    });
    return session;
  });
}

/** When the account has a second factor: a sign-in challenge instead of a session (else undefined). */
async function startSecondStep(tx: DbOrTx, userId: string, now: Date): Promise<SecondFactorPending | undefined> {
  if (!(await hasSecondFactor(tx, userId))) return undefined;
  const { token, hash } = newToken();
  await tx
    .insertInto('second_factor_challenges')
    .values({
      token_hash: hash,
      purpose: 'sign-in',
      user_id: userId,
      webauthn_challenge: null,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + SIGN_IN_CHALLENGE_TTL_MS).toISOString(),
      used_at: null,
    })
    .execute();
  const totp = await tx
    .selectFrom('totp_factors')
    .select('user_id')
    .where('user_id', '=', userId)
    .where('confirmed_at', 'is not', null)
    .executeTakeFirst();
  const passkey = await tx.selectFrom('passkeys').select('id').where('user_id', '=', userId).executeTakeFirst();
  const methods: SecondFactorPending['methods'] = [];
  if (totp) methods.push('totp');
  if (passkey) methods.push('passkey');
  methods.push('recovery-code');
  return { secondFactorRequired: true, challengeToken: token, methods };
}

/** Signs in with a one-time sign-in link (`/login/link?token=…`): unknown → LINK_INVALID, used or old → LINK_EXPIRED. */
export async function signInWithLink(
  ctx: DomainContext,
  input: { token: unknown; origin?: RequestOrigin },
): Promise<UserSession | SecondFactorPending> {
  const token = typeof input.token === 'string' ? input.token : '';
  if (!/^[A-Za-z0-9_-]{32,128}$/.test(token)) throw new AppError('LINK_INVALID', 'unknown sign-in link');
  const now = ctx.clock.now();
  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const link = await tx
      .selectFrom('login_links')
      .selectAll()
      .where('token_hash', '=', hashToken(token))
      .executeTakeFirst();
    if (!link) throw new AppError('LINK_INVALID', 'unknown sign-in link');
    if (link.used_at !== null || new Date(link.expires_at).getTime() <= now.getTime())
      throw new AppError('LINK_EXPIRED', 'the sign-in link was used or has expired');
    const used = await tx
      .updateTable('login_links')
      .set({ used_at: now.toISOString() })
      .where('token_hash', '=', link.token_hash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (Number(used.numUpdatedRows) !== 1)
      throw new AppError('LINK_EXPIRED', 'the sign-in link was used or has expired');
    const owner = await tx
      .selectFrom('users')
      .select(['id', 'email'])
      .where('id', '=', link.user_id)
      .executeTakeFirst();
    if (owner) await assertNonSsoSignInAllowed(tx, owner);
    const pending = await startSecondStep(tx, link.user_id, now);
    if (pending) return pending;
    const session = await createSession(ctx, tx, link.user_id, now, input.origin);
    await recordEvent(tx, {
      organizationId: session.user.organization?.id ?? null,
      actor: { type: 'user', id: link.user_id },
      action: 'session.signed-in',
      origin: input.origin,
      at: now,
      details: { method: 'link' },
    });
    return session;
  });
}

/**
 * Starts a session for an account (inside the caller's transaction). Its active organisation is the
 * account's oldest membership (or `options.organizationId` when the account is a member), or none (a
 * personal session). `secondFactorAt`: the sign-in gave a
 * second factor then. An account without one, in an organisation that requires one, gets a session
 * held at enrolment.
 */
export async function createSession(
  ctx: DomainContext,
  tx: DbOrTx,
  userId: string,
  now: Date,
  origin?: RequestOrigin,
  secondFactorAt?: Date,
  options: { organizationId?: string } = {},
): Promise<UserSession> {
  const { token, hash } = newToken();
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + ctx.config.sessionTtlMs);
  const memberships = await loadMemberships(tx, userId);
  // Single sign-on opens the session in the organisation of its connection.
  const organizationId = memberships.find((m) => m.id === options.organizationId)?.id ?? memberships[0]?.id ?? null;
  const mfaEnrolmentRequired =
    secondFactorAt === undefined && (await isMfaRequiredFor(tx, userId)) && !(await hasSecondFactor(tx, userId));
  await tx
    .insertInto('sessions')
    .values({
      token_hash: hash,
      user_id: userId,
      csrf_token: csrfToken,
      created_at: now.toISOString(),
      expires_at: expiresAt.toISOString(),
      organization_id: organizationId,
      last_seen_at: now.toISOString(),
      ip: origin?.ip ?? null,
      user_agent: origin?.userAgent ?? null,
      second_factor_at: secondFactorAt?.toISOString() ?? null,
      mfa_enrolment_required: mfaEnrolmentRequired ? 1 : 0,
    })
    .execute();
  return {
    sessionToken: token,
    csrfToken,
    expiresAt,
    user: await loadSessionUser(tx, userId, organizationId),
    mfaEnrolmentRequired,
  };
}

/** The account's memberships, oldest first. */
export async function loadMemberships(db: DbOrTx, userId: string): Promise<AccountMembership[]> {
  const rows = await db
    .selectFrom('memberships')
    .innerJoin('organizations', 'organizations.id', 'memberships.organization_id')
    .select(['organizations.id', 'organizations.name', 'organizations.slug', 'memberships.role'])
    .where('memberships.user_id', '=', userId)
    // A deactivated membership grants nothing (the row stays for the log and for reactivation).
    .where('memberships.deactivated_at', 'is', null)
    .orderBy('memberships.created_at')
    .orderBy('organizations.id')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, slug: r.slug, role: r.role }));
}

/** The account with its active organisation (null when the session has none or the membership ended). */
export async function loadSessionUser(db: DbOrTx, userId: string, organizationId: string | null): Promise<SessionUser> {
  const user = await db
    .selectFrom('users')
    .select(['id', 'email', 'name', 'company_name', 'phone'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  const memberships = await loadMemberships(db, userId);
  const active = organizationId === null ? undefined : memberships.find((m) => m.id === organizationId);
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    companyName: user.company_name,
    phone: user.phone,
    organization: active ? { id: active.id, name: active.name, slug: active.slug } : null,
    role: active?.role ?? null,
    memberships,
  };
}

/** An authenticated session: its account, CSRF token and stored hash (the session's id in lists). */
export interface AuthenticatedSession {
  user: SessionUser;
  csrfToken: string;
  tokenHash: string;
  /** When the session last gave a second factor (step-up), or null. */
  secondFactorAt: Date | null;
  /** Held at enrolling a second factor (an organisation's MFA policy). */
  mfaEnrolmentRequired: boolean;
}

// The sessions list shows when a session was last used; a minute is precise enough and spares a write per request.
const LAST_SEEN_RESOLUTION_MS = 60_000;

/**
 * The live session of a cookie token, or undefined. Notes the time of use (at most once a minute) for
 * the sessions list and the idle timeout: the only write, and not one the account's data depends on.
 * A session past its expiry or its organisation's timeouts is refused; its row is removed only when
 * `removeExpired` is set (a mutating request), else by the scheduled purge (purge-expired-sessions.ts),
 * so that a GET never deletes anything.
 */
export async function authenticateSession(
  ctx: DomainContext,
  sessionToken: string | undefined,
  options: { removeExpired?: boolean } = {},
): Promise<AuthenticatedSession | undefined> {
  if (!sessionToken || !/^[A-Za-z0-9_-]{32,128}$/.test(sessionToken)) return undefined;
  const tokenHash = hashToken(sessionToken);
  const session = await ctx.db
    .selectFrom('sessions')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!session) return undefined;
  const now = ctx.clock.now();
  const over =
    new Date(session.expires_at).getTime() <= now.getTime() ||
    (session.organization_id !== null && sessionOutlivedPolicy(session, await sessionPolicy(ctx.db, session), now));
  if (over) {
    if (options.removeExpired) await ctx.db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
    return undefined;
  }
  if (
    session.last_seen_at === null ||
    now.getTime() - new Date(session.last_seen_at).getTime() >= LAST_SEEN_RESOLUTION_MS
  ) {
    await ctx.db
      .updateTable('sessions')
      .set({ last_seen_at: now.toISOString() })
      .where('token_hash', '=', tokenHash)
      .execute();
  }
  return {
    user: await loadSessionUser(ctx.db, session.user_id, session.organization_id),
    csrfToken: session.csrf_token,
    tokenHash,
    secondFactorAt: session.second_factor_at === null ? null : new Date(session.second_factor_at),
    mfaEnrolmentRequired: session.mfa_enrolment_required === 1,
  };
}

/** An organisation's session timeouts (null: no limit of that kind). */
export interface SessionPolicy {
  session_idle_minutes: number | null;
  session_absolute_hours: number | null;
}

async function sessionPolicy(
  db: DbOrTx,
  session: { organization_id: string | null },
): Promise<SessionPolicy | undefined> {
  return db
    .selectFrom('organizations')
    .select(['session_idle_minutes', 'session_absolute_hours'])
    .where('id', '=', session.organization_id!)
    .executeTakeFirst();
}

/**
 * Whether a session outlived its organisation's session policy: unused longer than the idle timeout
 * (last use is noted at most once a minute), or older than the absolute timeout.
 */
export function sessionOutlivedPolicy(
  session: { created_at: string; last_seen_at: string | null },
  policy: SessionPolicy | undefined,
  now: Date,
): boolean {
  if (!policy) return false;
  const created = new Date(session.created_at).getTime();
  if (policy.session_absolute_hours !== null && now.getTime() >= created + policy.session_absolute_hours * 3_600_000)
    return true;
  const lastUse = session.last_seen_at === null ? created : new Date(session.last_seen_at).getTime();
  return policy.session_idle_minutes !== null && now.getTime() >= lastUse + policy.session_idle_minutes * 60_000;
}

/** Ends a session (the row is deleted) and records `session.signed-out`. */
export async function signOut(
  ctx: DomainContext,
  input: { sessionToken: string; origin?: RequestOrigin },
): Promise<void> {
  const now = ctx.clock.now();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const hash = hashToken(input.sessionToken);
    const session = await tx
      .selectFrom('sessions')
      .select(['user_id', 'organization_id'])
      .where('token_hash', '=', hash)
      .executeTakeFirst();
    if (!session) return;
    await tx.deleteFrom('sessions').where('token_hash', '=', hash).execute();
    await recordEvent(tx, {
      organizationId: session.organization_id,
      actor: { type: 'user', id: session.user_id },
      action: 'session.signed-out',
      origin: input.origin,
      at: now,
    });
  });
}

/** Sets the signed-in account's password (argon2id; the password policy of password-policy.ts). */
export async function setPassword(
  ctx: DomainContext,
  input: { userId: string; organizationId: string | null; password: unknown; origin?: RequestOrigin },
): Promise<void> {
  const hash = await hashPassword(checkNewPassword(input.password));
  const now = ctx.clock.now();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    await tx.updateTable('users').set({ password_hash: hash }).where('id', '=', input.userId).execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: { type: 'user', id: input.userId },
      action: 'session.password-set',
      origin: input.origin,
      at: now,
    });
  });
}
