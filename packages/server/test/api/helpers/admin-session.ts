/**
 * Browser-like sessions for API tests: sign in with a password (each request from its own address, so
 * per-IP sign-in limits never interfere), then requests with the session cookie and its CSRF token.
 */
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { hashPassword, newId } from '../../../src/security/tokens.ts';
import type { Harness, TestOrganization } from './harness.ts';

/** A signed-in session: cookie header value and CSRF token. */
export interface TestSession {
  cookie: string;
  csrf: string;
}

let address = 0;
/** A fresh source address for each request (10.x.y.z). */
export function nextAddress(): string {
  address += 1;
  return `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}`;
}

/** The session cookie of a response, as a Cookie header value. */
export function cookieOf(res: LightMyRequestResponse): string {
  const cookie = res.cookies.find((c) => c.name === 'inkan_session');
  assert.ok(cookie, `no session cookie: ${res.statusCode} ${res.body}`);
  return `inkan_session=${cookie.value}`;
}

/** Signs in with a password; asserts it worked. */
export async function signIn(h: Harness, who: { email: string; password: string }): Promise<TestSession> {
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/session',
    payload: { email: who.email, password: who.password },
    remoteAddress: nextAddress(),
  });
  assert.equal(res.statusCode, 200, res.body);
  return { cookie: cookieOf(res), csrf: res.json().csrfToken as string };
}

/** A request with a session (and its CSRF token unless `csrf: false`). */
export function asSession(
  h: Harness,
  s: TestSession,
  method: string,
  url: string,
  payload?: unknown,
  options: { csrf?: boolean; headers?: Record<string, string> } = {},
): Promise<LightMyRequestResponse> {
  return h.app.inject({
    method: method as 'GET',
    url,
    headers: {
      cookie: s.cookie,
      'accept-language': 'ja',
      ...(options.csrf === false ? {} : { 'x-csrf-token': s.csrf }),
      ...options.headers,
    },
    remoteAddress: nextAddress(),
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

/** Adds an account with a password as a member of an organisation. */
export async function addMember(
  h: Harness,
  org: TestOrganization,
  role: 'admin' | 'member' | 'viewer',
  name = 'メンバー',
): Promise<{ id: string; email: string; password: string }> {
  const id = newId();
  const email = `m-${id.slice(0, 8)}@example.jp`;
  const password = 'pw correct horse staple';
  await h.context.db
    .insertInto('users')
    .values({ id, email, name, password_hash: await hashPassword(password), created_at: new Date().toISOString() })
    .execute();
  await h.context.db
    .insertInto('memberships')
    .values({ user_id: id, organization_id: org.id, role, created_at: new Date().toISOString() })
    .execute();
  return { id, email, password };
}
