import type { DomainContext } from '../domain-context.ts';
import { effectiveStatus, isLockedOut, isSigningLinkExpired } from '../envelope-state.ts';
import { AppError } from '../app-error.ts';
import { authenticateSigner, signerView, type SignerContext, type SignerView } from '../signer-access.ts';

/**
 * The authenticated signer of a request (link token + signer-session cookie), refused when the envelope
 * is canceled/declined/expired or the recipient is locked. Completed envelopes stay readable.
 */
export async function requireSigner(
  ctx: DomainContext,
  token: string,
  sessionToken: string | undefined,
): Promise<SignerContext> {
  const signer = await authenticateSigner(ctx, ctx.db, token, sessionToken);
  assertSignerUsable(ctx, signer);
  return signer;
}

/** Throws when an authenticated signer may not use the envelope now (see requireSigner). */
export function assertSignerUsable(ctx: DomainContext, signer: Pick<SignerContext, 'envelope' | 'recipient'>): void {
  const now = ctx.clock.now();
  const status = effectiveStatus(signer.envelope, now);
  if (status === 'canceled' || status === 'declined')
    throw new AppError('ENVELOPE_NOT_ACTIVE', `the envelope is ${status}`, { status });
  if (
    status === 'expired' ||
    (status === 'sent' && isSigningLinkExpired(signer.recipient, ctx.config.linkTtlMs, now))
  ) {
    throw new AppError('LINK_EXPIRED', 'the link has expired; please contact the sender');
  }
  if (isLockedOut(signer.recipient, ctx.config.accessCodeMaxAttempts))
    throw new AppError('ACCESS_CODE_LOCKED', 'the link is locked');
}

/** The signer's view (GET, read only). */
export async function getSignerView(
  ctx: DomainContext,
  input: { token: string; sessionToken: string | undefined },
): Promise<SignerView> {
  return signerView(await requireSigner(ctx, input.token, input.sessionToken), ctx.clock.now());
}

/** A document as it stands, for the signer's pdf.js viewer (GET, read only: viewing is recorded by mark-viewed). */
export async function getSignerDocument(
  ctx: DomainContext,
  input: { token: string; sessionToken: string | undefined; documentId: string },
): Promise<{ name: string; bytes: Uint8Array }> {
  const signer = await requireSigner(ctx, input.token, input.sessionToken);
  const document = signer.documents.find((d) => d.id === input.documentId);
  if (!document) throw new AppError('NOT_FOUND', 'no such document');
  return { name: document.name, bytes: await ctx.blobs.get(document.blobCurrent) };
}
