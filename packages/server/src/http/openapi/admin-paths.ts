import * as z from 'zod';
import * as admin from '../admin/schema.ts';
import {
  adminAuth,
  body,
  error,
  errors,
  iso,
  json,
  listOf,
  pathParameter as path,
  ref,
  refusals as refusalsOf,
} from './helpers.ts';

/*
 * The administration API (issue 12 parts 1 and 5) in the OpenAPI document: organisation profile and
 * logo, members and invitations, API keys with scopes, the mail test, members' sessions, and the
 * invitation pages' API. Every admin change needs step-up (STEP_UP_REQUIRED) and is an event in the log.
 */

const role = { type: 'string', enum: ['admin', 'member', 'viewer'] };
const scopes = { type: 'array', items: { type: 'string', enum: ['send', 'read', 'register', 'admin'] } };
/** Admin routes accept a session or an API key with the admin scope. */
const sessionOnly = [{ session: [] }];
const refusals = refusalsOf(
  'FORBIDDEN (not an administrator; session-required), API_KEY_SCOPE, CSRF_FAILED, STEP_UP_REQUIRED',
);

const signingCertificateSummary = {
  type: ['object', 'null'],
  properties: {
    subject: { type: 'string' },
    issuer: { type: 'string' },
    root: { type: 'string', description: 'subject of the root the chain ends at' },
    serial: { type: 'string' },
    sha256: { type: 'string', description: 'SHA-256 of the certificate (hex)' },
    notBefore: { type: 'string', format: 'date-time' },
    notAfter: { type: 'string', format: 'date-time' },
  },
};

/** Schemas of the administration API. */
export const adminSchemas = {
  SigningCertificate: {
    type: 'object',
    properties: {
      mode: { type: 'string', enum: ['witness', 'organization', 'both'] },
      source: { type: 'string', enum: ['upload', 'operator'] },
      uploaded: signingCertificateSummary,
      operator: signingCertificateSummary,
      updatedAt: iso,
    },
  },
  OrganizationProfile: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      slug: { type: 'string' },
      senderContact: { type: ['string', 'null'] },
      supportContact: { type: ['string', 'null'] },
      mailFromName: { type: ['string', 'null'], description: 'display name of From in the organisation’s mails' },
      mailReplyTo: { type: ['string', 'null'] },
      logoPath: { type: ['string', 'null'], description: 'public URL path of the logo (changes with each upload)' },
    },
  },
  Member: {
    type: 'object',
    properties: {
      userId: { type: 'string' },
      email: { type: 'string' },
      name: { type: 'string' },
      role,
      status: { type: 'string', enum: ['active', 'deactivated'] },
      joinedAt: { type: 'string', format: 'date-time' },
      deactivatedAt: iso,
      hasSecondFactor: { type: 'boolean' },
      envelopes: { type: 'integer' },
    },
  },
  Invitation: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      email: { type: 'string' },
      role,
      createdAt: { type: 'string', format: 'date-time' },
      expiresAt: { type: 'string', format: 'date-time' },
    },
  },
  ApiKey: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      prefix: { type: 'string', description: 'the first 12 characters of the key' },
      scopes,
      createdAt: { type: 'string', format: 'date-time' },
      createdBy: { type: ['object', 'null'], properties: { id: { type: 'string' }, name: { type: 'string' } } },
      lastUsedAt: iso,
      revokedAt: iso,
    },
  },
  MemberSession: {
    type: 'object',
    properties: {
      id: { type: 'string', description: 'SHA-256 of the session token (an id, not the token)' },
      userId: { type: 'string' },
      email: { type: 'string' },
      name: { type: 'string' },
      createdAt: { type: 'string', format: 'date-time' },
      lastSeenAt: iso,
      expiresAt: { type: 'string', format: 'date-time' },
      ip: { type: ['string', 'null'] },
      userAgent: { type: ['string', 'null'] },
    },
  },
};

/** Paths of the administration API. */
export const adminPaths = {
  '/api/v1/admin/organization': {
    get: {
      summary: "The organisation's profile (組織情報)",
      security: adminAuth,
      responses: { 200: { description: 'Profile', ...json(ref('OrganizationProfile')) }, ...refusals },
    },
    patch: {
      summary: 'Change the profile: name, sender and support contacts, mail display name and Reply-To (null clears)',
      security: adminAuth,
      requestBody: body(admin.profileBody),
      responses: {
        200: { description: 'Profile after the change', ...json(ref('OrganizationProfile')) },
        400: error('VALIDATION_FAILED, INVALID_EMAIL'),
        ...refusals,
      },
    },
  },
  '/api/v1/admin/organization/logo': {
    put: {
      summary: 'Upload the logo: the image as the body (image/png or image/jpeg, ≤ 256 KiB, ≤ 1024×1024 pixels)',
      security: adminAuth,
      requestBody: {
        required: true,
        content: {
          'image/png': { schema: { type: 'string', format: 'binary' } },
          'image/jpeg': { schema: { type: 'string', format: 'binary' } },
        },
      },
      responses: {
        200: { description: '{ logoPath }', ...json({ type: 'object', properties: { logoPath: { type: 'string' } } }) },
        413: error('PAYLOAD_TOO_LARGE (bytes or pixels)'),
        415: error('UNSUPPORTED_MEDIA_TYPE (not a PNG or JPEG)'),
        ...refusals,
      },
    },
    delete: {
      summary: 'Remove the logo',
      security: adminAuth,
      responses: { 204: { description: 'Removed' }, ...refusals },
    },
  },
  '/api/public/organizations/{id}/logo': {
    get: {
      summary: "An organisation's logo (public: mails and signer pages show it)",
      parameters: [path('id', 'organisation id')],
      responses: {
        200: { description: 'The image as uploaded', content: { 'image/png': {}, 'image/jpeg': {} } },
        ...errors('NOT_FOUND'),
      },
    },
  },
  '/api/v1/admin/members': {
    get: {
      summary: 'Members (active first) and pending invitations',
      security: adminAuth,
      responses: {
        200: {
          description: '{ members, invitations }',
          ...json({
            type: 'object',
            properties: {
              members: { type: 'array', items: ref('Member') },
              invitations: { type: 'array', items: ref('Invitation') },
            },
          }),
        },
        ...refusals,
      },
    },
  },
  '/api/v1/admin/members/{userId}': {
    patch: {
      summary:
        'Change a member’s role and/or deactivate (active: false) or reactivate them. Losing rights or deactivation ends their sessions in the organisation; the last administrator stays (LAST_ADMIN)',
      security: adminAuth,
      parameters: [path('userId', 'the member’s account id')],
      requestBody: body(admin.memberBody),
      responses: {
        200: { description: '{ role?: { from, to, sessionsEnded }, status?: { status, sessionsEnded } }' },
        ...errors('VALIDATION_FAILED', 'NOT_FOUND', 'LAST_ADMIN'),
        ...refusals,
      },
    },
  },
  '/api/v1/admin/members/{userId}/transfer-envelopes': {
    post: {
      summary: 'Move every envelope the member created to another active member (not a viewer)',
      security: adminAuth,
      parameters: [path('userId', 'the member whose envelopes move')],
      requestBody: body(admin.transferBody),
      responses: {
        200: {
          description: '{ transferred }',
          ...json({ type: 'object', properties: { transferred: { type: 'integer' } } }),
        },
        ...errors('VALIDATION_FAILED', 'NOT_FOUND'),
        ...refusals,
      },
    },
  },
  '/api/v1/admin/invitations': {
    post: {
      summary: 'Invite an address by mail with a role (one-use link, 7 days; a browser session only)',
      security: sessionOnly,
      requestBody: body(admin.invitationBody),
      responses: {
        201: { description: '{ invitationId, expiresAt }' },
        400: error('INVALID_EMAIL, VALIDATION_FAILED'),
        ...errors('ALREADY_MEMBER'),
        ...refusals,
      },
    },
  },
  '/api/v1/admin/invitations/{id}': {
    delete: {
      summary: 'Revoke a pending invitation',
      security: adminAuth,
      parameters: [path('id', 'invitation id')],
      responses: { 204: { description: 'Revoked' }, 404: error('NOT_FOUND'), ...refusals },
    },
  },
  '/api/v1/admin/sessions': {
    get: {
      summary: 'Live sessions acting for the organisation (all members, or ?userId=)',
      security: adminAuth,
      parameters: [{ name: 'userId', in: 'query', schema: { type: 'string' } }],
      responses: {
        200: {
          description: '{ sessions }',
          ...json(listOf(ref('MemberSession'), 'sessions')),
        },
        ...refusals,
      },
    },
  },
  '/api/v1/admin/members/{userId}/sessions': {
    delete: {
      summary: 'End all of a member’s sessions in the organisation',
      security: adminAuth,
      parameters: [path('userId', 'the member')],
      responses: { 200: { description: '{ ended }' }, 404: error('NOT_FOUND'), ...refusals },
    },
  },
  '/api/v1/admin/members/{userId}/sessions/{id}': {
    delete: {
      summary: 'End one of a member’s sessions',
      security: adminAuth,
      parameters: [path('userId', 'the member'), path('id', 'the session id from the list')],
      responses: { 204: { description: 'Ended' }, 404: error('NOT_FOUND'), ...refusals },
    },
  },
  '/api/v1/admin/api-keys': {
    get: {
      summary: 'API keys (never the keys themselves): prefix, scopes, creator, last use, revocation',
      security: adminAuth,
      responses: {
        200: {
          description: '{ apiKeys }',
          ...json(listOf(ref('ApiKey'), 'apiKeys')),
        },
        ...refusals,
      },
    },
    post: {
      summary:
        'Create an API key with scopes (send, read, register, admin). The key is in this answer only; it is stored hashed. A browser session with step-up only',
      security: sessionOnly,
      requestBody: body(admin.apiKeyBody),
      responses: {
        201: {
          description: '{ key, apiKey }',
          ...json({ type: 'object', properties: { key: { type: 'string' }, apiKey: ref('ApiKey') } }),
        },
        ...errors('VALIDATION_FAILED'),
        ...refusals,
      },
    },
  },
  '/api/v1/admin/api-keys/{id}': {
    delete: {
      summary: 'Revoke an API key (a browser session only)',
      security: sessionOnly,
      parameters: [path('id', 'API key id')],
      responses: { 204: { description: 'Revoked' }, 404: error('NOT_FOUND'), ...refusals },
    },
  },
  '/api/v1/admin/mail/test': {
    post: {
      summary:
        'Send a test mail through the configured mailer (default: to the administrator) and return the SMTP server’s answer or its refusal (5/min)',
      security: sessionOnly,
      requestBody: body(admin.testMailBody),
      responses: {
        200: {
          description: '{ ok: true, to, transport, response } or { ok: false, to, transport, error }',
          ...json({
            type: 'object',
            properties: {
              ok: { type: 'boolean' },
              to: { type: 'string' },
              transport: { type: 'string', enum: ['smtp', 'outbox'] },
              response: { type: 'string' },
              error: { type: 'string' },
            },
          }),
        },
        ...errors('INVALID_EMAIL', 'RATE_LIMITED'),
        ...refusals,
      },
    },
  },
  '/api/invitations/preview': {
    post: {
      summary: 'What an invitation link invites to (no change; rate-limited)',
      requestBody: body(admin.invitationTokenBody),
      responses: {
        200: { description: '{ organizationName, email, role, accountExists }' },
        ...errors('LINK_INVALID', 'LINK_EXPIRED', 'RATE_LIMITED'),
      },
    },
  },
  '/api/invitations/accept': {
    post: {
      summary:
        'Accept an invitation: a new address sets name and password (a session starts); an existing account accepts signed in as itself (session cookie and x-csrf-token)',
      requestBody: body(admin.acceptInvitationBody),
      responses: {
        200: { description: '{ organizationId } and, for a new account, { user, csrfToken } with the session cookie' },
        400: error('VALIDATION_FAILED, PASSWORD_TOO_SHORT, PASSWORD_TOO_COMMON'),
        403: error('FORBIDDEN (invitation-account: sign in as the invited address)'),
        ...errors('LINK_INVALID', 'ALREADY_MEMBER', 'LINK_EXPIRED', 'RATE_LIMITED'),
      },
    },
  },
  '/api/v1/admin/signing-certificate': {
    get: {
      summary:
        '署名用証明書: how documents are signed (witness / organization / both), the uploaded certificate and the operator’s',
      security: adminAuth,
      responses: { 200: { description: 'Signing settings', ...json(ref('SigningCertificate')) }, ...refusals },
    },
    put: {
      summary:
        'Upload the organisation’s signing certificate: multipart `pkcs12` (.p12/.pfx, ≤ 128 KiB), `password`, optional `chain` (PEM, ≤ 64 KiB). Checked before anything is stored; the key is kept encrypted, the password never',
      security: adminAuth,
      requestBody: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object',
              required: ['pkcs12', 'password'],
              properties: {
                pkcs12: { type: 'string', format: 'binary' },
                password: { type: 'string', maxLength: 1024 },
                chain: { type: 'string', format: 'binary', description: 'PEM certificates completing the chain' },
              },
            },
          },
        },
      },
      responses: {
        200: {
          description: 'Signing settings after the upload (the mode is unchanged)',
          ...json(ref('SigningCertificate')),
        },
        400: error(
          'SIGNING_CERTIFICATE_PASSWORD; SIGNING_CERTIFICATE_INVALID with details.problem PKCS12_INVALID, PKCS12_UNSUPPORTED, CHAIN_UNREADABLE, NO_CERTIFICATE, KEY_MISMATCH, KEY_UNSUPPORTED, CA_CERTIFICATE, KEY_USAGE, NOT_YET_VALID, EXPIRED, CHAIN_INCOMPLETE, CHAIN_INVALID; VALIDATION_FAILED',
        ),
        413: error('PAYLOAD_TOO_LARGE'),
        415: error('UNSUPPORTED_MEDIA_TYPE'),
        ...refusals,
      },
    },
    patch: {
      summary: 'Choose the signing mode and which certificate it uses (`upload` or `operator`)',
      security: adminAuth,
      requestBody: body(
        z.object({
          mode: z.enum(['witness', 'organization', 'both']),
          source: z.enum(['upload', 'operator']).optional(),
        }),
      ),
      responses: {
        200: { description: 'Signing settings after the change', ...json(ref('SigningCertificate')) },
        400: error('VALIDATION_FAILED; SIGNING_CERTIFICATE_INVALID (EXPIRED)'),
        409: error('SIGNING_CERTIFICATE_MISSING'),
        ...refusals,
      },
    },
    delete: {
      summary: 'Remove the uploaded certificate and its key (a mode using it falls back to witness)',
      security: adminAuth,
      responses: {
        200: { description: 'Signing settings after the removal', ...json(ref('SigningCertificate')) },
        404: error('NOT_FOUND (nothing uploaded)'),
        ...refusals,
      },
    },
  },
};
