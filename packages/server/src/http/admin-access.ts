import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { AppError } from '../domain/app-error.ts';
import { requirePrincipal, type Principal } from './request-context.ts';

/**
 * An organisation administrator signed in through the browser. API keys act with member rights and
 * are refused here (FORBIDDEN), like members and viewers.
 */
export async function requireAdmin(context: AppContext, request: FastifyRequest): Promise<Principal> {
  const principal = await requirePrincipal(context, request, { write: false });
  if (principal.actor.type !== 'user' || principal.role !== 'admin') throw new AppError('FORBIDDEN', 'only administrators of the organisation may do this');
  return principal;
}
