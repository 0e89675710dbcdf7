import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { escapeHtml } from '../../mail/templates/html.ts';

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
    const items = mails
      .map((m) => {
        const text = escapeHtml(m.text_body).replace(/https?:\/\/[^\s<>"']+/g, (url) => `<a href="${url}">${url}</a>`);
        return (
          `<article><h2>${escapeHtml(m.subject)}</h2><p class="meta">To: ${escapeHtml(m.to_address)} · From: ${escapeHtml(m.from_address)} · ${escapeHtml(m.created_at)}</p>` +
          `<pre>${text}</pre></article>`
        );
      })
      .join('');
    const page =
      '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
      '<title>Inkan — 開発用受信箱 / development inbox</title><style>body{font-family:sans-serif;margin:24px;max-width:900px}article{border:1px solid #ddd;border-radius:8px;padding:16px;margin:0 0 16px}' +
      'h2{font-size:16px;margin:0 0 8px}.meta{color:#555;font-size:13px}pre{white-space:pre-wrap;word-break:break-all;font-family:inherit}</style></head><body>' +
      `<h1>開発用受信箱 / Development inbox</h1><p>${mails.length === 0 ? 'メールはまだありません。 / No mail yet.' : `最新 ${mails.length} 件 / newest first`}</p>${items}</body></html>`;
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
  });
}

/** The http(s) links of a mail's text. */
function linksIn(text: string): string[] {
  return [...text.matchAll(/https?:\/\/[^\s<>"']+/g)].map((m) => m[0]);
}
