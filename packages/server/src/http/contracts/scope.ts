import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../domain/app-error.ts';
import type { ContractScope } from '../../domain/register/contract-model.ts';
import type { RegisterActor } from '../../domain/use-cases/update-contract.ts';
import type { UserRole } from '../../domain/types.ts';
import { requireAccount, requirePrincipal } from '../request-context.ts';

/** Whose register a request works on, and who acts. */
export interface RegisterCaller {
  scope: ContractScope;
  actor: RegisterActor;
  /** The caller's role in the organisation (null in a personal register, where the account does everything). */
  role: UserRole | null;
}

/**
 * The register a request means: an API key → its organisation's; a session → its active organisation's,
 * or the account's personal register when the session has no organisation or `?scope=personal` is
 * given. Writes need a role that may change (not viewer) in an organisation register; CSRF as for
 * every session write.
 */
export async function requireRegisterCaller(
  context: AppContext,
  request: FastifyRequest,
  options: { write: boolean },
): Promise<RegisterCaller> {
  const wanted = (request.query as Record<string, unknown> | undefined)?.scope;
  if (wanted !== undefined && wanted !== 'personal' && wanted !== 'organization')
    throw new AppError('VALIDATION_FAILED', 'scope must be personal or organization', { field: 'scope' });
  if (request.headers.authorization !== undefined) {
    if (wanted === 'personal') throw new AppError('FORBIDDEN', 'an API key works on its organisation register');
    const principal = await requirePrincipal(context, request, {
      ...options,
      scope: options.write ? 'register' : 'read',
    });
    return {
      scope: { kind: 'organization', organizationId: principal.organizationId },
      actor: principal.actor,
      role: principal.role,
    };
  }
  const account = await requireAccount(context, request);
  const actor = { type: 'user' as const, id: account.userId };
  if (wanted === 'personal' || (wanted === undefined && account.organizationId === null))
    return { scope: { kind: 'personal', userId: account.userId }, actor, role: null };
  if (account.organizationId === null)
    throw new AppError('FORBIDDEN', 'a personal account has no organisation register', { reason: 'personal-account' });
  if (options.write && account.role === 'viewer') throw new AppError('FORBIDDEN', 'viewers cannot change the register');
  return { scope: { kind: 'organization', organizationId: account.organizationId }, actor, role: account.role };
}
