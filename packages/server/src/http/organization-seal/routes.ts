import type { FastifyInstance } from 'fastify';
import { SEAL_IMAGE_LIMITS } from '@inkan/core';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../domain/app-error.ts';
import {
  getOrganizationSeal,
  getOrganizationSealImage,
  setOrganizationSeal,
} from '../../domain/use-cases/set-organization-seal.ts';
import { requireAdmin } from '../admin-access.ts';
import { originOf, requirePrincipal } from '../request-context.ts';

/**
 * The organisation's 社印/角印 image (issue 11 part 4): members may see it, administrators replace it
 * with a PNG or JPEG sent as the request body (`Content-Type: image/png` or `image/jpeg`, ≤ 2 MB) or
 * remove it.
 */
export async function organizationSealRoutes(app: FastifyInstance, options: { context: AppContext }): Promise<void> {
  const { context } = options;
  // Raw image bodies, bounded; registered inside this plugin only.
  app.addContentTypeParser(
    ['image/png', 'image/jpeg'],
    { parseAs: 'buffer', bodyLimit: SEAL_IMAGE_LIMITS.bytes },
    (_request, body, done) => done(null, body),
  );

  app.get('/api/v1/organization/seal', async (request, reply) => {
    const principal = await requirePrincipal(context, request, { write: false });
    return reply
      .header('cache-control', 'no-store')
      .send({ seal: await getOrganizationSeal(context, { organizationId: principal.organizationId }) });
  });

  app.get('/api/v1/organization/seal/image', async (request, reply) => {
    const principal = await requirePrincipal(context, request, { write: false });
    const image = await getOrganizationSealImage(context, { organizationId: principal.organizationId });
    return reply
      .header('content-type', image.mediaType)
      .header('cache-control', 'no-store')
      .header('x-content-type-options', 'nosniff')
      .send(Buffer.from(image.bytes));
  });

  app.put('/api/v1/organization/seal', async (request) => {
    const principal = await requireAdmin(context, request);
    if (!Buffer.isBuffer(request.body))
      throw new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        'send the image as the body with Content-Type image/png or image/jpeg',
      );
    const seal = await setOrganizationSeal(context, {
      organizationId: principal.organizationId,
      actor: principal.actor,
      origin: originOf(request),
      bytes: new Uint8Array(request.body),
    });
    return { seal };
  });

  app.delete('/api/v1/organization/seal', async (request) => {
    const principal = await requireAdmin(context, request);
    const seal = await setOrganizationSeal(context, {
      organizationId: principal.organizationId,
      actor: principal.actor,
      origin: originOf(request),
      bytes: null,
    });
    return { seal };
  });
}
