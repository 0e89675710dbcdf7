import type { FastifyInstance, FastifyReply } from 'fastify';
import * as z from 'zod';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../domain/app-error.ts';
import { listOutboxMails, OUTBOX_PAGE_MAX, type OutboxMail } from '../../domain/use-cases/list-outbox-mails.ts';
import { requireAdmin } from '../admin-access.ts';
import { parseWith } from '../envelopes/schema.ts';
import { htmlInBothLanguages as both, keptMailList, keptMailPage } from '../html-text.ts';

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
  const back = `<p><a href="/envelopes">${both('serverPage.outbox.envelopes')}</a></p>`;
  return keptMailPage('serverPage.outbox.title', `${body}${back}`);
}

function mailList(mails: OutboxMail[]): string {
  const intro = `<p>${both('serverPage.outbox.kept', '<br>')}</p>`;
  return intro + keptMailList(mails.map((m) => ({ ...m, envelopeName: m.envelope?.name })));
}

function smtpNote(): string {
  return `<p>${both('serverPage.outbox.smtp', '<br>')}</p>`;
}

function sendRefusal(reply: FastifyReply, status: 401 | 403): FastifyReply {
  const text =
    status === 401
      ? `<p>${both('serverPage.outbox.signIn', '<br>')}</p><p><a href="/login">${both('serverPage.outbox.signInLink')}</a></p>`
      : `<p>${both('serverPage.outbox.adminsOnly', '<br>')}</p>`;
  return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page(text));
}
