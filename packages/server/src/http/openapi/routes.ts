import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { openApiDocument } from './document.ts';

/** GET /api/v1/openapi.json. */
export async function openApiRoutes(app: FastifyInstance, options: { context: AppContext }): Promise<void> {
  const document = openApiDocument(options.context.config.publicUrl);
  app.get('/api/v1/openapi.json', async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=300').send(document),
  );
}
