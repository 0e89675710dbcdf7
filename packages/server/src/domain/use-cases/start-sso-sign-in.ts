import { randomBytes } from 'node:crypto';
import { newToken } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import { parseNextPath } from '../accounts/next-path.ts';
import {
  connectionForEmail,
  oidcSettingsOf,
  samlSettingsOf,
  SSO_SIGN_IN_TTL_MS,
  type SsoConnectionRow,
  type SsoContext,
} from '../sign-in-security/sso-connections.ts';

/** The browser goes to `redirectUrl` (the IdP) holding `stateToken` in a cookie until it comes back. */
export interface StartedSsoSignIn {
  redirectUrl: string;
  stateToken: string;
  expiresAt: Date;
}

/**
 * Starts a single sign-on: finds the enabled connection by the e-mail's domain (claimed by an
 * organisation) or by the organisation's slug, stores the sign-in's state (10 minutes; the token only
 * hashed) and builds the IdP request — OIDC: authorisation code with PKCE (S256), state and nonce;
 * SAML: an AuthnRequest whose ID the response must answer. Unknown domain or slug → SSO_NOT_CONFIGURED
 * (it says nothing about accounts). `next`: a same-site path to return to (else VALIDATION_FAILED).
 */
export async function startSsoSignIn(
  ctx: SsoContext,
  input: { email?: string | undefined; organizationSlug?: string | undefined; next?: unknown },
): Promise<StartedSsoSignIn> {
  const next = parseNextPath(input.next);
  let connection: SsoConnectionRow | undefined;
  if (input.email !== undefined) connection = await connectionForEmail(ctx.db, input.email.trim().toLowerCase());
  else if (input.organizationSlug !== undefined)
    connection = await ctx.db
      .selectFrom('sso_connections')
      .innerJoin('organizations', 'organizations.id', 'sso_connections.organization_id')
      .selectAll('sso_connections')
      .where('organizations.slug', '=', input.organizationSlug)
      .where('sso_connections.enabled', '=', 1)
      .executeTakeFirst();
  if (!connection) throw new AppError('SSO_NOT_CONFIGURED', 'no single sign-on for this domain or organisation');

  const now = ctx.clock.now();
  const { token, hash } = newToken();
  const expiresAt = new Date(now.getTime() + SSO_SIGN_IN_TTL_MS);
  const codeVerifier = connection.protocol === 'oidc' ? randomBytes(32).toString('base64url') : null;
  const nonce = connection.protocol === 'oidc' ? randomBytes(24).toString('base64url') : null;
  // An xs:ID must not start with a digit.
  const requestId = connection.protocol === 'saml' ? `_${randomBytes(20).toString('hex')}` : null;
  let redirectUrl: string;
  try {
    if (connection.protocol === 'oidc')
      redirectUrl = await ctx.identityProviders.oidc.authorizationUrl(await oidcSettingsOf(ctx, connection), {
        // The IdP sends the state back: the token's hash, so that URLs never carry the cookie's secret.
        state: hash,
        nonce: nonce!,
        codeVerifier: codeVerifier!,
      });
    else
      redirectUrl = await ctx.identityProviders.saml.authnRequestUrl(samlSettingsOf(ctx, connection), {
        requestId: requestId!,
        relayState: '',
      });
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('SERVICE_UNAVAILABLE', `the identity provider cannot be reached: ${String(error)}`);
  }
  // Sign-ins that were never finished are cleared as new ones start.
  await ctx.db.deleteFrom('sso_sign_ins').where('expires_at', '<', now.toISOString()).execute();
  await ctx.db
    .insertInto('sso_sign_ins')
    .values({
      state_hash: hash,
      connection_id: connection.id,
      code_verifier: codeVerifier,
      nonce,
      request_id: requestId,
      next_path: next,
      created_at: now.toISOString(),
      expires_at: expiresAt.toISOString(),
      result_user_id: null,
      used_at: null,
    })
    .execute();
  return { redirectUrl, stateToken: token, expiresAt };
}
