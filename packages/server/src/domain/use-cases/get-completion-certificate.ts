import { formatMessage } from '@inkan/core/messages';
import { readStoredDocument } from '../retention/read-stored-document.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';
import { getEnvelope } from './get-envelope.ts';
import { openDownloadLink, recordLinkDownload } from './open-download-link.ts';

/** The file name of a certificate of completion. */
export function certificateFileName(certificateId: string): string {
  return `${formatMessage('ja', 'certificate.pdf.title')}_${certificateId}.pdf`;
}

/** A stored certificate, or NOT_FOUND until it exists. */
async function readCertificate(
  ctx: DomainContext,
  envelopeId: string,
): Promise<{ bytes: Uint8Array; sha256: string; certificateId: string }> {
  const row = await ctx.db
    .selectFrom('envelopes')
    .select(['status', 'certificate_blob', 'certificate_sha256', 'certificate_id'])
    .where('id', '=', envelopeId)
    .executeTakeFirst();
  if (!row || row.status !== 'completed' || row.certificate_blob === null || row.certificate_sha256 === null) {
    throw new AppError('NOT_FOUND', 'the certificate of completion is issued when every party has signed');
  }
  return {
    bytes: await readStoredDocument(ctx.blobs, row.certificate_blob),
    sha256: row.certificate_sha256,
    certificateId: row.certificate_id,
  };
}

/**
 * The certificate of completion of an envelope of the caller's organisation (404 until it is issued, and
 * for another organisation's envelope); the download is recorded (`certificate.downloaded`, who and how).
 */
export async function getCompletionCertificate(
  ctx: DomainContext,
  input: { organizationId: string; envelopeId: string; actor: Actor; origin?: RequestOrigin },
): Promise<{ name: string; bytes: Uint8Array; sha256: string }> {
  const { envelope } = await getEnvelope(ctx, input);
  const certificate = await readCertificate(ctx, envelope.id);
  const name = certificateFileName(certificate.certificateId);
  await inTransaction(ctx.db, ctx.dialect, (tx) =>
    recordEvent(tx, {
      organizationId: envelope.organizationId,
      envelopeId: envelope.id,
      actor: input.actor,
      action: 'certificate.downloaded',
      origin: input.origin,
      at: ctx.clock.now(),
      details: {
        certificateId: certificate.certificateId,
        name,
        sha256: certificate.sha256,
        via: input.actor.type === 'api_key' ? 'api-key' : 'sender-session',
      },
    }),
  );
  return { name, bytes: certificate.bytes, sha256: certificate.sha256 };
}

/** The certificate of completion through a ダウンロード link of the completion mail; recorded like any download. */
export async function downloadCertificateByLink(
  ctx: DomainContext,
  input: { token: string; origin?: RequestOrigin },
): Promise<{ name: string; bytes: Uint8Array }> {
  const info = await openDownloadLink(ctx, input.token);
  const certificate = await readCertificate(ctx, info.envelope.id);
  const name = certificateFileName(certificate.certificateId);
  await recordLinkDownload(ctx, info, input.origin, 'certificate.downloaded', {
    certificateId: certificate.certificateId,
    name,
    sha256: certificate.sha256,
  });
  return { name, bytes: certificate.bytes };
}
