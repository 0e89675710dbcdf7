import * as client from 'openid-client';
import type { OidcIdentity, OidcRelyingParty, OidcSettings } from '../../ports/identity-providers.ts';

const DISCOVERY_CACHE_MS = 10 * 60_000;
const REQUEST_TIMEOUT_SECONDS = 10;

/** Loopback issuers (a provider on this machine, as in tests) may be plain http; any other must be https. */
function isLoopback(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * The OpenID Connect relying party over `openid-client` (discovery, authorisation code + PKCE S256,
 * ID token checks). Discovery documents are kept for 10 minutes per connection and client.
 */
export class OpenIdClientRelyingParty implements OidcRelyingParty {
  readonly #discovered = new Map<string, { at: number; server: Promise<client.ServerMetadata> }>();

  /** The provider's discovery document (its issuer checked by openid-client), kept for 10 minutes. */
  async #serverMetadata(settings: OidcSettings): Promise<client.ServerMetadata> {
    const key = JSON.stringify([settings.issuer, settings.clientId]);
    const cached = this.#discovered.get(key);
    if (cached && Date.now() - cached.at < DISCOVERY_CACHE_MS) return cached.server;
    const issuer = new URL(settings.issuer);
    const server = client
      .discovery(issuer, settings.clientId, undefined, client.None(), {
        timeout: REQUEST_TIMEOUT_SECONDS,
        ...(insecureAllowed(issuer) ? { execute: [client.allowInsecureRequests] } : {}),
      })
      .then((configuration) => configuration.serverMetadata());
    // A failed discovery is not kept: the next sign-in tries again.
    server.catch(() => this.#discovered.delete(key));
    if (this.#discovered.size > 1000) this.#discovered.clear();
    this.#discovered.set(key, { at: Date.now(), server });
    return server;
  }

  /**
   * A configuration for one step, at the service's clock: expiry and issued-at of the ID token are
   * judged at `now` (the clock port), not at the machine's time.
   */
  async #configuration(settings: OidcSettings, now: Date): Promise<client.Configuration> {
    const configuration = new client.Configuration(
      await this.#serverMetadata(settings),
      settings.clientId,
      {
        id_token_signed_response_alg: 'RS256',
        [client.clockSkew]: Math.round((now.getTime() - Date.now()) / 1000),
        [client.clockTolerance]: 30,
      },
      client.ClientSecretBasic(settings.clientSecret),
    );
    if (insecureAllowed(new URL(settings.issuer))) client.allowInsecureRequests(configuration);
    configuration.timeout = REQUEST_TIMEOUT_SECONDS;
    // The ID token's signature is checked too, not only its claims (TLS alone would allow skipping it).
    client.enableNonRepudiationChecks(configuration);
    return configuration;
  }

  async authorizationUrl(
    settings: OidcSettings,
    input: { state: string; nonce: string; codeVerifier: string },
  ): Promise<string> {
    const configuration = await this.#configuration(settings, new Date());
    return client
      .buildAuthorizationUrl(configuration, {
        redirect_uri: settings.redirectUri,
        response_type: 'code',
        scope: 'openid email profile',
        state: input.state,
        nonce: input.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(input.codeVerifier),
        code_challenge_method: 'S256',
      })
      .toString();
  }

  async redeem(
    settings: OidcSettings,
    input: { callbackUrl: URL; state: string; nonce: string; codeVerifier: string; now: Date },
  ): Promise<OidcIdentity> {
    const configuration = await this.#configuration(settings, input.now);
    const tokens = await client.authorizationCodeGrant(configuration, input.callbackUrl, {
      pkceCodeVerifier: input.codeVerifier,
      expectedState: input.state,
      expectedNonce: input.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) throw new Error('the token response has no id_token');
    const email = typeof claims.email === 'string' ? claims.email : null;
    return {
      subject: claims.sub,
      email,
      // Providers that do not say (many enterprise ones) vouch for their directory; an explicit false is refused.
      emailVerified: claims.email_verified !== false,
      name: typeof claims.name === 'string' ? claims.name : null,
    };
  }
}

/** Plain http only for a provider on this machine. */
function insecureAllowed(issuer: URL): boolean {
  return issuer.protocol === 'http:' && isLoopback(issuer);
}
