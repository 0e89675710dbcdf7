import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../domain/app-error.ts';
import { completeSecondFactorSignIn } from '../../domain/use-cases/complete-second-factor-sign-in.ts';
import { finishPasskeyAuthentication } from '../../domain/use-cases/finish-passkey-authentication.ts';
import {
  authenticateSession,
  setPassword,
  signInWithLink,
  signInWithPassword,
  signOut,
  type SecondFactorPending,
  type UserSession,
} from '../../domain/use-cases/sign-in.ts';
import { startPasskeyAuthentication } from '../../domain/use-cases/start-passkey-authentication.ts';
import { parseWith } from '../envelopes/schema.ts';
import { assertAddressAllowed } from '../../domain/sign-in-security/ip-allow-list.ts';
import { cookieOptions, originOf, requireAccount, sameSecret, SESSION_COOKIE } from '../request-context.ts';
import {
  passkeyOptionsBody,
  passkeySignInBody,
  secondFactorBody,
  setPasswordBody,
  signInBody,
  signInLinkBody,
  toFactor,
} from './schema.ts';

/** Limit per IP on the sign-in endpoints, on top of argon2's cost (docs/api.md: rate-limited). */
export const SIGN_IN_RATE_LIMIT = { max: 10, timeWindow: '1 minute' } as const;

/** Sender sessions: sign in (password or one-time link), who am I, sign out, set password. */
export async function sessionRoutes(app: FastifyInstance, options: { context: AppContext }): Promise<void> {
  const { context } = options;

  // A right password for an account with a second factor gives no cookie: the second step follows.
  const started = (reply: FastifyReply, session: UserSession | SecondFactorPending) =>
    'secondFactorRequired' in session
      ? reply.header('cache-control', 'no-store').send(session)
      : reply
          .setCookie(
            SESSION_COOKIE,
            session.sessionToken,
            cookieOptions(context, { path: '/', sameSite: 'lax', expires: session.expiresAt }),
          )
          .header('cache-control', 'no-store')
          .send({
            user: session.user,
            csrfToken: session.csrfToken,
            mfaEnrolmentRequired: session.mfaEnrolmentRequired,
          });

  app.post('/api/session', { config: { rateLimit: SIGN_IN_RATE_LIMIT } }, async (request, reply) => {
    const body = parseWith(signInBody, request.body);
    return started(reply, await signInWithPassword(context, { ...body, origin: originOf(request) }));
  });

  app.post('/api/session/link', { config: { rateLimit: SIGN_IN_RATE_LIMIT } }, async (request, reply) => {
    const body = parseWith(signInLinkBody, request.body);
    return started(reply, await signInWithLink(context, { token: body.token, origin: originOf(request) }));
  });

  app.post('/api/session/second-factor', { config: { rateLimit: SIGN_IN_RATE_LIMIT } }, async (request, reply) => {
    const body = parseWith(secondFactorBody, request.body);
    return started(
      reply,
      await completeSecondFactorSignIn(context, {
        challengeToken: body.challengeToken,
        factor: toFactor(body),
        origin: originOf(request),
      }),
    );
  });

  // Passkeys: options for navigator.credentials.get(), then its answer. With challengeToken it is the
  // second step of a password sign-in; without, a passwordless sign-in.
  app.post('/api/session/passkey/options', { config: { rateLimit: SIGN_IN_RATE_LIMIT } }, async (request, reply) => {
    const body = parseWith(passkeyOptionsBody, request.body ?? {});
    return reply
      .header('cache-control', 'no-store')
      .send(await startPasskeyAuthentication(context, { challengeToken: body.challengeToken }));
  });

  app.post('/api/session/passkey', { config: { rateLimit: SIGN_IN_RATE_LIMIT } }, async (request, reply) => {
    const body = parseWith(passkeySignInBody, request.body);
    const purpose =
      body.challengeToken === undefined
        ? ({ kind: 'sign-in' } as const)
        : ({ kind: 'second-step', challengeToken: body.challengeToken } as const);
    const session = await finishPasskeyAuthentication(context, {
      response: body.response,
      purpose,
      origin: originOf(request),
    });
    if (!('sessionToken' in session)) throw new AppError('INTERNAL_ERROR', 'a passkey sign-in opened no session');
    return started(reply, session);
  });

  app.get('/api/session', async (request, reply) => {
    const session = await authenticateSession(context, request.cookies[SESSION_COOKIE]);
    if (!session) throw new AppError('UNAUTHENTICATED', 'not signed in');
    // The UI learns here that this member's organisation refuses the address (and shows why).
    if (session.user.organization) await assertAddressAllowed(context.db, session.user.organization.id, request.ip);
    return reply
      .header('cache-control', 'no-store')
      .send({ user: session.user, csrfToken: session.csrfToken, mfaEnrolmentRequired: session.mfaEnrolmentRequired });
  });

  app.delete('/api/session', async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    // Signing out needs the CSRF token too (a cross-site request must not end someone's session).
    const session = await authenticateSession(context, token, { removeExpired: true });
    if (token && session) {
      const csrf = request.headers['x-csrf-token'];
      if (!sameSecret(typeof csrf === 'string' ? csrf : undefined, session.csrfToken))
        throw new AppError('CSRF_FAILED', 'missing or wrong x-csrf-token');
      await signOut(context, { sessionToken: token, origin: originOf(request) });
    }
    return reply
      .clearCookie(SESSION_COOKIE, cookieOptions(context, { path: '/', sameSite: 'lax' }))
      .code(204)
      .send();
  });

  app.post('/api/session/password', async (request, reply) => {
    const account = await requireAccount(context, request);
    const body = parseWith(setPasswordBody, request.body);
    await setPassword(context, {
      userId: account.userId,
      organizationId: account.organizationId,
      password: body.password,
      origin: originOf(request),
    });
    return reply.code(204).send();
  });
}
