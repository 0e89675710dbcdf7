import { findLiveAccountToken } from '../accounts/account-tokens.ts';
import type { DomainContext } from '../domain-context.ts';

/** What the sign-up form shows for a link (read only): the address being registered and the return path. */
export async function getSignupLink(
  ctx: DomainContext,
  input: { token: unknown },
): Promise<{ email: string; next: string | null; expiresAt: string }> {
  const row = await findLiveAccountToken(ctx.db, 'signup', input.token, ctx.clock.now());
  return { email: row.email, next: row.next_path, expiresAt: row.expires_at };
}
