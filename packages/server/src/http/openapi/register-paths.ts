import * as z from 'zod';
import { EMPTY_FIELDS, SORT_COLUMNS } from '../../domain/register/contract-search.ts';
import {
  contractChangesSchema,
  fieldDefinitionSchema,
  importContractSchema,
  registerSettingsSchema,
} from '../contracts/schema.ts';
import { apiAuth, error, errors, json, listOf, pageOf, pathParameter as path, pdf, query, ref } from './helpers.ts';

/* The register's and the 保管 (claim) links' part of the OpenAPI document (docs/api.md says the same in prose). */

const date = { type: ['string', 'null'], format: 'date' };
const scopeParameter = query(
  'scope',
  "sessions only: `personal` = the account's own register (claims, personal imports); default `organization` (API keys always)",
);

/** Query parameters of the list and of the CSV export. */
export const contractFilterParameters: object[] = [
  scopeParameter,
  query('counterparty', '取引先: text contained in a counterparty name (NFKC, case-insensitive, Japanese substring)'),
  query('amountMin', '契約金額 ≥ (yen; accepts 1,234,567 / １，２３４，５６７円 / ¥1,234,567)'),
  query('amountMax', '契約金額 ≤ (yen)'),
  query('signedFrom', '締結日 ≥ (2026-04-01 or 令和8年4月1日; inclusive)'),
  query('signedTo', '締結日 ≤ (inclusive)'),
  query('startFrom', '契約開始日 ≥'),
  query('startTo', '契約開始日 ≤'),
  query('endFrom', '契約満了日 ≥'),
  query('endTo', '契約満了日 ≤'),
  query('noticeFrom', '解約通知期限 ≥'),
  query('noticeTo', '解約通知期限 ≤'),
  query('q', "full text: substring of title, counterparties and the PDFs' text layer (NFKC, case-insensitive)"),
  {
    ...query('tag', 'has this tag (repeat for all of several)'),
    schema: { type: 'array', items: { type: 'string' } },
    explode: true,
  },
  {
    ...query('empty', `this field is empty (repeatable): ${EMPTY_FIELDS.join(', ')}, or field.<key>`),
    schema: { type: 'array', items: { type: 'string' } },
    explode: true,
  },
  {
    name: 'field.<key>',
    in: 'query',
    required: false,
    schema: { type: 'string' },
    description: 'a custom field equals this value (numbers as digits, dates as YYYY-MM-DD)',
  },
  query('status', 'active | expired | terminated'),
  query('owner', '担当者: a user id'),
  query('source', 'envelope | claim | import'),
  query(
    'sort',
    `${Object.keys(SORT_COLUMNS).join(' | ')}; prefix "-" or suffix ":desc" for descending (default -signedOn). Empty values sort last either way; ties by id`,
  ),
  query('cursor', 'nextCursor of the previous page (only valid with the same sort)'),
  query('limit', '1–100 (default 50)'),
];

const contractProperties = {
  id: { type: 'string' },
  scope: { type: 'string', enum: ['organization', 'personal'] },
  source: { type: 'string', enum: ['envelope', 'claim', 'import'] },
  envelopeId: { type: ['string', 'null'] },
  certificateId: { type: ['string', 'null'] },
  title: { type: 'string' },
  counterparties: { type: 'array', items: { type: 'string' } },
  signedOn: date,
  startOn: date,
  endOn: date,
  noticeOn: date,
  amount: { type: ['integer', 'null'], description: 'yen' },
  currency: { type: 'string' },
  tax: { type: ['string', 'null'], enum: ['included', 'excluded', null] },
  autoRenew: { type: 'boolean' },
  renewalMonths: { type: ['integer', 'null'] },
  contractType: { type: ['string', 'null'] },
  referenceNumber: { type: ['string', 'null'] },
  owner: { type: ['string', 'null'], description: '担当者 (user id)' },
  memo: { type: 'string' },
  status: { type: 'string', enum: ['active', 'expired', 'terminated'] },
  tags: { type: 'array', items: { type: 'string' } },
  watchers: { type: 'array', items: { type: 'string' } },
  fields: { type: 'object', additionalProperties: { type: ['string', 'number'] } },
  imported: { type: 'boolean' },
  importedAt: { type: ['string', 'null'], format: 'date-time' },
  createdAt: { type: 'string', format: 'date-time' },
  updatedAt: { type: 'string', format: 'date-time' },
};

/** Schemas of the register. */
export const registerSchemas = {
  Contract: { type: 'object', properties: contractProperties },
  ContractDetail: {
    type: 'object',
    properties: {
      ...contractProperties,
      documents: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            kind: { type: 'string', enum: ['signed', 'certificate', 'imported'] },
            name: { type: 'string' },
            size: { type: 'integer' },
            sha256: { type: 'string', description: 'of the current version' },
            archive: {
              type: ['object', 'null'],
              description:
                'LTA renewal: 現在の版 of a sealed file (null for imported files and before the first daily run)',
              properties: {
                version: { type: 'integer' },
                sha256Original: { type: 'string', description: 'of version 1 (as sealed)' },
                renewedAt: { type: ['string', 'null'], format: 'date-time' },
                tsaExpiresAt: { type: ['string', 'null'], format: 'date-time' },
              },
            },
          },
        },
      },
      history: {
        type: 'array',
        description: 'every change, oldest first; append-only',
        items: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            field: { type: 'string' },
            oldValue: {},
            newValue: {},
            actor: {
              type: 'object',
              properties: {
                type: { type: 'string' },
                id: { type: ['string', 'null'] },
                name: { type: ['string', 'null'] },
              },
            },
            at: { type: 'string', format: 'date-time' },
          },
        },
      },
    },
  },
  ContractChanges: z.toJSONSchema(contractChangesSchema, { io: 'input', unrepresentable: 'any' }),
  ContractImport: z.toJSONSchema(importContractSchema, { io: 'input', unrepresentable: 'any' }),
  ContractFieldDefinition: z.toJSONSchema(fieldDefinitionSchema, { io: 'input', unrepresentable: 'any' }),
  RegisterSettings: z.toJSONSchema(registerSettingsSchema, { io: 'input', unrepresentable: 'any' }),
  Claim: {
    type: 'object',
    required: ['status', 'envelope', 'sender', 'expiresAt'],
    properties: {
      status: {
        type: 'string',
        enum: ['claimable', 'claimed-by-you', 'claimed'],
        description: 'claimed = by another account (POST would answer CLAIM_ALREADY_USED)',
      },
      envelope: { type: 'object', properties: { name: { type: 'string' }, certificateId: { type: 'string' } } },
      sender: {
        type: 'object',
        properties: {
          organization: { type: 'string' },
          name: { type: ['string', 'null'] },
          email: { type: ['string', 'null'] },
        },
      },
      expiresAt: { type: 'string', format: 'date-time' },
      contractId: { type: 'string', description: 'only with claimed-by-you: the entry in the personal register' },
    },
  },
};

const contractId = path('id', 'register entry id');
const notFound = error(
  "NOT_FOUND (no such entry in the caller's register: another organisation's or account's entry is not found either)",
);

/** Paths of the register and of the claim links. */
export const registerPaths = {
  '/api/v1/contracts': {
    get: {
      summary:
        'Search the register (電子帳簿保存法: 取引年月日 / 取引金額 ranges and 取引先, combinable; full text, tags, empties, status, 担当者); keyset pages',
      security: apiAuth,
      parameters: contractFilterParameters,
      responses: {
        200: {
          description: 'A page',
          ...json(pageOf(ref('Contract'))),
        },
        400: error(
          'VALIDATION_FAILED / INVALID_AMOUNT / INVALID_DATE / DATE_ORDER (details.field names the parameter)',
        ),
        ...errors('UNAUTHENTICATED'),
      },
    },
  },
  '/api/v1/contracts.csv': {
    get: {
      summary: 'The current search as CSV (UTF-8 with BOM, RFC 4180, formula-safe, streamed; every matching row)',
      security: apiAuth,
      parameters: contractFilterParameters.filter((p) => !['cursor', 'limit'].includes((p as { name: string }).name)),
      responses: {
        200: { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } },
        400: error('as the list'),
        ...errors('UNAUTHENTICATED'),
      },
    },
  },
  '/api/v1/contracts/{id}': {
    get: {
      summary: 'One entry with its documents and its full history',
      security: apiAuth,
      parameters: [contractId, scopeParameter],
      responses: { 200: { description: 'The entry', ...json(ref('ContractDetail')) }, 404: notFound },
    },
    patch: {
      summary: 'Change fields of an entry: one history row per changed field, in the same transaction (viewers: 403)',
      security: apiAuth,
      parameters: [contractId, scopeParameter],
      requestBody: json(ref('ContractChanges')),
      responses: {
        200: { description: 'The entry after the change', ...json(ref('ContractDetail')) },
        400: error(
          'VALIDATION_FAILED / INVALID_AMOUNT (negative, non-numeric, > 10^15) / INVALID_DATE (2026-02-30) / DATE_ORDER (endOn before startOn)',
        ),
        ...errors('FORBIDDEN', 'CSRF_FAILED'),
        404: notFound,
      },
    },
  },
  '/api/v1/contracts/{id}/documents/{documentId}': {
    get: {
      summary:
        'Download a document of an entry (signed PDF, certificate, imported PDF) — until the end of its retention period (then 410 DOCUMENT_SHREDDED)',
      security: apiAuth,
      parameters: [contractId, path('documentId', 'document id'), scopeParameter],
      responses: {
        200: { description: 'PDF', ...pdf },
        404: notFound,
        410: { description: 'DOCUMENT_SHREDDED', ...json(ref('Error')) },
      },
    },
  },
  '/api/v1/contracts/{id}/suggestions': {
    get: {
      summary:
        'Field suggestions read from the PDF text (契約金額, 契約開始日/満了日, 自動更新, 解約通知期限, 甲/乙), each with its source sentence and offsets; nothing is saved until a PATCH accepts one',
      security: apiAuth,
      parameters: [contractId, scopeParameter],
      responses: {
        200: {
          description: '{ suggestions: FieldSuggestion[] }',
          ...json({
            type: 'object',
            properties: {
              suggestions: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    field: { enum: ['amount', 'startDate', 'endDate', 'autoRenewal', 'noticeDeadline', 'parties'] },
                    value: {},
                    confidence: { type: 'number' },
                    source: {
                      type: 'object',
                      properties: {
                        sentence: { type: 'string' },
                        start: { type: 'integer' },
                        end: { type: 'integer' },
                      },
                    },
                    reason: { type: 'object', properties: { ja: { type: 'string' }, en: { type: 'string' } } },
                  },
                },
              },
            },
          }),
        },
        404: notFound,
      },
    },
  },
  '/api/v1/contracts/{id}/certificate': {
    get: {
      summary:
        'Download the certificate of completion (契約締結証明書) of an entry — until the end of its retention period',
      security: apiAuth,
      parameters: [contractId, scopeParameter],
      responses: {
        200: { description: 'PDF', ...pdf },
        404: notFound,
        410: { description: 'DOCUMENT_SHREDDED', ...json(ref('Error')) },
      },
    },
  },
  '/api/v1/contracts/members': {
    get: {
      summary:
        "Who may be the 担当者 (owner) or a watcher of entries: the organisation's members by name (≤ 1,000), or the account itself in a personal register",
      security: apiAuth,
      parameters: [scopeParameter],
      responses: {
        200: {
          description: 'People',
          ...json({
            type: 'object',
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: { id: { type: 'string' }, name: { type: 'string' }, email: { type: 'string' } },
                },
              },
            },
          }),
        },
      },
    },
  },
  '/api/v1/contracts/deadlines': {
    get: {
      summary:
        'Upcoming deadlines (契約満了日 and 解約通知期限 of active entries) within the next `days` days (Japan dates), soonest first (≤ 500)',
      security: apiAuth,
      parameters: [scopeParameter, query('days', '0–366 (default 90)')],
      responses: {
        200: {
          description: 'Deadlines',
          ...json({
            type: 'object',
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    kind: { type: 'string', enum: ['end', 'notice'] },
                    dueOn: { type: 'string', format: 'date' },
                    daysLeft: { type: 'integer' },
                    contract: ref('Contract'),
                  },
                },
              },
            },
          }),
        },
        ...errors('VALIDATION_FAILED'),
      },
    },
  },
  '/api/v1/contracts/import': {
    post: {
      summary:
        'Import a contract signed elsewhere or a scanned paper one: a document timestamp is added at import (the entry proves its content existed from then); marked imported',
      security: apiAuth,
      parameters: [scopeParameter],
      requestBody: {
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object',
              required: ['contract', 'document'],
              properties: {
                contract: ref('ContractImport'),
                document: { type: 'string', format: 'binary', description: 'one PDF (≤ INKAN_MAX_UPLOAD_MB)' },
              },
            },
          },
        },
      },
      responses: {
        201: { description: 'The new entry', ...json(ref('ContractDetail')) },
        ...errors('VALIDATION_FAILED', 'INVALID_AMOUNT', 'INVALID_DATE', 'DATE_ORDER', 'NO_DOCUMENTS'),
        403: error('FORBIDDEN (viewer) / CSRF_FAILED'),
        413: error('PAYLOAD_TOO_LARGE (details.maxBytes)'),
        415: error('UNSUPPORTED_MEDIA_TYPE (not multipart)'),
        422: error('PDF_INVALID (not a PDF, unreadable) / PDF_ENCRYPTED'),
      },
    },
  },
  '/api/v1/contracts/fields': {
    get: {
      summary: "The organisation register's custom fields",
      security: apiAuth,
      responses: {
        200: {
          description: 'Fields',
          ...json(listOf(ref('ContractFieldDefinition'))),
        },
      },
    },
    post: {
      summary: 'Define a custom field (administrators; text, number, date or choice; keys are not redefined)',
      security: [{ session: [] }],
      requestBody: json(ref('ContractFieldDefinition')),
      responses: {
        201: { description: 'The field', ...json(ref('ContractFieldDefinition')) },
        ...errors('VALIDATION_FAILED', 'FORBIDDEN'),
      },
    },
  },
  '/api/v1/contracts/settings': {
    get: {
      summary: "The organisation register's settings: reminderDays (default [60, 14])",
      security: apiAuth,
      responses: {
        200: { description: 'Settings', ...json(ref('RegisterSettings')) },
        403: error('FORBIDDEN (personal scope)'),
      },
    },
    put: {
      summary: 'Change the reminder thresholds (administrators; up to 5 values of 1–365 days)',
      security: [{ session: [] }],
      requestBody: json(ref('RegisterSettings')),
      responses: {
        200: { description: 'Settings', ...json(ref('RegisterSettings')) },
        ...errors('VALIDATION_FAILED', 'FORBIDDEN'),
      },
    },
  },
  '/api/claims/{token}': {
    get: {
      summary: 'The Inkanで保管 link of a completion mail (no session needed; no side effect)',
      parameters: [path('token', 'the claim token from the mail')],
      responses: {
        200: { description: 'The link', ...json(ref('Claim')) },
        404: error('CLAIM_INVALID (malformed or unknown)'),
        410: error('CLAIM_EXPIRED — details.sender { organization, name, email } to contact, details.expiresAt'),
        ...errors('RATE_LIMITED'),
      },
    },
    post: {
      summary:
        "Claim: copies of the signed documents and the certificate of completion into the signed-in account's personal register",
      security: [{ session: [] }],
      parameters: [path('token', 'the claim token from the mail')],
      responses: {
        201: {
          description: 'Claimed now',
          ...json({
            type: 'object',
            properties: {
              status: { const: 'claimed-by-you' },
              contractId: { type: 'string' },
              created: { const: true },
            },
          }),
        },
        200: {
          description: 'Already claimed by this account (idempotent): the same entry',
          ...json({
            type: 'object',
            properties: {
              status: { const: 'claimed-by-you' },
              contractId: { type: 'string' },
              created: { const: false },
            },
          }),
        },
        401: error('UNAUTHENTICATED (sign in or sign up, then POST again)'),
        ...errors('CSRF_FAILED', 'CLAIM_INVALID'),
        409: error('CLAIM_ALREADY_USED (another account claimed this link)'),
        410: error('CLAIM_EXPIRED (details.sender)'),
      },
    },
  },
};
