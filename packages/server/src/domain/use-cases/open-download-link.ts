import { readStoredDocument } from '../retention/read-stored-document.ts';
import { hashToken } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { loadDetailsOf, type EnvelopeDetails } from '../rows.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32,128}$/;

/** What the download page shows. */
export interface DownloadInfo extends EnvelopeDetails {
  expiresAt: Date;
  /** The recipient the link was mailed to; null for the sender's link. */
  recipientId: string | null;
  /** When the link was made: with the recipient, it names the link in the operation log (the token never appears there). */
  linkCreatedAt: Date;
  /** Whether the certificate of completion has been issued (offered on the download page). */
  certificateAvailable: boolean;
}

/** Resolves a ダウンロード link (read only): unknown → LINK_INVALID, past INKAN_DOWNLOAD_TTL → LINK_EXPIRED. */
export async function openDownloadLink(ctx: DomainContext, token: string): Promise<DownloadInfo> {
  if (!TOKEN_PATTERN.test(token)) throw new AppError('LINK_INVALID', 'unknown link');
  const link = await ctx.db
    .selectFrom('download_links')
    .selectAll()
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!link) throw new AppError('LINK_INVALID', 'unknown link');
  const expiresAt = new Date(link.expires_at);
  if (expiresAt.getTime() <= ctx.clock.now().getTime())
    throw new AppError('LINK_EXPIRED', 'the download link has expired; please contact the sender', {
      expiresAt: link.expires_at,
    });
  const row = await ctx.db.selectFrom('envelopes').selectAll().where('id', '=', link.envelope_id).executeTakeFirst();
  if (!row || row.status !== 'completed') throw new AppError('LINK_INVALID', 'unknown link');
  return {
    ...(await loadDetailsOf(ctx.db, row)),
    expiresAt,
    recipientId: link.recipient_id,
    linkCreatedAt: new Date(link.created_at),
    certificateAvailable: row.certificate_blob !== null,
  };
}

/** A signed document through a ダウンロード link; the download is recorded in the operation log. */
export async function downloadDocumentByLink(
  ctx: DomainContext,
  input: { token: string; documentId: string; origin?: RequestOrigin },
): Promise<{ name: string; bytes: Uint8Array }> {
  const info = await openDownloadLink(ctx, input.token);
  const document = info.documents.find((d) => d.id === input.documentId);
  if (!document) throw new AppError('NOT_FOUND', 'no such document');
  const bytes = await readStoredDocument(ctx.blobs, document.blobCurrent);
  await recordLinkDownload(ctx, info, input.origin, 'document.downloaded', {
    documentId: document.id,
    name: document.name,
    sha256: document.sha256Current,
  });
  return { name: document.name, bytes };
}

/**
 * Records a download through a ダウンロード link: by the recipient it was mailed to (the system for the
 * sender's link), `via` and the link's creation time added to `details`.
 */
export async function recordLinkDownload(
  ctx: DomainContext,
  info: DownloadInfo,
  origin: RequestOrigin | undefined,
  action: 'document.downloaded' | 'certificate.downloaded',
  details: Record<string, unknown>,
): Promise<void> {
  const actor: Actor = info.recipientId ? { type: 'recipient', id: info.recipientId } : { type: 'system', id: null };
  await inTransaction(ctx.db, ctx.dialect, (tx) =>
    recordEvent(tx, {
      organizationId: info.envelope.organizationId,
      envelopeId: info.envelope.id,
      actor,
      action,
      origin,
      at: ctx.clock.now(),
      details: { ...details, via: 'download-link', linkCreatedAt: info.linkCreatedAt.toISOString() },
    }),
  );
}
