import { reasonBody, settingsBody } from '../retention/routes.ts';
import { adminAuth, body, error, json, pathParameter, ref, refusals } from './helpers.ts';

/*
 * Retention and legal holds (issue 13 part 6) in the OpenAPI document: the organisation's periods
 * (保存期間), the retention status of a contract or envelope, and legal holds. Documents whose period
 * ended are crypto-shredded by the daily retention job; their downloads answer 410 DOCUMENT_SHREDDED.
 */

const id = (description: string) => pathParameter('id', description);

/** Schemas of the retention API. */
export const retentionSchemas = {
  RetentionSettings: {
    type: 'object',
    properties: {
      defaultYears: { type: 'integer', description: 'the organisation’s default period (10 unless changed)' },
      builtInYears: { type: 'integer', description: '10: the period when nothing is set' },
      rules: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            documentType: {
              type: 'string',
              description:
                '"source:envelope", "source:import", or "type:<契約種別>" (a 契約種別 rule wins over a source rule)',
            },
            years: { type: 'integer', minimum: 1, maximum: 100 },
          },
        },
      },
      contractTypes: { type: 'array', items: { type: 'string' }, description: '契約種別 used in the register' },
      upcoming: {
        type: 'array',
        description:
          'documents whose period ends within 90 days or has ended (at most 200, soonest first); erased then unless held',
        items: {
          type: 'object',
          properties: {
            subjectType: { type: 'string', enum: ['contract', 'envelope'] },
            subjectId: { type: 'string' },
            title: { type: 'string' },
            documentType: { type: 'string' },
            years: { type: 'integer' },
            endsOn: { type: 'string', format: 'date' },
            held: { type: 'boolean' },
          },
        },
      },
      holds: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            subjectType: { type: 'string', enum: ['contract', 'envelope'] },
            subjectId: { type: 'string' },
            title: { type: 'string' },
            reason: { type: 'string' },
            placedAt: { type: 'string', format: 'date-time' },
            placedBy: { type: ['string', 'null'] },
          },
        },
      },
    },
  },
  RetentionStatus: {
    type: 'object',
    properties: {
      retention: {
        type: ['object', 'null'],
        description: 'null for an envelope in progress (its period starts when it ends)',
        properties: {
          documentType: { type: 'string', description: 'the rule applied, or "built-in" (10 years)' },
          years: { type: 'integer' },
          startsOn: { type: 'string', format: 'date', description: '締結日, or the day the envelope ended (Japan)' },
          endsOn: { type: 'string', format: 'date', description: 'from this day on the documents may be shredded' },
        },
      },
      hold: {
        type: ['object', 'null'],
        properties: {
          id: { type: 'string' },
          subjectType: { type: 'string', enum: ['contract', 'envelope'] },
          reason: { type: 'string' },
          placedAt: { type: 'string', format: 'date-time' },
        },
      },
      shreddedAt: { type: ['string', 'null'], format: 'date-time' },
    },
  },
};

function subjectPaths(kind: 'contract' | 'envelope', base: string): Record<string, object> {
  const label = kind === 'contract' ? 'register entry (contract)' : 'envelope';
  return {
    [`${base}/{id}/retention`]: {
      get: {
        summary: `The retention period, legal hold and shredding of a ${label} (any member)`,
        security: [{ session: [] }, { apiKey: ['read'] }],
        parameters: [id(`${kind} id`)],
        responses: {
          200: { description: 'The status', ...json(ref('RetentionStatus')) },
          401: error('UNAUTHENTICATED'),
          404: error('NOT_FOUND (also another organisation’s)'),
        },
      },
    },
    [`${base}/{id}/legal-hold`]: {
      post: {
        summary: `Place a legal hold on a ${label}: it (and its linked envelope or register entry) is not shredded while the hold is active`,
        security: adminAuth,
        parameters: [id(`${kind} id`)],
        requestBody: body(reasonBody),
        responses: {
          201: {
            description: '{ id, placedAt }',
            ...json({ type: 'object', properties: { id: { type: 'string' }, placedAt: { type: 'string' } } }),
          },
          400: error('VALIDATION_FAILED (reason: 1–500 characters)'),
          404: error('NOT_FOUND'),
          409: error('LEGAL_HOLD_EXISTS'),
          410: error('DOCUMENT_SHREDDED (nothing left to hold)'),
          ...refusals(),
        },
      },
    },
    [`${base}/{id}/legal-hold/release`]: {
      post: {
        summary: `Release the legal hold of a ${label}, with a reason`,
        security: adminAuth,
        parameters: [id(`${kind} id`)],
        requestBody: body(reasonBody),
        responses: {
          204: { description: 'Released' },
          400: error('VALIDATION_FAILED'),
          404: error('NOT_FOUND'),
          409: error('NO_LEGAL_HOLD'),
          ...refusals(),
        },
      },
    },
  };
}

/** Paths of the retention API. */
export const retentionPaths = {
  '/api/v1/admin/retention': {
    get: {
      summary: 'The organisation’s retention periods (保存期間) and active legal holds',
      security: adminAuth,
      responses: { 200: { description: 'The settings', ...json(ref('RetentionSettings')) }, ...refusals() },
    },
    put: {
      summary:
        'Replace the retention periods: the default (1–100 years) and rules by source or 契約種別. Event retention.settings-changed',
      security: adminAuth,
      requestBody: body(settingsBody),
      responses: {
        200: { description: 'The settings as saved', ...json(ref('RetentionSettings')) },
        400: error('VALIDATION_FAILED'),
        ...refusals(),
      },
    },
  },
  ...subjectPaths('contract', '/api/v1/contracts'),
  ...subjectPaths('envelope', '/api/v1/envelopes'),
};
