import type { FastifyInstance, FastifyRequest } from 'fastify';
import type {} from '@fastify/multipart';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../domain/app-error.ts';
import { LIMITS } from '../../domain/validation.ts';
import { cancelEnvelope } from '../../domain/use-cases/cancel-envelope.ts';
import { createEnvelope } from '../../domain/use-cases/create-envelope.ts';
import { getCompletionCertificate } from '../../domain/use-cases/get-completion-certificate.ts';
import { getDocument } from '../../domain/use-cases/get-document.ts';
import { getEnvelope } from '../../domain/use-cases/get-envelope.ts';
import { listEnvelopeEvents } from '../../domain/use-cases/list-envelope-events.ts';
import { listEnvelopes } from '../../domain/use-cases/list-envelopes.ts';
import { isEnvelopeSender } from '../../domain/use-cases/reveal-access-code.ts';
import { remindRecipient } from '../../domain/use-cases/remind-recipient.ts';
import { resendSigningRequest } from '../../domain/use-cases/resend-signing-request.ts';
import { sendEnvelope } from '../../domain/use-cases/send-envelope.ts';
import { listEnvelopeFields, setEnvelopeFields } from '../../domain/use-cases/set-envelope-fields.ts';
import { presentField } from '../../domain/fields/envelope-fields.ts';
import { unlockRecipient } from '../../domain/use-cases/unlock-recipient.ts';
import { originOf, requirePrincipal, sendPdf } from '../request-context.ts';
import { presentEnvelope, presentEvent, presentSummary } from './present.ts';
import {
  createEnvelopeSchema,
  documentParams,
  envelopeFieldsBody,
  envelopeParams,
  listEnvelopesQuery,
  parseWith,
  recipientParams,
  sendEnvelopeBody,
  unlockBody,
  type CreateEnvelopeBody,
} from './schema.ts';

/** Reminders a client may ask for per minute (each signer also waits an hour between mails). */
/** Per client, for the signers' and the approvers' リマインド. */
export const REMIND_RATE_LIMIT = { max: 20, timeWindow: '1 minute' } as const;

/** Slack over the documents' limit for the multipart framing and the `envelope` JSON part. */
const MULTIPART_OVERHEAD = 1024 * 1024;

/** The envelope API (REST v1): a session or an API key, always scoped to the caller's organisation. */
export async function envelopeRoutes(app: FastifyInstance, options: { context: AppContext }): Promise<void> {
  const { context } = options;
  const now = () => context.clock.now();

  app.post('/api/v1/envelopes', async (request, reply) => {
    const principal = await requirePrincipal(context, request, { write: true });
    const upload = await readEnvelopeUpload(context, request);
    const details = await createEnvelope(context, {
      organizationId: principal.organizationId,
      actor: principal.actor,
      origin: originOf(request),
      name: upload.envelope.name,
      message: upload.envelope.message,
      expiresAt: upload.envelope.expiresAt,
      recipients: upload.envelope.recipients.map((r) => ({ ...r, accessCode: r.accessCode as string | undefined })),
      documents: upload.documents,
    });
    return reply.code(201).send(presentEnvelope(details, now()));
  });

  app.get('/api/v1/envelopes', async (request) => {
    const principal = await requirePrincipal(context, request, { write: false });
    const query = parseWith(listEnvelopesQuery, request.query);
    const page = await listEnvelopes(context, { organizationId: principal.organizationId, ...query });
    return { items: page.items.map((item) => presentSummary(item, now())), nextCursor: page.nextCursor };
  });

  app.get('/api/v1/envelopes/:id', async (request) => {
    const principal = await requirePrincipal(context, request, { write: false });
    const { id } = parseWith(envelopeParams, request.params);
    const details = await getEnvelope(context, { organizationId: principal.organizationId, envelopeId: id });
    // Whether the caller is the envelope's sender (only the sender may see access codes again).
    return { ...presentEnvelope(details, now()), isSender: isEnvelopeSender(details.envelope, principal.actor) };
  });

  // Fields placed on a draft's documents for its recipients (issue 11 part 4).
  app.get('/api/v1/envelopes/:id/fields', async (request) => {
    const principal = await requirePrincipal(context, request, { write: false });
    const { id } = parseWith(envelopeParams, request.params);
    const fields = await listEnvelopeFields(context, { organizationId: principal.organizationId, envelopeId: id });
    return { items: fields.map(presentField) };
  });

  app.put('/api/v1/envelopes/:id/fields', async (request) => {
    const principal = await requirePrincipal(context, request, { write: true });
    const { id } = parseWith(envelopeParams, request.params);
    const body = parseWith(envelopeFieldsBody, request.body);
    const fields = await setEnvelopeFields(context, {
      organizationId: principal.organizationId,
      envelopeId: id,
      actor: principal.actor,
      origin: originOf(request),
      fields: body.fields,
    });
    return { items: fields.map(presentField) };
  });

  app.post('/api/v1/envelopes/:id/send', async (request) => {
    const principal = await requirePrincipal(context, request, { write: true });
    const { id } = parseWith(envelopeParams, request.params);
    const body = parseWith(sendEnvelopeBody, request.body) ?? {};
    const details = await sendEnvelope(context, {
      organizationId: principal.organizationId,
      envelopeId: id,
      actor: principal.actor,
      origin: originOf(request),
      approvalRouteId: body.approvalRouteId,
    });
    return presentEnvelope(details, now());
  });

  app.post('/api/v1/envelopes/:id/cancel', async (request) => {
    const principal = await requirePrincipal(context, request, { write: true });
    const { id } = parseWith(envelopeParams, request.params);
    const details = await cancelEnvelope(context, {
      organizationId: principal.organizationId,
      envelopeId: id,
      actor: principal.actor,
      origin: originOf(request),
    });
    return presentEnvelope(details, now());
  });

  app.get('/api/v1/envelopes/:id/documents/:documentId', async (request, reply) => {
    const principal = await requirePrincipal(context, request, { write: false });
    const { id, documentId } = parseWith(documentParams, request.params);
    const file = await getDocument(context, {
      organizationId: principal.organizationId,
      envelopeId: id,
      documentId,
      actor: principal.actor,
      origin: originOf(request),
    });
    return sendPdf(reply, file, 'attachment');
  });

  app.get('/api/v1/envelopes/:id/certificate', async (request, reply) => {
    const principal = await requirePrincipal(context, request, { write: false });
    const { id } = parseWith(envelopeParams, request.params);
    const file = await getCompletionCertificate(context, {
      organizationId: principal.organizationId,
      envelopeId: id,
      actor: principal.actor,
      origin: originOf(request),
    });
    return sendPdf(reply, file, 'attachment');
  });

  app.get('/api/v1/envelopes/:id/events', async (request) => {
    const principal = await requirePrincipal(context, request, { write: false });
    const { id } = parseWith(envelopeParams, request.params);
    const items = await listEnvelopeEvents(context, { organizationId: principal.organizationId, envelopeId: id });
    return { items: items.map(presentEvent) };
  });

  app.post('/api/v1/envelopes/:id/recipients/:recipientId/unlock', async (request) => {
    const principal = await requirePrincipal(context, request, { write: true });
    const { id, recipientId } = parseWith(recipientParams, request.params);
    const body = parseWith(unlockBody, request.body ?? undefined);
    const details = await unlockRecipient(context, {
      organizationId: principal.organizationId,
      envelopeId: id,
      recipientId,
      accessCode: body?.accessCode,
      actor: principal.actor,
      origin: originOf(request),
    });
    return presentEnvelope(details, now());
  });

  // リマインド: a new link, earlier ones kept (rate-limited per client; the domain allows one per hour per signer).
  app.post(
    '/api/v1/envelopes/:id/recipients/:recipientId/remind',
    { config: { rateLimit: REMIND_RATE_LIMIT } },
    async (request) => {
      const principal = await requirePrincipal(context, request, { write: true });
      const { id, recipientId } = parseWith(recipientParams, request.params);
      const details = await remindRecipient(context, {
        organizationId: principal.organizationId,
        envelopeId: id,
        recipientId,
        actor: principal.actor,
        origin: originOf(request),
      });
      return presentEnvelope(details, now());
    },
  );

  app.post('/api/v1/envelopes/:id/recipients/:recipientId/resend', async (request) => {
    const principal = await requirePrincipal(context, request, { write: true });
    const { id, recipientId } = parseWith(recipientParams, request.params);
    const details = await resendSigningRequest(context, {
      organizationId: principal.organizationId,
      envelopeId: id,
      recipientId,
      actor: principal.actor,
      origin: originOf(request),
    });
    return presentEnvelope(details, now());
  });
}

/**
 * Reads the multipart upload: the `envelope` JSON part (a field, or a file part holding JSON) and the
 * `documents` file parts, all in memory (they are PDFs the core reads whole anyway), refusing more than
 * INKAN_MAX_UPLOAD_MB in total. Nothing is stored here.
 */
async function readEnvelopeUpload(
  context: AppContext,
  request: FastifyRequest,
): Promise<{ envelope: CreateEnvelopeBody; documents: Array<{ name: string; bytes: Uint8Array }> }> {
  const maxBytes = context.config.maxUploadBytes;
  if (!request.isMultipart())
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      'send multipart/form-data with an `envelope` part and `documents` parts',
    );
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes + MULTIPART_OVERHEAD)
    throw new AppError('PAYLOAD_TOO_LARGE', 'the upload is too large', { maxBytes });
  let envelopeJson: string | undefined;
  let envelopeValue: unknown;
  const documents: Array<{ name: string; bytes: Uint8Array }> = [];
  let total = 0;
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      const bytes = await part.toBuffer();
      if (part.fieldname === 'envelope') {
        envelopeJson = bytes.toString('utf8');
      } else if (part.fieldname === 'documents') {
        total += bytes.length;
        if (total > maxBytes)
          throw new AppError('PAYLOAD_TOO_LARGE', 'the documents are too large together', { maxBytes });
        documents.push({
          name: part.filename,
          bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        });
      } else {
        throw new AppError('VALIDATION_FAILED', `unexpected file part "${part.fieldname}"`, { field: part.fieldname });
      }
    } else if (part.fieldname === 'envelope') {
      if (part.valueTruncated) throw new AppError('PAYLOAD_TOO_LARGE', 'the envelope part is too large');
      // A field sent as application/json arrives already parsed by @fastify/multipart.
      if (typeof part.value === 'string') envelopeJson = part.value;
      else envelopeValue = part.value;
    }
  }
  let parsed: unknown = envelopeValue;
  if (parsed === undefined) {
    if (envelopeJson === undefined)
      throw new AppError('VALIDATION_FAILED', 'the `envelope` part (JSON) is missing', { field: 'envelope' });
    try {
      parsed = JSON.parse(envelopeJson);
    } catch {
      throw new AppError('VALIDATION_FAILED', 'the `envelope` part is not JSON', { field: 'envelope' });
    }
  }
  // The domain says NO_RECIPIENTS / NO_DOCUMENTS; the shape check must not pre-empt that with a generic error.
  if (
    parsed !== null &&
    typeof parsed === 'object' &&
    !Array.isArray(parsed) &&
    (parsed as { recipients?: unknown }).recipients === undefined
  ) {
    (parsed as { recipients: unknown[] }).recipients = [];
  }
  const envelope = parseWith(createEnvelopeSchema, parsed);
  if (envelope.recipients.length > LIMITS.recipients)
    throw new AppError('VALIDATION_FAILED', `at most ${LIMITS.recipients} recipients`, { field: 'recipients' });
  return { envelope, documents };
}
