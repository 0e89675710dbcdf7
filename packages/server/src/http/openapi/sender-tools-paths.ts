/*
 * The senders' tools part of the OpenAPI document (issue 11 part 5): editing a draft, its documents,
 * 複製 / 修正して再送, and an access code shown again to the envelope's sender (docs/api.md).
 * Some of these paths already have a GET in document.ts: mergePaths() joins the operations.
 */
import { duplicateBody, updateDraftBody } from '../envelopes/draft-schema.ts';
import { apiAuth, body, error, json, pathParameter as path, ref } from './helpers.ts';

const envelope = ref('Envelope');
const envelopeId = path('id', 'envelope id');

/** Paths and operations of the senders' tools. */
export const senderToolPaths: Record<string, Record<string, unknown>> = {
  '/api/v1/envelopes/{id}': {
    patch: {
      summary:
        'Edit a draft: name, message, expiresAt (null removes it), recipients (the whole list in the new order; with `id` a kept recipient, who keeps its access code unless `accessCode` is given; left out = removed with its fields). A sent envelope answers 409 ENVELOPE_NOT_DRAFT',
      security: apiAuth,
      parameters: [envelopeId],
      requestBody: body(updateDraftBody),
      responses: {
        200: { description: 'The draft (codes generated for new recipients appear once)', ...json(envelope) },
        400: error('VALIDATION_FAILED, NO_RECIPIENTS, INVALID_EMAIL, ORDER_GAP, INVALID_ACCESS_CODE_FORMAT'),
        403: error('FORBIDDEN (viewer)'),
        404: error('NOT_FOUND'),
        409: error('ENVELOPE_NOT_DRAFT'),
      },
    },
  },
  '/api/v1/envelopes/{id}/documents': {
    post: {
      summary: 'Add PDFs to a draft (multipart `documents` parts; checked as on creation)',
      security: apiAuth,
      parameters: [envelopeId],
      requestBody: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object',
              properties: { documents: { type: 'array', items: { type: 'string', format: 'binary' } } },
            },
          },
        },
      },
      responses: {
        201: { description: 'The draft', ...json(envelope) },
        400: error('VALIDATION_FAILED, NO_DOCUMENTS'),
        404: error('NOT_FOUND'),
        409: error('ENVELOPE_NOT_DRAFT'),
        413: error('PAYLOAD_TOO_LARGE'),
        415: error('UNSUPPORTED_MEDIA_TYPE'),
        422: error('PDF_INVALID, PDF_ENCRYPTED'),
      },
    },
  },
  '/api/v1/envelopes/{id}/documents/{documentId}': {
    delete: {
      summary: 'Remove a PDF from a draft, with the fields placed on it (the last one cannot go)',
      security: apiAuth,
      parameters: [envelopeId, path('documentId', 'document id')],
      responses: {
        200: { description: 'The draft', ...json(envelope) },
        400: error('NO_DOCUMENTS'),
        404: error('NOT_FOUND'),
        409: error('ENVELOPE_NOT_DRAFT'),
      },
    },
  },
  '/api/v1/envelopes/{id}/duplicate': {
    post: {
      summary:
        '複製 (any envelope) or, with `resubmit: true`, 修正して再送 (declined, canceled or expired only): a new draft with the original unsigned documents, the same recipients, access codes, fields and message; linked to the source (sourceEnvelopeId; envelope.duplicated / envelope.resubmitted on the source)',
      security: apiAuth,
      parameters: [envelopeId],
      requestBody: body(duplicateBody, false),
      responses: {
        201: { description: 'The new draft', ...json(envelope) },
        404: error('NOT_FOUND'),
        409: error('ENVELOPE_STILL_ACTIVE (resubmit of an envelope that did not end)'),
      },
    },
  },
  '/api/v1/envelopes/{id}/recipients/{recipientId}/access-code/reveal': {
    post: {
      summary:
        "Show a recipient's access code again — only to the envelope's sender (the user or API key that created it), while it is a draft or out for signing and the recipient has not signed. Records access_code.revealed (who, when, IP; never the code). Cache-Control: no-store",
      security: apiAuth,
      parameters: [envelopeId, path('recipientId', 'recipient id')],
      responses: {
        200: {
          description: 'The code',
          ...json({
            type: 'object',
            required: ['recipientId', 'accessCode'],
            properties: { recipientId: { type: 'string' }, accessCode: { type: 'string' } },
          }),
        },
        403: error('ACCESS_CODE_SENDER_ONLY, FORBIDDEN (viewer)'),
        404: error('NOT_FOUND'),
        409: error('ENVELOPE_NOT_ACTIVE, ACCESS_CODE_UNAVAILABLE'),
      },
    },
  },
};

/** Joins two path maps, merging the operations of a path both have. */
export function mergePaths(
  base: Record<string, Record<string, unknown>>,
  extra: Record<string, Record<string, unknown>>,
): Record<string, Record<string, unknown>> {
  const out = { ...base };
  for (const [key, operations] of Object.entries(extra)) out[key] = { ...out[key], ...operations };
  return out;
}
