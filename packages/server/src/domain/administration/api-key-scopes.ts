import { AppError } from '../app-error.ts';

/** What an API key may do: send (create, send, cancel envelopes), read (envelopes, register, log), register (change the register), admin (the admin API). */
export const API_KEY_SCOPES = ['send', 'read', 'register', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** The scopes stored in api_keys.scopes (JSON); anything unreadable grants nothing. */
export function parseStoredScopes(text: string): ApiKeyScope[] {
  try {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value)) return [];
    return API_KEY_SCOPES.filter((scope) => value.includes(scope));
  } catch {
    return [];
  }
}

/** Scopes asked for a new key: a non-empty list of known scopes (VALIDATION_FAILED otherwise), in canonical order. */
export function requireScopes(value: unknown): ApiKeyScope[] {
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    value.length > API_KEY_SCOPES.length ||
    !value.every((s) => typeof s === 'string' && (API_KEY_SCOPES as readonly string[]).includes(s))
  )
    throw new AppError('VALIDATION_FAILED', `scopes must be a non-empty list of ${API_KEY_SCOPES.join(', ')}`, {
      field: 'scopes',
    });
  return API_KEY_SCOPES.filter((scope) => (value as string[]).includes(scope));
}
