import { createTemplateBody, templateFieldsBody, updateTemplateBody, useTemplateBody } from '../templates/schema.ts';
import { apiAuth, body, errors, json, listOf, pathParameter, query, ref } from './helpers.ts';

/* Templates and bulk send (issue 13 part 2); docs/api.md says the same in prose. */

const templateId = pathParameter('id', 'template id');
const bulkSendId = pathParameter('id', 'bulk send id');
const csvBody = {
  required: true,
  content: {
    'text/csv': {
      schema: { type: 'string' },
      description:
        'UTF-8 (with or without BOM) or Shift_JIS; a header row of `役割名:氏名`, `役割名:メールアドレス`, optional `役割名:アクセスコード` per role (English `role:name`, `role:email`, `role:accessCode` too) and a column per {{placeholder}}; at most 1,500 rows and 2 MB',
    },
  },
};

export const templateSchemas = {
  Template: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      subject: { type: 'string', description: 'the envelope name (件名); may hold {{placeholders}}' },
      message: { type: 'string' },
      placeholders: { type: 'array', items: { type: 'string' } },
      editable: { type: 'boolean', description: 'whether the caller may change it (an admin or its creator)' },
      documents: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            pages: { type: 'integer' },
            size: { type: 'integer' },
          },
        },
      },
      roles: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            role: { enum: ['signer', 'cc'] },
            order: { type: 'integer', description: '0 for a CC role; equal orders sign in parallel' },
            accessCodePolicy: { enum: ['generated', 'required'] },
            language: { enum: ['ja', 'en'] },
            fields: { type: 'integer' },
          },
        },
      },
      fields: {
        type: 'array',
        items: {
          type: 'object',
          description: 'a field placed for a role (documentId, roleId, page, rect, kind, required, label)',
        },
      },
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
    },
  },
  BulkReport: {
    type: 'object',
    description: 'The per-row validation report; nothing is written by a validation',
    properties: {
      totalRows: { type: 'integer' },
      validRows: { type: 'integer' },
      invalidRows: { type: 'integer' },
      columns: { type: 'array', items: { type: 'string' } },
      errors: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            row: { type: 'integer', description: '1 = the first row under the header' },
            column: { type: 'string' },
            code: { type: 'string' },
            message: { type: 'object', properties: { ja: { type: 'string' }, en: { type: 'string' } } },
          },
        },
      },
    },
  },
  BulkSend: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      templateId: { type: 'string' },
      fileName: { type: 'string' },
      createdAt: { type: 'string', format: 'date-time' },
      totalRows: { type: 'integer' },
      queued: { type: 'integer', description: 'valid rows, one envelope each' },
      sent: { type: 'integer' },
      failed: { type: 'integer' },
      pending: { type: 'integer' },
      done: { type: 'boolean' },
    },
  },
};

export const templatePaths = {
  '/api/v1/templates': {
    get: {
      summary: "The organisation's templates",
      security: apiAuth,
      responses: {
        200: {
          description: 'Templates by name',
          ...json(
            listOf({
              type: 'object',
              properties: {
                id: { type: 'string' },
                name: { type: 'string' },
                subject: { type: 'string' },
                updatedAt: { type: 'string' },
              },
            }),
          ),
        },
      },
    },
    post: {
      summary:
        'テンプレートとして保存: a template from a draft (copies of its documents, a role per recipient, its fields)',
      security: apiAuth,
      requestBody: body(createTemplateBody),
      responses: {
        201: { description: 'The template', ...json(ref('Template')) },
        ...errors('VALIDATION_FAILED', 'FORBIDDEN', 'NOT_FOUND', 'ENVELOPE_NOT_DRAFT'),
      },
    },
  },
  '/api/v1/templates/{id}': {
    get: {
      summary: 'One template',
      security: apiAuth,
      parameters: [templateId],
      responses: { 200: { description: 'The template', ...json(ref('Template')) }, ...errors('NOT_FOUND') },
    },
    patch: {
      summary:
        'Change name, 件名, message and roles (name, access-code policy, language): an admin or the creator; API keys need the admin scope',
      security: apiAuth,
      parameters: [templateId],
      requestBody: body(updateTemplateBody),
      responses: {
        200: { description: 'The template', ...json(ref('Template')) },
        ...errors('VALIDATION_FAILED', 'FORBIDDEN', 'API_KEY_SCOPE', 'NOT_FOUND'),
      },
    },
    delete: {
      summary: 'Delete a template (an admin or the creator); envelopes made from it stay',
      security: apiAuth,
      parameters: [templateId],
      responses: { 204: { description: 'Deleted' }, ...errors('FORBIDDEN', 'API_KEY_SCOPE', 'NOT_FOUND') },
    },
  },
  '/api/v1/templates/{id}/documents/{documentId}': {
    get: {
      summary: 'The template’s copy of a PDF (the preview of テンプレートの入力項目)',
      security: apiAuth,
      parameters: [templateId, pathParameter('documentId', 'document id')],
      responses: {
        200: {
          description: 'The PDF',
          content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
        },
        ...errors('NOT_FOUND'),
      },
    },
  },
  '/api/v1/templates/{id}/fields': {
    put: {
      summary:
        'テンプレートの入力項目: replace the fields placed per role (an admin or the creator; API keys need the admin scope); checked as a draft’s fields, nothing changes on a refusal',
      security: apiAuth,
      parameters: [templateId],
      requestBody: body(templateFieldsBody),
      responses: {
        200: { description: 'The template', ...json(ref('Template')) },
        ...errors('FIELD_INVALID', 'VALIDATION_FAILED', 'RECIPIENT_IS_CC', 'FORBIDDEN', 'API_KEY_SCOPE', 'NOT_FOUND'),
      },
    },
  },
  '/api/v1/templates/{id}/envelopes': {
    post: {
      summary:
        'テンプレートから作成: a draft with a person per role and the placeholders filled; send it like any draft',
      security: apiAuth,
      parameters: [templateId],
      requestBody: body(useTemplateBody),
      responses: {
        201: { description: 'The draft envelope', ...json(ref('Envelope')) },
        ...errors('VALIDATION_FAILED', 'INVALID_EMAIL', 'INVALID_ACCESS_CODE_FORMAT', 'FORBIDDEN', 'NOT_FOUND'),
      },
    },
  },
  '/api/v1/templates/{id}/bulk-sends/validate': {
    post: {
      summary: '一括送信 step 1: the per-row validation report of a CSV (nothing is written or sent)',
      security: apiAuth,
      parameters: [templateId],
      requestBody: csvBody,
      responses: {
        200: { description: 'The report', ...json(ref('BulkReport')) },
        ...errors(
          'VALIDATION_FAILED',
          'BULK_TOO_MANY_ROWS',
          'PAYLOAD_TOO_LARGE',
          'UNSUPPORTED_MEDIA_TYPE',
          'NOT_FOUND',
        ),
      },
    },
  },
  '/api/v1/templates/{id}/bulk-sends': {
    post: {
      summary:
        '一括送信 step 2: checks the CSV again and queues one job per valid row (invalid rows are skipped). The `Idempotency-Key` header (16–100 of A–Z a–z 0–9 - _) makes a repeated submission return the same bulk send (200)',
      security: apiAuth,
      parameters: [
        templateId,
        query('fileName', 'the file name shown with the results'),
        { name: 'Idempotency-Key', in: 'header', required: true, schema: { type: 'string' } },
      ],
      requestBody: csvBody,
      responses: {
        202: { description: 'Queued', ...json(ref('BulkSend')) },
        200: { description: 'Submitted before with this key: that bulk send', ...json(ref('BulkSend')) },
        ...errors('VALIDATION_FAILED', 'BULK_TOO_MANY_ROWS', 'BULK_NOTHING_TO_SEND', 'PAYLOAD_TOO_LARGE', 'NOT_FOUND'),
      },
    },
  },
  '/api/v1/bulk-sends/{id}': {
    get: {
      summary: '進捗: rows queued, sent, failed and pending',
      security: apiAuth,
      parameters: [bulkSendId],
      responses: { 200: { description: 'Progress', ...json(ref('BulkSend')) }, ...errors('NOT_FOUND') },
    },
  },
  '/api/v1/bulk-sends/{id}/rows': {
    get: {
      summary: 'Per-row results: the envelope made or the error code',
      security: apiAuth,
      parameters: [bulkSendId],
      responses: {
        200: {
          description: 'Rows in file order',
          ...json(
            listOf({
              type: 'object',
              properties: {
                row: { type: 'integer' },
                status: { enum: ['pending', 'sent', 'failed'] },
                envelopeId: { type: ['string', 'null'] },
                envelopeName: { type: ['string', 'null'] },
                errorCode: { type: ['string', 'null'] },
              },
            }),
          ),
        },
        ...errors('NOT_FOUND'),
      },
    },
  },
  '/api/v1/bulk-sends/{id}/results.csv': {
    get: {
      summary:
        'Per-row results as CSV (UTF-8 with BOM; cells that start like a formula are prefixed with an apostrophe)',
      security: apiAuth,
      parameters: [bulkSendId],
      responses: {
        200: { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } },
        ...errors('NOT_FOUND'),
      },
    },
  },
};
