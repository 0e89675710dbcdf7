import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../domain/app-error.ts';
import { signerCsrfToken } from '../../domain/signer-access.ts';
import { declineEnvelope } from '../../domain/use-cases/decline-envelope.ts';
import { downloadSignerDocument } from '../../domain/use-cases/download-signer-document.ts';
import { getSignerDocument, getSignerView } from '../../domain/use-cases/get-signer-view.ts';
import { markViewed } from '../../domain/use-cases/mark-viewed.ts';
import { openSignerSessionByLogin } from '../../domain/use-cases/open-signer-session-by-login.ts';
import { openSigningLink } from '../../domain/use-cases/open-signing-link.ts';
import { signAsRecipient } from '../../domain/use-cases/sign-as-recipient.ts';
import type { SignerSession } from '../../domain/use-cases/verify-access-code.ts';
import { verifyAccessCode } from '../../domain/use-cases/verify-access-code.ts';
import { parseWith } from '../envelopes/schema.ts';
import {
  cookieOptions,
  originOf,
  requireAccount,
  sameSecret,
  sendPdf,
  SIGNER_COOKIE,
  signerCookiePath,
} from '../request-context.ts';
import { accessCodeBody, declineBody, signBody, tokenDocumentParams, tokenParams } from './schema.ts';
import { getSignerFields } from '../../domain/use-cases/get-signer-fields.ts';
import { presentField } from '../../domain/fields/envelope-fields.ts';

/** Limit per IP on access-code attempts, on top of the lockout counted in the database. */
export const ACCESS_CODE_RATE_LIMIT = { max: 10, timeWindow: '1 minute' } as const;

/** The signer's API (no account): link state, access code, view, documents, viewed, sign, decline. */
export async function signerRoutes(app: FastifyInstance, options: { context: AppContext }): Promise<void> {
  const { context } = options;
  const sessionOf = (request: FastifyRequest) => request.cookies[SIGNER_COOKIE];

  /** Non-GET signer requests carry the CSRF token derived from their session. */
  const checkCsrf = (request: FastifyRequest) => {
    const session = sessionOf(request);
    const csrf = request.headers['x-csrf-token'];
    if (
      !session ||
      !sameSecret(typeof csrf === 'string' ? csrf : undefined, signerCsrfToken(context.keys.cookie, session))
    ) {
      // Without a session at all the answer is "enter the code", not a CSRF puzzle.
      if (!session) throw new AppError('UNAUTHENTICATED', 'enter the access code first');
      throw new AppError('CSRF_FAILED', 'missing or wrong x-csrf-token');
    }
  };

  const sessionStarted = (reply: FastifyReply, token: string, session: SignerSession) =>
    reply
      .setCookie(
        SIGNER_COOKIE,
        session.sessionToken,
        cookieOptions(context, { path: signerCookiePath(token), sameSite: 'strict', expires: session.expiresAt }),
      )
      .header('cache-control', 'no-store')
      .send({ csrfToken: session.csrfToken, ...session.view });

  // Read only: mail scanners fetch links before people do.
  app.get('/api/sign/:token', async (request, reply) => {
    const { token } = parseWith(tokenParams, request.params);
    return reply.header('cache-control', 'no-store').send(await openSigningLink(context, token));
  });

  app.post(
    '/api/sign/:token/access-code',
    { config: { rateLimit: ACCESS_CODE_RATE_LIMIT } },
    async (request, reply) => {
      const { token } = parseWith(tokenParams, request.params);
      const body = parseWith(accessCodeBody, request.body);
      return sessionStarted(
        reply,
        token,
        await verifyAccessCode(context, { token, code: body.code, origin: originOf(request) }),
      );
    },
  );

  // The organisation's own signer (auth 'login') proves identity with their user session instead of a code.
  app.post('/api/sign/:token/login', { config: { rateLimit: ACCESS_CODE_RATE_LIMIT } }, async (request, reply) => {
    const { token } = parseWith(tokenParams, request.params);
    const account = await requireAccount(context, request);
    return sessionStarted(
      reply,
      token,
      await openSignerSessionByLogin(context, { token, userId: account.userId, origin: originOf(request) }),
    );
  });

  app.get('/api/sign/:token/view', async (request, reply) => {
    const { token } = parseWith(tokenParams, request.params);
    const session = sessionOf(request);
    const view = await getSignerView(context, { token, sessionToken: session });
    // The CSRF token too (derived, nothing stored): a reloaded page or a second tab resumes the session
    // without asking the code again. Only same-origin script can read this response.
    return reply
      .header('cache-control', 'no-store')
      .send({ csrfToken: signerCsrfToken(context.keys.cookie, session!), ...view });
  });

  app.get('/api/sign/:token/documents/:documentId', async (request, reply) => {
    const { token, documentId } = parseWith(tokenDocumentParams, request.params);
    return sendPdf(
      reply,
      await getSignerDocument(context, { token, sessionToken: sessionOf(request), documentId }),
      'inline',
    );
  });

  // 保存 before signing: the same bytes as the viewer's, as a file; recorded like every download.
  app.get('/api/sign/:token/documents/:documentId/download', async (request, reply) => {
    const { token, documentId } = parseWith(tokenDocumentParams, request.params);
    return sendPdf(
      reply,
      await downloadSignerDocument(context, {
        token,
        sessionToken: sessionOf(request),
        documentId,
        origin: originOf(request),
      }),
      'attachment',
    );
  });

  // The signer's own fields to fill (issue 11 part 4), with the page boxes the overlay needs.
  app.get('/api/sign/:token/fields', async (request, reply) => {
    const { token } = parseWith(tokenParams, request.params);
    const fields = await getSignerFields(context, { token, sessionToken: sessionOf(request) });
    return reply.header('cache-control', 'no-store').send({ items: fields.map(presentField) });
  });

  app.post('/api/sign/:token/viewed', async (request, reply) => {
    const { token } = parseWith(tokenParams, request.params);
    checkCsrf(request);
    await markViewed(context, { token, sessionToken: sessionOf(request), origin: originOf(request) });
    return reply.code(204).send();
  });

  app.post('/api/sign/:token/sign', async (request, reply) => {
    const { token } = parseWith(tokenParams, request.params);
    checkCsrf(request);
    const body = parseWith(signBody, request.body ?? undefined);
    const view = await signAsRecipient(context, {
      token,
      sessionToken: sessionOf(request),
      origin: originOf(request),
      fieldValues: body?.fields,
    });
    return reply.code(202).send(view);
  });

  app.post('/api/sign/:token/decline', async (request, reply) => {
    const { token } = parseWith(tokenParams, request.params);
    checkCsrf(request);
    const body = parseWith(declineBody, request.body);
    return reply.send(
      await declineEnvelope(context, {
        token,
        sessionToken: sessionOf(request),
        reason: body.reason,
        origin: originOf(request),
      }),
    );
  });
}
