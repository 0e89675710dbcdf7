import { readStoredDocument } from '../retention/read-stored-document.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordSignerEvent } from '../signer-access.ts';
import { inTransaction } from '../transaction.ts';
import type { RequestOrigin } from '../types.ts';
import { requireSigner } from './get-signer-view.ts';

/**
 * A document as the signer reviews it (stamped, with the signatures given so far), as a file to keep
 * before signing. Only for a signer who passed the access code (signer session). Like every download
 * (the sender's, the ダウンロード link's), it is recorded in the operation log.
 */
export async function downloadSignerDocument(
  ctx: DomainContext,
  input: { token: string; sessionToken: string | undefined; documentId: string; origin?: RequestOrigin },
): Promise<{ name: string; bytes: Uint8Array }> {
  const signer = await requireSigner(ctx, input.token, input.sessionToken);
  const document = signer.documents.find((d) => d.id === input.documentId);
  if (!document) throw new AppError('NOT_FOUND', 'no such document');
  const bytes = await readStoredDocument(ctx.blobs, document.blobCurrent);
  await inTransaction(ctx.db, ctx.dialect, (tx) =>
    recordSignerEvent(tx, signer, {
      action: 'document.downloaded',
      origin: input.origin,
      at: ctx.clock.now(),
      details: { documentId: document.id, name: document.name, sha256: document.sha256Current, via: 'signer-session' },
    }),
  );
  return { name: document.name, bytes };
}
