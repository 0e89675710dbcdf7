import { readStoredDocument } from '../retention/read-stored-document.ts';
import { AppError } from '../app-error.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';
import { getEnvelope } from './get-envelope.ts';

/**
 * A document of the caller's organisation as it stands (stamped, then signed by everyone once
 * completed). The download is recorded in the operation log (操作ログ records every download).
 */
export async function getDocument(
  ctx: DomainContext,
  input: { organizationId: string; envelopeId: string; documentId: string; actor: Actor; origin?: RequestOrigin },
): Promise<{ name: string; bytes: Uint8Array; sha256: string }> {
  const { envelope, documents } = await getEnvelope(ctx, input);
  const document = documents.find((d) => d.id === input.documentId);
  if (!document) throw new AppError('NOT_FOUND', 'no such document');
  const bytes = await readStoredDocument(ctx.blobs, document.blobCurrent);
  await inTransaction(ctx.db, ctx.dialect, (tx) =>
    recordEvent(tx, {
      organizationId: envelope.organizationId,
      envelopeId: envelope.id,
      actor: input.actor,
      action: 'document.downloaded',
      origin: input.origin,
      at: ctx.clock.now(),
      details: {
        documentId: document.id,
        name: document.name,
        sha256: document.sha256Current,
        via: input.actor.type === 'api_key' ? 'api-key' : 'sender-session',
      },
    }),
  );
  return { name: document.name, bytes, sha256: document.sha256Current };
}
