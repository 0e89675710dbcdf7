/** Shared steps of the single sign-on tests: sessions through app.inject and cookie handling. */
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { Harness } from '../../api/helpers/harness.ts';
import { newId } from '../../../src/security/tokens.ts';

export type Session = { cookie: string; csrf: string };

let address = 0;
/** A fresh source address per request, so that the per-IP route limits of other tests never bite. */
export const nextAddress = () => `10.9.${Math.floor(++address / 250) % 250}.${(address % 250) + 1}`;

/** `name=value; …` of a response's Set-Cookie headers (cleared cookies left out). */
export function cookiesOf(res: LightMyRequestResponse): string {
  return res.cookies
    .filter((c) => c.value !== '')
    .map((c) => `${c.name}=${c.value}`)
    .join('; ');
}

/** Signs in with a password through the API. */
export async function passwordSession(h: Harness, who: { email: string; password: string }): Promise<Session> {
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/session',
    payload: { email: who.email, password: who.password },
    remoteAddress: nextAddress(),
  });
  assert.equal(res.statusCode, 200, res.body);
  return { cookie: cookiesOf(res), csrf: res.json<{ csrfToken: string }>().csrfToken };
}

/** A request of a session (CSRF header included unless `csrf: false`). */
export function asSession(
  h: Harness,
  session: Session | undefined,
  method: string,
  url: string,
  payload?: unknown,
  options: { csrf?: boolean } = {},
): Promise<LightMyRequestResponse> {
  return h.app.inject({
    method: method as 'GET',
    url,
    remoteAddress: nextAddress(),
    headers: {
      'accept-language': 'ja',
      ...(session ? { cookie: session.cookie } : {}),
      ...(session && options.csrf !== false ? { 'x-csrf-token': session.csrf } : {}),
    },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });
}

/**
 * Gives an account a passkey row (a second factor as far as the policy is concerned) and marks a
 * session as having given it just now (step-up): what an administrator has after a real passkey
 * sign-in, which the passkey tests cover in the browser.
 */
export async function giveSecondFactor(h: Harness, userId: string, session?: Session): Promise<void> {
  await h.context.db
    .insertInto('passkeys')
    .values({
      id: `test-${newId()}`,
      user_id: userId,
      public_key: 'AA',
      counter: 0,
      transports: null,
      name: 'test key',
      created_at: h.clock.now().toISOString(),
      last_used_at: null,
    })
    .execute();
  if (session) {
    const token = /inkan_session=([^;]+)/.exec(session.cookie)![1]!;
    const { hashToken } = await import('../../../src/security/tokens.ts');
    await h.context.db
      .updateTable('sessions')
      .set({ second_factor_at: h.clock.now().toISOString() })
      .where('token_hash', '=', hashToken(token))
      .execute();
  }
}

/** The error code of a JSON error answer. */
export const codeOf = (res: LightMyRequestResponse) => res.json<{ error: { code: string } }>().error.code;

/**
 * Marks a claimed domain as proved in DNS, as 確認 does once its TXT record is found (the DNS check
 * itself is tested against a real DNS server in sso-admin.test.ts): for the sign-in tests.
 */
export async function markDomainVerified(h: Harness, domain: string): Promise<void> {
  await h.context.db
    .updateTable('sso_domains')
    .set({ verified_at: h.clock.now().toISOString() })
    .where('domain', '=', domain)
    .where('verified_at', 'is', null)
    .execute();
}
