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
  readonly #configurations = new Map<string, { at: number; configuration: Promise<client.Configuration> }>();

  async #configuration(settings: OidcSettings): Promise<client.Configuration> {
    const key = JSON.stringify([settings.connectionId, settings.issuer, settings.clientId, settings.clientSecret]);
    const cached = this.#configurations.get(key);
    if (cached && Date.now() - cached.at < DISCOVERY_CACHE_MS) return cached.configuration;
    const issuer = new URL(settings.issuer);
    const configuration = client.discovery(
      issuer,
      settings.clientId,
      { id_token_signed_response_alg: 'RS256' },
      client.ClientSecretBasic(settings.clientSecret),
      {
        timeout: REQUEST_TIMEOUT_SECONDS,
        ...(issuer.protocol === 'http:' && isLoopback(issuer) ? { execute: [client.allowInsecureRequests] } : {}),
      },
    );
    // A failed discovery is not cached: the next sign-in tries again.
    configuration.catch(() => this.#configurations.delete(key));
    this.#configurations.set(key, { at: Date.now(), configuration });
    if (this.#configurations.size > 1000) this.#configurations.clear();
    const done = await configuration;
    // The ID token's signature is checked too, not only its claims (TLS alone would allow skipping it).
    client.enableNonRepudiationChecks(done);
    return done;
  }

  async authorizationUrl(
    settings: OidcSettings,
    input: { state: string; nonce: string; codeVerifier: string },
  ): Promise<string> {
    const configuration = await this.#configuration(settings);
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
    const configuration = await this.#configuration(settings);
    // Expiry and issued-at are judged at the service's clock (the clock port), not the machine's.
    const skewSeconds = Math.round((input.now.getTime() - Date.now()) / 1000);
    const options = configuration as unknown as Record<symbol, number>;
    options[client.clockSkew] = skewSeconds;
    options[client.clockTolerance] = 30;
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
