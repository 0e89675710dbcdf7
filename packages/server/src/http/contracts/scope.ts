import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../domain/app-error.ts';
import type { ContractScope } from '../../domain/register/contract-model.ts';
import type { RegisterActor } from '../../domain/use-cases/update-contract.ts';
import type { UserRole } from '../../domain/types.ts';
import { requirePrincipal } from '../request-context.ts';

/** Whose register a request works on, and who acts. */
export interface RegisterCaller {
  scope: ContractScope;
  actor: RegisterActor;
  /** The caller's role in the organisation (null in a personal register, where the account does everything). */
  role: UserRole | null;
}

/**
 * The register a request means: an API key → its organisation's; a session → the organisation's, or
 * the account's personal register with `?scope=personal`. Writes need a role that may change (not viewer);
 * CSRF as for every session write.
 */
export async function requireRegisterCaller(context: AppContext, request: FastifyRequest, options: { write: boolean }): Promise<RegisterCaller> {
  const wanted = (request.query as Record<string, unknown> | undefined)?.scope;
  if (wanted !== undefined && wanted !== 'personal' && wanted !== 'organization') throw new AppError('VALIDATION_FAILED', 'scope must be personal or organization', { field: 'scope' });
  const principal = await requirePrincipal(context, request, { write: false });
  if (wanted === 'personal') {
    if (principal.actor.type !== 'user') throw new AppError('FORBIDDEN', 'an API key works on its organisation register');
    return { scope: { kind: 'personal', userId: principal.actor.id }, actor: principal.actor, role: null };
  }
  if (options.write && principal.role === 'viewer') throw new AppError('FORBIDDEN', 'viewers cannot change the register');
  return { scope: { kind: 'organization', organizationId: principal.organizationId }, actor: principal.actor, role: principal.role };
}
