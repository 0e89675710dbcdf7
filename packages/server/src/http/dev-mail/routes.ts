import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { keptMailList, keptMailPage } from '../html-text.ts';

const LIMIT = 200;

/**
 * The development inbox (registered only when INKAN_ENV=development): the local outbox, newest first,
 * as a page (/dev/mail) and as JSON (/dev/mail.json).
 */
export async function devMailRoutes(app: FastifyInstance, options: { context: AppContext }): Promise<void> {
  const { context } = options;
  const latest = () =>
    context.db
      .selectFrom('mails')
      .select(['id', 'to_address', 'from_address', 'subject', 'text_body', 'html_body', 'created_at'])
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(LIMIT)
      .execute();

  app.get('/dev/mail.json', async (_request, reply) => {
    const mails = await latest();
    return reply.header('cache-control', 'no-store').send({
      items: mails.map((m) => ({
        id: m.id,
        to: m.to_address,
        from: m.from_address,
        subject: m.subject,
        text: m.text_body,
        html: m.html_body,
        createdAt: m.created_at,
        links: linksIn(m.text_body),
      })),
    });
  });

  app.get('/dev/mail', async (_request, reply) => {
    const mails = await latest();
    const kept = mails.map((m) => ({
      to: m.to_address,
      from: m.from_address,
      subject: m.subject,
      text: m.text_body,
      createdAt: m.created_at,
    }));
    const page = keptMailPage('serverPage.devMail.title', keptMailList(kept));
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
  });
}

/** The http(s) links of a mail's text. */
function linksIn(text: string): string[] {
  return [...text.matchAll(/https?:\/\/[^\s<>"']+/g)].map((m) => m[0]);
}
