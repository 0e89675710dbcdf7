import { formatMessage } from '@inkan/core/messages';
import { Readable } from 'node:stream';
import * as z from 'zod';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type {} from '@fastify/multipart';
import type { AppContext } from '../../context.ts';
import { parseContractQuery } from '../../domain/register/contract-search.ts';
import type { Contract } from '../../domain/register/contract-model.ts';
import { exportContracts } from '../../domain/use-cases/export-contracts.ts';
import { getContract } from '../../domain/use-cases/get-contract.ts';
import { getContractDocument } from '../../domain/use-cases/get-contract-document.ts';
import { getContractSuggestions } from '../../domain/use-cases/get-contract-suggestions.ts';
import { listContracts } from '../../domain/use-cases/list-contracts.ts';
import { updateContract } from '../../domain/use-cases/update-contract.ts';
import { UTF8_BOM, csvRecord } from '../audit/csv.ts';
import { parseWith } from '../envelopes/schema.ts';
import { contentDisposition, originOf, sendPdf } from '../request-context.ts';
import { AppError } from '../../domain/app-error.ts';
import { defineContractField } from '../../domain/use-cases/define-contract-field.ts';
import { listContractFields } from '../../domain/use-cases/list-contract-fields.ts';
import { importContract } from '../../domain/use-cases/import-contract.ts';
import { listContractAssignees } from '../../domain/use-cases/list-contract-assignees.ts';
import { listDeadlines } from '../../domain/use-cases/list-deadlines.ts';
import { getRegisterSettings } from '../../domain/use-cases/get-register-settings.ts';
import { updateRegisterSettings } from '../../domain/use-cases/update-register-settings.ts';
import {
  contractChangesSchema,
  contractDocumentParams,
  contractParams,
  fieldDefinitionSchema,
  importContractSchema,
  registerSettingsSchema,
} from './schema.ts';
import { requireRegisterCaller } from './scope.ts';

/** Columns of the register's CSV export, Japanese headers (the spreadsheet's reader is Japanese first). */
const CSV_COLUMNS: Array<[string, (c: Contract) => string | number | null]> = [
  ['ID', (c) => c.id],
  ['タイトル', (c) => c.title],
  ['取引先', (c) => c.counterparties.join(' / ')],
  ['締結日', (c) => c.signedOn],
  ['契約開始日', (c) => c.startOn],
  ['契約満了日', (c) => c.endOn],
  ['解約通知期限', (c) => c.noticeOn],
  ['契約金額', (c) => c.amount],
  ['通貨', (c) => c.currency],
  ['税込/税抜', (c) => (c.tax === 'included' ? '税込' : c.tax === 'excluded' ? '税抜' : '')],
  ['自動更新', (c) => (c.autoRenew ? 'あり' : 'なし')],
  ['更新期間（月）', (c) => c.renewalMonths],
  ['契約種別', (c) => c.contractType],
  ['管理番号', (c) => c.referenceNumber],
  ['担当者', (c) => c.owner],
  ['状態', (c) => c.status],
  ['タグ', (c) => c.tags.join(' / ')],
  ['登録元', (c) => c.source],
  ['締結証明書ID', (c) => c.certificateId],
  ['メモ', (c) => c.memo],
  ['登録日時', (c) => c.createdAt],
  ['更新日時', (c) => c.updatedAt],
];

const deadlinesQuery = z
  .object({ days: z.coerce.number().int().min(0).max(366).optional(), scope: z.string().optional() })
  .strict();

/** Slack over the document's limit for the multipart framing and the `contract` JSON part. */
const MULTIPART_OVERHEAD = 1024 * 1024;

/**
 * Reads the import upload: the `contract` JSON (a field or a file part) and exactly one `document`
 * file, refusing more than INKAN_MAX_UPLOAD_MB and anything that is not a PDF. Nothing is stored here.
 */
async function readImportUpload(
  context: AppContext,
  request: FastifyRequest,
): Promise<{ contract: z.infer<typeof importContractSchema>; document: { name: string; bytes: Uint8Array } }> {
  const maxBytes = context.config.maxUploadBytes;
  if (!request.isMultipart())
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      'send multipart/form-data with a `contract` part and a `document` part',
    );
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes + MULTIPART_OVERHEAD)
    throw new AppError('PAYLOAD_TOO_LARGE', 'the upload is too large', { maxBytes });
  let contractValue: unknown;
  let document: { name: string; bytes: Uint8Array } | undefined;
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      const bytes = await part.toBuffer();
      if (part.fieldname === 'contract') contractValue = bytes.toString('utf8');
      else if (part.fieldname === 'document' && document === undefined) {
        if (bytes.length > maxBytes) throw new AppError('PAYLOAD_TOO_LARGE', 'the document is too large', { maxBytes });
        document = { name: part.filename, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
      } else
        throw new AppError('VALIDATION_FAILED', `unexpected file part "${part.fieldname}" (one document per import)`, {
          field: part.fieldname,
        });
    } else if (part.fieldname === 'contract') {
      if (part.valueTruncated) throw new AppError('PAYLOAD_TOO_LARGE', 'the contract part is too large');
      contractValue = part.value;
    }
  }
  if (contractValue === undefined)
    throw new AppError('VALIDATION_FAILED', 'the `contract` part (JSON) is missing', { field: 'contract' });
  let parsed = contractValue;
  if (typeof contractValue === 'string') {
    try {
      parsed = JSON.parse(contractValue);
    } catch {
      throw new AppError('VALIDATION_FAILED', 'the `contract` part is not JSON', { field: 'contract' });
    }
  }
  const contract = parseWith(importContractSchema, parsed);
  if (!document) throw new AppError('NO_DOCUMENTS', 'the `document` part (PDF) is missing', { field: 'document' });
  // Not a PDF at all (a Word file, an image): the clear message, before the PDF reader is asked.
  if (Buffer.from(document.bytes.subarray(0, 1024)).indexOf('%PDF-') < 0)
    throw new AppError('PDF_INVALID', 'the document is not a PDF', { document: document.name, reason: 'PDF_NOT_PDF' });
  return { contract, document };
}

/** The register API (REST v1): an API key or a session; the organisation's register or, with ?scope=personal, the account's. */
export async function contractRoutes(app: FastifyInstance, options: { context: AppContext }): Promise<void> {
  const { context } = options;

  app.get('/api/v1/contracts', async (request) => {
    const caller = await requireRegisterCaller(context, request, { write: false });
    const query = parseContractQuery(request.query as Record<string, unknown>);
    const page = await listContracts(context, { scope: caller.scope, query });
    return { items: page.items, nextCursor: page.nextCursor };
  });

  app.get('/api/v1/contracts.csv', async (request, reply) => {
    const caller = await requireRegisterCaller(context, request, { write: false });
    // The same filters and sort as the list; every matching row (limit and cursor do not apply).
    const query = parseContractQuery(request.query as Record<string, unknown>);
    const rows = exportContracts(context, {
      scope: caller.scope,
      query: { filters: query.filters, sort: query.sort, limit: query.limit },
    });
    async function* body(): AsyncGenerator<string> {
      yield UTF8_BOM + csvRecord(CSV_COLUMNS.map(([header]) => header));
      for await (const contract of rows) yield csvRecord(CSV_COLUMNS.map(([, value]) => value(contract)));
    }
    const stamp = context.clock.now().toISOString().slice(0, 10);
    return reply
      .type('text/csv; charset=utf-8')
      .header(
        'content-disposition',
        contentDisposition('attachment', formatMessage('ja', 'reg.export.fileName', { date: stamp })),
      )
      .header('cache-control', 'private, no-store')
      .send(Readable.from(body()));
  });

  app.get('/api/v1/contracts/deadlines', async (request) => {
    const caller = await requireRegisterCaller(context, request, { write: false });
    const { days } = parseWith(deadlinesQuery, request.query ?? {});
    return { items: await listDeadlines(context, { scope: caller.scope, ...(days !== undefined ? { days } : {}) }) };
  });

  app.post('/api/v1/contracts/import', async (request, reply) => {
    const caller = await requireRegisterCaller(context, request, { write: true });
    const upload = await readImportUpload(context, request);
    const id = await importContract(context, {
      scope: caller.scope,
      actor: caller.actor,
      origin: originOf(request),
      contract: upload.contract,
      document: upload.document,
    });
    const { contract, documents, history } = await getContract(context, { scope: caller.scope, contractId: id });
    return reply.code(201).send({ ...contract, documents, history });
  });

  app.get('/api/v1/contracts/members', async (request) => {
    const caller = await requireRegisterCaller(context, request, { write: false });
    return { items: await listContractAssignees(context, { scope: caller.scope }) };
  });

  app.get('/api/v1/contracts/fields', async (request) => {
    const caller = await requireRegisterCaller(context, request, { write: false });
    if (caller.scope.kind !== 'organization') return { items: [] };
    return { items: await listContractFields(context, { organizationId: caller.scope.organizationId }) };
  });

  app.post('/api/v1/contracts/fields', async (request, reply) => {
    const caller = await requireRegisterCaller(context, request, { write: true });
    if (caller.scope.kind !== 'organization')
      throw new AppError('FORBIDDEN', 'custom fields belong to organisation registers');
    const body = parseWith(fieldDefinitionSchema, request.body ?? {});
    const field = await defineContractField(context, {
      organizationId: caller.scope.organizationId,
      role: caller.role,
      field: { ...body, choices: body.choices ?? [] },
      actor: caller.actor,
      origin: originOf(request),
    });
    return reply.code(201).send(field);
  });

  app.get('/api/v1/contracts/settings', async (request) => {
    const caller = await requireRegisterCaller(context, request, { write: false });
    if (caller.scope.kind !== 'organization')
      throw new AppError('FORBIDDEN', 'settings belong to organisation registers');
    return getRegisterSettings(context, { organizationId: caller.scope.organizationId });
  });

  app.put('/api/v1/contracts/settings', async (request) => {
    const caller = await requireRegisterCaller(context, request, { write: true });
    if (caller.scope.kind !== 'organization')
      throw new AppError('FORBIDDEN', 'settings belong to organisation registers');
    const body = parseWith(registerSettingsSchema, request.body ?? {});
    return updateRegisterSettings(context, {
      organizationId: caller.scope.organizationId,
      role: caller.role,
      reminderDays: body.reminderDays,
      actor: caller.actor,
      origin: originOf(request),
    });
  });

  app.get('/api/v1/contracts/:id', async (request) => {
    const caller = await requireRegisterCaller(context, request, { write: false });
    const { id } = parseWith(contractParams, request.params);
    const { contract, documents, history } = await getContract(context, { scope: caller.scope, contractId: id });
    return { ...contract, documents, history };
  });

  app.patch('/api/v1/contracts/:id', async (request) => {
    const caller = await requireRegisterCaller(context, request, { write: true });
    const { id } = parseWith(contractParams, request.params);
    const changes = parseWith(contractChangesSchema, request.body ?? {});
    await updateContract(context, {
      scope: caller.scope,
      contractId: id,
      changes,
      actor: caller.actor,
      origin: originOf(request),
    });
    const { contract, documents, history } = await getContract(context, { scope: caller.scope, contractId: id });
    return { ...contract, documents, history };
  });

  app.get('/api/v1/contracts/:id/suggestions', async (request) => {
    const caller = await requireRegisterCaller(context, request, { write: false });
    const { id } = parseWith(contractParams, request.params);
    return { suggestions: await getContractSuggestions(context, { scope: caller.scope, contractId: id }) };
  });

  app.get('/api/v1/contracts/:id/documents/:documentId', async (request, reply) => {
    const caller = await requireRegisterCaller(context, request, { write: false });
    const { id, documentId } = parseWith(contractDocumentParams, request.params);
    return sendPdf(
      reply,
      await getContractDocument(context, { scope: caller.scope, contractId: id, documentId }),
      'attachment',
    );
  });

  app.get('/api/v1/contracts/:id/certificate', async (request, reply) => {
    const caller = await requireRegisterCaller(context, request, { write: false });
    const { id } = parseWith(contractParams, request.params);
    return sendPdf(
      reply,
      await getContractDocument(context, { scope: caller.scope, contractId: id, kind: 'certificate' }),
      'attachment',
    );
  });
}
