import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { LOGO_LIMITS } from '../../domain/administration/logo-image.ts';
import { AppError } from '../../domain/app-error.ts';
import { acceptInvitation, getInvitation } from '../../domain/use-cases/accept-invitation.ts';
import { changeMemberRole } from '../../domain/use-cases/change-member-role.ts';
import { inviteMember, revokeInvitation } from '../../domain/use-cases/invite-member.ts';
import { listMembers } from '../../domain/use-cases/list-members.ts';
import {
  createOrganizationApiKey,
  listApiKeys,
  revokeOrganizationApiKey,
} from '../../domain/use-cases/manage-api-keys.ts';
import { endMemberSessions, listMemberSessions } from '../../domain/use-cases/manage-member-sessions.ts';
import { sendTestMail } from '../../domain/use-cases/send-test-mail.ts';
import { setMemberActive } from '../../domain/use-cases/set-member-active.ts';
import { getOrganizationLogo, setOrganizationLogo } from '../../domain/use-cases/set-organization-logo.ts';
import { authenticateSession } from '../../domain/use-cases/sign-in.ts';
import { transferEnvelopes } from '../../domain/use-cases/transfer-envelopes.ts';
import {
  getOrganizationProfile,
  updateOrganizationProfile,
} from '../../domain/use-cases/update-organization-profile.ts';
import { requireAdmin } from '../admin-access.ts';
import { parseWith } from '../envelopes/schema.ts';
import { preferredLanguage } from '../errors.ts';
import { changeBy, cookieOptions, originOf, sameSecret, SESSION_COOKIE } from '../request-context.ts';
import { SIGN_IN_RATE_LIMIT } from '../session/routes.ts';
import {
  acceptInvitationBody,
  apiKeyBody,
  idParams,
  invitationBody,
  invitationTokenBody,
  memberBody,
  profileBody,
  sessionsQuery,
  testMailBody,
  transferBody,
  userParams,
  userSessionParams,
} from './schema.ts';

const LOGO_TYPES = ['image/png', 'image/jpeg'];
/** Test mails reach out to the mail server: a few a minute per address are plenty. */
const TEST_MAIL_RATE_LIMIT = { max: 5, timeWindow: '1 minute' } as const;

function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'private, no-store');
}

function languageOf(request: FastifyRequest): 'ja' | 'en' {
  const header = request.headers['accept-language'];
  return preferredLanguage(typeof header === 'string' ? header : undefined);
}

/**
 * The administration API (issue 12 parts 1 and 5) for an organisation's administrators: profile and
 * logo, members (invite, role, deactivate, transfer envelopes), API keys with scopes, the mail test,
 * and members' sessions. Every change is an event in the operation log and needs step-up
 * (requireAdmin). Also the public logo and the invitation pages' API.
 */
export async function adminRoutes(app: FastifyInstance, options: { context: AppContext }): Promise<void> {
  const { context } = options;

  // The logo is uploaded as the raw image body (bounded here; checked in the domain).
  app.addContentTypeParser(
    LOGO_TYPES,
    { parseAs: 'buffer', bodyLimit: LOGO_LIMITS.bytes + 1 },
    (_request, body, done) => done(null, body),
  );

  app.get('/api/v1/admin/organization', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    return noStore(reply).send(await getOrganizationProfile(context, { organizationId: principal.organizationId }));
  });

  app.patch('/api/v1/admin/organization', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    const changes = parseWith(profileBody, request.body ?? {});
    return noStore(reply).send(
      await updateOrganizationProfile(context, {
        ...changeBy(principal, request),
        changes,
      }),
    );
  });

  app.put('/api/v1/admin/organization/logo', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    if (!Buffer.isBuffer(request.body))
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the logo as image/png or image/jpeg', { field: 'logo' });
    return noStore(reply).send(
      await setOrganizationLogo(context, {
        ...changeBy(principal, request),
        bytes: request.body,
      }),
    );
  });

  app.delete('/api/v1/admin/organization/logo', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    await setOrganizationLogo(context, {
      ...changeBy(principal, request),
      bytes: null,
    });
    return reply.code(204).send();
  });

  // Public: mail clients and the signer's pages load it without a session. Served as the checked type.
  app.get('/api/public/organizations/:id/logo', async (request, reply) => {
    const { id } = parseWith(idParams, request.params);
    const logo = await getOrganizationLogo(context, { organizationId: id });
    return reply
      .type(logo.type)
      .header('cache-control', 'public, max-age=3600')
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'")
      .send(logo.bytes);
  });

  app.get('/api/v1/admin/members', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    return noStore(reply).send(await listMembers(context, { organizationId: principal.organizationId }));
  });

  app.post('/api/v1/admin/invitations', async (request, reply) => {
    const principal = await requireAdmin(context, request, { sessionOnly: true });
    const body = parseWith(invitationBody, request.body);
    const created = await inviteMember(context, {
      organizationId: principal.organizationId,
      actor: principal.actor as { type: 'user'; id: string },
      origin: originOf(request),
      email: body.email,
      role: body.role,
      language: languageOf(request),
    });
    return noStore(reply).code(201).send(created);
  });

  app.delete('/api/v1/admin/invitations/:id', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    const { id } = parseWith(idParams, request.params);
    await revokeInvitation(context, {
      ...changeBy(principal, request),
      invitationId: id,
    });
    return reply.code(204).send();
  });

  app.patch('/api/v1/admin/members/:userId', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    const { userId } = parseWith(userParams, request.params);
    const body = parseWith(memberBody, request.body ?? {});
    const common = {
      ...changeBy(principal, request),
      userId,
    };
    const result: Record<string, unknown> = {};
    if (body.role !== undefined) result.role = await changeMemberRole(context, { ...common, role: body.role });
    if (body.active !== undefined) result.status = await setMemberActive(context, { ...common, active: body.active });
    return noStore(reply).send(result);
  });

  app.post('/api/v1/admin/members/:userId/transfer-envelopes', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    const { userId } = parseWith(userParams, request.params);
    const body = parseWith(transferBody, request.body);
    return noStore(reply).send(
      await transferEnvelopes(context, {
        ...changeBy(principal, request),
        fromUserId: userId,
        toUserId: body.toUserId,
      }),
    );
  });

  app.get('/api/v1/admin/sessions', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    const query = parseWith(sessionsQuery, request.query ?? {});
    return noStore(reply).send({
      sessions: await listMemberSessions(context, { organizationId: principal.organizationId, userId: query.userId }),
    });
  });

  app.delete('/api/v1/admin/members/:userId/sessions', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    const { userId } = parseWith(userParams, request.params);
    return noStore(reply).send(
      await endMemberSessions(context, {
        ...changeBy(principal, request),
        userId,
        which: 'all',
      }),
    );
  });

  app.delete('/api/v1/admin/members/:userId/sessions/:id', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    const { userId, id } = parseWith(userSessionParams, request.params);
    await endMemberSessions(context, {
      ...changeBy(principal, request),
      userId,
      which: { id },
    });
    return reply.code(204).send();
  });

  app.get('/api/v1/admin/api-keys', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    return noStore(reply).send({ apiKeys: await listApiKeys(context, { organizationId: principal.organizationId }) });
  });

  // A key never mints keys: creation and revocation need a signed-in administrator (with step-up).
  app.post('/api/v1/admin/api-keys', async (request, reply) => {
    const principal = await requireAdmin(context, request, { sessionOnly: true });
    const body = parseWith(apiKeyBody, request.body);
    const created = await createOrganizationApiKey(context, {
      organizationId: principal.organizationId,
      actor: principal.actor as { type: 'user'; id: string },
      origin: originOf(request),
      name: body.name,
      scopes: body.scopes,
    });
    return noStore(reply).code(201).send(created);
  });

  app.delete('/api/v1/admin/api-keys/:id', async (request, reply) => {
    const principal = await requireAdmin(context, request, { sessionOnly: true });
    const { id } = parseWith(idParams, request.params);
    await revokeOrganizationApiKey(context, {
      ...changeBy(principal, request),
      apiKeyId: id,
    });
    return reply.code(204).send();
  });

  app.post('/api/v1/admin/mail/test', { config: { rateLimit: TEST_MAIL_RATE_LIMIT } }, async (request, reply) => {
    const principal = await requireAdmin(context, request, { sessionOnly: true });
    const body = parseWith(testMailBody, request.body ?? {});
    return noStore(reply).send(
      await sendTestMail(context, {
        organizationId: principal.organizationId,
        actor: principal.actor as { type: 'user'; id: string },
        origin: originOf(request),
        to: body.to,
        language: languageOf(request),
      }),
    );
  });

  // The invitation page: what the link invites to (no change), and accepting it.
  app.post('/api/invitations/preview', { config: { rateLimit: SIGN_IN_RATE_LIMIT } }, async (request, reply) => {
    const { token } = parseWith(invitationTokenBody, request.body);
    return noStore(reply).send(await getInvitation(context, { token }));
  });

  app.post('/api/invitations/accept', { config: { rateLimit: SIGN_IN_RATE_LIMIT } }, async (request, reply) => {
    const body = parseWith(acceptInvitationBody, request.body);
    // An existing account accepts signed in (with its CSRF token); a new one sets its password here.
    const session = await authenticateSession(context, request.cookies[SESSION_COOKIE], { removeExpired: true });
    const csrf = request.headers['x-csrf-token'];
    const signedIn =
      session && sameSecret(typeof csrf === 'string' ? csrf : undefined, session.csrfToken) ? session : undefined;
    const accepted = await acceptInvitation(context, {
      token: body.token,
      name: body.name,
      password: body.password,
      signedInUserId: signedIn?.user.id ?? null,
      origin: originOf(request),
    });
    if (!accepted.session) return noStore(reply).send({ organizationId: accepted.organizationId });
    return noStore(reply)
      .setCookie(
        SESSION_COOKIE,
        accepted.session.sessionToken,
        cookieOptions(context, { path: '/', sameSite: 'lax', expires: accepted.session.expiresAt }),
      )
      .send({
        organizationId: accepted.organizationId,
        user: accepted.session.user,
        csrfToken: accepted.session.csrfToken,
        mfaEnrolmentRequired: accepted.session.mfaEnrolmentRequired,
      });
  });
}
