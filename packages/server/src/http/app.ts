import Fastify, { type FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { AppContext } from '../context.ts';
import { pkiRoutes } from './pki/routes.ts';

const BINARY_TYPES = ['application/ocsp-request', 'application/timestamp-query'];

/** Builds the HTTP application (not listening yet). */
export async function buildApp(options: { context: AppContext; logger?: boolean }): Promise<FastifyInstance> {
  const { context } = options;
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: 64 * 1024, trustProxy: false });
  await app.register(helmet, {
    hsts: context.config.publicUrl.startsWith('https://') ? { maxAge: 31536000, includeSubDomains: true } : false,
  });
  await app.register(rateLimit, { global: true, max: 300, timeWindow: '1 minute' });
  app.addContentTypeParser(BINARY_TYPES, { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (_request, body, done) => done(null, body));
  app.get('/healthz', async () => ({ status: 'ok' }));
  await app.register(pkiRoutes, { services: context.signing });
  return app;
}
