/** A signer's requests in API tests: the personal link's API, with the signer cookie and CSRF token. */
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { Harness } from './harness.ts';

/** A signer session after the access code: cookie header value and CSRF token. */
export interface SignerSession {
  cookie: string;
  csrf: string;
}

/** A request to `/api/sign/{token}{path}` in Japanese, with the session when given. */
export function signerRequest(
  h: Harness,
  token: string,
  path: string,
  method: 'GET' | 'POST',
  session?: SignerSession,
  body?: object,
): Promise<LightMyRequestResponse> {
  return h.app.inject({
    method,
    url: `/api/sign/${token}${path}`,
    headers: {
      'accept-language': 'ja',
      ...(session ? { cookie: session.cookie, 'x-csrf-token': session.csrf } : {}),
    },
    ...(body ? { payload: body } : {}),
  });
}

/** Enters the access code; asserts it passed and returns the signer session. */
export async function passSignerCode(h: Harness, token: string, code: string): Promise<SignerSession> {
  const res = await signerRequest(h, token, '/access-code', 'POST', undefined, { code });
  assert.equal(res.statusCode, 200, res.body);
  const cookie = res.cookies.find((c) => c.name === 'inkan_signer');
  assert.ok(cookie, 'signer cookie set');
  return { cookie: `inkan_signer=${cookie.value}`, csrf: res.json().csrfToken };
}
