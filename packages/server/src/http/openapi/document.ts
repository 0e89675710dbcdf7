import * as z from 'zod';
import { STATUS_OF } from '../errors.ts';
import { createEnvelopeSchema } from '../envelopes/schema.ts';
import * as account from '../account/schema.ts';
import { registerPaths, registerSchemas } from './register-paths.ts';
import { adminPaths, adminSchemas } from './admin-paths.ts';
import { retentionPaths, retentionSchemas } from './retention-paths.ts';
import { renewalPaths } from './renewal-paths.ts';
import { signInSecurityPaths } from './sign-in-security-paths.ts';
import { addressBookPaths, addressBookSchemas } from './address-book-paths.ts';
import { templatePaths, templateSchemas } from './template-paths.ts';
import { webhookPaths, webhookSchemas } from './webhook-paths.ts';
import { approvalPaths, approvalSchemas } from './approval-paths.ts';
import { mergePaths, senderToolPaths } from './sender-tools-paths.ts';
import * as security from '../account-security/schema.ts';
import * as session from '../session/schema.ts';
import {
  apiAuth,
  body,
  error,
  errors,
  iso,
  json,
  listOf,
  pageOf,
  pathParameter as id,
  pdf,
  query,
  ref,
} from './helpers.ts';

/*
 * The OpenAPI 3.1 document of the HTTP API, written by hand next to the routes (a test checks that every
 * /api route is listed here and every listed path exists). Request bodies come from the zod schemas.
 */

const envelopeStatus = {
  type: 'string',
  enum: ['draft', 'pending_approval', 'sent', 'completed', 'declined', 'canceled', 'expired'],
};
const recipientStatus = { type: 'string', enum: ['pending', 'notified', 'viewed', 'signed', 'declined', 'locked'] };

const schemas = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'string', enum: Object.keys(STATUS_OF) },
          message: { type: 'string' },
          details: { type: 'object' },
        },
      },
    },
  },
  Document: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      pages: { type: 'integer' },
      size: { type: 'integer' },
      sha256: { type: 'string' },
      sha256Original: { type: 'string' },
    },
  },
  Recipient: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      email: { type: 'string' },
      order: {
        type: 'integer',
        description: 'signing order from 1 without gaps; equal orders sign in parallel; 0 for a CC recipient',
      },
      role: {
        type: 'string',
        enum: ['signer', 'cc'],
        description: 'cc (受信者 (CC)): gets the completion mail and the download, never signs (stays pending)',
      },
      language: { type: 'string', enum: ['ja', 'en'] },
      auth: { type: 'string', enum: ['access_code', 'login'] },
      status: recipientStatus,
      remindedAt: { ...iso, description: 'when the last reminder (リマインド) was queued' },
      reminderCount: { type: 'integer' },
      notifiedAt: iso,
      viewedAt: iso,
      signedAt: iso,
      declinedAt: iso,
      declineReason: { type: ['string', 'null'] },
      lockedAt: iso,
      failedAttempts: { type: 'integer' },
      accessCode: { type: 'string', description: 'Only in the create response, for codes the service generated.' },
      contactId: { type: 'string', description: 'the address-book contact whose registered signer this is' },
      registeredAccessCode: {
        type: 'boolean',
        description: '登録済みアクセスコード: the code the counterparty chose (never shown to the sender)',
      },
      accessCodeStored: {
        type: 'boolean',
        description: "the code is kept encrypted; the envelope's sender can see it again",
      },
    },
  },
  Envelope: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      message: { type: 'string' },
      status: envelopeStatus,
      certificateId: { type: 'string', description: '締結証明書ID, stamped on page 1 when sent' },
      expiresAt: iso,
      createdAt: iso,
      sentAt: iso,
      completedAt: iso,
      certificateIssuedAt: {
        ...iso,
        description: 'when the certificate of completion was issued (GET …/certificate serves it from then on)',
      },
      canceledAt: iso,
      sourceEnvelopeId: { type: ['string', 'null'], description: 'the envelope this draft was duplicated from' },
      isSender: { type: 'boolean', description: "GET …/{id} only: the caller is the envelope's sender" },
      documents: { type: 'array', items: ref('Document') },
      recipients: { type: 'array', items: ref('Recipient') },
    },
  },
  EnvelopeSummary: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      name: { type: 'string' },
      status: envelopeStatus,
      createdAt: iso,
      sentAt: iso,
      completedAt: iso,
      expiresAt: iso,
      recipients: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            status: recipientStatus,
            role: { type: 'string', enum: ['signer', 'cc'] },
          },
        },
      },
    },
  },
  NewEnvelope: z.toJSONSchema(createEnvelopeSchema, { target: 'draft-2020-12', unrepresentable: 'any' }),
  User: {
    type: 'object',
    description:
      "The signed-in account. organization and role are those of the session's active organisation, null in a personal session.",
    properties: {
      id: { type: 'string' },
      email: { type: 'string' },
      name: { type: 'string' },
      companyName: { type: ['string', 'null'], description: '会社名・団体名' },
      role: { type: ['string', 'null'], enum: ['admin', 'member', 'viewer', null] },
      organization: {
        type: ['object', 'null'],
        properties: { id: { type: 'string' }, name: { type: 'string' }, slug: { type: 'string' } },
      },
      memberships: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            slug: { type: 'string' },
            role: { type: 'string', enum: ['admin', 'member', 'viewer'] },
          },
        },
      },
    },
  },
  Session: { type: 'object', properties: { user: ref('User'), csrfToken: { type: 'string' } } },
  Accepted: {
    type: 'object',
    properties: { accepted: { type: 'boolean', const: true } },
    description: 'The same answer whether or not the address has an account.',
  },
  AccountSession: {
    type: 'object',
    properties: {
      id: { type: 'string', description: 'SHA-256 of the session token (never the token)' },
      current: { type: 'boolean' },
      createdAt: { type: 'string', format: 'date-time' },
      lastSeenAt: iso,
      expiresAt: { type: 'string', format: 'date-time' },
      ip: { type: ['string', 'null'] },
      userAgent: { type: ['string', 'null'] },
      organization: { type: ['object', 'null'], properties: { id: { type: 'string' }, name: { type: 'string' } } },
    },
  },
  SignerView: {
    type: 'object',
    properties: {
      csrfToken: { type: 'string' },
      envelope: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          message: { type: 'string' },
          status: envelopeStatus,
          senderOrganization: { type: 'string' },
          senderName: { type: ['string', 'null'] },
          sender: ref('SenderContact'),
          certificateId: { type: 'string' },
        },
      },
      recipient: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          email: { type: 'string' },
          status: recipientStatus,
          language: { type: 'string' },
          canSign: { type: 'boolean' },
        },
      },
      documents: {
        type: 'array',
        items: {
          type: 'object',
          properties: { id: { type: 'string' }, name: { type: 'string' }, pages: { type: 'integer' } },
        },
      },
    },
  },
  SenderContact: {
    type: 'object',
    description: 'Whom a signer can ask: the organisation, and the person who sent (null for API-created envelopes)',
    properties: {
      organization: { type: 'string' },
      name: { type: ['string', 'null'] },
      email: { type: ['string', 'null'] },
      phone: { type: ['string', 'null'] },
      organizationContact: {
        type: ['string', 'null'],
        description: "the organisation's own 送信者の連絡先 (組織情報)",
      },
      logoPath: { type: ['string', 'null'], description: "the organisation's logo (a public path)" },
    },
  },
  SigningLink: {
    type: 'object',
    properties: {
      state: {
        type: 'string',
        enum: ['code_required', 'login_required', 'signed', 'locked', 'expired', 'completed', 'declined', 'canceled'],
        description: 'signed: this recipient has signed and the envelope waits for the others',
      },
      language: { type: 'string', enum: ['ja', 'en'] },
      senderOrganization: { type: 'string' },
      sender: ref('SenderContact'),
      maxAttempts: { type: 'integer' },
    },
  },
  AuditEvent: {
    type: 'object',
    properties: {
      id: { type: 'string' },
      seq: { type: 'integer' },
      createdAt: { type: 'string', format: 'date-time' },
      action: { type: 'string' },
      actor: {
        type: 'object',
        properties: {
          type: { type: 'string', enum: ['user', 'recipient', 'api_key', 'system'] },
          id: { type: ['string', 'null'] },
          name: { type: 'string' },
        },
      },
      envelope: {
        type: ['object', 'null'],
        properties: { id: { type: 'string' }, name: { type: ['string', 'null'] } },
      },
      ip: { type: ['string', 'null'] },
      userAgent: { type: ['string', 'null'] },
      details: { type: 'object' },
    },
  },
  OrganizationSettings: {
    type: 'object',
    properties: {
      attachCertificate: {
        type: 'boolean',
        description: 'attach the certificate of completion to the completion mail',
      },
      mfaRequired: { type: 'boolean', description: 'every member must have a second factor' },
      sessionIdleMinutes: {
        type: ['integer', 'null'],
        minimum: 5,
        maximum: 10080,
        description: 'sessions unused this long end (null: no idle limit)',
      },
      sessionAbsoluteHours: {
        type: ['integer', 'null'],
        minimum: 1,
        maximum: 720,
        description: 'sessions end this long after sign-in (null: INKAN_SESSION_TTL only)',
      },
      autoRemindDays: {
        type: 'integer',
        minimum: 0,
        maximum: 30,
        description: '自動リマインド: remind signers whose turn it is every this many days until expiry (0 = off)',
      },
    },
  },
  Download: {
    type: 'object',
    properties: {
      envelope: {
        type: 'object',
        properties: { name: { type: 'string' }, completedAt: iso, certificateId: { type: 'string' } },
      },
      documents: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            pages: { type: 'integer' },
            sha256: { type: 'string' },
          },
        },
      },
      expiresAt: { type: 'string', format: 'date-time' },
      certificate: {
        type: 'boolean',
        description: 'the certificate of completion can be downloaded (GET /api/download/{token}/certificate)',
      },
    },
  },
};

const envelopeId = id('id', 'envelope id');

/** A field placed on a document for a recipient (issue 11 part 4). */
const envelopeField = {
  type: 'object',
  required: ['id', 'documentId', 'recipientId', 'page', 'rect', 'kind', 'required'],
  properties: {
    id: { type: 'string' },
    documentId: { type: 'string' },
    recipientId: { type: 'string' },
    page: { type: 'integer', minimum: 1, description: '1-based page number' },
    rect: {
      type: 'array',
      items: { type: 'number' },
      minItems: 4,
      maxItems: 4,
      description: '[x0, y0, x1, y1] in PDF points (user space of the page), inside its crop box, 6–1000 pt a side',
    },
    kind: { type: 'string', enum: ['seal', 'date', 'text', 'checkbox'] },
    required: { type: 'boolean', description: 'seal and date fields are always required' },
    label: { type: ['string', 'null'], maxLength: 50 },
    value: { type: ['string', 'null'], description: 'what was drawn, once its recipient signed' },
    filledAt: { type: ['string', 'null'], format: 'date-time' },
  },
};
const sealImage = {
  type: 'object',
  properties: {
    seal: {
      type: ['object', 'null'],
      properties: {
        mediaType: { type: 'string', enum: ['image/png', 'image/jpeg'] },
        width: { type: 'integer' },
        height: { type: 'integer' },
        size: { type: 'integer' },
        sha256: { type: 'string' },
        updatedAt: { type: 'string', format: 'date-time' },
      },
    },
  },
};
const auditFilterParameters: object[] = [
  query('from', 'from this time: ISO 8601, or YYYY-MM-DD = 00:00 JST of that day'),
  query('to', 'before this time: ISO 8601 (exclusive), or YYYY-MM-DD = through the end of that day in JST'),
  query('action', 'an action (envelope.sent) or a group ending in a dot (envelope.)'),
  query('envelopeId', 'events of one envelope'),
  query('actor', "user | recipient | api_key | system, an actor's id, or text in an actor's name or e-mail"),
];
const token = id('token', 'the personal link token from the mail');

/** The OpenAPI document served at /api/v1/openapi.json (with the senders' tools' operations merged in). */
export function openApiDocument(publicUrl: string): Record<string, unknown> {
  const document = baseDocument(publicUrl);
  return { ...document, paths: mergePaths(document.paths, senderToolPaths) };
}

function baseDocument(publicUrl: string): { paths: Record<string, Record<string, unknown>> } & Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Inkan API',
      version: '1',
      description:
        'Electronic contracts: envelopes, signing links, downloads. Errors are `{ "error": { "code", "message" } }`.',
    },
    servers: [{ url: publicUrl }],
    components: {
      schemas: {
        ...schemas,
        ...registerSchemas,
        ...adminSchemas,
        ...addressBookSchemas,
        ...retentionSchemas,
        ...webhookSchemas,
        ...approvalSchemas,
        ...templateSchemas,
      },
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API key (APIキー screen, or `inkan apikey create --org SLUG`). Scopes: send (create, send, cancel envelopes), read (envelopes, register, log), register (change the register), admin (the admin API); a missing scope answers 403 API_KEY_SCOPE.',
        },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'inkan_session',
          description: 'Browser session; non-GET requests also send `x-csrf-token`.',
        },
        signer: {
          type: 'apiKey',
          in: 'cookie',
          name: 'inkan_signer',
          description: 'Signer session after the access code passed; non-GET requests also send `x-csrf-token`.',
        },
      },
    },
    paths: {
      ...registerPaths,
      ...adminPaths,
      ...retentionPaths,
      ...renewalPaths,
      ...signInSecurityPaths,
      ...addressBookPaths,
      ...webhookPaths,
      ...approvalPaths,
      ...templatePaths,
      '/api/session': {
        post: {
          summary: 'Sign in with e-mail and password',
          requestBody: json({
            type: 'object',
            required: ['email', 'password'],
            properties: { email: { type: 'string' }, password: { type: 'string' } },
          }),
          responses: {
            200: { description: 'Signed in (sets the session cookie)', ...json(ref('Session')) },
            ...errors('INVALID_CREDENTIALS', 'RATE_LIMITED'),
          },
        },
        get: {
          summary: 'The current session',
          security: [{ session: [] }],
          responses: { 200: { description: 'Signed in', ...json(ref('Session')) }, 401: error('UNAUTHENTICATED') },
        },
        delete: {
          summary: 'Sign out',
          security: [{ session: [] }],
          responses: { 204: { description: 'Signed out, cookie cleared' }, 403: error('CSRF_FAILED') },
        },
      },
      '/api/session/link': {
        post: {
          summary: 'Sign in with a one-time sign-in link token',
          requestBody: json({ type: 'object', required: ['token'], properties: { token: { type: 'string' } } }),
          responses: {
            200: { description: 'Signed in', ...json(ref('Session')) },
            ...errors('LINK_INVALID', 'LINK_EXPIRED'),
          },
        },
      },
      '/api/session/password': {
        post: {
          summary: "Set the signed-in account's password (for an account signed in by a one-time link)",
          security: [{ session: [] }],
          requestBody: json({
            type: 'object',
            required: ['password'],
            properties: { password: { type: 'string', minLength: 10, maxLength: 200 } },
          }),
          responses: {
            204: { description: 'Password set' },
            ...errors('PASSWORD_TOO_SHORT', 'PASSWORD_TOO_COMMON', 'VALIDATION_FAILED', 'UNAUTHENTICATED'),
          },
        },
      },
      '/api/session/organization': {
        post: {
          summary: "Switch the session's active organisation (one of the account's memberships, or null: personal)",
          security: [{ session: [] }],
          requestBody: body(account.switchOrganizationBody),
          responses: {
            200: {
              description: 'The account with the new active organisation',
              ...json({ type: 'object', properties: { user: ref('User') } }),
            },
            ...errors('NOT_FOUND'),
          },
        },
      },
      '/api/account/signup': {
        post: {
          summary:
            'Sign-up step 1: mail 「【Inkan】アカウント登録のご案内」 to the address (the same 202 whether or not it has an account)',
          requestBody: body(account.signupBody),
          responses: {
            202: { description: 'Accepted', ...json(ref('Accepted')) },
            ...errors('INVALID_EMAIL', 'RATE_LIMITED'),
          },
        },
      },
      '/api/account/signup/link': {
        get: {
          summary: 'What the sign-up form shows for a link: the address and the return path',
          parameters: [{ name: 'token', in: 'query', required: true, schema: { type: 'string' } }],
          responses: {
            200: {
              description: 'A live link',
              ...json({
                type: 'object',
                properties: {
                  email: { type: 'string' },
                  next: { type: ['string', 'null'] },
                  expiresAt: { type: 'string', format: 'date-time' },
                },
              }),
            },
            ...errors('LINK_INVALID', 'SIGNUP_LINK_EXPIRED'),
          },
        },
      },
      '/api/account/signup/complete': {
        post: {
          summary: 'Sign-up step 2 (アカウントを登録してログイン): create the account and sign in',
          requestBody: body(account.completeSignupBody),
          responses: {
            200: {
              description: 'Signed in (sets the session cookie); next: the return path',
              ...json({
                type: 'object',
                properties: { user: ref('User'), csrfToken: { type: 'string' }, next: { type: ['string', 'null'] } },
              }),
            },
            ...errors(
              'PASSWORD_TOO_SHORT',
              'PASSWORD_TOO_COMMON',
              'VALIDATION_FAILED',
              'LINK_INVALID',
              'EMAIL_TAKEN',
              'SIGNUP_LINK_EXPIRED',
            ),
          },
        },
      },
      '/api/account/password/forgot': {
        post: {
          summary:
            'Mail a password-reset link (1 h) to an account (the same 202 for an unknown address, which gets nothing)',
          requestBody: body(account.forgotPasswordBody),
          responses: {
            202: { description: 'Accepted', ...json(ref('Accepted')) },
            ...errors('INVALID_EMAIL', 'RATE_LIMITED'),
          },
        },
      },
      '/api/account/password/reset': {
        post: {
          summary: 'Set a new password through a reset link; every session of the account ends',
          requestBody: body(account.resetPasswordBody),
          responses: {
            204: { description: 'Password set, sessions ended' },
            ...errors('PASSWORD_TOO_SHORT', 'PASSWORD_TOO_COMMON', 'LINK_INVALID', 'RESET_LINK_EXPIRED'),
          },
        },
      },
      '/api/account/email/confirm': {
        post: {
          summary: 'Complete an e-mail change through the link mailed to the new address (the old address is notified)',
          requestBody: body(account.confirmEmailBody),
          responses: {
            200: { description: 'Changed', ...json({ type: 'object', properties: { email: { type: 'string' } } }) },
            ...errors('LINK_INVALID', 'EMAIL_TAKEN', 'EMAIL_LINK_EXPIRED'),
          },
        },
      },
      '/api/account': {
        get: {
          summary: 'The signed-in account',
          security: [{ session: [] }],
          responses: {
            200: { description: 'The account', ...json({ type: 'object', properties: { user: ref('User') } }) },
            ...errors('UNAUTHENTICATED'),
          },
        },
        delete: {
          summary:
            'Delete the account (password required); refused while it is the last administrator of an organisation',
          security: [{ session: [] }],
          requestBody: body(account.deleteAccountBody),
          responses: {
            204: { description: 'Deleted, signed out' },
            ...errors('PASSWORD_WRONG', 'LAST_ADMIN'),
          },
        },
      },
      '/api/account/profile': {
        patch: {
          summary: 'Change 氏名 and 会社名・団体名',
          security: [{ session: [] }],
          requestBody: body(account.profileBody),
          responses: {
            200: { description: 'The account', ...json({ type: 'object', properties: { user: ref('User') } }) },
            ...errors('VALIDATION_FAILED'),
          },
        },
      },
      '/api/account/password': {
        post: {
          summary: 'Change the password (current one required); the other sessions end',
          security: [{ session: [] }],
          requestBody: body(account.changePasswordBody),
          responses: {
            204: { description: 'Changed' },
            ...errors('PASSWORD_TOO_SHORT', 'PASSWORD_TOO_COMMON', 'PASSWORD_WRONG'),
          },
        },
      },
      '/api/account/email': {
        post: {
          summary:
            'Ask to change the e-mail address (current password required): a one-use link goes to the new address',
          security: [{ session: [] }],
          requestBody: body(account.changeEmailBody),
          responses: {
            202: { description: 'Accepted', ...json(ref('Accepted')) },
            ...errors('INVALID_EMAIL', 'PASSWORD_WRONG', 'RATE_LIMITED'),
          },
        },
      },
      '/api/session/second-factor': {
        post: {
          summary:
            'Second step of a sign-in: a TOTP code (not replayed) or an unused recovery code for the challengeToken of the password step',
          requestBody: body(session.secondFactorBody),
          responses: {
            200: { description: 'Signed in (sets the session cookie)', ...json(ref('Session')) },
            ...errors('SECOND_FACTOR_WRONG', 'SECOND_FACTOR_EXPIRED', 'RATE_LIMITED'),
          },
        },
      },
      '/api/session/passkey/options': {
        post: {
          summary:
            'WebAuthn options for navigator.credentials.get(): passwordless, or the second step with challengeToken',
          requestBody: body(session.passkeyOptionsBody),
          responses: {
            200: { description: 'PublicKeyCredentialRequestOptionsJSON' },
            ...errors('SECOND_FACTOR_EXPIRED'),
          },
        },
      },
      '/api/session/passkey': {
        post: {
          summary: 'Sign in with a passkey (user verification required)',
          requestBody: body(session.passkeySignInBody),
          responses: {
            200: { description: 'Signed in (sets the session cookie)', ...json(ref('Session')) },
            ...errors('PASSKEY_FAILED'),
          },
        },
      },
      '/api/account/security': {
        get: {
          summary:
            "The account's second factors (authenticator app, passkeys, recovery codes left, whether an organisation requires one)",
          security: [{ session: [] }],
          responses: { 200: { description: 'Overview' } },
        },
      },
      '/api/account/security/totp': {
        post: {
          summary: 'Start enrolling an authenticator app: seed, otpauth URI and QR code (SVG), shown once',
          security: [{ session: [] }],
          responses: { 200: { description: 'Enrolment' } },
        },
        delete: {
          summary: 'Remove the authenticator app (step-up needed)',
          security: [{ session: [] }],
          responses: { 204: { description: 'Removed' }, 403: error('STEP_UP_REQUIRED'), 404: error('NOT_FOUND') },
        },
      },
      '/api/account/security/totp/confirm': {
        post: {
          summary: 'Confirm the authenticator app with a code; returns 10 recovery codes, shown once',
          security: [{ session: [] }],
          requestBody: body(security.totpConfirmBody),
          responses: { 200: { description: 'Recovery codes' }, 401: error('SECOND_FACTOR_WRONG') },
        },
      },
      '/api/account/security/recovery-codes': {
        post: {
          summary: 'Replace the recovery codes (step-up needed); the new ones are shown once',
          security: [{ session: [] }],
          responses: { 200: { description: 'Recovery codes' }, 403: error('STEP_UP_REQUIRED') },
        },
      },
      '/api/account/security/passkeys/options': {
        post: {
          summary: 'WebAuthn options for navigator.credentials.create()',
          security: [{ session: [] }],
          responses: { 200: { description: 'PublicKeyCredentialCreationOptionsJSON' } },
        },
      },
      '/api/account/security/passkeys': {
        post: {
          summary: 'Register a passkey',
          security: [{ session: [] }],
          requestBody: body(security.passkeyRegisterBody),
          responses: { 201: { description: 'Registered' }, 400: error('PASSKEY_FAILED') },
        },
      },
      '/api/account/security/passkeys/{id}': {
        delete: {
          summary: 'Remove a passkey (step-up needed)',
          security: [{ session: [] }],
          parameters: [id('id', 'the passkey id')],
          responses: { 204: { description: 'Removed' }, 403: error('STEP_UP_REQUIRED'), 404: error('NOT_FOUND') },
        },
      },
      '/api/account/security/step-up': {
        post: {
          summary:
            'Give the second factor again (TOTP or recovery code): admin actions need one in the last 10 minutes',
          security: [{ session: [] }],
          requestBody: body(security.stepUpBody),
          responses: {
            200: { description: 'Stepped up' },
            ...errors('SECOND_FACTOR_WRONG', 'RATE_LIMITED'),
          },
        },
      },
      '/api/account/security/step-up/passkey/options': {
        post: {
          summary: 'WebAuthn options for a passkey step-up',
          security: [{ session: [] }],
          responses: { 200: { description: 'PublicKeyCredentialRequestOptionsJSON' } },
        },
      },
      '/api/account/security/step-up/passkey': {
        post: {
          summary: 'Step up with a passkey',
          security: [{ session: [] }],
          requestBody: body(security.passkeyStepUpBody),
          responses: { 200: { description: 'Stepped up' }, 400: error('PASSKEY_FAILED') },
        },
      },
      '/api/account/sessions': {
        get: {
          summary: "The account's live sessions",
          security: [{ session: [] }],
          responses: {
            200: {
              description: 'Sessions',
              ...json(listOf(ref('AccountSession'), 'sessions')),
            },
          },
        },
      },
      '/api/account/sessions/{id}': {
        delete: {
          summary: 'End one session of the account',
          security: [{ session: [] }],
          parameters: [id('id', 'the session id of the list')],
          responses: { 204: { description: 'Ended' }, 404: error('NOT_FOUND') },
        },
      },
      '/api/account/sessions/end-others': {
        post: {
          summary: 'End every other session of the account',
          security: [{ session: [] }],
          responses: {
            200: {
              description: 'How many ended',
              ...json({ type: 'object', properties: { ended: { type: 'integer' } } }),
            },
          },
        },
      },
      '/api/account/export': {
        post: {
          summary:
            "Download the account's data as a ZIP (manifest.json, profile.json, memberships.json, sessions.json, and the register's parts)",
          security: [{ session: [] }],
          responses: {
            200: {
              description: 'ZIP',
              content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } },
            },
          },
        },
      },
      '/api/v1/envelopes': {
        post: {
          summary: 'Create a draft envelope',
          security: apiAuth,
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  required: ['envelope', 'documents'],
                  properties: {
                    envelope: ref('NewEnvelope'),
                    documents: { type: 'array', items: { type: 'string', format: 'binary' } },
                  },
                },
                encoding: {
                  envelope: { contentType: 'application/json' },
                  documents: { contentType: 'application/pdf' },
                },
              },
            },
          },
          responses: {
            201: { description: 'The draft', ...json(ref('Envelope')) },
            400: error(
              'VALIDATION_FAILED, NO_DOCUMENTS, NO_RECIPIENTS (no signer), INVALID_EMAIL, ORDER_GAP, INVALID_ACCESS_CODE_FORMAT',
            ),
            ...errors('UNAUTHENTICATED', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'),
            422: error('PDF_INVALID, PDF_ENCRYPTED'),
          },
        },
        get: {
          summary: "List the organisation's envelopes, newest first",
          security: apiAuth,
          parameters: [
            { name: 'status', in: 'query', schema: envelopeStatus },
            { name: 'q', in: 'query', schema: { type: 'string' }, description: 'part of the name' },
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } },
            { name: 'cursor', in: 'query', schema: { type: 'string' } },
          ],
          responses: {
            200: {
              description: 'A page',
              ...json(pageOf(ref('EnvelopeSummary'))),
            },
            ...errors('UNAUTHENTICATED'),
          },
        },
      },
      '/api/v1/envelopes/{id}': {
        get: {
          summary: 'An envelope',
          security: apiAuth,
          parameters: [envelopeId],
          responses: { 200: { description: 'The envelope', ...json(ref('Envelope')) }, 404: error('NOT_FOUND') },
        },
      },
      '/api/v1/envelopes/{id}/send': {
        post: {
          summary:
            'Send a draft (stamps the certificate ID, mails the first recipient); with an approval route (the organisation’s required one, or approvalRouteId) it goes to 承認待ち (pending_approval) instead and nothing is mailed to recipients until the last approval',
          security: apiAuth,
          parameters: [envelopeId],
          requestBody: {
            required: false,
            ...json({
              type: 'object',
              properties: { approvalRouteId: { type: ['string', 'null'], format: 'uuid' } },
            }),
          },
          responses: {
            200: { description: 'Sent', ...json(ref('Envelope')) },
            ...errors('NOT_FOUND', 'ENVELOPE_NOT_DRAFT'),
          },
        },
      },
      '/api/v1/envelopes/{id}/fields': {
        get: {
          summary: 'The fields placed on the documents (署名/押印, 日付, テキスト, チェックボックス) with their values',
          security: apiAuth,
          parameters: [envelopeId],
          responses: {
            200: {
              description: 'Fields',
              ...json(listOf(envelopeField)),
            },
            ...errors('NOT_FOUND'),
          },
        },
        put: {
          summary:
            'Replace the fields of a draft (at most 100; rectangles checked against the page box). Declared in the PDF when sent; each recipient fills theirs at 完了する and they are drawn in the same revision as their signature',
          security: apiAuth,
          parameters: [envelopeId],
          requestBody: json({
            type: 'object',
            required: ['fields'],
            properties: {
              fields: {
                type: 'array',
                maxItems: 100,
                items: {
                  type: 'object',
                  required: ['documentId', 'recipientId', 'page', 'rect', 'kind'],
                  properties: {
                    documentId: { type: 'string' },
                    recipientId: { type: 'string' },
                    page: { type: 'integer', minimum: 1 },
                    rect: { type: 'array', items: { type: 'number' }, minItems: 4, maxItems: 4 },
                    kind: { type: 'string', enum: ['seal', 'date', 'text', 'checkbox'] },
                    required: { type: 'boolean' },
                    label: { type: ['string', 'null'], maxLength: 50 },
                  },
                },
              },
            },
          }),
          responses: {
            200: {
              description: 'The fields as stored',
              ...json(listOf(envelopeField)),
            },
            400: error('FIELD_INVALID, VALIDATION_FAILED'),
            404: error('NOT_FOUND'),
            409: error('ENVELOPE_NOT_DRAFT, RECIPIENT_IS_CC (a field for a CC recipient)'),
          },
        },
      },
      '/api/v1/envelopes/{id}/cancel': {
        post: {
          summary: 'Cancel',
          security: apiAuth,
          parameters: [envelopeId],
          responses: {
            200: { description: 'Canceled', ...json(ref('Envelope')) },
            ...errors('NOT_FOUND', 'ENVELOPE_NOT_ACTIVE'),
          },
        },
      },
      '/api/v1/envelopes/{id}/documents/{documentId}': {
        get: {
          summary: 'A document as it stands',
          security: apiAuth,
          parameters: [envelopeId, id('documentId', 'document id')],
          responses: {
            200: { description: 'The PDF', ...pdf },
            404: error('NOT_FOUND'),
            410: error('DOCUMENT_SHREDDED (erased at the end of its retention period)'),
          },
        },
      },
      '/api/v1/envelopes/{id}/events': {
        get: {
          summary: "The envelope's timeline (operation log)",
          security: apiAuth,
          parameters: [envelopeId],
          responses: {
            200: {
              description: 'Events, oldest first',
              ...json({
                type: 'object',
                properties: {
                  items: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        id: { type: 'string' },
                        action: { type: 'string' },
                        actor: { type: 'object', properties: { type: { type: 'string' }, name: { type: 'string' } } },
                        createdAt: { type: 'string' },
                        ip: { type: ['string', 'null'] },
                        userAgent: { type: ['string', 'null'] },
                        details: { type: 'object' },
                      },
                    },
                  },
                },
              }),
            },
            ...errors('NOT_FOUND'),
          },
        },
      },
      '/api/v1/envelopes/{id}/recipients/{recipientId}/unlock': {
        post: {
          summary:
            'Unlock a recipient and optionally set a new access code (not for a code the counterparty registered: ACCESS_CODE_REGISTERED)',
          security: apiAuth,
          parameters: [envelopeId, id('recipientId', 'recipient id')],
          requestBody: {
            required: false,
            ...json({ type: 'object', properties: { accessCode: { type: 'string', pattern: '^[0-9]{4,8}$' } } }),
          },
          responses: {
            200: { description: 'Unlocked', ...json(ref('Envelope')) },
            400: error('INVALID_ACCESS_CODE_FORMAT'),
            404: error('NOT_FOUND'),
            409: error('ENVELOPE_NOT_ACTIVE, RECIPIENT_IS_CC, ACCESS_CODE_REGISTERED'),
          },
        },
      },
      '/api/v1/envelopes/{id}/recipients/{recipientId}/remind': {
        post: {
          summary:
            'リマインド: mail a signer whose turn it is a new link; earlier links keep working (the access code is not reissued)',
          description:
            'Records recipient.reminded and queues the reminder mail (Japanese or English, by the recipient). At most one mail per signer per hour (REMINDER_TOO_SOON, details.retryAt), and 20 requests a minute per client.',
          security: apiAuth,
          parameters: [envelopeId, id('recipientId', 'recipient id')],
          responses: {
            200: { description: 'Queued', ...json(ref('Envelope')) },
            404: error('NOT_FOUND'),
            409: error('ENVELOPE_NOT_ACTIVE, NOT_YOUR_TURN, ALREADY_SIGNED, RECIPIENT_IS_CC'),
            423: error('ACCESS_CODE_LOCKED'),
            429: error('REMINDER_TOO_SOON, RATE_LIMITED'),
          },
        },
      },
      '/api/v1/envelopes/{id}/recipients/{recipientId}/resend': {
        post: {
          summary: 'Send the request mail again (new link)',
          security: apiAuth,
          parameters: [envelopeId, id('recipientId', 'recipient id')],
          responses: {
            200: { description: 'Queued', ...json(ref('Envelope')) },
            404: error('NOT_FOUND'),
            409: error('ENVELOPE_NOT_ACTIVE, NOT_YOUR_TURN, ALREADY_SIGNED, RECIPIENT_IS_CC'),
            423: error('ACCESS_CODE_LOCKED'),
          },
        },
      },
      '/api/v1/openapi.json': {
        get: {
          summary: 'This document',
          responses: { 200: { description: 'OpenAPI 3.1', ...json({ type: 'object' }) } },
        },
      },
      '/api/sign/{token}': {
        get: {
          summary: 'State of a signing link (changes nothing)',
          parameters: [token],
          responses: { 200: { description: 'State', ...json(ref('SigningLink')) }, 404: error('LINK_INVALID') },
        },
      },
      '/api/sign/{token}/access-code': {
        post: {
          summary: 'Enter the access code',
          parameters: [token],
          requestBody: json({
            type: 'object',
            required: ['code'],
            properties: { code: { type: 'string', pattern: '^[0-9]{4,8}$' } },
          }),
          responses: {
            200: { description: 'Passed (sets the signer cookie)', ...json(ref('SignerView')) },
            ...errors('INVALID_ACCESS_CODE_FORMAT'),
            401: error('ACCESS_CODE_WRONG (details.remainingAttempts)'),
            ...errors('LINK_INVALID', 'ENVELOPE_NOT_ACTIVE', 'LINK_EXPIRED', 'ACCESS_CODE_LOCKED', 'RATE_LIMITED'),
          },
        },
      },
      '/api/sign/{token}/login': {
        post: {
          summary: "Open the signer session of an 'auth: login' recipient with the user's own session",
          security: [{ session: [] }],
          parameters: [token],
          responses: {
            200: { description: 'Signer session', ...json(ref('SignerView')) },
            ...errors('UNAUTHENTICATED', 'FORBIDDEN'),
          },
        },
      },
      '/api/sign/{token}/view': {
        get: {
          summary: "The signer's view",
          security: [{ signer: [] }],
          parameters: [token],
          responses: { 200: { description: 'View', ...json(ref('SignerView')) }, 401: error('UNAUTHENTICATED') },
        },
      },
      '/api/sign/{token}/documents/{documentId}': {
        get: {
          summary: 'A document for the viewer',
          security: [{ signer: [] }],
          parameters: [token, id('documentId', 'document id')],
          responses: {
            200: { description: 'The PDF', ...pdf },
            ...errors('UNAUTHENTICATED', 'NOT_FOUND'),
          },
        },
      },
      '/api/sign/{token}/documents/{documentId}/download': {
        get: {
          summary: 'A document as a file, before signing (recorded as document.downloaded)',
          security: [{ signer: [] }],
          parameters: [token, id('documentId', 'document id')],
          responses: {
            200: { description: 'The PDF (attachment)', ...pdf },
            ...errors('UNAUTHENTICATED', 'NOT_FOUND'),
          },
        },
      },
      '/api/sign/{token}/viewed': {
        post: {
          summary: 'Record 閲覧済み (once)',
          security: [{ signer: [] }],
          parameters: [token],
          responses: { 204: { description: 'Recorded' }, 401: error('UNAUTHENTICATED'), 403: error('CSRF_FAILED') },
        },
      },
      '/api/sign/{token}/sign': {
        post: {
          summary: '署名手続きを完了する (idempotent)',
          security: [{ signer: [] }],
          parameters: [token],
          requestBody: {
            required: false,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    fields: {
                      type: 'object',
                      description: 'values of the signer’s fields by field id: text (string) or checkbox (boolean)',
                      additionalProperties: { oneOf: [{ type: 'string', maxLength: 100 }, { type: 'boolean' }] },
                    },
                  },
                },
              },
            },
          },
          responses: {
            202: { description: 'Signed; the platform signature is applied by a job', ...json(ref('SignerView')) },
            ...errors('UNAUTHENTICATED'),
            400: error('FIELD_REQUIRED, FIELD_INVALID'),
            409: error('NOT_YOUR_TURN, ENVELOPE_NOT_ACTIVE'),
          },
        },
      },
      '/api/sign/{token}/fields': {
        get: {
          summary: "The signer's own fields, to fill before 完了する",
          security: [{ signer: [] }],
          parameters: [token],
          responses: {
            200: {
              description: 'Fields',
              ...json(listOf(envelopeField)),
            },
            ...errors('UNAUTHENTICATED'),
          },
        },
      },
      '/api/sign/{token}/decline': {
        post: {
          summary: 'Decline with a reason',
          security: [{ signer: [] }],
          parameters: [token],
          requestBody: json({
            type: 'object',
            required: ['reason'],
            properties: { reason: { type: 'string', minLength: 1, maxLength: 1000 } },
          }),
          responses: {
            200: { description: 'Declined', ...json(ref('SignerView')) },
            ...errors('VALIDATION_FAILED'),
            409: error('ALREADY_SIGNED, ENVELOPE_NOT_ACTIVE'),
          },
        },
      },
      '/api/download/{token}': {
        get: {
          summary: 'What a ダウンロード link offers',
          parameters: [token],
          responses: {
            200: { description: 'Documents', ...json(ref('Download')) },
            ...errors('LINK_INVALID', 'LINK_EXPIRED'),
          },
        },
      },
      '/api/download/{token}/documents/{documentId}': {
        get: {
          summary: 'A signed PDF',
          parameters: [token, id('documentId', 'document id')],
          responses: {
            200: { description: 'The PDF (attachment)', ...pdf },
            404: error('LINK_INVALID / NOT_FOUND'),
            410: error('LINK_EXPIRED, DOCUMENT_SHREDDED'),
          },
        },
      },
      '/api/download/{token}/certificate': {
        get: {
          summary: 'The certificate of completion (契約締結証明書) through a ダウンロード link',
          parameters: [token],
          responses: {
            200: { description: 'The signed PDF (attachment)', ...pdf },
            404: error('LINK_INVALID / NOT_FOUND (not issued yet)'),
            410: error('LINK_EXPIRED, DOCUMENT_SHREDDED'),
          },
        },
      },
      '/api/v1/envelopes/{id}/certificate': {
        get: {
          summary: 'The certificate of completion (契約締結証明書), signed and timestamped (PAdES B-LTA)',
          security: apiAuth,
          parameters: [envelopeId],
          responses: {
            200: { description: 'The PDF (attachment)', ...pdf },
            404: error('NOT_FOUND (also until the envelope is completed and the certificate issued)'),
            410: error('DOCUMENT_SHREDDED'),
          },
        },
      },
      '/api/v1/audit-events': {
        get: {
          summary: "The organisation's operation log (操作ログ), newest first (administrators only)",
          security: [{ session: [] }],
          parameters: auditFilterParameters.concat([
            {
              name: 'limit',
              in: 'query',
              required: false,
              schema: { type: 'integer', minimum: 1, maximum: 200 },
              description: 'page size (default 50)',
            },
            {
              name: 'cursor',
              in: 'query',
              required: false,
              schema: { type: 'string' },
              description: 'nextCursor of the previous page',
            },
          ]),
          responses: {
            200: {
              description: 'A page',
              ...json(pageOf(ref('AuditEvent'))),
            },
            ...errors('VALIDATION_FAILED', 'UNAUTHENTICATED'),
            403: error('FORBIDDEN (not an administrator; API keys)'),
          },
        },
      },
      '/api/v1/audit-events.csv': {
        get: {
          summary:
            'The operation log as CSV (UTF-8 with BOM, RFC 4180; administrators only; the export is itself logged)',
          security: [{ session: [] }],
          parameters: auditFilterParameters,
          responses: {
            200: { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } },
            ...errors('VALIDATION_FAILED', 'UNAUTHENTICATED', 'FORBIDDEN'),
          },
        },
      },
      '/api/v1/admin/outbox': {
        get: {
          summary:
            "The local outbox: the organisation's own mails, newest first, when no SMTP server is configured (administrators only)",
          security: [{ session: [] }],
          parameters: [
            {
              name: 'limit',
              in: 'query',
              required: false,
              schema: { type: 'integer', minimum: 1, maximum: 100 },
              description: 'how many (default 50)',
            },
          ],
          responses: {
            200: {
              description: "delivery 'outbox' with the mails, or 'smtp' with none (mail went out)",
              ...json({
                type: 'object',
                properties: {
                  delivery: { type: 'string', enum: ['outbox', 'smtp'] },
                  items: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        id: { type: 'string' },
                        to: { type: 'string' },
                        from: { type: 'string' },
                        subject: { type: 'string' },
                        text: { type: 'string' },
                        createdAt: { type: 'string', format: 'date-time' },
                        envelope: {
                          type: ['object', 'null'],
                          properties: { id: { type: 'string' }, name: { type: 'string' } },
                        },
                      },
                    },
                  },
                },
              }),
            },
            ...errors('VALIDATION_FAILED', 'UNAUTHENTICATED'),
            403: error('FORBIDDEN (not an administrator; API keys)'),
          },
        },
      },
      '/api/v1/admin/jobs': {
        get: {
          summary:
            "The organisation's failed jobs (mails, signatures, seals … that gave up after INKAN_JOB_RETRY_FOR), newest first, with the last error (administrators only)",
          security: [{ session: [] }],
          parameters: [
            { name: 'status', in: 'query', required: false, schema: { type: 'string', enum: ['failed'] } },
            {
              name: 'limit',
              in: 'query',
              required: false,
              schema: { type: 'integer', minimum: 1, maximum: 200 },
              description: 'how many (default 100)',
            },
          ],
          responses: {
            200: {
              description: 'the failed jobs',
              ...json({
                type: 'object',
                properties: {
                  items: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        id: { type: 'string' },
                        kind: {
                          type: 'string',
                          description: 'mail.signing-request, envelope.sign, envelope.seal, webhook.deliver …',
                        },
                        attempts: { type: 'integer' },
                        lastError: { type: ['string', 'null'] },
                        firstAttemptAt: { type: ['string', 'null'], format: 'date-time' },
                        failedAt: { type: ['string', 'null'], format: 'date-time' },
                        notifiedAt: { type: ['string', 'null'], format: 'date-time' },
                        envelope: {
                          type: ['object', 'null'],
                          properties: { id: { type: 'string' }, name: { type: 'string' } },
                        },
                        webhook: {
                          type: ['object', 'null'],
                          description:
                            'webhook.deliver: the delivery given up after its retry window (left out once replayed)',
                          properties: {
                            deliveryId: { type: 'string' },
                            endpointId: { type: 'string' },
                            url: { type: ['string', 'null'] },
                            eventType: { type: 'string' },
                          },
                        },
                      },
                    },
                  },
                },
              }),
            },
            ...errors('VALIDATION_FAILED', 'UNAUTHENTICATED'),
            403: error('FORBIDDEN (not an administrator; API keys)'),
          },
        },
      },
      '/api/v1/admin/jobs/{id}/retry': {
        post: {
          summary:
            'Queues a failed job again, due now, with a fresh retry window; records job.retried. A given-up webhook delivery is replayed instead (a new delivery of the same event, webhook.replayed; its id in deliveryId). Administrators only, x-csrf-token, step-up',
          security: [{ session: [] }],
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
          responses: {
            200: {
              description: 'queued again',
              ...json({
                type: 'object',
                properties: {
                  id: { type: 'string' },
                  status: { type: 'string', enum: ['queued'] },
                  deliveryId: { type: 'string', description: 'webhook.deliver: the replay' },
                },
              }),
            },
            ...errors('VALIDATION_FAILED', 'UNAUTHENTICATED'),
            403: error('FORBIDDEN, CSRF_FAILED or STEP_UP_REQUIRED'),
            404: error('NOT_FOUND (no failed job of this organisation)'),
            ...errors('JOB_NOT_FAILED'),
          },
        },
      },
      '/api/v1/organization/seal': {
        get: {
          summary: "The organisation's 社印/角印 image (null when none): the 印影 of its own (login) signers",
          security: apiAuth,
          responses: { 200: { description: 'Seal', ...json(sealImage) }, 401: error('UNAUTHENTICATED') },
        },
        put: {
          summary: 'Set the seal image (administrators; body: the PNG or JPEG, ≤ 2 MB, 16–2000 px a side)',
          security: [{ session: [] }],
          requestBody: {
            content: {
              'image/png': { schema: { type: 'string', format: 'binary' } },
              'image/jpeg': { schema: { type: 'string', format: 'binary' } },
            },
          },
          responses: {
            200: { description: 'Seal', ...json(sealImage) },
            ...errors('IMAGE_INVALID', 'FORBIDDEN', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'),
          },
        },
        delete: {
          summary: 'Remove the seal image (administrators)',
          security: [{ session: [] }],
          responses: { 200: { description: 'Seal (null)', ...json(sealImage) }, 403: error('FORBIDDEN') },
        },
      },
      '/api/v1/organization/seal/image': {
        get: {
          summary: 'The seal image itself',
          security: apiAuth,
          responses: {
            200: { description: 'PNG or JPEG', content: { 'image/png': {}, 'image/jpeg': {} } },
            ...errors('NOT_FOUND'),
          },
        },
      },
      '/api/v1/organization/settings': {
        get: {
          summary: "The organisation's settings (administrators only)",
          security: [{ session: [] }],
          responses: {
            200: { description: 'Settings', ...json(ref('OrganizationSettings')) },
            ...errors('FORBIDDEN'),
          },
        },
        patch: {
          summary: "Change the organisation's settings (administrators only; recorded in the operation log)",
          security: [{ session: [] }],
          requestBody: json(ref('OrganizationSettings')),
          responses: {
            200: { description: 'Settings after the change', ...json(ref('OrganizationSettings')) },
            ...errors('VALIDATION_FAILED', 'FORBIDDEN'),
          },
        },
      },
      '/api/help': {
        get: {
          summary:
            'The help page: the operator support contact (INKAN_SUPPORT_EMAIL, INKAN_SUPPORT_URL) and the root certificate',
          responses: {
            200: {
              description: 'Help information',
              ...json({
                type: 'object',
                properties: {
                  support: {
                    type: 'object',
                    properties: { email: { type: ['string', 'null'] }, url: { type: ['string', 'null'] } },
                  },
                  rootCertificate: {
                    type: 'object',
                    properties: { cer: { type: 'string' }, pem: { type: 'string' } },
                  },
                  verifyUrl: { type: 'string' },
                },
              }),
            },
          },
        },
      },
      '/api/verify': {
        post: {
          summary: 'Verify a PDF (public, no account; the file is not stored; 20/min per IP)',
          requestBody: {
            content: {
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  required: ['file'],
                  properties: { file: { type: 'string', format: 'binary', description: 'the PDF' } },
                },
              },
            },
          },
          responses: {
            200: {
              description:
                '{ report: the verifier report (docs/verify-json.md), presentation: verdict and plain-language ja/en texts } — also for files that are not PDFs or have no signatures',
              ...json({ type: 'object', required: ['report', 'presentation'] }),
            },
            400: error('VALIDATION_FAILED (no file part)'),
            413: error('PAYLOAD_TOO_LARGE (details.maxBytes = INKAN_MAX_UPLOAD_MB)'),
            415: error('UNSUPPORTED_MEDIA_TYPE (not multipart)'),
            422: error(
              'PDF_TOO_COMPLEX: the file is over a resource limit (details.limit: decoded-bytes, objects, nesting-depth, xref-sections, object-streams, signatures, memory or time; details.max)',
            ),
            ...errors('RATE_LIMITED'),
            503: error(
              'VERIFY_BUSY: every verification worker is busy and the queue is full (Retry-After header, details.retryAfterSeconds)',
            ),
          },
        },
      },
      '/api/verify/certificates/{certificateId}': {
        get: {
          summary: "Public summary of a completed envelope's certificate of completion (masked e-mails; 30/min per IP)",
          parameters: [id('certificateId', 'IK-XXXX-XXXX-XXXX (full-width and lower case accepted)')],
          responses: {
            200: {
              description: 'Summary',
              ...json({
                type: 'object',
                properties: {
                  certificateId: { type: 'string' },
                  envelope: {
                    type: 'object',
                    properties: { name: { type: 'string' }, completedAt: { type: 'string', format: 'date-time' } },
                  },
                  documents: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        name: { type: 'string' },
                        pages: { type: 'integer' },
                        sha256Original: { type: 'string', description: 'of the uploaded file' },
                        sha256Signed: { type: 'string', description: 'of the file as signed and sealed (version 1)' },
                        versions: {
                          type: 'array',
                          description:
                            'archived versions (LTA renewal adds one each time; empty until the first daily run recorded the file)',
                          items: {
                            type: 'object',
                            properties: {
                              version: { type: 'integer' },
                              sha256: { type: 'string' },
                              renewedAt: { type: ['string', 'null'], format: 'date-time' },
                              current: { type: 'boolean' },
                            },
                          },
                        },
                      },
                    },
                  },
                  parties: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        name: { type: 'string' },
                        email: { type: 'string', description: 'masked: t***@example.jp' },
                        signedAt: iso,
                      },
                    },
                  },
                },
              }),
            },
            404: error('NOT_FOUND (unknown, or the envelope is not completed)'),
            ...errors('RATE_LIMITED'),
          },
        },
      },
    },
  };
}
