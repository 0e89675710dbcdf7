/**
 * Identity providers of single sign-on (issue 12 part 4): the OpenID Connect relying party and the
 * SAML 2.0 service provider. Use cases give them the connection's settings and the clock's time; the
 * adapters (adapters/sso) speak the protocols.
 */

/** An OIDC connection as the relying party needs it (the client secret decrypted). */
export interface OidcSettings {
  connectionId: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

/** What a verified ID token says about the person. */
export interface OidcIdentity {
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
}

/** Authorisation code + PKCE, discovery, and a checked `id_token` (issuer, audience, nonce, signature, expiry). */
export interface OidcRelyingParty {
  /** The authorisation request's URL (response_type=code, S256 code challenge, state and nonce). */
  authorizationUrl(
    settings: OidcSettings,
    input: { state: string; nonce: string; codeVerifier: string },
  ): Promise<string>;
  /**
   * Redeems the code of the callback URL and checks the ID token at `now`; throws on any failure
   * (the message says why, for the log; never a token).
   */
  redeem(
    settings: OidcSettings,
    input: { callbackUrl: URL; state: string; nonce: string; codeVerifier: string; now: Date },
  ): Promise<OidcIdentity>;
}

/** A SAML connection as the service provider needs it. */
export interface SamlSettings {
  connectionId: string;
  /** Our entity ID (the audience the assertion must name). */
  spEntityId: string;
  /** Our assertion consumer service URL (the recipient the assertion must name). */
  acsUrl: string;
  idpEntityId: string;
  idpSsoUrl: string;
  /** The IdP's signing certificate (PEM). */
  idpCertificate: string;
}

/** A verified assertion. */
export interface SamlIdentity {
  assertionId: string;
  subject: string;
  email: string | null;
  name: string | null;
  /** The end of the assertion's validity (replay records are kept until then). */
  notOnOrAfter: Date;
}

/** SAML 2.0 Web Browser SSO: AuthnRequest by redirect, Response by POST with a signed assertion. */
export interface SamlServiceProvider {
  /** The redirect URL carrying an AuthnRequest with this ID. */
  authnRequestUrl(settings: SamlSettings, input: { requestId: string; relayState: string }): Promise<string>;
  /**
   * Verifies a base64 SAMLResponse: a signed assertion from the IdP, addressed to us (audience,
   * recipient, destination), answering `requestId`, valid at `now`. Throws on any failure.
   */
  validateResponse(
    settings: SamlSettings,
    input: { samlResponse: string; requestId: string; now: Date },
  ): Promise<SamlIdentity>;
}

/** Both, as the composition root provides them. */
export interface IdentityProviders {
  oidc: OidcRelyingParty;
  saml: SamlServiceProvider;
}
