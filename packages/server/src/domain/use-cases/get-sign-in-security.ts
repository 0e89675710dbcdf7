import { hasSecondFactor } from '../second-factors/second-factors.ts';
import type { DomainContext } from '../domain-context.ts';
import { addressAllowed, loadAllowList, normalizeAddress } from '../sign-in-security/ip-allow-list.ts';
import {
  domainClaims,
  emailDomain,
  type DomainClaim,
  oidcRedirectUri,
  samlAcsUrl,
  spEntityId,
} from '../sign-in-security/sso-connections.ts';

/** An organisation's single sign-on connection as its administrators see it (never the client secret). */
export interface SsoConnectionView {
  id: string;
  protocol: 'oidc' | 'saml';
  name: string;
  enabled: boolean;
  oidc: { issuer: string; clientId: string; hasClientSecret: boolean } | null;
  saml: { idpEntityId: string; idpSsoUrl: string; idpCertificate: string } | null;
  jitEnabled: boolean;
  defaultRole: 'member' | 'viewer';
  enforced: boolean;
  breakGlassUserId: string | null;
}

/** The セキュリティ設定 page's data: the IP allow-list, the caller's address, SSO and what the IdP needs. */
export interface SignInSecurityView {
  ipAllowList: string[];
  currentAddress: string | null;
  currentAddressAllowed: boolean;
  sso: SsoConnectionView | null;
  domains: string[];
  /** Each claimed domain with the TXT record that proves it and whether it was found (verifiedAt). */
  domainClaims: DomainClaim[];
  /** The domain the signed-in administrator may claim (their own e-mail's). */
  claimableDomain: string | null;
  serviceProvider: { oidcRedirectUri: string; samlAcsUrl: string; samlEntityId: string | null };
  /** Administrators (break-glass candidates) and whether each has a second factor. */
  admins: Array<{ id: string; name: string; email: string; hasSecondFactor: boolean }>;
}

/** Reads the organisation's sign-in security settings (no side effects). */
export async function getSignInSecurity(
  ctx: DomainContext,
  input: { organizationId: string; adminEmail: string; currentAddress: string | null },
): Promise<SignInSecurityView> {
  const list = await loadAllowList(ctx.db, input.organizationId);
  const claims = await domainClaims(ctx.db, input.organizationId);
  const row = await ctx.db
    .selectFrom('sso_connections')
    .selectAll()
    .where('organization_id', '=', input.organizationId)
    .executeTakeFirst();
  const adminRows = await ctx.db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['users.id', 'users.name', 'users.email'])
    .where('memberships.organization_id', '=', input.organizationId)
    .where('memberships.role', '=', 'admin')
    .orderBy('users.email')
    .limit(200)
    .execute();
  const admins = [];
  for (const admin of adminRows) admins.push({ ...admin, hasSecondFactor: await hasSecondFactor(ctx.db, admin.id) });
  return {
    ipAllowList: list,
    currentAddress: input.currentAddress === null ? null : normalizeAddress(input.currentAddress),
    currentAddressAllowed: addressAllowed(list, input.currentAddress),
    sso: row
      ? {
          id: row.id,
          protocol: row.protocol,
          name: row.name,
          enabled: row.enabled === 1,
          oidc:
            row.protocol === 'oidc'
              ? {
                  issuer: row.oidc_issuer ?? '',
                  clientId: row.oidc_client_id ?? '',
                  hasClientSecret: row.oidc_client_secret_ciphertext !== null,
                }
              : null,
          saml:
            row.protocol === 'saml'
              ? {
                  idpEntityId: row.saml_idp_entity_id ?? '',
                  idpSsoUrl: row.saml_idp_sso_url ?? '',
                  idpCertificate: row.saml_idp_certificate ?? '',
                }
              : null,
          jitEnabled: row.jit_enabled === 1,
          defaultRole: row.default_role,
          enforced: row.enforced === 1,
          breakGlassUserId: row.break_glass_user_id,
        }
      : null,
    domains: claims.map((claim) => claim.domain),
    domainClaims: claims,
    claimableDomain: emailDomain(input.adminEmail) ?? null,
    serviceProvider: {
      oidcRedirectUri: oidcRedirectUri(ctx.config.publicUrl),
      samlAcsUrl: samlAcsUrl(ctx.config.publicUrl),
      samlEntityId: row ? spEntityId(ctx.config.publicUrl, row.id) : null,
    },
    admins,
  };
}
