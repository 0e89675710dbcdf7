import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';
import type { AppContext } from '../context.ts';
import type { ApiKeyScope } from '../domain/administration/api-key-scopes.ts';
import { AppError } from '../domain/app-error.ts';
import type { Actor, RequestOrigin, UserRole } from '../domain/types.ts';
import { authenticateApiKey } from '../domain/use-cases/authenticate-api-key.ts';
import { assertAddressAllowed, assertAddressInList } from '../domain/sign-in-security/ip-allow-list.ts';
import { authenticateSession, type AuthenticatedSession, type SessionUser } from '../domain/use-cases/sign-in.ts';

/** Cookie names (docs/api.md). */
export const SESSION_COOKIE = 'inkan_session';
export const SIGNER_COOKIE = 'inkan_signer';

/** Where a request came from, for the operation log. */
export function originOf(request: FastifyRequest): RequestOrigin {
  const agent = request.headers['user-agent'];
  return { ip: request.ip ?? null, userAgent: typeof agent === 'string' ? agent.slice(0, 512) : null };
}

/** Who is calling the sender API: a signed-in user or an API key, always of one organisation. */
/**
 * Who makes a change and from where, as the use cases take it: the principal's organisation (their
 * objects only: another organisation's are NOT_FOUND in the use case) and actor, and the request's origin.
 */
export function changeBy(
  principal: Principal,
  request: FastifyRequest,
): { organizationId: string; actor: Principal['actor']; origin: RequestOrigin } {
  return { organizationId: principal.organizationId, actor: principal.actor, origin: originOf(request) };
}

export interface Principal {
  organizationId: string;
  actor: Extract<Actor, { type: 'user' } | { type: 'api_key' }>;
  role: UserRole;
  user?: SessionUser;
  csrfToken?: string;
  /** Sessions only: when the session last gave a second factor (step-up), or null. */
  secondFactorAt?: Date | null;
  /** API keys only: what the key may do. */
  scopes?: ApiKeyScope[];
}

/** Compares two secrets in constant time. */
export function sameSecret(a: string | undefined, b: string): boolean {
  if (typeof a !== 'string') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Authenticates a sender-side request: `Authorization: Bearer <API key>`, or the session cookie — with
 * the session's `x-csrf-token` header on every non-GET request. `write` requests need a role that may
 * change envelopes (not viewer). An API key needs the route's scope (`scope`; default send for writes,
 * read otherwise): API_KEY_SCOPE without it.
 */
export async function requirePrincipal(
  context: AppContext,
  request: FastifyRequest,
  options: { write: boolean; scope?: ApiKeyScope },
): Promise<Principal> {
  const authorization = header(request, 'authorization');
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    const key = match ? await authenticateApiKey(context, { key: match[1], origin: originOf(request) }) : undefined;
    if (!key) throw new AppError('UNAUTHENTICATED', 'unknown or revoked API key');
    const scope = options.scope ?? (options.write ? 'send' : 'read');
    if (!key.scopes.includes(scope))
      throw new AppError('API_KEY_SCOPE', `this API key lacks the scope "${scope}"`, { scope });
    assertAddressInList(key.ipAllowList, request.ip);
    return {
      organizationId: key.organizationId,
      actor: { type: 'api_key', id: key.apiKeyId },
      role: scope === 'admin' ? 'admin' : 'member',
      scopes: key.scopes,
    };
  }
  const session = await checkedSession(context, request);
  const { organization, role } = session.user;
  if (organization === null || role === null) {
    throw new AppError(
      'FORBIDDEN',
      'a personal account has no organisation: this API needs a member of an organisation',
      { reason: 'personal-account' },
    );
  }
  if (options.write && role === 'viewer') throw new AppError('FORBIDDEN', 'viewers cannot change envelopes');
  return {
    organizationId: organization.id,
    actor: { type: 'user', id: session.user.id },
    role,
    user: session.user,
    csrfToken: session.csrfToken,
    secondFactorAt: session.secondFactorAt,
  };
}

/**
 * The session of the request's cookie, with the CSRF header checked on every non-GET request. A session
 * held by an organisation's MFA policy gets MFA_ENROLMENT_REQUIRED unless the route enrols factors.
 */
async function checkedSession(
  context: AppContext,
  request: FastifyRequest,
  duringEnrolment = false,
): Promise<AuthenticatedSession> {
  const mutating = request.method !== 'GET' && request.method !== 'HEAD';
  // A timed-out session is refused; only a mutating request removes its row (a GET changes nothing).
  const session = await authenticateSession(context, request.cookies[SESSION_COOKIE], { removeExpired: mutating });
  if (!session) throw new AppError('UNAUTHENTICATED', 'sign in first');
  // A member's session answers to the IP allow-list of its active organisation (personal sessions: none).
  if (session.user.organization) await assertAddressAllowed(context.db, session.user.organization.id, request.ip);
  if (mutating && !sameSecret(header(request, 'x-csrf-token'), session.csrfToken))
    throw new AppError('CSRF_FAILED', 'missing or wrong x-csrf-token');
  if (session.mfaEnrolmentRequired && !duringEnrolment)
    throw new AppError(
      'MFA_ENROLMENT_REQUIRED',
      'an organisation of this account requires a second factor: enrol one first',
    );
  return session;
}

/** A signed-in account (personal or organisation member), for the account and personal-register APIs. */
export interface AccountPrincipal {
  userId: string;
  user: SessionUser;
  csrfToken: string;
  /** The session's active organisation, or null for a personal session. */
  organizationId: string | null;
  /** The role in that organisation, or null for a personal session. */
  role: UserRole | null;
  /** SHA-256 of the session token: identifies the current session in the sessions list. */
  sessionHash: string;
  /** When the session last gave a second factor (step-up), or null. */
  secondFactorAt: Date | null;
}

/**
 * Authenticates an account API request: the session cookie only (API keys are refused: they belong to
 * an organisation, not to a person), with the `x-csrf-token` header on every non-GET request.
 * `duringEnrolment`: the route is one of the second-factor routes a session held by the MFA policy may use.
 */
export async function requireAccount(
  context: AppContext,
  request: FastifyRequest,
  options: { duringEnrolment?: boolean } = {},
): Promise<AccountPrincipal> {
  if (header(request, 'authorization') !== undefined)
    throw new AppError('FORBIDDEN', 'the account API needs a browser session, not an API key', {
      reason: 'session-required',
    });
  const session = await checkedSession(context, request, options.duringEnrolment);
  return {
    userId: session.user.id,
    user: session.user,
    csrfToken: session.csrfToken,
    organizationId: session.user.organization?.id ?? null,
    role: session.user.role,
    sessionHash: session.tokenHash,
    secondFactorAt: session.secondFactorAt,
  };
}

/** Cookie options shared by our cookies. */
export function cookieOptions(
  context: AppContext,
  options: { path: string; sameSite: 'lax' | 'strict'; expires?: Date },
) {
  return {
    path: options.path,
    httpOnly: true,
    sameSite: options.sameSite,
    secure: context.config.publicUrl.startsWith('https://'),
    ...(options.expires ? { expires: options.expires } : {}),
  } as const;
}

/** The signer cookie's path: the link's own API prefix, so two recipients in one browser keep apart. */
export function signerCookiePath(token: string): string {
  return `/api/sign/${token}/`;
}

/** `Content-Disposition` with an ASCII fallback and the UTF-8 name (RFC 6266 / RFC 5987). */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** Sends PDF bytes. */
export function sendPdf(
  reply: FastifyReply,
  file: { name: string; bytes: Uint8Array },
  kind: 'inline' | 'attachment',
): FastifyReply {
  return reply
    .type('application/pdf')
    .header('content-disposition', contentDisposition(kind, file.name))
    .header('cache-control', 'private, no-store')
    .header('x-content-type-options', 'nosniff')
    .send(Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength));
}
