import { randomBytes, X509Certificate } from 'node:crypto';
import { inBothLanguages, type MessageKey, type MessageVars } from '@inkan/core/messages';
import { newId } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { hasSecondFactor } from '../second-factors/second-factors.ts';
import { claimedDomains, emailDomain } from '../sign-in-security/sso-connections.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';

/** The settings an administrator saves (already shaped by the HTTP layer's schema). */
export interface SsoConnectionInput {
  protocol: 'oidc' | 'saml';
  name: string;
  enabled: boolean;
  oidc?: { issuer: string; clientId: string; clientSecret?: string | undefined } | undefined;
  saml?: { idpEntityId: string; idpSsoUrl: string; idpCertificate: string } | undefined;
  jitEnabled: boolean;
  defaultRole: 'member' | 'viewer';
  enforced: boolean;
  breakGlassUserId: string | null;
  domains: string[];
}

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

/** A refused setting, worded by the catalog entry `key` (the field is named in the details). */
function invalid(field: string, message: string, key: MessageKey, vars?: MessageVars): AppError {
  return new AppError('VALIDATION_FAILED', message, { field }, inBothLanguages(key, vars));
}

/** An identity provider's URL: https, or http on this machine only (a provider started next to us). */
function checkProviderUrl(value: string, field: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(field, `${field} is not a URL`, 'error.VALIDATION_FAILED.sso.notUrl');
  }
  const loopback = /^(?:localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    throw invalid(field, `${field} must be an https URL`, 'error.VALIDATION_FAILED.sso.notHttps');
  if (url.username || url.password)
    throw invalid(field, `${field} must not carry credentials`, 'error.VALIDATION_FAILED.sso.credentials');
  // Kept as typed: an OIDC issuer must match the provider's own spelling exactly.
  return value.trim();
}

/**
 * Creates or replaces the organisation's single sign-on connection and its claimed domains, and records
 * `sso.connection-changed` (never the client secret). Rules: a domain is claimed by one organisation
 * (SSO_DOMAIN_TAKEN); an administrator claims only the domain of their own e-mail (SSO_DOMAIN_REFUSED)
 * or keeps one already claimed, and a new claim counts only once proved in DNS; "SSO required" needs the connection on and a break-glass administrator
 * of this organisation with a second factor (SSO_BREAK_GLASS_INVALID), who keeps password + MFA.
 */
export async function updateSsoConnection(
  ctx: DomainContext,
  input: {
    organizationId: string;
    actor: Actor;
    adminEmail: string;
    origin?: RequestOrigin;
    settings: SsoConnectionInput;
  },
): Promise<{ id: string }> {
  const s = input.settings;
  const oidc =
    s.protocol === 'oidc'
      ? (s.oidc ??
        (() => {
          throw invalid('oidc', 'oidc settings are required', 'error.VALIDATION_FAILED.sso.oidcRequired');
        })())
      : undefined;
  const saml =
    s.protocol === 'saml'
      ? (s.saml ??
        (() => {
          throw invalid('saml', 'saml settings are required', 'error.VALIDATION_FAILED.sso.samlRequired');
        })())
      : undefined;
  const issuer = oidc ? checkProviderUrl(oidc.issuer, 'oidc.issuer') : null;
  const ssoUrl = saml ? checkProviderUrl(saml.idpSsoUrl, 'saml.idpSsoUrl') : null;
  let certificate: string | null = null;
  if (saml) {
    try {
      const parsed = new X509Certificate(saml.idpCertificate);
      certificate = parsed.toString();
    } catch {
      throw invalid('saml.idpCertificate', 'not a PEM certificate', 'error.VALIDATION_FAILED.sso.certificate');
    }
  }
  const domains = [...new Set(s.domains.map((d) => d.trim().toLowerCase()))];
  for (const [index, domain] of domains.entries())
    if (!DOMAIN.test(domain))
      throw invalid(`domains[${index}]`, 'not a domain name', 'error.VALIDATION_FAILED.sso.domain', {
        domain: domain.slice(0, 100),
      });
  const now = ctx.clock.now();

  return inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const existing = await tx
      .selectFrom('sso_connections')
      .selectAll()
      .where('organization_id', '=', input.organizationId)
      .executeTakeFirst();
    const held = await claimedDomains(tx, input.organizationId);
    const ownDomain = emailDomain(input.adminEmail);
    for (const domain of domains) {
      if (held.includes(domain)) continue;
      const other = await tx
        .selectFrom('sso_domains')
        .select('organization_id')
        .where('domain', '=', domain)
        .executeTakeFirst();
      if (other) throw new AppError('SSO_DOMAIN_TAKEN', 'another organisation claimed this domain', { domain });
      if (domain !== ownDomain)
        throw new AppError('SSO_DOMAIN_REFUSED', "only the domain of the administrator's own address", { domain });
    }
    if (s.breakGlassUserId !== null || s.enforced) {
      const admin =
        s.breakGlassUserId === null
          ? undefined
          : await tx
              .selectFrom('memberships')
              .select('user_id')
              .where('organization_id', '=', input.organizationId)
              .where('user_id', '=', s.breakGlassUserId)
              .where('role', '=', 'admin')
              .executeTakeFirst();
      if (!admin || !(await hasSecondFactor(tx, admin.user_id)))
        throw new AppError('SSO_BREAK_GLASS_INVALID', 'the break-glass account must be an admin with a second factor');
    }
    if (s.enforced && (!s.enabled || domains.length === 0))
      throw invalid(
        'enforced',
        'SSO can be required only when it is on and a domain is claimed',
        'error.VALIDATION_FAILED.sso.enforced',
      );

    const id = existing?.id ?? newId();
    let secret = existing?.protocol === 'oidc' ? existing.oidc_client_secret_ciphertext : null;
    if (oidc?.clientSecret) secret = await ctx.secrets.sealSecret('sso-client-secret', oidc.clientSecret, id, tx);
    if (oidc && !secret)
      throw invalid('oidc.clientSecret', 'the client secret is required', 'error.VALIDATION_FAILED.sso.clientSecret');
    const values = {
      protocol: s.protocol,
      name: s.name,
      enabled: s.enabled ? 1 : 0,
      oidc_issuer: issuer,
      oidc_client_id: oidc ? oidc.clientId : null,
      oidc_client_secret_ciphertext: oidc ? secret : null,
      saml_idp_entity_id: saml ? saml.idpEntityId : null,
      saml_idp_sso_url: ssoUrl,
      saml_idp_certificate: certificate,
      jit_enabled: s.jitEnabled ? 1 : 0,
      default_role: s.defaultRole,
      enforced: s.enforced ? 1 : 0,
      break_glass_user_id: s.breakGlassUserId,
      updated_at: now.toISOString(),
    };
    if (existing) await tx.updateTable('sso_connections').set(values).where('id', '=', id).execute();
    else
      await tx
        .insertInto('sso_connections')
        .values({ id, organization_id: input.organizationId, created_at: now.toISOString(), ...values })
        .execute();
    const removed = held.filter((d) => !domains.includes(d));
    if (removed.length > 0)
      await tx
        .deleteFrom('sso_domains')
        .where('organization_id', '=', input.organizationId)
        .where('domain', 'in', removed)
        .execute();
    // A new claim counts only once its TXT record is found (verify-sso-domain.ts); the record's value
    // is published in DNS, so it is stored as is (256 random bits: nobody else's claim has it).
    for (const domain of domains.filter((d) => !held.includes(d)))
      await tx
        .insertInto('sso_domains')
        .values({
          domain,
          organization_id: input.organizationId,
          created_at: now.toISOString(),
          verification_token: randomBytes(32).toString('base64url'),
          verified_at: null,
        })
        .execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'sso.connection-changed',
      origin: input.origin,
      at: now,
      details: {
        protocol: s.protocol,
        enabled: s.enabled,
        issuer: issuer ?? saml?.idpEntityId ?? null,
        jitEnabled: s.jitEnabled,
        defaultRole: s.defaultRole,
        enforced: s.enforced,
        domains,
        clientCredentialReplaced: Boolean(oidc?.clientSecret),
      },
    });
    return { id };
  });
}

/** Removes the organisation's connection and its claimed domains; records `sso.connection-removed`. */
export async function removeSsoConnection(
  ctx: DomainContext,
  input: { organizationId: string; actor: Actor; origin?: RequestOrigin },
): Promise<void> {
  const now = ctx.clock.now();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const existing = await tx
      .selectFrom('sso_connections')
      .select('id')
      .where('organization_id', '=', input.organizationId)
      .executeTakeFirst();
    if (!existing) throw new AppError('NOT_FOUND', 'no single sign-on connection');
    await tx.deleteFrom('sso_domains').where('organization_id', '=', input.organizationId).execute();
    await tx.deleteFrom('sso_connections').where('id', '=', existing.id).execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'sso.connection-removed',
      origin: input.origin,
      at: now,
    });
  });
}
