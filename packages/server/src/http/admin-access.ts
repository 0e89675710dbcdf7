import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { AppError } from '../domain/app-error.ts';
import { hasSecondFactor } from '../domain/second-factors/second-factors.ts';
import { assertRecentSecondFactor } from '../domain/use-cases/get-security-overview.ts';
import { requirePrincipal, type Principal } from './request-context.ts';

/**
 * An organisation administrator signed in through the browser. API keys act with member rights and
 * are refused here (FORBIDDEN), like members and viewers. Changes (every method but GET/HEAD) also
 * need step-up: see requireStepUp.
 */
export async function requireAdmin(context: AppContext, request: FastifyRequest): Promise<Principal> {
  const principal = await requirePrincipal(context, request, { write: false });
  if (principal.actor.type !== 'user' || principal.role !== 'admin')
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
