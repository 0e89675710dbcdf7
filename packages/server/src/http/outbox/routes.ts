import type { FastifyInstance, FastifyReply } from 'fastify';
import * as z from 'zod';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../domain/app-error.ts';
import { listOutboxMails, OUTBOX_PAGE_MAX, type OutboxMail } from '../../domain/use-cases/list-outbox-mails.ts';
import { escapeHtml } from '../../mail/templates/html.ts';
import { requireAdmin } from '../admin-access.ts';
import { parseWith } from '../envelopes/schema.ts';

const query = z.object({ limit: z.coerce.number().int().min(1).max(OUTBOX_PAGE_MAX).optional() });

/**
 * The local outbox for the organisation's administrators (an installation without SMTP keeps its mail
 * there): JSON at /api/v1/admin/outbox and a page at /admin/outbox. Only the organisation's own mails.
 */
export async function outboxRoutes(app: FastifyInstance, options: { context: AppContext }): Promise<void> {
  const { context } = options;

  app.get('/api/v1/admin/outbox', async (request, reply) => {
    const principal = await requireAdmin(context, request);
    const { limit } = parseWith(query, request.query);
    const outbox = await listOutboxMails(context, { organizationId: principal.organizationId, limit });
    return reply.header('cache-control', 'private, no-store').send(outbox);
  });

  app.get('/admin/outbox', async (request, reply) => {
    let organizationId: string;
    try {
      organizationId = (await requireAdmin(context, request)).organizationId;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return sendRefusal(reply, error.code === 'UNAUTHENTICATED' ? 401 : 403);
    }
    const outbox = await listOutboxMails(context, { organizationId });
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'private, no-store')
      .send(page(outbox.delivery === 'smtp' ? smtpNote() : mailList(outbox.items)));
  });
}

function page(body: string): string {
  return (
    '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<title>Inkan — 送信メール / Outbox</title><style>body{font-family:sans-serif;margin:24px;max-width:900px}article{border:1px solid #ddd;border-radius:8px;padding:16px;margin:0 0 16px}' +
    'h2{font-size:16px;margin:0 0 8px}.meta{color:#555;font-size:13px}pre{white-space:pre-wrap;word-break:break-all;font-family:inherit}</style></head><body>' +
    `<h1>送信メール / Outbox</h1>${body}<p><a href="/envelopes">封筒一覧へ / Envelopes</a></p></body></html>`
  );
}

function mailList(mails: OutboxMail[]): string {
  const intro =
    '<p>SMTP サーバーが設定されていないため、メールは送信されずここに保管されています。署名用リンクは宛先の方へ別の手段でお伝えください。<br>' +
    'No SMTP server is configured, so mail is kept here instead of being sent. Pass signing links to their recipients another way (set INKAN_SMTP_URL to send mail).</p>';
  if (mails.length === 0) return `${intro}<p>メールはまだありません。 / No mail yet.</p>`;
  const items = mails
    .map((m) => {
      const text = escapeHtml(m.text).replace(/https?:\/\/[^\s<>"']+/g, (url) => `<a href="${url}">${url}</a>`);
      const envelope = m.envelope ? ` · 封筒 / Envelope: ${escapeHtml(m.envelope.name)}` : '';
      return (
        `<article><h2>${escapeHtml(m.subject)}</h2><p class="meta">To: ${escapeHtml(m.to)} · From: ${escapeHtml(m.from)} · ${escapeHtml(m.createdAt)}${envelope}</p>` +
        `<pre>${text}</pre></article>`
      );
    })
    .join('');
  return `${intro}<p>最新 ${mails.length} 件 / newest first</p>${items}`;
}

function smtpNote(): string {
  return '<p>メールは SMTP で送信されています。ここに保管されるメールはありません。<br>Mail is sent over SMTP; nothing is kept here.</p>';
}

function sendRefusal(reply: FastifyReply, status: 401 | 403): FastifyReply {
  const text =
    status === 401
      ? '<p>ログインが必要です。組織の管理者としてログインしてください。<br>Please sign in as an administrator of the organisation.</p><p><a href="/login">ログイン / Sign in</a></p>'
      : '<p>この画面は組織の管理者だけが見られます。<br>Only administrators of the organisation may see this page.</p>';
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page(text));
}
