/**
 * Steps of the envelope flow for the evidence tests, over the API harness: a sender session (sign-in
 * with password, CSRF token), a signer passing the access code, viewing and signing, and the link
 * tokens out of the outbox mails.
 */
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { linkIn, multipart, type Harness, type TestOrganization } from '../../api/helpers/harness.ts';

/** The user agent every simulated person sends (events must record it). */
export const BROWSER_UA = 'Mozilla/5.0 (evidence-test) Inkan/1.0';

/** A signed-in sender: the session cookie and its CSRF token. */
export interface SenderSession {
  cookie: string;
  csrf: string;
  token: string;
}

/** Signs in with e-mail and password through the API. */
export async function signIn(h: Harness, email: string, password: string): Promise<SenderSession> {
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/session',
    payload: { email, password },
    headers: { 'user-agent': BROWSER_UA },
  });
  assert.equal(res.statusCode, 200, res.body);
  const cookie = res.cookies.find((c) => c.name === 'inkan_session');
  assert.ok(cookie);
  return { cookie: `inkan_session=${cookie.value}`, csrf: res.json().csrfToken, token: cookie.value };
}

/** A request with a sender session (and its CSRF token on non-GET requests). */
export function asSender(
  h: Harness,
  session: SenderSession,
  method: string,
  url: string,
  body?: unknown,
): Promise<LightMyRequestResponse> {
  return h.app.inject({
    method: method as 'GET',
    url,
    headers: {
      cookie: session.cookie,
      'x-csrf-token': session.csrf,
      'user-agent': BROWSER_UA,
      'accept-language': 'ja',
    },
    ...(body === undefined ? {} : { payload: body as object }),
  });
}

/** Creates an envelope through the sender session (multipart, like the UI). */
export function createEnvelopeAsSender(
  h: Harness,
  session: SenderSession,
  envelope: unknown,
  documents: Array<{ filename: string; data: Uint8Array }>,
): Promise<LightMyRequestResponse> {
  const body = multipart([
    { name: 'envelope', value: JSON.stringify(envelope), contentType: 'application/json' },
    ...documents.map((d) => ({ name: 'documents', filename: d.filename, data: d.data })),
  ]);
  return h.app.inject({
    method: 'POST',
    url: '/api/v1/envelopes',
    payload: body.payload,
    headers: { ...body.headers, cookie: session.cookie, 'x-csrf-token': session.csrf, 'user-agent': BROWSER_UA },
  });
}

/** A signer's browser on one signing link. */
export class SignerBrowser {
  session: { cookie: string; csrf: string } | undefined;
  constructor(
    readonly h: Harness,
    readonly token: string,
    readonly userAgent = BROWSER_UA,
  ) {}

  request(method: 'GET' | 'POST', path: string, body?: object): Promise<LightMyRequestResponse> {
    return this.h.app.inject({
      method,
      url: `/api/sign/${this.token}${path}`,
      headers: {
        'accept-language': 'ja',
        'user-agent': this.userAgent,
        ...(this.session ? { cookie: this.session.cookie, 'x-csrf-token': this.session.csrf } : {}),
      },
      ...(body ? { payload: body } : {}),
    });
  }

  /** Enters a code; on success keeps the signer session. */
  async enterCode(code: string): Promise<LightMyRequestResponse> {
    const res = await this.request('POST', '/access-code', { code });
    if (res.statusCode === 200) {
      const cookie = res.cookies.find((c) => c.name === 'inkan_signer');
      assert.ok(cookie);
      this.session = { cookie: `inkan_signer=${cookie.value}`, csrf: res.json().csrfToken };
    }
    return res;
  }

  async viewAndSign(options: { view?: boolean } = {}): Promise<void> {
    if (options.view ?? true) assert.equal((await this.request('POST', '/viewed')).statusCode, 204);
    const signed = await this.request('POST', '/sign');
    assert.equal(signed.statusCode, 202, signed.body);
  }
}

/** The newest signing-link token mailed to an address. */
export async function signingToken(h: Harness, address: string): Promise<string> {
  const mails = await h.mailsTo(address);
  const request = [...mails].reverse().find((m) => /\/s\//.test(m.text_body));
  assert.ok(request, `a request mail to ${address}`);
  return linkIn(request.text_body, 's');
}

/** The ダウンロード token of the completion mail to an address. */
export async function downloadToken(h: Harness, address: string): Promise<string> {
  const mails = await h.mailsTo(address);
  const completion = mails.find((m) => /\/d\//.test(m.text_body));
  assert.ok(completion, `a completion mail to ${address}`);
  return linkIn(completion.text_body, 'd');
}

/** Creates (through the API key), sends and completes a two-recipient, two-document envelope; returns its id. */
export async function completeEnvelope(
  h: Harness,
  org: TestOrganization,
  input: {
    name: string;
    recipients: Array<{ name: string; email: string; code: string }>;
    documents: Array<{ filename: string; data: Uint8Array }>;
  },
): Promise<string> {
  const created = await h.createEnvelope(
    org,
    {
      name: input.name,
      recipients: input.recipients.map((r, i) => ({ name: r.name, email: r.email, accessCode: r.code, order: i + 1 })),
    },
    input.documents,
    { 'user-agent': BROWSER_UA },
  );
  assert.equal(created.statusCode, 201, created.body);
  const id = created.json().id as string;
  assert.equal((await h.api(org, 'POST', `/api/v1/envelopes/${id}/send`)).statusCode, 200);
  for (const recipient of input.recipients) {
    await h.runJobs();
    const browser = new SignerBrowser(h, await signingToken(h, recipient.email));
    assert.equal((await browser.enterCode(recipient.code)).statusCode, 200);
    await browser.viewAndSign();
  }
  await h.runJobs();
  return id;
}
