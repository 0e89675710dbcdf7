import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as z from 'zod';
import type { AppContext } from '../../context.ts';
import { claimContract } from '../../domain/use-cases/claim-contract.ts';
import { getClaim } from '../../domain/use-cases/get-claim.ts';
import { authenticateSession } from '../../domain/use-cases/sign-in.ts';
import { parseWith } from '../envelopes/schema.ts';
import { originOf, requireAccount, SESSION_COOKIE } from '../request-context.ts';

/** Guessing claim tokens is pointless (256 bits), but the surface is rate-limited like every link. */
const CLAIM_RATE_LIMIT = { max: 30, timeWindow: '1 minute' };

// Malformed tokens are the domain's CLAIM_INVALID (404), not a generic validation error.
const claimParams = z.object({ token: z.string().max(200) });

async function sessionUserId(context: AppContext, request: FastifyRequest): Promise<string | undefined> {
  const removeExpired = request.method !== 'GET' && request.method !== 'HEAD';
  return (await authenticateSession(context, request.cookies[SESSION_COOKIE], { removeExpired }))?.user.id;
}

/** 保管 (claim) links of the completion mail: GET shows the link (no session needed), POST claims it (signed-in account, CSRF). */
export async function claimRoutes(app: FastifyInstance, options: { context: AppContext }): Promise<void> {
  const { context } = options;

  app.get('/api/claims/:token', { config: { rateLimit: CLAIM_RATE_LIMIT } }, async (request, reply) => {
    const { token } = parseWith(claimParams, request.params);
    reply.header('cache-control', 'private, no-store');
    return getClaim(context, { token, userId: await sessionUserId(context, request) });
  });

  app.post('/api/claims/:token', { config: { rateLimit: CLAIM_RATE_LIMIT } }, async (request, reply) => {
    const { token } = parseWith(claimParams, request.params);
    // Any signed-in account (personal or a member of an organisation): the copy goes to the person.
    const account = await requireAccount(context, request);
    const result = await claimContract(context, { token, userId: account.userId, origin: originOf(request) });
    return reply
      .code(result.created ? 201 : 200)
      .send({ status: 'claimed-by-you', contractId: result.contractId, created: result.created });
  });
}
