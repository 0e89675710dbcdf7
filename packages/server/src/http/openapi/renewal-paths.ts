/* LTA renewal's part of the OpenAPI document (docs/api.md says the same in prose). */
import { apiAuth, json, refusals } from './helpers.ts';

const nullable = (type: string, format?: string) => ({ type: [type, 'null'], ...(format ? { format } : {}) });

const renewalItem = {
  type: 'object',
  properties: {
    envelopeId: { ...nullable('string'), description: 'the sealing envelope; null for register copies' },
    envelopeName: nullable('string'),
    certificateId: nullable('string'),
    contractId: { ...nullable('string'), description: 'the register entry whose own copy this is (保管, import)' },
    contractTitle: nullable('string'),
    subjectKind: {
      type: 'string',
      enum: ['document', 'certificate', 'claimed-document', 'claimed-certificate', 'imported'],
      description: "the sender's sealed files; a personal 保管 copy of one; an imported PDF",
    },
    name: { type: 'string' },
    version: { type: 'integer', description: '1 = as sealed; one more per renewal' },
    sha256: { type: 'string', description: 'of this version' },
    sha256Original: { type: 'string', description: 'of version 1 (the file as sealed, claimed or imported)' },
    sha256Previous: nullable('string'),
    timestampAt: nullable('string', 'date-time'),
    tsaSubject: nullable('string'),
    tsaExpiresAt: nullable('string', 'date-time'),
    timestampHash: nullable('string'),
    reason: { type: 'string', enum: ['sealed', 'tsa-expiry', 'weak-hash'] },
    renewedAt: nullable('string', 'date-time'),
    dueAt: { ...nullable('string', 'date-time'), description: 'null: no document timestamp, cannot be renewed' },
    due: { type: 'boolean', description: 'the next daily run renews it' },
  },
};

/** GET /api/v1/renewals. */
export const renewalPaths = {
  '/api/v1/renewals': {
    get: {
      summary:
        "LTA renewals (長期保存（タイムスタンプ更新）) of the caller's organisation (its sealed files and imports), or with `?scope=personal` (or a session without an organisation) of the account's own register (保管 copies and imports): `upcoming` = the current version of every stored PDF, due first then soonest (≤ 500); `done` = versions made by renewals, newest first (≤ 500)",
      security: apiAuth,
      parameters: [
        {
          name: 'scope',
          in: 'query',
          required: false,
          schema: { type: 'string', enum: ['personal', 'organization'] },
          description: "sessions only: `personal` = the account's own register's copies; default `organization`",
        },
      ],
      responses: {
        200: {
          description: 'Renewals',
          ...json({
            type: 'object',
            properties: {
              marginDays: { type: 'integer', description: 'INKAN_RENEWAL_MARGIN in days' },
              minimumHash: { type: 'string', description: 'INKAN_RENEWAL_MIN_HASH' },
              upcoming: { type: 'array', items: renewalItem },
              done: { type: 'array', items: renewalItem },
            },
          }),
        },
        ...refusals('FORBIDDEN, API_KEY_SCOPE'),
      },
    },
  },
};
