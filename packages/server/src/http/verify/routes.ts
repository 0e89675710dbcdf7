import type { FastifyInstance, FastifyRequest } from 'fastify';
import type {} from '@fastify/multipart';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../domain/app-error.ts';
import { getPublicCertificate } from '../../domain/use-cases/get-public-certificate.ts';
import { verifyUploadedPdf } from '../../domain/use-cases/verify-uploaded-pdf.ts';
import { parseWith } from '../envelopes/schema.ts';
import { presentReport } from './present-report.ts';
import { certificateParams, normalizeCertificateId } from './schema.ts';

/** Per IP: verifying is CPU work for anyone on the internet, so the limit is tight. */
export const VERIFY_RATE_LIMIT = { max: 20, timeWindow: '1 minute' } as const;
/** Per IP: certificate IDs carry 60 random bits; the limit keeps guessing hopeless. */
export const CERTIFICATE_LOOKUP_RATE_LIMIT = { max: 30, timeWindow: '1 minute' } as const;
/** Room for the multipart framing around the one file. */
const MULTIPART_OVERHEAD = 64 * 1024;

/** Public verification (no account): verify an uploaded PDF; look up a certificate of completion's public summary. */
export async function verifyRoutes(app: FastifyInstance, options: { context: AppContext }): Promise<void> {
  const { context } = options;

  app.post('/api/verify', { config: { rateLimit: VERIFY_RATE_LIMIT } }, async (request, reply) => {
    const bytes = await readUploadedPdf(request, context.config.maxUploadBytes);
    const report = await verifyUploadedPdf({
      verifier: context.verifier,
      bytes,
      trustAnchors: context.signing.trustAnchors,
      now: context.clock.now(),
      revocationData: await context.signing.currentRevocationData(),
      online: context.config.verify.online,
      // The error only: never the file, its name or its hash.
      onUnexpectedError: (error) => request.log.error({ err: error }, 'the verifier failed on an upload'),
    });
    return reply.header('cache-control', 'no-store').send({ report, presentation: presentReport(report) });
  });

  app.get(
    '/api/verify/certificates/:certificateId',
    { config: { rateLimit: CERTIFICATE_LOOKUP_RATE_LIMIT } },
    async (request, reply) => {
      const { certificateId } = parseWith(certificateParams, request.params);
      const certificate = await getPublicCertificate(context, normalizeCertificateId(certificateId));
      return reply.header('cache-control', 'no-store').send({
        certificateId: certificate.certificateId,
        envelope: { name: certificate.envelope.name, completedAt: certificate.envelope.completedAt.toISOString() },
        documents: certificate.documents,
        parties: certificate.parties.map((p) => ({
          name: p.name,
          email: p.maskedEmail,
          signedAt: p.signedAt?.toISOString() ?? null,
        })),
      });
    },
  );
}

/**
 * Reads the one `file` part into memory, refusing more than INKAN_MAX_UPLOAD_MB with the limit in the
 * error's details (the page says it). The bytes go nowhere else: no temp file, no blob, no log.
 */
async function readUploadedPdf(request: FastifyRequest, maxBytes: number): Promise<Uint8Array> {
  if (!request.isMultipart())
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send multipart/form-data with one `file` part holding the PDF');
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes + MULTIPART_OVERHEAD)
    throw new AppError('PAYLOAD_TOO_LARGE', 'the file is too large', { maxBytes });
  let file: Uint8Array | undefined;
  for await (const part of request.parts()) {
    if (part.type !== 'file') continue;
    if (part.fieldname !== 'file' || file !== undefined)
      throw new AppError('VALIDATION_FAILED', 'send exactly one `file` part', { field: 'file' });
    let buffer: Buffer;
    try {
      buffer = await part.toBuffer();
    } catch (error) {
      if ((error as { code?: unknown }).code === 'FST_REQ_FILE_TOO_LARGE')
        throw new AppError('PAYLOAD_TOO_LARGE', 'the file is too large', { maxBytes });
      throw error;
    }
    file = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }
  if (file === undefined || file.length === 0)
    throw new AppError('VALIDATION_FAILED', 'the `file` part (a PDF) is missing or empty', { field: 'file' });
  return file;
}
