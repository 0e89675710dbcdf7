import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { downloadCertificateByLink } from '../../domain/use-cases/get-completion-certificate.ts';
import { downloadDocumentByLink, openDownloadLink } from '../../domain/use-cases/open-download-link.ts';
import { parseWith } from '../envelopes/schema.ts';
import { tokenDocumentParams, tokenParams } from '../signer/schema.ts';
import { originOf, sendPdf } from '../request-context.ts';

/** The completion mail's ダウンロード link: what it offers, and the signed PDFs. */
export async function downloadRoutes(app: FastifyInstance, options: { context: AppContext }): Promise<void> {
  const { context } = options;

  app.get('/api/download/:token', async (request, reply) => {
    const { token } = parseWith(tokenParams, request.params);
    const info = await openDownloadLink(context, token);
    return reply.header('cache-control', 'no-store').send({
      envelope: {
        name: info.envelope.name,
        completedAt: info.envelope.completedAt?.toISOString() ?? null,
        certificateId: info.envelope.certificateId,
      },
      documents: info.documents.map((d) => ({ id: d.id, name: d.name, pages: d.pages, sha256: d.sha256Current })),
      expiresAt: info.expiresAt.toISOString(),
      certificate: info.certificateAvailable,
    });
  });

  app.get('/api/download/:token/certificate', async (request, reply) => {
    const { token } = parseWith(tokenParams, request.params);
    return sendPdf(reply, await downloadCertificateByLink(context, { token, origin: originOf(request) }), 'attachment');
  });

  app.get('/api/download/:token/documents/:documentId', async (request, reply) => {
    const { token, documentId } = parseWith(tokenDocumentParams, request.params);
    return sendPdf(
      reply,
      await downloadDocumentByLink(context, { token, documentId, origin: originOf(request) }),
      'attachment',
    );
  });
}
