import { timingSafeEqual } from 'node:crypto';
import { hashToken } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import type { RequestOrigin } from '../types.ts';
import type { UserSession } from './sign-in.ts';
import { openSsoSession, provisionSsoAccount, refuseSsoSignIn } from '../sign-in-security/sso-accounts.ts';
import {
  oidcSettingsOf,
  samlSettingsOf,
  type SsoConnectionRow,
  type SsoContext,
} from '../sign-in-security/sso-connections.ts';
import type { DbOrTx } from '../../ports/database.ts';

/** A finished single sign-on: the session and where to go next. */
export interface FinishedSsoSignIn {
  session: UserSession;
  next: string | null;
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

async function connectionById(db: DbOrTx, id: string): Promise<SsoConnectionRow | undefined> {
  return db.selectFrom('sso_connections').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Marks a sign-in used (once only); false when another request used it first. */
async function spend(db: DbOrTx, stateHash: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('sso_sign_ins')
    .set({ used_at: at.toISOString() })
    .where('state_hash', '=', stateHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * The OIDC redirect back (`/sso/oidc/callback?code&state`): the state must name a live sign-in of
 * this browser (its cookie's hash), used once; the code is redeemed with the PKCE verifier and the
 * ID token checked (issuer, audience, nonce, signature, expiry at the clock's time). Any failure is
 * recorded and refused (SSO_FAILED / SSO_ACCOUNT_REFUSED).
 */
export async function finishOidcSignIn(
  ctx: SsoContext,
  input: { callbackUrl: URL; stateCookie: string | undefined; origin?: RequestOrigin },
): Promise<FinishedSsoSignIn> {
  const now = ctx.clock.now();
  const state = input.callbackUrl.searchParams.get('state') ?? '';
  if (!/^[0-9a-f]{64}$/.test(state))
    throw await refuseSsoSignIn(ctx, undefined, { reason: 'state', origin: input.origin });
  const row = await ctx.db.selectFrom('sso_sign_ins').selectAll().where('state_hash', '=', state).executeTakeFirst();
  const connection = row ? await connectionById(ctx.db, row.connection_id) : undefined;
  const cookieHash =
    input.stateCookie && /^[A-Za-z0-9_-]{32,128}$/.test(input.stateCookie) ? hashToken(input.stateCookie) : '';
  if (!row || !connection || connection.protocol !== 'oidc' || !sameHex(cookieHash, state))
    throw await refuseSsoSignIn(ctx, connection, { reason: 'state', origin: input.origin });
  if (row.used_at !== null || new Date(row.expires_at).getTime() <= now.getTime() || !(await spend(ctx.db, state, now)))
    throw await refuseSsoSignIn(ctx, connection, { reason: 'expired-or-used', origin: input.origin });
  const idpError = input.callbackUrl.searchParams.get('error');
  if (idpError !== null)
    throw await refuseSsoSignIn(ctx, connection, {
      reason: `idp-error: ${idpError.slice(0, 100)}`,
      origin: input.origin,
    });
  let identity;
  try {
    identity = await ctx.identityProviders.oidc.redeem(await oidcSettingsOf(ctx, connection), {
      callbackUrl: input.callbackUrl,
      state,
      nonce: row.nonce ?? '',
      codeVerifier: row.code_verifier ?? '',
      now,
    });
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw await refuseSsoSignIn(ctx, connection, { reason: `id-token: ${describe(error)}`, origin: input.origin });
  }
  if (!identity.emailVerified)
    throw await refuseSsoSignIn(ctx, connection, {
      reason: 'email-not-verified',
      origin: input.origin,
      code: 'SSO_ACCOUNT_REFUSED',
    });
  const userId = await provisionSsoAccount(ctx, connection, identity, input.origin);
  return { session: await openSsoSession(ctx, connection, userId, input.origin), next: row.next_path };
}

/** An error's message for the log, without anything a response carried verbatim beyond 200 characters. */
function describe(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  // Libraries wrap the precise reason (e.g. an unexpected "iss") in a cause: keep the chain, briefly.
  for (let depth = 0; depth < 3 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    parts.push(`${typeof code === 'string' ? `${code} ` : ''}${current.message}`);
    current = current.cause;
  }
  return (parts.join(' / ') || String(error)).slice(0, 250);
}

/**
 * The SAML assertion consumer service (POST from the IdP): the response must answer a live request of
 * ours (InResponseTo), carry an assertion signed by the connection's IdP, addressed to us, valid at the
 * clock's time, and never seen before (its ID is kept until it expires). The account is resolved now;
 * the session opens when the browser that started comes back with its cookie (finishSamlSignIn), so a
 * response posted into someone else's browser signs nobody in.
 */
export async function acceptSamlResponse(
  ctx: SsoContext,
  input: { samlResponse: unknown; origin?: RequestOrigin },
): Promise<void> {
  const now = ctx.clock.now();
  const encoded = typeof input.samlResponse === 'string' ? input.samlResponse : '';
  let requestId: string | undefined;
  if (encoded.length > 0 && encoded.length <= 256 * 1024) {
    const xml = Buffer.from(encoded, 'base64').toString('utf8');
    requestId = /<(?:[\w-]+:)?Response\b[^>]*?\sInResponseTo="([^"]{1,200})"/.exec(xml)?.[1];
  }
  if (requestId === undefined)
    throw await refuseSsoSignIn(ctx, undefined, { reason: 'not-a-response-to-us', origin: input.origin });
  const row = await ctx.db
    .selectFrom('sso_sign_ins')
    .selectAll()
    .where('request_id', '=', requestId)
    .executeTakeFirst();
  const connection = row ? await connectionById(ctx.db, row.connection_id) : undefined;
  if (!row || !connection || connection.protocol !== 'saml')
    throw await refuseSsoSignIn(ctx, undefined, { reason: 'unknown-request', origin: input.origin });
  if (row.used_at !== null || row.result_user_id !== null || new Date(row.expires_at).getTime() <= now.getTime())
    throw await refuseSsoSignIn(ctx, connection, { reason: 'expired-or-used', origin: input.origin });
  let identity;
  try {
    identity = await ctx.identityProviders.saml.validateResponse(samlSettingsOf(ctx, connection), {
      samlResponse: encoded,
      requestId,
      now,
    });
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw await refuseSsoSignIn(ctx, connection, { reason: `assertion: ${describe(error)}`, origin: input.origin });
  }
  // Replay protection: an assertion ID is accepted once per connection, remembered until it expires.
  await ctx.db.deleteFrom('saml_assertions_seen').where('expires_at', '<', now.toISOString()).execute();
  const seen = await ctx.db
    .insertInto('saml_assertions_seen')
    .values({
      connection_id: connection.id,
      assertion_id: identity.assertionId.slice(0, 200),
      expires_at: identity.notOnOrAfter.toISOString(),
    })
    .onConflict((oc) => oc.columns(['connection_id', 'assertion_id']).doNothing())
    .executeTakeFirst();
  if (Number(seen.numInsertedOrUpdatedRows ?? 0n) !== 1)
    throw await refuseSsoSignIn(ctx, connection, { reason: 'assertion-replayed', origin: input.origin });
  const userId = await provisionSsoAccount(ctx, connection, identity, input.origin);
  const stored = await ctx.db
    .updateTable('sso_sign_ins')
    .set({ result_user_id: userId })
    .where('state_hash', '=', row.state_hash)
    .where('result_user_id', 'is', null)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  if (Number(stored.numUpdatedRows) !== 1)
    throw await refuseSsoSignIn(ctx, connection, { reason: 'expired-or-used', origin: input.origin });
}

/** The browser back from the ACS with its cookie: opens the session of the accepted assertion, once. */
export async function finishSamlSignIn(
  ctx: SsoContext,
  input: { stateCookie: string | undefined; origin?: RequestOrigin },
): Promise<FinishedSsoSignIn> {
  const now = ctx.clock.now();
  const cookie = input.stateCookie ?? '';
  if (!/^[A-Za-z0-9_-]{32,128}$/.test(cookie))
    throw await refuseSsoSignIn(ctx, undefined, { reason: 'state', origin: input.origin });
  const stateHash = hashToken(cookie);
  const row = await ctx.db
    .selectFrom('sso_sign_ins')
    .selectAll()
    .where('state_hash', '=', stateHash)
    .executeTakeFirst();
  const connection = row ? await connectionById(ctx.db, row.connection_id) : undefined;
  if (!row || !connection || connection.protocol !== 'saml' || row.result_user_id === null)
    throw await refuseSsoSignIn(ctx, connection, { reason: 'state', origin: input.origin });
  if (new Date(row.expires_at).getTime() <= now.getTime() || !(await spend(ctx.db, stateHash, now)))
    throw await refuseSsoSignIn(ctx, connection, { reason: 'expired-or-used', origin: input.origin });
  return { session: await openSsoSession(ctx, connection, row.result_user_id, input.origin), next: row.next_path };
}
