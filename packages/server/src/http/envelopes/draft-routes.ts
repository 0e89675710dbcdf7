import type { FastifyInstance, FastifyRequest } from 'fastify';
import type {} from '@fastify/multipart';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../domain/app-error.ts';
import { addDraftDocuments } from '../../domain/use-cases/add-draft-documents.ts';
import { duplicateEnvelope } from '../../domain/use-cases/duplicate-envelope.ts';
import { removeDraftDocument } from '../../domain/use-cases/remove-draft-document.ts';
import { revealAccessCode } from '../../domain/use-cases/reveal-access-code.ts';
import { updateDraftEnvelope } from '../../domain/use-cases/update-draft-envelope.ts';
import { LIMITS } from '../../domain/validation.ts';
import { originOf, requirePrincipal } from '../request-context.ts';
import { duplicateBody, updateDraftBody } from './draft-schema.ts';
import { presentEnvelope } from './present.ts';
import { documentParams, envelopeParams, parseWith, recipientParams } from './schema.ts';

/**
 * Senders' everyday tools (issue 11 part 5): editing a draft (PATCH, documents added and removed),
 * 複製 and 修正して再送, and showing an access code again to the envelope's sender.
 */
export async function draftRoutes(app: FastifyInstance, options: { context: AppContext }): Promise<void> {
  const { context } = options;
  const now = () => context.clock.now();

  app.patch('/api/v1/envelopes/:id', async (request) => {
    const principal = await requirePrincipal(context, request, { write: true });
    const { id } = parseWith(envelopeParams, request.params);
    const body = parseWith(updateDraftBody, request.body ?? {});
    const details = await updateDraftEnvelope(context, {
      organizationId: principal.organizationId,
      envelopeId: id,
      actor: principal.actor,
      origin: originOf(request),
      ...body,
      recipients: body.recipients?.map((r) => ({ ...r, accessCode: r.accessCode as string | undefined })),
    });
    return presentEnvelope(details, now());
  });

  app.post('/api/v1/envelopes/:id/documents', async (request, reply) => {
    const principal = await requirePrincipal(context, request, { write: true });
    const { id } = parseWith(envelopeParams, request.params);
    const documents = await readDocumentParts(context, request);
    const details = await addDraftDocuments(context, {
      organizationId: principal.organizationId,
      envelopeId: id,
      actor: principal.actor,
      origin: originOf(request),
      documents,
    });
    return reply.code(201).send(presentEnvelope(details, now()));
  });

  app.delete('/api/v1/envelopes/:id/documents/:documentId', async (request) => {
    const principal = await requirePrincipal(context, request, { write: true });
    const { id, documentId } = parseWith(documentParams, request.params);
    const details = await removeDraftDocument(context, {
      organizationId: principal.organizationId,
      envelopeId: id,
      documentId,
      actor: principal.actor,
      origin: originOf(request),
    });
    return presentEnvelope(details, now());
  });

  app.post('/api/v1/envelopes/:id/duplicate', async (request, reply) => {
    const principal = await requirePrincipal(context, request, { write: true });
    const { id } = parseWith(envelopeParams, request.params);
    const body = parseWith(duplicateBody, request.body ?? undefined);
    const details = await duplicateEnvelope(context, {
      organizationId: principal.organizationId,
      envelopeId: id,
      actor: principal.actor,
      origin: originOf(request),
      resubmit: body?.resubmit ?? false,
    });
    return reply.code(201).send(presentEnvelope(details, now()));
  });

  app.post('/api/v1/envelopes/:id/recipients/:recipientId/access-code/reveal', async (request, reply) => {
    const principal = await requirePrincipal(context, request, { write: true });
    const { id, recipientId } = parseWith(recipientParams, request.params);
    const revealed = await revealAccessCode(context, {
      organizationId: principal.organizationId,
      envelopeId: id,
      recipientId,
      actor: principal.actor,
      origin: originOf(request),
    });
    // A secret in the body: never cached by the browser or a proxy.
    return reply.header('cache-control', 'no-store').send(revealed);
  });
}

/** The `documents` file parts of a multipart upload, in memory, at most INKAN_MAX_UPLOAD_MB together. */
async function readDocumentParts(
  context: AppContext,
  request: FastifyRequest,
): Promise<Array<{ name: string; bytes: Uint8Array }>> {
  const maxBytes = context.config.maxUploadBytes;
  if (!request.isMultipart())
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send multipart/form-data with `documents` parts');
  const documents: Array<{ name: string; bytes: Uint8Array }> = [];
  let total = 0;
  for await (const part of request.parts()) {
    if (part.type !== 'file' || part.fieldname !== 'documents')
      throw new AppError('VALIDATION_FAILED', `unexpected part "${part.fieldname}"`, { field: part.fieldname });
    const bytes = await part.toBuffer();
    total += bytes.length;
    if (total > maxBytes) throw new AppError('PAYLOAD_TOO_LARGE', 'the documents are too large together', { maxBytes });
    if (documents.length >= LIMITS.documents)
      throw new AppError('VALIDATION_FAILED', `at most ${LIMITS.documents} documents`, { field: 'documents' });
    documents.push({ name: part.filename, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
  }
  return documents;
}
