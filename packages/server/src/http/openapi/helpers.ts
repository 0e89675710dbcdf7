import * as z from 'zod';
import type { AppErrorCode } from '../../domain/app-error.ts';
import { STATUS_OF } from '../errors.ts';

/* Small builders shared by the parts of the OpenAPI document (document.ts and the *-paths.ts files). */

/** A reference to a schema under components.schemas. */
export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** A JSON request or response content block. */
export const json = (schema: object) => ({ content: { 'application/json': { schema } } });

/** A PDF response content block. */
export const pdf = { content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } };

/** One error response; the description names the code(s) and, where useful, when they happen. */
export const error = (description: string) => ({ description, ...json(ref('Error')) });

/**
 * Error responses for stable codes, keyed by their HTTP status (STATUS_OF); codes sharing a status
 * are listed in one description, separated by " / ". Spread into `responses`.
 */
export function errors(...codes: AppErrorCode[]): Record<number, ReturnType<typeof error>> {
  const byStatus = new Map<number, string[]>();
  for (const code of codes) {
    const status = STATUS_OF[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries([...byStatus].map(([status, list]) => [status, error(list.join(' / '))]));
}

/**
 * A list response: an object whose `key` (default `items`) is an array of `item`; `extra` adds
 * properties beside it (a cursor, a total).
 */
export const listOf = (item: object, key = 'items', extra: Record<string, object> = {}) => ({
  type: 'object',
  properties: { [key]: { type: 'array', items: item }, ...extra },
});

/** A page of a cursor-paginated list: `items` and `nextCursor` (null on the last page). */
export const pageOf = (item: object) => listOf(item, 'items', { nextCursor: { type: ['string', 'null'] } });

/** The JSON Schema of a zod schema (a request body, or a component of its own). */
export const schemaOf = (schema: z.ZodType) =>
  z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any' });

/** A JSON request body from a zod schema (required unless said otherwise). */
export const body = (schema: z.ZodType, required = true) => ({ required, ...json(schemaOf(schema)) });

/** A required path parameter; `format` qualifies the string (a uuid). */
export const pathParameter = (name: string, description: string, format?: string) => ({
  name,
  in: 'path',
  required: true,
  schema: format ? { type: 'string', format } : { type: 'string' },
  description,
});

/** An optional string query parameter. */
export const query = (name: string, description: string) => ({
  name,
  in: 'query',
  required: false,
  schema: { type: 'string' },
  description,
});

/** A nullable timestamp. */
export const iso = { type: ['string', 'null'], format: 'date-time' };

/** Routes that take an API key or a browser session. */
export const apiAuth = [{ apiKey: [] }, { session: [] }];

/** Administration routes: an administrator's session or an API key with the admin scope. */
export const adminAuth = [{ session: [] }, { apiKey: ['admin'] }];

/** The refusals of an administration route: 401 UNAUTHENTICATED and 403 with `forbidden` as its description. */
export const refusals = (
  forbidden = 'FORBIDDEN (not an administrator), API_KEY_SCOPE, CSRF_FAILED, STEP_UP_REQUIRED',
): Record<401 | 403, ReturnType<typeof error>> => ({ 401: error('UNAUTHENTICATED'), 403: error(forbidden) });
