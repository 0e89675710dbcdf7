/**
 * A real OpenID Provider for tests: the `oidc-provider` package on a loopback port, with one
 * confidential client, PKCE required, test-made RSA signing keys, its development login form (any
 * login, any password) and grants given without a consent screen. `discoveryLiar` serves the
 * provider's discovery document under another issuer (so its ID tokens come "from another issuer").
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';

/** A person the provider knows, by the login typed at its form. */
export interface OidcTestAccount {
  email?: string;
  name?: string;
  emailVerified?: boolean;
}

/** A running provider. */
export interface OidcTestProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Starts a provider whose client redirects to `redirectUri`. */
export async function startOidcProvider(options: {
  redirectUri: string;
  accounts: Record<string, OidcTestAccount>;
  idTokenTtlSeconds?: number;
}): Promise<OidcTestProvider> {
  const server = http.createServer();
  const port = await listen(server);
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = `inkan-${randomBytes(4).toString('hex')}`;
  const clientSecret = randomBytes(24).toString('base64url');
  const signingKey = {
    ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
    kid: 'test-signing-key',
    use: 'sig',
    alg: 'RS256',
  };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [signingKey as never] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // The ID token carries the scopes' claims (email, name), as enterprise providers do.
    conformIdTokenClaims: false,
    ttl: { IdToken: options.idTokenTtlSeconds ?? 3600 },
    findAccount: (_ctx: KoaContextWithOIDC, id: string) => {
      const account = options.accounts[id] ?? {};
      return {
        accountId: id,
        claims: () => ({
          sub: id,
          ...(account.email === undefined
            ? {}
            : { email: account.email, email_verified: account.emailVerified ?? true }),
          ...(account.name === undefined ? {} : { name: account.name }),
        }),
      };
    },
    // No consent screen: the grant is given at once.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client!.clientId,
        accountId: ctx.oidc.session!.accountId!,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  const handle = provider.callback();
  server.on('request', (request, response) => {
    // Browsers ask for an icon; the provider has none (a 404 would read as a page error in the tests).
    if (request.url === '/favicon.ico') response.writeHead(204).end();
    else void handle(request, response);
  });
  return { issuer, clientId, clientSecret, close: () => closeServer(server) };
}

/**
 * A server whose discovery document is `real`'s with its own address as the issuer: a relying party
 * that trusts this "issuer" is handed ID tokens whose `iss` is the real provider's.
 */
export async function startDiscoveryLiar(real: OidcTestProvider): Promise<{ issuer: string; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    if (request.url !== '/.well-known/openid-configuration') {
      response.writeHead(404).end();
      return;
    }
    fetch(`${real.issuer}/.well-known/openid-configuration`)
      .then((r) => r.json() as Promise<Record<string, unknown>>)
      .then((document) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        // Says nothing of the `iss` response parameter, so that only the ID token can tell.
        response.end(JSON.stringify({ ...document, issuer, authorization_response_iss_parameter_supported: false }));
      })
      .catch(() => response.writeHead(502).end());
  });
  const issuer = `http://127.0.0.1:${await listen(server)}`;
  return { issuer, close: () => closeServer(server) };
}

/**
 * Goes through the provider's login like a browser would (cookies kept, redirects followed) with
 * `login`, and returns the URL the provider finally sends the browser to (our callback with the code).
 */
export async function signInAtProvider(authorizationUrl: string, login: string, stopAt: string): Promise<string> {
  const jar = new Map<string, string>();
  let url = authorizationUrl;
  let method = 'GET';
  let body: string | undefined;
  for (let hop = 0; hop < 20; hop++) {
    if (url.startsWith(stopAt)) return url;
    const response = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
      },
      ...(body === undefined ? {} : { body }),
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const at = pair!.indexOf('=');
      jar.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    if (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get('location')!, url).toString();
      method = 'GET';
      body = undefined;
      continue;
    }
    const html = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (response.status !== 200 || !action)
      throw new Error(`unexpected provider page ${response.status}: ${html.slice(0, 500)}`);
    url = new URL(action.replace(/&amp;/g, '&'), url).toString();
    method = 'POST';
    body = html.includes('name="login"')
      ? new URLSearchParams({ prompt: 'login', login, password: 'any' }).toString()
      : new URLSearchParams({ prompt: 'consent' }).toString();
  }
  throw new Error('too many hops at the provider');
}
