import type { IdentityProviders, OidcRelyingParty, SamlServiceProvider } from '../../ports/identity-providers.ts';

/**
 * The identity providers, loaded on first use: the SAML and OIDC libraries (XML signature, JOSE) cost
 * hundreds of milliseconds to import, which every CLI command and worker would pay for nothing.
 */
export function lazyIdentityProviders(): IdentityProviders {
  let oidc: Promise<OidcRelyingParty> | undefined;
  let saml: Promise<SamlServiceProvider> | undefined;
  const loadOidc = () => (oidc ??= import('./oidc-relying-party.ts').then((m) => new m.OpenIdClientRelyingParty()));
  const loadSaml = () => (saml ??= import('./saml-service-provider.ts').then((m) => new m.NodeSamlServiceProvider()));
  return {
    oidc: {
      authorizationUrl: async (settings, input) => (await loadOidc()).authorizationUrl(settings, input),
      redeem: async (settings, input) => (await loadOidc()).redeem(settings, input),
    },
    saml: {
      authnRequestUrl: async (settings, input) => (await loadSaml()).authnRequestUrl(settings, input),
      validateResponse: async (settings, input) => (await loadSaml()).validateResponse(settings, input),
    },
  };
}
