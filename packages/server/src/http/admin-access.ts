import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { AppError } from '../domain/app-error.ts';
import { hasSecondFactor } from '../domain/second-factors/second-factors.ts';
import { assertRecentSecondFactor } from '../domain/use-cases/get-security-overview.ts';
import { requirePrincipal, type Principal } from './request-context.ts';

/**
 * An organisation administrator: signed in through the browser, or an API key with the admin scope
 * (API_KEY_SCOPE without it; `sessionOnly` routes refuse keys: FORBIDDEN reason session-required).
 * Members and viewers are refused (FORBIDDEN). Changes (every method but GET/HEAD) also need step-up:
 * see requireStepUp.
 */
export async function requireAdmin(
  context: AppContext,
  request: FastifyRequest,
  options: { sessionOnly?: boolean } = {},
): Promise<Principal> {
  if (options.sessionOnly && request.headers.authorization !== undefined)
    throw new AppError('FORBIDDEN', 'this needs a signed-in administrator, not an API key', {
      reason: 'session-required',
    });
  const principal = await requirePrincipal(context, request, { write: false, scope: 'admin' });
  if (principal.role !== 'admin')
    throw new AppError('FORBIDDEN', 'only administrators of the organisation may do this');
  if (request.method !== 'GET' && request.method !== 'HEAD') await requireStepUp(context, principal);
  return principal;
}

/**
 * Step-up for admin actions and API key creation: an account with a second factor must have given it
 * in this session within the last 10 minutes (STEP_UP_REQUIRED otherwise). An account without one has
 * nothing to step up with; an organisation that wants it everywhere turns on "MFA required".
 */
export async function requireStepUp(context: AppContext, principal: Principal): Promise<void> {
  if (principal.actor.type !== 'user') return;
  if (!(await hasSecondFactor(context.db, principal.actor.id))) return;
  assertRecentSecondFactor(principal.secondFactorAt ?? null, context.clock.now());
}
