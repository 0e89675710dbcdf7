import { adminAuth, body, error, iso, json, listOf, pathParameter, ref, refusals as refusalsOf } from './helpers.ts';
import { approveBody, reassignBody, rejectBody, requiredBody, routeBody } from '../approvals/schema.ts';

/*
 * 稟議 (internal approval, issue 13 part 3) in the OpenAPI document: approval routes (administrators
 * write, members read), the approver's inbox, an envelope's approvals, decisions, withdrawal and
 * reassignment. The flow is described in docs/api.md.
 */

const path = pathParameter;
const memberAuth = [{ session: [] }];
const readAuth = [{ session: [] }, { apiKey: ['read'] }];
const refusals = refusalsOf();
const envelope = path('id', 'envelope id');

/** Schemas of the approval API. */
export const approvalSchemas = {
  ApprovalRoute: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      steps: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            mode: { type: 'string', enum: ['all', 'any'], description: 'all: 全員承認, in order; any: いずれか1名' },
            approverIds: { type: 'array', items: { type: 'string' } },
            approvers: {
              type: 'array',
              items: {
                type: 'object',
                properties: { id: { type: 'string' }, name: { type: 'string' }, email: { type: 'string' } },
              },
            },
          },
        },
      },
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
    },
  },
  EnvelopeApprovals: {
    type: 'object',
    properties: {
      envelope: ref('Envelope'),
      isSender: { type: 'boolean' },
      canDecide: { type: 'boolean', description: 'whether the caller is an approver of the current step' },
      rounds: {
        type: 'array',
        description: 'every submission, newest first',
        items: {
          type: 'object',
          properties: {
            round: { type: 'integer' },
            routeName: { type: 'string' },
            approvals: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  id: { type: 'string' },
                  step: { type: 'integer' },
                  stepMode: { type: 'string', enum: ['all', 'any'] },
                  userId: { type: 'string' },
                  name: { type: 'string' },
                  email: { type: 'string' },
                  status: { type: 'string', enum: ['open', 'approved', 'rejected', 'skipped', 'withdrawn'] },
                  current: { type: 'boolean' },
                  active: { type: 'boolean', description: 'false: a deactivated member (an administrator reassigns)' },
                  comment: { type: ['string', 'null'], description: 'the comment, or the reason of a rejection' },
                  decidedAt: iso,
                  reassignedFrom: { type: ['string', 'null'] },
                },
              },
            },
          },
        },
      },
    },
  },
};

export const approvalPaths = {
  '/api/v1/approval-routes': {
    get: {
      summary: "The organisation's approval routes and the route required for every envelope (any member)",
      security: readAuth,
      responses: {
        200: {
          description: '{ items, requiredRouteId }',
          ...json(listOf(ref('ApprovalRoute'), 'items', { requiredRouteId: { type: ['string', 'null'] } })),
        },
        401: error('UNAUTHENTICATED'),
      },
    },
    post: {
      summary: 'Create an approval route: steps in order, each with 1–20 active administrators or members',
      security: adminAuth,
      requestBody: body(routeBody),
      responses: {
        201: { description: 'The route', ...json(ref('ApprovalRoute')) },
        400: error('VALIDATION_FAILED (details.field: name, steps[i].mode, steps[i].approverIds[j])'),
        ...refusals,
      },
    },
  },
  '/api/v1/approval-routes/required': {
    put: {
      summary: 'Require a route for every envelope of the organisation (routeId null: the sender chooses)',
      security: adminAuth,
      requestBody: body(requiredBody),
      responses: {
        200: { description: '{ requiredRouteId }' },
        400: error('VALIDATION_FAILED'),
        ...refusals,
      },
    },
  },
  '/api/v1/approval-routes/{id}': {
    put: {
      summary: 'Replace the name and steps of a route (envelopes already waiting keep their copy)',
      security: adminAuth,
      parameters: [path('id', 'route id')],
      requestBody: body(routeBody),
      responses: {
        200: { description: 'The route', ...json(ref('ApprovalRoute')) },
        400: error('VALIDATION_FAILED'),
        404: error('NOT_FOUND'),
        ...refusals,
      },
    },
    delete: {
      summary: 'Delete a route (it stops being required if it was)',
      security: adminAuth,
      parameters: [path('id', 'route id')],
      responses: { 204: { description: 'Deleted' }, 404: error('NOT_FOUND'), ...refusals },
    },
  },
  '/api/v1/approvals': {
    get: {
      summary: '承認待ち一覧: envelopes on which the signed-in member decides now (oldest first, at most 200)',
      security: memberAuth,
      responses: {
        200: { description: '{ items: [{ envelopeId, name, routeName, step, stepMode, senderName, submittedAt }] }' },
        401: error('UNAUTHENTICATED'),
        403: error('FORBIDDEN (an API key: approvals are personal)'),
      },
    },
  },
  '/api/v1/envelopes/{id}/approvals': {
    get: {
      summary: "An envelope's approvals, every submission, and whether the caller decides now",
      security: readAuth,
      parameters: [envelope],
      responses: { 200: { description: 'Approvals', ...json(ref('EnvelopeApprovals')) }, 404: error('NOT_FOUND') },
    },
  },
  '/api/v1/envelopes/{id}/approvals/approve': {
    post: {
      summary: '承認 (comment optional). The last approval sends the envelope exactly as a send without a route',
      security: memberAuth,
      parameters: [envelope],
      requestBody: body(approveBody, false),
      responses: {
        200: {
          description: 'The envelope (pending_approval, or sent after the last approval)',
          ...json(ref('Envelope')),
        },
        400: error('VALIDATION_FAILED (comment over 1000 characters)'),
        403: error('APPROVAL_NOT_YOUR_TURN (not an approver of the current step), FORBIDDEN (API key)'),
        404: error('NOT_FOUND'),
        409: error('APPROVAL_ALREADY_DECIDED, APPROVAL_NOT_PENDING'),
      },
    },
  },
  '/api/v1/envelopes/{id}/approvals/reject': {
    post: {
      summary: '差し戻し: the envelope goes back to its sender as a draft; the reason is mailed',
      security: memberAuth,
      parameters: [envelope],
      requestBody: body(rejectBody),
      responses: {
        200: { description: 'The envelope (draft)', ...json(ref('Envelope')) },
        400: error('VALIDATION_FAILED (details.field reason: required, at most 1000 characters)'),
        403: error('APPROVAL_NOT_YOUR_TURN, FORBIDDEN (API key)'),
        404: error('NOT_FOUND'),
        409: error('APPROVAL_ALREADY_DECIDED, APPROVAL_NOT_PENDING'),
      },
    },
  },
  '/api/v1/envelopes/{id}/approvals/withdraw': {
    post: {
      summary: 'The sender takes the envelope back from approval (draft again)',
      security: [{ session: [] }, { apiKey: ['send'] }],
      parameters: [envelope],
      responses: {
        200: { description: 'The envelope (draft)', ...json(ref('Envelope')) },
        403: error('FORBIDDEN (not the sender)'),
        404: error('NOT_FOUND'),
        409: error('APPROVAL_NOT_PENDING'),
      },
    },
  },
  '/api/v1/envelopes/{id}/approvals/remind': {
    post: {
      summary: 'リマインド: the sender mails the current approvers a reminder (each at most once an hour)',
      security: [{ session: [] }, { apiKey: ['send'] }],
      parameters: [envelope],
      responses: {
        200: {
          description: 'The envelope and the names of the approvers reminded',
          ...json({
            type: 'object',
            properties: { envelope: ref('Envelope'), reminded: { type: 'array', items: { type: 'string' } } },
          }),
        },
        403: error('FORBIDDEN (not the sender)'),
        404: error('NOT_FOUND'),
        409: error('APPROVAL_NOT_PENDING, APPROVAL_NOBODY_TO_REMIND (no approval slot is open: withdraw and resubmit)'),
        429: error('REMINDER_TOO_SOON (details.retryAt), RATE_LIMITED'),
      },
    },
  },
  '/api/v1/envelopes/{id}/approvals/{approvalId}/reassign': {
    post: {
      summary: 'Hand an open approval to another active member (e.g. the approver was deactivated)',
      security: adminAuth,
      parameters: [envelope, path('approvalId', 'approval id')],
      requestBody: body(reassignBody),
      responses: {
        204: { description: 'Reassigned (the new approver is mailed if it is their turn)' },
        400: error('VALIDATION_FAILED (userId: not an active administrator or member, or already in the step)'),
        404: error('NOT_FOUND'),
        409: error('APPROVAL_ALREADY_DECIDED, APPROVAL_NOT_PENDING'),
        ...refusals,
      },
    },
  },
};
