import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';

/** What the help page (困ったときは) shows besides its text: the operator's support contact and the trust anchor. */
export interface HelpInfo {
  support: { email: string | null; url: string | null };
  /** The Inkan root certificate (DER, what Adobe Acrobat Reader imports) and the same as PEM. */
  rootCertificate: { cer: string; pem: string };
  verifyUrl: string;
}

/** GET /api/help: public, read only (the support contact is meant for everyone). */
export async function helpRoutes(app: FastifyInstance, options: { context: AppContext }): Promise<void> {
  const { config } = options.context;
  app.get('/api/help', async (_request, reply) => {
    const info: HelpInfo = {
      support: config.support,
      rootCertificate: { cer: '/pki/ca/root.cer', pem: '/pki/ca/root.pem' },
      verifyUrl: '/verify',
    };
    return reply.header('cache-control', 'no-cache').send(info);
  });
}
