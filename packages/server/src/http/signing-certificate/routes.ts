import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PKCS12_LIMITS } from '@inkan/core';
import * as z from 'zod';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../domain/app-error.ts';
import {
  getSigningCertificate,
  removeSigningCertificate,
  SIGNING_CHAIN_MAX_BYTES,
  SIGNING_PASSWORD_MAX_LENGTH,
  updateSigningMode,
  uploadSigningCertificate,
} from '../../domain/use-cases/manage-signing-certificate.ts';
import { requireAdmin } from '../admin-access.ts';
import { parseWith } from '../envelopes/schema.ts';
import { originOf } from '../request-context.ts';

const modeBody = z
  .object({
    mode: z.enum(['witness', 'organization', 'both']),
    source: z.enum(['upload', 'operator']).optional(),
  })
  .strict();

const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

/**
 * 署名用証明書 (issue 13 part 4): administrators upload the organisation's trusted signing certificate
 * (PKCS#12 + password, optionally a PEM chain), choose the signing mode (witness / organization / both)
 * and which certificate it uses (their upload or the operator's), or remove the upload.
 */
export async function signingCertificateRoutes(app: FastifyInstance, options: { context: AppContext }): Promise<void> {
  const { context } = options;

  app.get('/api/v1/admin/signing-certificate', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    return noStore(reply).send(await getSigningCertificate(context, { organizationId: principal.organizationId }));
  });

  app.put('/api/v1/admin/signing-certificate', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    const upload = await readUpload(request);
    return noStore(reply).send(
      await uploadSigningCertificate(context, {
        organizationId: principal.organizationId,
        actor: principal.actor,
        origin: originOf(request),
        ...upload,
      }),
    );
  });

  app.patch('/api/v1/admin/signing-certificate', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    const body = parseWith(modeBody, request.body ?? {});
    return noStore(reply).send(
      await updateSigningMode(context, {
        organizationId: principal.organizationId,
        actor: principal.actor,
        origin: originOf(request),
        mode: body.mode,
        source: body.source,
      }),
    );
  });

  app.delete('/api/v1/admin/signing-certificate', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    return noStore(reply).send(
      await removeSigningCertificate(context, {
        organizationId: principal.organizationId,
        actor: principal.actor,
        origin: originOf(request),
      }),
    );
  });
}

/** The multipart upload: `pkcs12` (file), `password` (field), optional `chain` (PEM file); bounded. */
async function readUpload(
  request: FastifyRequest,
): Promise<{ pkcs12: Uint8Array; password: string; chainPem?: Uint8Array }> {
  if (!request.isMultipart())
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      'send multipart/form-data with a `pkcs12` file and a `password` field',
    );
  const maxBytes = Math.max(PKCS12_LIMITS.bytes, SIGNING_CHAIN_MAX_BYTES);
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > PKCS12_LIMITS.bytes + SIGNING_CHAIN_MAX_BYTES + 16 * 1024)
    throw new AppError('PAYLOAD_TOO_LARGE', 'the upload is too large', { maxBytes: PKCS12_LIMITS.bytes });
  let pkcs12: Uint8Array | undefined;
  let chainPem: Uint8Array | undefined;
  let password: string | undefined;
  const parts = request.parts({
    limits: { fileSize: maxBytes, files: 2, fields: 1, fieldSize: SIGNING_PASSWORD_MAX_LENGTH * 4 },
  });
  for await (const part of parts) {
    if (part.type === 'field') {
      if (part.fieldname !== 'password' || typeof part.value !== 'string')
        throw new AppError('VALIDATION_FAILED', `unexpected field ${part.fieldname}`, { field: part.fieldname });
      password = part.value;
      continue;
    }
    if (
      (part.fieldname !== 'pkcs12' && part.fieldname !== 'chain') ||
      (part.fieldname === 'pkcs12' ? pkcs12 : chainPem)
    )
      throw new AppError('VALIDATION_FAILED', 'send one `pkcs12` file and at most one `chain` file', {
        field: part.fieldname,
      });
    let buffer: Buffer;
    try {
      buffer = await part.toBuffer();
    } catch (error) {
      if ((error as { code?: unknown }).code === 'FST_REQ_FILE_TOO_LARGE')
        throw new AppError('PAYLOAD_TOO_LARGE', 'the file is too large', {
          maxBytes: part.fieldname === 'pkcs12' ? PKCS12_LIMITS.bytes : SIGNING_CHAIN_MAX_BYTES,
        });
      throw error;
    }
    const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    if (part.fieldname === 'pkcs12') pkcs12 = bytes;
    else chainPem = bytes;
  }
  if (!pkcs12 || pkcs12.length === 0)
    throw new AppError('VALIDATION_FAILED', 'the `pkcs12` file is missing or empty', { field: 'pkcs12' });
  if (password === undefined)
    throw new AppError('VALIDATION_FAILED', 'the `password` field is missing', { field: 'password' });
  return { pkcs12, password, chainPem };
}
