import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { changePassword } from '../../domain/use-cases/change-password.ts';
import { completeSignup } from '../../domain/use-cases/complete-signup.ts';
import { confirmEmailChange } from '../../domain/use-cases/confirm-email-change.ts';
import { deleteAccount } from '../../domain/use-cases/delete-account.ts';
import { endAccountSessions } from '../../domain/use-cases/end-account-sessions.ts';
import { exportAccountData } from '../../domain/use-cases/export-account-data.ts';
import { getSignupLink } from '../../domain/use-cases/get-signup-link.ts';
import { listAccountSessions } from '../../domain/use-cases/list-account-sessions.ts';
import { requestEmailChange } from '../../domain/use-cases/request-email-change.ts';
import { requestPasswordReset } from '../../domain/use-cases/request-password-reset.ts';
import { requestSignup } from '../../domain/use-cases/request-signup.ts';
import { resetPassword } from '../../domain/use-cases/reset-password.ts';
import { loadSessionUser } from '../../domain/use-cases/sign-in.ts';
import { switchOrganization } from '../../domain/use-cases/switch-organization.ts';
import { updateProfile } from '../../domain/use-cases/update-profile.ts';
import { contentDisposition, cookieOptions, originOf, requireAccount, SESSION_COOKIE } from '../request-context.ts';
import { preferredLanguage } from '../errors.ts';
import { parseWith } from '../envelopes/schema.ts';
import {
  changeEmailBody,
  changePasswordBody,
  completeSignupBody,
  confirmEmailBody,
  deleteAccountBody,
  forgotPasswordBody,
  profileBody,
  resetPasswordBody,
  sessionParams,
  signupBody,
  switchOrganizationBody,
  tokenQuery,
} from './schema.ts';

/** Per IP on the unauthenticated account endpoints (the use cases add per-address limits in the database). */
export const ACCOUNT_RATE_LIMIT = { max: 10, timeWindow: '1 minute' } as const;

/**
 * The answer of sign-up and reset requests: always this, whether or not the address has an account
 * (no account enumeration).
 */
export const ACCEPTED = { accepted: true } as const;

/** The account API: sign-up, password reset, e-mail change, profile, sessions, export, deletion. */
export async function accountRoutes(app: FastifyInstance, options: { context: AppContext }): Promise<void> {
  const { context } = options;
  const limited = { config: { rateLimit: ACCOUNT_RATE_LIMIT } };
  const languageOf = (request: FastifyRequest, chosen: 'ja' | 'en' | undefined) =>
    chosen ?? (request.headers['accept-language'] ? preferredLanguage(request.headers['accept-language']) : 'ja');
  const accepted = (reply: FastifyReply) => reply.code(202).header('cache-control', 'no-store').send(ACCEPTED);
  const clearSessionCookie = (reply: FastifyReply) =>
    reply.clearCookie(SESSION_COOKIE, cookieOptions(context, { path: '/', sameSite: 'lax' }));

  app.post('/api/account/signup', limited, async (request, reply) => {
    const body = parseWith(signupBody, request.body);
    await requestSignup(context, {
      email: body.email,
      next: body.next,
      language: languageOf(request, body.language),
      origin: originOf(request),
    });
    return accepted(reply);
  });

  app.get('/api/account/signup/link', async (request, reply) => {
    const query = parseWith(tokenQuery, request.query);
    return reply.header('cache-control', 'no-store').send(await getSignupLink(context, { token: query.token }));
  });

  app.post('/api/account/signup/complete', limited, async (request, reply) => {
    const body = parseWith(completeSignupBody, request.body);
    const { session, next } = await completeSignup(context, { ...body, origin: originOf(request) });
    return reply
      .setCookie(
        SESSION_COOKIE,
        session.sessionToken,
        cookieOptions(context, { path: '/', sameSite: 'lax', expires: session.expiresAt }),
      )
      .header('cache-control', 'no-store')
      .send({ user: session.user, csrfToken: session.csrfToken, next });
  });

  app.post('/api/account/password/forgot', limited, async (request, reply) => {
    const body = parseWith(forgotPasswordBody, request.body);
    await requestPasswordReset(context, {
      email: body.email,
      language: languageOf(request, body.language),
      origin: originOf(request),
    });
    return accepted(reply);
  });

  app.post('/api/account/password/reset', limited, async (request, reply) => {
    const body = parseWith(resetPasswordBody, request.body);
    await resetPassword(context, { ...body, origin: originOf(request) });
    return clearSessionCookie(reply).code(204).send();
  });

  app.post('/api/account/email/confirm', limited, async (request, reply) => {
    const body = parseWith(confirmEmailBody, request.body);
    return reply.send(
      await confirmEmailChange(context, {
        token: body.token,
        language: languageOf(request, body.language),
        origin: originOf(request),
      }),
    );
  });

  app.get('/api/account', async (request, reply) => {
    const account = await requireAccount(context, request);
    return reply.header('cache-control', 'no-store').send({ user: account.user });
  });

  app.patch('/api/account/profile', async (request, reply) => {
    const account = await requireAccount(context, request);
    const body = parseWith(profileBody, request.body);
    await updateProfile(context, {
      userId: account.userId,
      organizationId: account.organizationId,
      name: body.name,
      companyName: body.companyName,
      phone: body.phone,
      origin: originOf(request),
    });
    return reply.send({ user: await loadSessionUser(context.db, account.userId, account.organizationId) });
  });

  app.post('/api/account/password', async (request, reply) => {
    const account = await requireAccount(context, request);
    const body = parseWith(changePasswordBody, request.body);
    await changePassword(context, {
      userId: account.userId,
      organizationId: account.organizationId,
      sessionHash: account.sessionHash,
      ...body,
      origin: originOf(request),
    });
    return reply.code(204).send();
  });

  app.post('/api/account/email', async (request, reply) => {
    const account = await requireAccount(context, request);
    const body = parseWith(changeEmailBody, request.body);
    await requestEmailChange(context, {
      userId: account.userId,
      organizationId: account.organizationId,
      newEmail: body.newEmail,
      currentPassword: body.currentPassword,
      language: languageOf(request, body.language),
      origin: originOf(request),
    });
    return accepted(reply);
  });

  app.get('/api/account/sessions', async (request, reply) => {
    const account = await requireAccount(context, request);
    return reply.header('cache-control', 'no-store').send({
      sessions: await listAccountSessions(context, { userId: account.userId, sessionHash: account.sessionHash }),
    });
  });

  app.delete('/api/account/sessions/:id', async (request, reply) => {
    const account = await requireAccount(context, request);
    const { id } = parseWith(sessionParams, request.params);
    await endAccountSessions(context, {
      userId: account.userId,
      organizationId: account.organizationId,
      sessionHash: account.sessionHash,
      which: { id },
      origin: originOf(request),
    });
    // Ending the current session is signing out.
    return (id === account.sessionHash ? clearSessionCookie(reply) : reply).code(204).send();
  });

  app.post('/api/account/sessions/end-others', async (request, reply) => {
    const account = await requireAccount(context, request);
    return reply.send(
      await endAccountSessions(context, {
        userId: account.userId,
        organizationId: account.organizationId,
        sessionHash: account.sessionHash,
        which: 'others',
        origin: originOf(request),
      }),
    );
  });

  app.post('/api/account/export', async (request, reply) => {
    const account = await requireAccount(context, request);
    const exported = await exportAccountData(context, {
      userId: account.userId,
      organizationId: account.organizationId,
      origin: originOf(request),
    });
    return reply
      .type('application/zip')
      .header('content-disposition', contentDisposition('attachment', exported.fileName))
      .header('cache-control', 'private, no-store')
      .send(Buffer.from(exported.bytes.buffer, exported.bytes.byteOffset, exported.bytes.byteLength));
  });

  app.delete('/api/account', async (request, reply) => {
    const account = await requireAccount(context, request);
    const body = parseWith(deleteAccountBody, request.body);
    await deleteAccount(context, { userId: account.userId, password: body.password, origin: originOf(request) });
    return clearSessionCookie(reply).code(204).send();
  });

  app.post('/api/session/organization', async (request, reply) => {
    const account = await requireAccount(context, request);
    const body = parseWith(switchOrganizationBody, request.body);
    return reply.send({
      user: await switchOrganization(context, {
        userId: account.userId,
        sessionHash: account.sessionHash,
        organizationId: body.organizationId,
        origin: originOf(request),
      }),
    });
  });
}
