import type { FastifyInstance } from 'fastify';
import type { SigningServices } from '../../signing-services.ts';

const CRL_LIFETIME_MS = 60 * 60 * 1000;

/**
 * The built-in CA's public endpoints, at the URLs its certificates carry: CA certificates, CRLs,
 * OCSP (POST and GET, RFC 6960 appendix A) and the RFC 3161 timestamp authority.
 */
export async function pkiRoutes(app: FastifyInstance, options: { services: SigningServices }): Promise<void> {
  const { pki, timestampResponder } = options.services;

  app.get('/pki/ca/root.cer', async (_request, reply) =>
    reply.type('application/pkix-cert').send(Buffer.from(pki.rootCertificate)),
  );
  app.get('/pki/ca/issuing.cer', async (_request, reply) =>
    reply.type('application/pkix-cert').send(Buffer.from(pki.issuingCertificate)),
  );
  app.get('/pki/ca/root.pem', async (_request, reply) =>
    reply
      .type('application/x-pem-file')
      .header('content-disposition', 'attachment; filename="inkan-root.pem"')
      .send(pki.rootPem()),
  );

  // A CRL is signed once an hour, not per request: CRL numbers stay meaningful and a flood costs nothing.
  const crlCache = new Map<'root' | 'issuing', { der: Buffer; until: number }>();
  const crl = async (which: 'root' | 'issuing'): Promise<Buffer> => {
    const cached = crlCache.get(which);
    if (cached && cached.until > Date.now()) return cached.der;
    const der = Buffer.from(await pki.crl(which));
    crlCache.set(which, { der, until: Date.now() + CRL_LIFETIME_MS });
    return der;
  };
  app.get('/pki/crl/root.crl', async (_request, reply) =>
    reply
      .type('application/pkix-crl')
      .header('cache-control', 'public, max-age=3600')
      .send(await crl('root')),
  );
  app.get('/pki/crl/issuing.crl', async (_request, reply) =>
    reply
      .type('application/pkix-crl')
      .header('cache-control', 'public, max-age=3600')
      .send(await crl('issuing')),
  );

  app.post('/pki/ocsp', async (request, reply) => {
    const body = request.body instanceof Buffer ? request.body : Buffer.alloc(0);
    return reply.type('application/ocsp-response').send(Buffer.from(await pki.ocspResponder.respond(body)));
  });
  app.get<{ Params: { '*': string } }>('/pki/ocsp/*', async (request, reply) => {
    // The request is base64 (URL-encoded) in the path; a malformed one gets a malformedRequest response.
    let der: Buffer;
    try {
      der = Buffer.from(decodeURIComponent(request.params['*']), 'base64');
    } catch {
      der = Buffer.alloc(0);
    }
    return reply.type('application/ocsp-response').send(Buffer.from(await pki.ocspResponder.respond(der)));
  });

  app.post('/tsa', { config: { rateLimit: { max: 600, timeWindow: '1 minute' } } }, async (request, reply) => {
    const body = request.body instanceof Buffer ? request.body : Buffer.alloc(0);
    return reply.type('application/timestamp-reply').send(Buffer.from(await timestampResponder.respond(body)));
  });
}
