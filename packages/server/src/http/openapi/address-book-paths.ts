import { contactBody, registrationBody } from '../address-book/schema.ts';
import { apiAuth, error, json, listOf, pathParameter, ref, schemaOf } from './helpers.ts';

/* The address book's and the 届出 page's part of the OpenAPI document (docs/api.md says the same in prose). */

const contactId = pathParameter('id', 'contact id');
const token = pathParameter('token', 'the 届出 link token from the mail');
const notFound = error("NOT_FOUND (also another organisation's contact)");

export const addressBookSchemas = {
  Contact: {
    type: 'object',
    description: 'A counterparty (取引先) of the organisation. The registered access code is never returned.',
    properties: {
      id: { type: 'string' },
      companyName: { type: 'string' },
      department: { type: ['string', 'null'] },
      personName: { type: 'string', description: '担当者 who receives the 届出 request' },
      email: { type: 'string' },
      phone: { type: ['string', 'null'] },
      note: { type: ['string', 'null'] },
      registeredSigner: {
        type: ['object', 'null'],
        description: 'the signer the counterparty registered with its own access code (登録済みアクセスコード)',
        properties: {
          name: { type: 'string' },
          email: { type: 'string' },
          language: { enum: ['ja', 'en'] },
          registeredAt: { type: 'string', format: 'date-time' },
        },
      },
      pendingRequest: {
        type: ['object', 'null'],
        description: 'an open 届出 link (sent, not yet used)',
        properties: {
          requestedAt: { type: 'string', format: 'date-time' },
          expiresAt: { type: 'string', format: 'date-time' },
        },
      },
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
    },
  },
  ContactInput: schemaOf(contactBody),
  SignerRegistration: schemaOf(registrationBody),
};

export const addressBookPaths = {
  '/api/v1/address-book/contacts': {
    get: {
      summary: '取引先アドレス帳: search the contacts (company, department, person, e-mail, registered signer)',
      security: apiAuth,
      parameters: [
        { name: 'q', in: 'query', required: false, schema: { type: 'string' }, description: 'substring, ≤ 200' },
        {
          name: 'registered',
          in: 'query',
          required: false,
          schema: { enum: ['true', 'false'] },
          description: 'true: only contacts with a registered signer',
        },
        { name: 'limit', in: 'query', required: false, schema: { type: 'integer' }, description: '1–200 (50)' },
        { name: 'offset', in: 'query', required: false, schema: { type: 'integer' } },
      ],
      responses: {
        200: {
          description: 'A page, sorted by company and person',
          ...json(listOf(ref('Contact'), 'items', { total: { type: 'integer' } })),
        },
        400: error('VALIDATION_FAILED'),
        401: error('UNAUTHENTICATED'),
      },
    },
    post: {
      summary: 'Add a contact (members and send keys; viewers 403)',
      security: apiAuth,
      requestBody: json(ref('ContactInput')),
      responses: {
        201: { description: 'The contact', ...json(ref('Contact')) },
        400: error('VALIDATION_FAILED / INVALID_EMAIL; nothing stored'),
        403: error('FORBIDDEN / API_KEY_SCOPE / CSRF_FAILED'),
      },
    },
  },
  '/api/v1/address-book/contacts/import': {
    post: {
      summary:
        'CSVから取り込む: add contacts from a UTF-8 CSV (header 会社名, 部署, 担当者名, メールアドレス, 電話番号, メモ or companyName, department, personName, email, phone, note); all or nothing; rows already in the book (company + e-mail) are skipped',
      security: apiAuth,
      requestBody: { content: { 'text/csv': { schema: { type: 'string' } } } },
      responses: {
        201: {
          description: 'Imported',
          ...json({ type: 'object', properties: { created: { type: 'integer' }, skipped: { type: 'integer' } } }),
        },
        400: error('VALIDATION_FAILED (details.rows: [{ line, field, code }], at most 20); nothing stored'),
        413: error('PAYLOAD_TOO_LARGE (1 MB; at most 2,000 rows)'),
        415: error('UNSUPPORTED_MEDIA_TYPE'),
      },
    },
  },
  '/api/v1/address-book/contacts/{id}': {
    get: {
      summary: 'One contact',
      security: apiAuth,
      parameters: [contactId],
      responses: { 200: { description: 'The contact', ...json(ref('Contact')) }, 404: notFound },
    },
    put: {
      summary: "Change a contact's fields (the registered signer stays: only the counterparty changes it)",
      security: apiAuth,
      parameters: [contactId],
      requestBody: json(ref('ContactInput')),
      responses: {
        200: { description: 'The contact', ...json(ref('Contact')) },
        400: error('VALIDATION_FAILED / INVALID_EMAIL'),
        404: notFound,
      },
    },
    delete: {
      summary: 'Delete a contact with its registration (envelopes made before keep their recipients)',
      security: apiAuth,
      parameters: [contactId],
      responses: { 204: { description: 'Deleted' }, 404: notFound },
    },
  },
  '/api/v1/address-book/contacts/{id}/registration-requests': {
    post: {
      summary:
        '届出依頼: mail the contact a one-use link (14 days) to register its signer and choose the access code; an earlier open link stops working',
      security: apiAuth,
      parameters: [contactId],
      requestBody: json({ type: 'object', properties: { language: { enum: ['ja', 'en'] } } }),
      responses: {
        202: {
          description: 'Queued',
          ...json({ type: 'object', properties: { requestedAt: { type: 'string' }, expiresAt: { type: 'string' } } }),
        },
        404: notFound,
      },
    },
  },
  '/api/v1/address-book/contacts/{id}/registration': {
    delete: {
      summary: 'Revoke the registered signer and code (and any open link); new envelopes can no longer use it',
      security: apiAuth,
      parameters: [contactId],
      responses: { 204: { description: 'Revoked' }, 404: notFound, 409: error('CONTACT_NOT_REGISTERED') },
    },
  },
  '/api/signer-registrations/{token}': {
    get: {
      summary:
        'The 届出 page: who asks, for which company, until when, the current signer (never the code); no side effects',
      parameters: [token],
      responses: {
        200: {
          description: 'The link',
          ...json({
            type: 'object',
            properties: {
              organizationName: { type: 'string' },
              senderContact: { type: ['string', 'null'] },
              companyName: { type: 'string' },
              personName: { type: 'string' },
              language: { enum: ['ja', 'en'] },
              expiresAt: { type: 'string' },
              currentSigner: {
                type: ['object', 'null'],
                properties: { name: { type: 'string' }, email: { type: 'string' } },
              },
            },
          }),
        },
        404: error('REGISTRATION_LINK_INVALID'),
        410: error('REGISTRATION_LINK_EXPIRED (used, replaced, revoked or past 14 days)'),
        429: error('RATE_LIMITED'),
      },
    },
    post: {
      summary:
        "Register the signer and the access code the counterparty chose (6–8 digits, twice, not trivially weak); stored only as the code's keyed hash. Uses the link up",
      parameters: [token],
      requestBody: json(ref('SignerRegistration')),
      responses: {
        200: {
          description: 'Registered',
          ...json({
            type: 'object',
            properties: {
              registeredAt: { type: 'string' },
              organizationName: { type: 'string' },
              signerEmail: { type: 'string' },
            },
          }),
        },
        400: error(
          'VALIDATION_FAILED / INVALID_EMAIL / INVALID_ACCESS_CODE_FORMAT / ACCESS_CODE_MISMATCH / ACCESS_CODE_WEAK',
        ),
        404: error('REGISTRATION_LINK_INVALID'),
        410: error('REGISTRATION_LINK_EXPIRED'),
        429: error('RATE_LIMITED (per IP and per link)'),
      },
    },
  },
};
