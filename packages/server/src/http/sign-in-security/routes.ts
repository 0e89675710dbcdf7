import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../domain/app-error.ts';
import { isSafeNextPath } from '../../domain/accounts/next-path.ts';
import type { UserSession } from '../../domain/use-cases/sign-in.ts';
import { getSignInSecurity } from '../../domain/use-cases/get-sign-in-security.ts';
import { updateIpAllowList } from '../../domain/use-cases/update-ip-allow-list.ts';
import { removeSsoConnection, updateSsoConnection } from '../../domain/use-cases/update-sso-connection.ts';
import { startSsoSignIn } from '../../domain/use-cases/start-sso-sign-in.ts';
import { verifySsoDomain } from '../../domain/use-cases/verify-sso-domain.ts';
import {
  acceptSamlResponse,
  finishOidcSignIn,
  finishSamlSignIn,
  type FinishedSsoSignIn,
} from '../../domain/use-cases/finish-sso-sign-in.ts';
import {
  samlAcsUrl,
  spEntityId,
  SSO_RATE_LIMIT,
  SSO_STATE_COOKIE,
} from '../../domain/sign-in-security/sso-connections.ts';
import { requireAdmin } from '../admin-access.ts';
import { parseWith } from '../envelopes/schema.ts';
import { cookieOptions, originOf, SESSION_COOKIE } from '../request-context.ts';
import { sendRefusalPage } from './refusal-page.ts';
import { domainParams, ipAllowListBody, ssoConnectionBody, ssoStartBody } from './schema.ts';

const SSO_COOKIE_PATH = '/sso/';
/** A base64 SAMLResponse form is at most this large (node-saml's own bound is checked again). */
const ACS_BODY_LIMIT = 300 * 1024;

/**
 * Sign-in security: the administrators' IP allow-list and single sign-on settings, and the single
 * sign-on endpoints (start, OIDC callback, SAML ACS and finish, SAML metadata).
 */
export async function signInSecurityRoutes(app: FastifyInstance, options: { context: AppContext }): Promise<void> {
  const { context } = options;

  // The SAML POST binding sends a form; only this plugin's routes accept one.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: ACS_BODY_LIMIT },
    (_request, body, done) => {
      const params = new URLSearchParams(String(body));
      const out: Record<string, string> = {};
      for (const key of ['SAMLResponse', 'RelayState']) {
        const value = params.get(key);
        if (value !== null) out[key] = value;
      }
      done(null, out);
    },
  );

  app.get('/api/v1/organization/security', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    return reply.header('cache-control', 'no-store').send(
      await getSignInSecurity(context, {
        organizationId: principal.organizationId,
        adminEmail: principal.user?.email ?? '',
        currentAddress: request.ip ?? null,
      }),
    );
  });

  app.put('/api/v1/organization/security/ip-allow-list', async (request) => {
    const principal = await requireAdmin(context, request);
    const body = parseWith(ipAllowListBody, request.body);
    return updateIpAllowList(context, {
      organizationId: principal.organizationId,
      actor: principal.actor,
      origin: originOf(request),
      ipAllowList: body.ipAllowList,
    });
  });

  app.put('/api/v1/organization/security/sso', async (request) => {
    const principal = await requireAdmin(context, request);
    const settings = parseWith(ssoConnectionBody, request.body);
    return updateSsoConnection(context, {
      organizationId: principal.organizationId,
      actor: principal.actor,
      adminEmail: principal.user?.email ?? '',
      origin: originOf(request),
      settings,
    });
  });

  app.delete('/api/v1/organization/security/sso', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    await removeSsoConnection(context, {
      organizationId: principal.organizationId,
      actor: principal.actor,
      origin: originOf(request),
    });
    return reply.code(204).send();
  });

  // 確認: the TXT record that proves the claim is looked up now (a POST: it may change the claim).
  app.post('/api/v1/organization/security/sso/domains/:domain/verify', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    const { domain } = parseWith(domainParams, request.params);
    const claim = await verifySsoDomain(context, {
      organizationId: principal.organizationId,
      domain,
      actor: principal.actor,
      origin: originOf(request),
    });
    return reply.header('cache-control', 'no-store').send(claim);
  });

  // Starting is a POST (it stores the sign-in's state and sets its cookie): the UI then goes to redirectUrl.
  app.post('/api/sso/start', { config: { rateLimit: SSO_RATE_LIMIT } }, async (request, reply) => {
    const body = parseWith(ssoStartBody, request.body);
    const started = await startSsoSignIn(context, {
      email: body.email,
      organizationSlug: body.organization,
      next: body.next,
    });
    return reply
      .setCookie(
        SSO_STATE_COOKIE,
        started.stateToken,
        cookieOptions(context, { path: SSO_COOKIE_PATH, sameSite: 'lax', expires: started.expiresAt }),
      )
      .header('cache-control', 'no-store')
      .send({ redirectUrl: started.redirectUrl });
  });

  /** Signed in: the session cookie, the state cookie cleared, and on to `next` (a same-site path) or the UI. */
  const signedIn = (reply: FastifyReply, finished: FinishedSsoSignIn) => {
    const session: UserSession = finished.session;
    const next = finished.next !== null && isSafeNextPath(finished.next) ? finished.next : '/envelopes';
    return reply
      .clearCookie(SSO_STATE_COOKIE, cookieOptions(context, { path: SSO_COOKIE_PATH, sameSite: 'lax' }))
      .setCookie(
        SESSION_COOKIE,
        session.sessionToken,
        cookieOptions(context, { path: '/', sameSite: 'lax', expires: session.expiresAt }),
      )
      .header('cache-control', 'no-store')
      .redirect(session.mfaEnrolmentRequired ? '/account/security' : next, 303);
  };

  /** A refusal in the browser: a clear page (the state cookie is dropped: the sign-in is over). */
  const refused = (request: FastifyRequest, reply: FastifyReply, error: unknown) => {
    reply.clearCookie(SSO_STATE_COOKIE, cookieOptions(context, { path: SSO_COOKIE_PATH, sameSite: 'lax' }));
    if (error instanceof AppError) {
      const details = error.code === 'IP_NOT_ALLOWED' ? error.details : undefined;
      return sendRefusalPage(reply, error.code, details);
    }
    request.log.error({ err: error }, 'single sign-on failed');
    return sendRefusalPage(reply, 'INTERNAL_ERROR');
  };

  app.get('/sso/oidc/callback', { config: { rateLimit: SSO_RATE_LIMIT } }, async (request, reply) => {
    try {
      const callbackUrl = new URL(request.url, `${context.config.publicUrl}/`);
      const finished = await finishOidcSignIn(context, {
        callbackUrl,
        stateCookie: request.cookies[SSO_STATE_COOKIE],
        origin: originOf(request),
      });
      return signedIn(reply, finished);
    } catch (error) {
      return refused(request, reply, error);
    }
  });

  app.post(
    '/sso/saml/acs',
    { config: { rateLimit: SSO_RATE_LIMIT }, bodyLimit: ACS_BODY_LIMIT },
    async (request, reply) => {
      try {
        const body = (request.body ?? {}) as Record<string, unknown>;
        await acceptSamlResponse(context, { samlResponse: body.SAMLResponse, origin: originOf(request) });
        // Back to us as a top-level GET, which carries the SameSite=Lax state cookie of the browser that started.
        return reply.header('cache-control', 'no-store').redirect('/sso/saml/finish', 303);
      } catch (error) {
        return refused(request, reply, error);
      }
    },
  );

  app.get('/sso/saml/finish', { config: { rateLimit: SSO_RATE_LIMIT } }, async (request, reply) => {
    try {
      const finished = await finishSamlSignIn(context, {
        stateCookie: request.cookies[SSO_STATE_COOKIE],
        origin: originOf(request),
      });
      return signedIn(reply, finished);
    } catch (error) {
      return refused(request, reply, error);
    }
  });

  // What the IdP's administrator enters: our entity ID and assertion consumer service (public facts).
  app.get<{ Params: { id: string } }>('/sso/saml/metadata/:id', async (request, reply) => {
    const id = request.params.id;
    const row = /^[0-9a-f-]{36}$/.test(id)
      ? await context.db
          .selectFrom('sso_connections')
          .select('id')
          .where('id', '=', id)
          .where('protocol', '=', 'saml')
          .executeTakeFirst()
      : undefined;
    if (!row) throw new AppError('NOT_FOUND', 'no such SAML connection');
    const entityId = spEntityId(context.config.publicUrl, row.id);
    const acs = samlAcsUrl(context.config.publicUrl);
    const xmlAttr = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
    return reply
      .type('application/samlmetadata+xml; charset=utf-8')
      .send(
        `<?xml version="1.0" encoding="UTF-8"?>\n<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${xmlAttr(entityId)}">` +
          `<md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
          `<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${xmlAttr(acs)}" index="0"/>` +
          `</md:SPSSODescriptor></md:EntityDescriptor>\n`,
      );
  });
}
