import type { Selectable } from 'kysely';
import type { DbOrTx, Schema } from '../../ports/database.ts';
import type { IdentityProviders, OidcSettings, SamlSettings } from '../../ports/identity-providers.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { hasSecondFactor } from '../second-factors/second-factors.ts';

/** What single sign-on use cases need: the domain's ports plus the identity providers. */
export interface SsoContext extends DomainContext {
  identityProviders: IdentityProviders;
}

export type SsoConnectionRow = Selectable<Schema['sso_connections']>;

/** A sign-in under way lives this long (the user types a password at the IdP meanwhile). */
export const SSO_SIGN_IN_TTL_MS = 10 * 60_000;
/** The cookie that binds a sign-in under way to the browser that started it. */
export const SSO_STATE_COOKIE = 'inkan_sso';
/** Rate limits of the single sign-on surfaces, per IP (docs/api.md). */
export const SSO_RATE_LIMIT = { max: 20, timeWindow: '1 minute' } as const;

/** The lower-case domain of an e-mail address, or undefined. */
export function emailDomain(email: string): string | undefined {
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1) return undefined;
  return email
    .slice(at + 1)
    .trim()
    .toLowerCase();
}

/** Our SAML entity ID for a connection (the audience its assertions must name). */
export function spEntityId(publicUrl: string, connectionId: string): string {
  return `${publicUrl}/sso/saml/metadata/${connectionId}`;
}

/** Our assertion consumer service (one for every connection: the request ID tells which). */
export function samlAcsUrl(publicUrl: string): string {
  return `${publicUrl}/sso/saml/acs`;
}

/** Our OIDC redirect URI (one for every connection: the state tells which). */
export function oidcRedirectUri(publicUrl: string): string {
  return `${publicUrl}/sso/oidc/callback`;
}

/** The relying party's view of an OIDC connection (secret decrypted). */
export async function oidcSettingsOf(ctx: SsoContext, row: SsoConnectionRow): Promise<OidcSettings> {
  if (!row.oidc_issuer || !row.oidc_client_id || !row.oidc_client_secret_ciphertext)
    throw new AppError('SSO_NOT_CONFIGURED', 'the OIDC connection is incomplete');
  return {
    connectionId: row.id,
    issuer: row.oidc_issuer,
    clientId: row.oidc_client_id,
    clientSecret: (
      await ctx.secrets.openSecret('sso-client-secret', row.oidc_client_secret_ciphertext, row.id, ctx.db)
    ).toString('utf8'),
    redirectUri: oidcRedirectUri(ctx.config.publicUrl),
  };
}

/** The service provider's view of a SAML connection. */
export function samlSettingsOf(ctx: DomainContext, row: SsoConnectionRow): SamlSettings {
  if (!row.saml_idp_entity_id || !row.saml_idp_sso_url || !row.saml_idp_certificate)
    throw new AppError('SSO_NOT_CONFIGURED', 'the SAML connection is incomplete');
  return {
    connectionId: row.id,
    spEntityId: spEntityId(ctx.config.publicUrl, row.id),
    acsUrl: samlAcsUrl(ctx.config.publicUrl),
    idpEntityId: row.saml_idp_entity_id,
    idpSsoUrl: row.saml_idp_sso_url,
    idpCertificate: row.saml_idp_certificate,
  };
}

/** The enabled connection of the organisation that claimed (and proved in DNS) an address's domain, or undefined. */
export async function connectionForEmail(db: DbOrTx, email: string): Promise<SsoConnectionRow | undefined> {
  const domain = emailDomain(email);
  if (!domain) return undefined;
  return db
    .selectFrom('sso_domains')
    .innerJoin('sso_connections', 'sso_connections.organization_id', 'sso_domains.organization_id')
    .selectAll('sso_connections')
    .where('sso_domains.domain', '=', domain)
    .where('sso_domains.verified_at', 'is not', null)
    .where('sso_connections.enabled', '=', 1)
    .executeTakeFirst();
}

/** The domains an organisation has claimed (proved or not), sorted. */
export async function claimedDomains(db: DbOrTx, organizationId: string): Promise<string[]> {
  return (await domainClaims(db, organizationId)).map((claim) => claim.domain);
}

/** Where the TXT record that proves control of a domain lives. */
export function domainRecordName(domain: string): string {
  return `_inkan.${domain}`;
}

/** The TXT record's value for a claim's token. */
export function domainRecordValue(token: string): string {
  return `inkan-domain-verification=${token}`;
}

/** A claimed domain, its TXT record (name and value) and whether the record was found. */
export interface DomainClaim {
  domain: string;
  record: { name: string; value: string };
  verifiedAt: string | null;
}

/** The organisation's domain claims, sorted by domain. */
export async function domainClaims(db: DbOrTx, organizationId: string): Promise<DomainClaim[]> {
  const rows = await db
    .selectFrom('sso_domains')
    .select(['domain', 'verification_token', 'verified_at'])
    .where('organization_id', '=', organizationId)
    .orderBy('domain')
    .execute();
  return rows.map((r) => ({
    domain: r.domain,
    record: { name: domainRecordName(r.domain), value: domainRecordValue(r.verification_token ?? '') },
    verifiedAt: r.verified_at,
  }));
}

/** The domains an organisation claimed and proved in DNS: only these count for single sign-on. */
export async function verifiedDomains(db: DbOrTx, organizationId: string): Promise<string[]> {
  return (await domainClaims(db, organizationId)).filter((c) => c.verifiedAt !== null).map((c) => c.domain);
}

/**
 * Password, sign-in-link and passwordless-passkey sign-ins of a member of an organisation that claimed
 * the member's e-mail domain with "SSO required": refused (SSO_REQUIRED), except for that organisation's
 * break-glass administrator, who keeps the password and must have a second factor.
 */
export async function assertNonSsoSignInAllowed(db: DbOrTx, user: { id: string; email: string }): Promise<void> {
  const connection = await connectionForEmail(db, user.email);
  if (!connection || connection.enforced !== 1) return;
  // Members of the claiming organisation only: a personal account or another organisation's member
  // with an address of that domain is none of its business.
  const member = await db
    .selectFrom('memberships')
    .select('user_id')
    .where('organization_id', '=', connection.organization_id)
    .where('user_id', '=', user.id)
    .executeTakeFirst();
  if (!member) return;
  if (connection.break_glass_user_id === user.id) {
    if (await hasSecondFactor(db, user.id)) return;
    throw new AppError('SSO_REQUIRED', 'the break-glass account needs a second factor to sign in with a password');
  }
  throw new AppError('SSO_REQUIRED', 'accounts of this domain sign in through single sign-on');
}
