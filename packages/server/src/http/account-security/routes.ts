import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../domain/app-error.ts';
import { confirmTotpEnrolment, type AccountActor } from '../../domain/use-cases/confirm-totp-enrolment.ts';
import { finishPasskeyAuthentication } from '../../domain/use-cases/finish-passkey-authentication.ts';
import { finishPasskeyRegistration } from '../../domain/use-cases/finish-passkey-registration.ts';
import { getSecurityOverview } from '../../domain/use-cases/get-security-overview.ts';
import { regenerateRecoveryCodes } from '../../domain/use-cases/regenerate-recovery-codes.ts';
import { removePasskey } from '../../domain/use-cases/remove-passkey.ts';
import { removeTotp } from '../../domain/use-cases/remove-totp.ts';
import { startPasskeyAuthentication } from '../../domain/use-cases/start-passkey-authentication.ts';
import { startPasskeyRegistration } from '../../domain/use-cases/start-passkey-registration.ts';
import { startTotpEnrolment } from '../../domain/use-cases/start-totp-enrolment.ts';
import { stepUpSession } from '../../domain/use-cases/step-up-session.ts';
import { parseWith } from '../envelopes/schema.ts';
import { originOf, requireAccount, type AccountPrincipal } from '../request-context.ts';
import { toFactor } from '../session/schema.ts';
import { passkeyParams, passkeyRegisterBody, passkeyStepUpBody, stepUpBody, totpConfirmBody } from './schema.ts';

/** Per IP on every second-factor endpoint (the use cases add per-account limits in the database). */
export const SECOND_FACTOR_ROUTE_LIMIT = { max: 10, timeWindow: '1 minute' } as const;

/**
 * The account's security section: authenticator app (TOTP) with recovery codes, passkeys, step-up.
 * Enrolment routes stay open to a session held by an organisation's MFA policy; nothing else does.
 */
export async function accountSecurityRoutes(app: FastifyInstance, options: { context: AppContext }): Promise<void> {
  const { context } = options;
  const limited = { config: { rateLimit: SECOND_FACTOR_ROUTE_LIMIT } };
  const enrolling = (request: FastifyRequest) => requireAccount(context, request, { duringEnrolment: true });
  const actorOf = (account: AccountPrincipal, request: FastifyRequest): AccountActor => ({
    userId: account.userId,
    organizationId: account.organizationId,
    sessionHash: account.sessionHash,
    origin: originOf(request),
  });

  app.get('/api/account/security', async (request, reply) => {
    const account = await enrolling(request);
    return reply
      .header('cache-control', 'no-store')
      .send(await getSecurityOverview(context, { userId: account.userId }));
  });

  app.post('/api/account/security/totp', limited, async (request, reply) => {
    const account = await enrolling(request);
    return reply
      .header('cache-control', 'no-store')
      .send(await startTotpEnrolment(context, { userId: account.userId, email: account.user.email }));
  });

  app.post('/api/account/security/totp/confirm', limited, async (request, reply) => {
    const account = await enrolling(request);
    const body = parseWith(totpConfirmBody, request.body);
    return reply
      .header('cache-control', 'no-store')
      .send(await confirmTotpEnrolment(context, { ...actorOf(account, request), code: body.code }));
  });

  app.delete('/api/account/security/totp', limited, async (request, reply) => {
    const account = await requireAccount(context, request);
    await removeTotp(context, { ...actorOf(account, request), secondFactorAt: account.secondFactorAt });
    return reply.code(204).send();
  });

  app.post('/api/account/security/recovery-codes', limited, async (request, reply) => {
    const account = await requireAccount(context, request);
    return reply.header('cache-control', 'no-store').send(
      await regenerateRecoveryCodes(context, {
        ...actorOf(account, request),
        secondFactorAt: account.secondFactorAt,
      }),
    );
  });

  app.post('/api/account/security/passkeys/options', limited, async (request, reply) => {
    const account = await enrolling(request);
    return reply.header('cache-control', 'no-store').send(
      await startPasskeyRegistration(context, {
        userId: account.userId,
        email: account.user.email,
        name: account.user.name,
      }),
    );
  });

  app.post('/api/account/security/passkeys', limited, async (request, reply) => {
    const account = await enrolling(request);
    const body = parseWith(passkeyRegisterBody, request.body);
    return reply.code(201).send(
      await finishPasskeyRegistration(context, {
        ...actorOf(account, request),
        response: body.response,
        name: body.name,
      }),
    );
  });

  app.delete('/api/account/security/passkeys/:id', limited, async (request, reply) => {
    const account = await requireAccount(context, request);
    const params = parseWith(passkeyParams, request.params);
    await removePasskey(context, {
      ...actorOf(account, request),
      passkeyId: params.id,
      secondFactorAt: account.secondFactorAt,
    });
    return reply.code(204).send();
  });

  app.post('/api/account/security/step-up', limited, async (request, reply) => {
    const account = await requireAccount(context, request);
    const body = parseWith(stepUpBody, request.body);
    return reply.send(await stepUpSession(context, { ...actorOf(account, request), factor: toFactor(body) }));
  });

  app.post('/api/account/security/step-up/passkey/options', limited, async (request, reply) => {
    const account = await requireAccount(context, request);
    return reply
      .header('cache-control', 'no-store')
      .send(await startPasskeyAuthentication(context, { userId: account.userId }));
  });

  app.post('/api/account/security/step-up/passkey', limited, async (request, reply) => {
    const account = await requireAccount(context, request);
    const body = parseWith(passkeyStepUpBody, request.body);
    const result = await finishPasskeyAuthentication(context, {
      response: body.response,
      purpose: { kind: 'step-up', userId: account.userId, sessionHash: account.sessionHash },
      origin: originOf(request),
    });
    if (!('secondFactorAt' in result)) throw new AppError('INTERNAL_ERROR', 'a passkey step-up opened a session');
    return reply.send(result);
  });
}
