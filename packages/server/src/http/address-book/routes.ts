import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { getRegistrationLink, registerContactSigner } from '../../domain/use-cases/register-contact-signer.ts';
import {
  createContact,
  deleteContact,
  getContact,
  listContacts,
  updateContact,
} from '../../domain/use-cases/manage-address-book.ts';
import { importContacts } from '../../domain/use-cases/import-contacts.ts';
import { CSV_IMPORT_LIMITS } from '../../domain/address-book/contacts-csv.ts';
import { AppError } from '../../domain/app-error.ts';
import { requestSignerRegistration } from '../../domain/use-cases/request-signer-registration.ts';
import { revokeSignerRegistration } from '../../domain/use-cases/revoke-signer-registration.ts';
import { decodeCsv } from '../csv-body.ts';
import { parseWith } from '../envelopes/schema.ts';
import { changeBy, originOf, requirePrincipal } from '../request-context.ts';
import {
  contactBody,
  contactParams,
  listContactsQuery,
  registrationBody,
  registrationParams,
  registrationRequestBody,
} from './schema.ts';

/** The public 届出 page's surface: per IP, like every link (the use case also counts per link). */
const REGISTRATION_RATE_LIMIT = { max: 30, timeWindow: '1 minute' };

/**
 * The address book (取引先アドレス帳, issue 11 part 6): contacts of the caller's organisation (a session
 * or an API key; viewers and read keys only read), 届出 requests and their revocation; and the public
 * 届出 page's API where a counterparty registers its signer and chooses its access code.
 */
export async function addressBookRoutes(app: FastifyInstance, options: { context: AppContext }): Promise<void> {
  const { context } = options;

  /** A change of one contact by a writer (a session or a write key): authorised, its id parsed. */
  const contactChange = async (request: FastifyRequest) => {
    const principal = await requirePrincipal(context, request, { write: true });
    const { id } = parseWith(contactParams, request.params);
    return { ...changeBy(principal, request), contactId: id };
  };

  // CSVから取り込む: the file as the raw body (UTF-8), bounded here, parsed and checked in the domain.
  app.addContentTypeParser(
    'text/csv',
    { parseAs: 'buffer', bodyLimit: CSV_IMPORT_LIMITS.bytes },
    (_request, body, done) => done(null, body),
  );

  app.post('/api/v1/address-book/contacts/import', async (request, reply) => {
    const principal = await requirePrincipal(context, request, { write: true });
    if (!Buffer.isBuffer(request.body))
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the CSV file as text/csv (UTF-8)');
    const result = await importContacts(context, {
      ...changeBy(principal, request),
      csv: decodeCsv(request.body),
    });
    return reply.code(201).send(result);
  });

  app.get('/api/v1/address-book/contacts', async (request) => {
    const principal = await requirePrincipal(context, request, { write: false });
    const query = parseWith(listContactsQuery, request.query);
    return listContacts(context, {
      organizationId: principal.organizationId,
      q: query.q,
      registered: query.registered === 'true',
      limit: query.limit,
      offset: query.offset,
    });
  });

  app.post('/api/v1/address-book/contacts', async (request, reply) => {
    const principal = await requirePrincipal(context, request, { write: true });
    const body = parseWith(contactBody, request.body);
    const contact = await createContact(context, {
      ...changeBy(principal, request),
      fields: body,
    });
    return reply.code(201).send(contact);
  });

  app.get('/api/v1/address-book/contacts/:id', async (request) => {
    const principal = await requirePrincipal(context, request, { write: false });
    const { id } = parseWith(contactParams, request.params);
    return getContact(context, { organizationId: principal.organizationId, contactId: id });
  });

  app.put('/api/v1/address-book/contacts/:id', async (request) => {
    const change = await contactChange(request);
    return updateContact(context, { ...change, fields: parseWith(contactBody, request.body) });
  });

  app.delete('/api/v1/address-book/contacts/:id', async (request, reply) => {
    const change = await contactChange(request);
    await deleteContact(context, change);
    return reply.code(204).send();
  });

  app.post('/api/v1/address-book/contacts/:id/registration-requests', async (request, reply) => {
    const change = await contactChange(request);
    const body = parseWith(registrationRequestBody, request.body);
    const requested = await requestSignerRegistration(context, { ...change, language: body?.language });
    return reply.code(202).send(requested);
  });

  app.delete('/api/v1/address-book/contacts/:id/registration', async (request, reply) => {
    const change = await contactChange(request);
    await revokeSignerRegistration(context, change);
    return reply.code(204).send();
  });

  // The counterparty's 届出 page (no account): the link's token is the credential.
  app.get(
    '/api/signer-registrations/:token',
    { config: { rateLimit: REGISTRATION_RATE_LIMIT } },
    async (request, reply) => {
      const { token } = parseWith(registrationParams, request.params);
      reply.header('cache-control', 'private, no-store');
      return getRegistrationLink(context, { token });
    },
  );

  app.post(
    '/api/signer-registrations/:token',
    { config: { rateLimit: REGISTRATION_RATE_LIMIT } },
    async (request, reply) => {
      const { token } = parseWith(registrationParams, request.params);
      const body = parseWith(registrationBody, request.body);
      reply.header('cache-control', 'private, no-store');
      return registerContactSigner(context, { token, ...body, origin: originOf(request) });
    },
  );
}
