import { inBothLanguagesJoined, type MessageKey } from '@inkan/core/messages';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../domain/app-error.ts';
import { BULK_LIMITS, type BulkReport } from '../../domain/templates/bulk-csv.ts';
import { loadTemplate, presentTemplate } from '../../domain/templates/template-model.ts';
import { createEnvelopeFromTemplate } from '../../domain/use-cases/create-envelope-from-template.ts';
import { getBulkSendProgress, listBulkSendRows } from '../../domain/use-cases/get-bulk-send.ts';
import {
  createTemplateFromEnvelope,
  deleteTemplate,
  listTemplates,
  updateTemplate,
} from '../../domain/use-cases/manage-templates.ts';
import { getTemplateDocument, setTemplateFields } from '../../domain/use-cases/set-template-fields.ts';
import { startBulkSend, validateBulkSend } from '../../domain/use-cases/start-bulk-send.ts';
import { csvRecord, UTF8_BOM } from '../audit/csv.ts';
import { decodeCsv } from '../csv-body.ts';
import { presentEnvelope } from '../envelopes/present.ts';
import { parseWith } from '../envelopes/schema.ts';
import { messageOf } from '../errors.ts';
import { originOf, requirePrincipal, sendPdf, type Principal } from '../request-context.ts';
import {
  createTemplateBody,
  csvQuery,
  templateDocumentParams,
  templateFieldsBody,
  templateParams,
  updateTemplateBody,
  useTemplateBody,
} from './schema.ts';

const callerOf = (p: Principal) => ({ role: p.role, userId: p.actor.type === 'user' ? p.actor.id : null });

/** A validation report as the API shows it: every problem with its message in both languages. */
function presentReport(report: BulkReport) {
  return {
    totalRows: report.totalRows,
    validRows: report.valid.length,
    invalidRows: report.totalRows - report.valid.length,
    columns: report.columns,
    errors: report.errors.map((e) => ({
      row: e.row,
      column: e.column,
      code: e.code,
      message: { ja: messageOf(e.code, 'ja', e.details), en: messageOf(e.code, 'en', e.details) },
    })),
  };
}

/** The CSV body of an upload (text/csv; UTF-8 or Shift_JIS), bounded by the parser's body limit. */
function csvOf(request: FastifyRequest): string {
  if (!Buffer.isBuffer(request.body)) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the CSV file as text/csv');
  return decodeCsv(request.body);
}

/**
 * Templates (テンプレート) and bulk send (一括送信, issue 13 part 2): members list and use the
 * organisation's templates; admins or a template's creator change and delete it. Another
 * organisation's template or bulk send is NOT_FOUND.
 */
export async function templateRoutes(app: FastifyInstance, options: { context: AppContext }): Promise<void> {
  const { context } = options;

  app.addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit: BULK_LIMITS.bytes }, (_request, body, done) =>
    done(null, body),
  );

  app.get('/api/v1/templates', async (request) => {
    const principal = await requirePrincipal(context, request, { write: false });
    const rows = await listTemplates(context, principal);
    return {
      items: rows.map((t) => ({ id: t.id, name: t.name, subject: t.subject, updatedAt: t.updated_at })),
    };
  });

  app.post('/api/v1/templates', async (request, reply) => {
    const principal = await requirePrincipal(context, request, { write: true });
    const body = parseWith(createTemplateBody, request.body ?? {});
    const details = await createTemplateFromEnvelope(context, { ...principal, origin: originOf(request), ...body });
    return reply.code(201).send(presentTemplate(details, callerOf(principal)));
  });

  app.get('/api/v1/templates/:id', async (request) => {
    const principal = await requirePrincipal(context, request, { write: false });
    const { id } = parseWith(templateParams, request.params);
    return presentTemplate(await loadTemplate(context.db, principal.organizationId, id), callerOf(principal));
  });

  app.patch('/api/v1/templates/:id', async (request) => {
    // An API key needs the admin scope to change templates (a session: an admin or the creator).
    const principal = await requirePrincipal(context, request, { write: true, scope: 'admin' });
    const { id } = parseWith(templateParams, request.params);
    const changes = parseWith(updateTemplateBody, request.body ?? {});
    const details = await updateTemplate(context, { ...principal, origin: originOf(request), templateId: id, changes });
    return presentTemplate(details, callerOf(principal));
  });

  // テンプレートの入力項目: the page preview reads the template's own copy of a document.
  app.get('/api/v1/templates/:id/documents/:documentId', async (request, reply) => {
    const principal = await requirePrincipal(context, request, { write: false });
    const { id, documentId } = parseWith(templateDocumentParams, request.params);
    const file = await getTemplateDocument(context, {
      organizationId: principal.organizationId,
      templateId: id,
      documentId,
    });
    return sendPdf(reply, file, 'inline');
  });

  app.put('/api/v1/templates/:id/fields', async (request) => {
    // As PATCH: an API key needs the admin scope (a session: an admin or the creator).
    const principal = await requirePrincipal(context, request, { write: true, scope: 'admin' });
    const { id } = parseWith(templateParams, request.params);
    const body = parseWith(templateFieldsBody, request.body ?? {});
    const details = await setTemplateFields(context, {
      ...principal,
      origin: originOf(request),
      templateId: id,
      fields: body.fields,
    });
    return presentTemplate(details, callerOf(principal));
  });

  app.delete('/api/v1/templates/:id', async (request, reply) => {
    // An API key needs the admin scope to change templates (a session: an admin or the creator).
    const principal = await requirePrincipal(context, request, { write: true, scope: 'admin' });
    const { id } = parseWith(templateParams, request.params);
    await deleteTemplate(context, { ...principal, origin: originOf(request), templateId: id });
    return reply.code(204).send();
  });

  app.post('/api/v1/templates/:id/envelopes', async (request, reply) => {
    const principal = await requirePrincipal(context, request, { write: true });
    const { id } = parseWith(templateParams, request.params);
    const body = parseWith(useTemplateBody, request.body ?? {});
    const details = await createEnvelopeFromTemplate(context, {
      organizationId: principal.organizationId,
      actor: principal.actor,
      origin: originOf(request),
      templateId: id,
      ...body,
    });
    return reply.code(201).send(presentEnvelope(details, context.clock.now()));
  });

  app.post('/api/v1/templates/:id/bulk-sends/validate', async (request) => {
    const principal = await requirePrincipal(context, request, { write: true });
    const { id } = parseWith(templateParams, request.params);
    const report = await validateBulkSend(context, { ...principal, templateId: id, csv: csvOf(request) });
    return presentReport(report);
  });

  app.post('/api/v1/templates/:id/bulk-sends', async (request, reply) => {
    const principal = await requirePrincipal(context, request, { write: true });
    const { id } = parseWith(templateParams, request.params);
    const { fileName } = parseWith(csvQuery, request.query);
    const key = request.headers['idempotency-key'];
    const result = await startBulkSend(context, {
      ...principal,
      origin: originOf(request),
      templateId: id,
      csv: csvOf(request),
      fileName,
      submissionKey: typeof key === 'string' ? key : '',
    });
    const progress = await getBulkSendProgress(context, { ...principal, bulkSendId: result.bulkSendId });
    return reply.code(result.created ? 202 : 200).send({ ...progress, report: presentReport(result.report) });
  });

  app.get('/api/v1/bulk-sends/:id', async (request) => {
    const principal = await requirePrincipal(context, request, { write: false });
    const { id } = parseWith(templateParams, request.params);
    return getBulkSendProgress(context, { ...principal, bulkSendId: id });
  });

  app.get('/api/v1/bulk-sends/:id/rows', async (request) => {
    const principal = await requirePrincipal(context, request, { write: false });
    const { id } = parseWith(templateParams, request.params);
    return { items: await listBulkSendRows(context, { ...principal, bulkSendId: id }) };
  });

  app.get('/api/v1/bulk-sends/:id/results.csv', async (request, reply) => {
    const principal = await requirePrincipal(context, request, { write: false });
    const { id } = parseWith(templateParams, request.params);
    const rows = await listBulkSendRows(context, { ...principal, bulkSendId: id });
    const base = context.config.publicUrl.replace(/\/$/, '');
    const header = (name: string) => inBothLanguagesJoined(`templates.results.${name}` as MessageKey);
    const lines = [csvRecord([header('row'), header('status'), header('envelope'), 'URL', header('error')])];
    for (const r of rows)
      lines.push(
        csvRecord([
          r.row,
          r.status,
          r.envelopeName,
          r.envelopeId ? `${base}/envelopes/${r.envelopeId}` : '',
          r.errorCode ? `${r.errorCode}: ${messageOf(r.errorCode as never, 'ja')}` : '',
        ]),
      );
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="bulk-send-${id}.csv"`)
      .header('cache-control', 'no-store')
      .send(UTF8_BOM + lines.join(''));
  });
}
