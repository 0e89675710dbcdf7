import { PdfDocument, stampCertificateIdParts } from '@inkan/core';
import { pdfAppError } from '../pdf-errors.ts';
import { generateAccessCode, hashAccessCode, newId } from '../../security/tokens.ts';
import { AppError } from '../app-error.ts';
import { CERTIFICATE_ID_CHARACTERS, newCertificateId } from '../certificate-id.ts';
import { sha256Hex } from '../hashing.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import { detailsOfWrittenRows, loadEnvelopeDetails, type EnvelopeDetails } from '../rows.ts';
import { inTransaction } from '../transaction.ts';
import type { Selectable } from 'kysely';
import type { DbOrTx, Schema } from '../../ports/database.ts';
import type { Actor, Language, RecipientAuth, RecipientRole, RequestOrigin } from '../types.ts';
import { assertOrdersWithoutGaps, INITIAL_ENVELOPE_STATUS, INITIAL_RECIPIENT_STATUS } from '../envelope-machine.ts';
import { ACCESS_CODE_PATTERN, cleanFileName, isEmail, LIMITS, optionalText, requireLine } from '../validation.ts';
import { registeredSignerOf } from '../address-book/registered-signer.ts';

/** A recipient as the sender describes it. */
export interface NewRecipient {
  /** May be left out with `contactId`: the registered signer's name. */
  name?: string;
  /** May be left out with `contactId`; else it must be the registered signer's address. */
  email?: string;
  /** 4–8 digits; generated (4 digits) when absent for auth 'access_code'. A CC recipient has none. */
  accessCode?: string;
  /** Signing order from 1 without gaps; equal orders sign in parallel. Ignored (and optional) for a CC. */
  order?: number;
  /** `signer` (default) or `cc`: receives the completion mail and the download, never signs. */
  role?: RecipientRole;
  language?: Language;
  auth?: RecipientAuth;
  /** An address-book contact with a registered signer: its name, e-mail and chosen access code (登録済みアクセスコード). */
  contactId?: string;
}

/** What create-envelope needs. */
export interface CreateEnvelopeInput {
  organizationId: string;
  /** A user or an API key of that organisation. */
  actor: Extract<Actor, { type: 'user' } | { type: 'api_key' }>;
  origin?: RequestOrigin;
  name: string;
  message?: string;
  expiresAt?: string | null;
  recipients: NewRecipient[];
  documents: Array<{ name?: string; bytes: Uint8Array }>;
  /** Added to the `envelope.created` event's details (a template or bulk send it came from). */
  eventDetails?: Record<string, string>;
  /** More writes in the same transaction, given the new ids in input order (a template's fields). */
  within?: (tx: DbOrTx, created: CreatedIds) => Promise<void>;
}

/** The ids of what create-envelope wrote, in the order of its input. */
export interface CreatedIds {
  envelopeId: string;
  documentIds: string[];
  recipientIds: string[];
}

/** An uploaded PDF after checking. */
export interface CheckedDocument {
  name: string;
  bytes: Uint8Array;
  pages: number;
  sha256: string;
}

/**
 * Creates a draft envelope: validates everything first (nothing is stored for bad input), stores the
 * original PDFs, then writes the envelope, its documents and recipients and the `envelope.created`
 * event in one transaction.
 */
export async function createEnvelope(ctx: DomainContext, input: CreateEnvelopeInput): Promise<EnvelopeDetails> {
  const now = ctx.clock.now();
  const name = requireLine(input.name, 'name', LIMITS.envelopeName);
  const message = optionalText(input.message, 'message', LIMITS.message);
  const expiresAt = parseExpiry(input.expiresAt, now);
  if (!Array.isArray(input.documents) || input.documents.length === 0)
    throw new AppError('NO_DOCUMENTS', 'an envelope needs at least one PDF document');
  if (input.documents.length > LIMITS.documents)
    throw new AppError('VALIDATION_FAILED', `at most ${LIMITS.documents} documents`, {
      field: 'documents',
      max: LIMITS.documents,
    });
  if (!Array.isArray(input.recipients) || input.recipients.length === 0)
    throw new AppError('NO_RECIPIENTS', 'an envelope needs at least one recipient');
  if (input.recipients.length > LIMITS.recipients)
    throw new AppError('VALIDATION_FAILED', `at most ${LIMITS.recipients} recipients`, {
      field: 'recipients',
      max: LIMITS.recipients,
    });

  const recipients = await checkRecipients(ctx, input.organizationId, input.recipients);
  const certificateId = newCertificateId();
  const documents = input.documents.map((d, i) => checkDocument(d, i, ctx.config.maxUploadBytes, certificateId));

  // Blobs are written before the transaction (a file system is not transactional) and removed if it fails.
  const blobKeys: string[] = [];
  try {
    for (const d of documents) blobKeys.push(await ctx.blobs.put(d.bytes));
    const envelopeId = newId();
    const generatedAccessCodes: Record<string, string> = {};
    const created: CreatedIds = { envelopeId, documentIds: [], recipientIds: [] };
    // The rows as written (RETURNING): the answer needs no second round of reads after the commit.
    const written = await inTransaction(ctx.db, ctx.dialect, async (tx) => {
      const envelopeRow = await tx
        .insertInto('envelopes')
        .values({
          id: envelopeId,
          organization_id: input.organizationId,
          created_by_user_id: input.actor.type === 'user' ? input.actor.id : null,
          created_by_api_key_id: input.actor.type === 'api_key' ? input.actor.id : null,
          name,
          message,
          status: INITIAL_ENVELOPE_STATUS,
          certificate_id: certificateId,
          expires_at: expiresAt?.toISOString() ?? null,
          created_at: now.toISOString(),
          sent_at: null,
          completed_at: null,
          canceled_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const documentRows: Array<Schema['documents']> = [];
      const recipientRows: Array<Selectable<Schema['recipients']>> = [];
      for (const [position, d] of documents.entries()) {
        created.documentIds.push(newId());
        const documentRow = await tx
          .insertInto('documents')
          .values({
            id: created.documentIds[position],
            envelope_id: envelopeId,
            position,
            name: d.name,
            pages: d.pages,
            size: d.bytes.length,
            sha256_original: d.sha256,
            sha256_current: d.sha256,
            blob_original: blobKeys[position],
            blob_current: blobKeys[position],
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        documentRows.push(documentRow);
      }
      for (const [position, r] of recipients.entries()) {
        const id = newId();
        created.recipientIds.push(id);
        if (r.generatedCode !== undefined) generatedAccessCodes[id] = r.generatedCode;
        const recipientRow = await tx
          .insertInto('recipients')
          .values({
            id,
            envelope_id: envelopeId,
            signing_order: r.order,
            name: r.name,
            email: r.email,
            language: r.language,
            auth: r.auth,
            role: r.role,
            position,
            user_id: r.userId,
            access_code_hash: r.codeHash ?? (r.code === null ? null : hashAccessCode(r.code, ctx.keys.accessCode)),
            // A registered code (登録済みアクセスコード) has no clear text here: nothing to keep for the sender.
            access_code_sealed: r.code === null ? null : await ctx.secrets.sealSecret('access-code', r.code, id, tx),
            failed_attempts: 0,
            status: INITIAL_RECIPIENT_STATUS,
            link_token_hash: null,
            notified_at: null,
            viewed_at: null,
            signed_at: null,
            declined_at: null,
            decline_reason: null,
            locked_at: null,
            signed_ip: null,
            signed_user_agent: null,
            address_book_contact_id: r.contactId ?? null,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        recipientRows.push(recipientRow);
      }
      await recordEvent(tx, {
        organizationId: input.organizationId,
        envelopeId,
        actor: input.actor,
        action: 'envelope.created',
        origin: input.origin,
        at: now,
        details: {
          name,
          certificateId,
          ...input.eventDetails,
          documents: documents.map((d) => ({ name: d.name, pages: d.pages, sha256: d.sha256 })),
          recipients: recipients.map((r) => ({
            name: r.name,
            email: r.email,
            order: r.order,
            auth: r.auth,
            role: r.role,
            ...(r.contactId ? { contactId: r.contactId, codeSource: 'address-book' } : {}),
          })),
        },
      });
      await input.within?.(tx, created);
      return { envelopeRow, documentRows, recipientRows };
    });
    // A `within` step may change what was written: then read it back.
    const details =
      input.within === undefined
        ? detailsOfWrittenRows(written.envelopeRow, written.documentRows, written.recipientRows)
        : await loadEnvelopeDetails(ctx.db, input.organizationId, envelopeId);
    return { ...details, generatedAccessCodes };
  } catch (error) {
    await Promise.all(blobKeys.map((key) => ctx.blobs.delete(key).catch(() => undefined)));
    throw error;
  }
}

/** An expiry date-time from the API: absent or empty is none; it must be in the future. */
export function parseExpiry(value: string | null | undefined, now: Date): Date | null {
  if (value === undefined || value === null || value === '') return null;
  const date = new Date(value);
  if (typeof value !== 'string' || Number.isNaN(date.getTime())) {
    throw new AppError('VALIDATION_FAILED', 'expiresAt must be an ISO 8601 date-time', { field: 'expiresAt' });
  }
  if (date.getTime() <= now.getTime())
    throw new AppError('VALIDATION_FAILED', 'expiresAt must be in the future', { field: 'expiresAt' });
  return date;
}

/** A recipient after checking (the code in clear only until it is hashed and sealed). */
export interface CheckedRecipient {
  name: string;
  email: string;
  /** 0 for a CC (it has no place in the signing order). */
  order: number;
  role: RecipientRole;
  language: Language;
  auth: RecipientAuth;
  userId: string | null;
  /** The code to hash, or null for auth 'login' and for a registered code. */
  code: string | null;
  generatedCode?: string;
  /** A contact's registered code (already hashed) and the contact. */
  codeHash?: string;
  contactId?: string;
}

/** Checks the recipients the sender described (stable codes per problem); generates missing codes. */
export async function checkRecipients(
  ctx: DomainContext,
  organizationId: string,
  list: NewRecipient[],
): Promise<CheckedRecipient[]> {
  const out: CheckedRecipient[] = [];
  const signerOrders: number[] = [];
  const signerIndexes: number[] = [];
  for (const [i, r] of list.entries()) {
    const field = `recipients[${i}]`;
    if (r === null || typeof r !== 'object')
      throw new AppError('VALIDATION_FAILED', `${field} must be an object`, { field });
    // 登録済みアクセスコード (address book, issue 11 part 6): the contact's registered signer and code.
    const registered =
      r.contactId === undefined || r.contactId === null
        ? null
        : await registeredSignerOf(ctx.db, organizationId, r, field);
    const name = requireLine(registered && !r.name ? registered.name : r.name, `${field}.name`, LIMITS.recipientName);
    const email = registered ? registered.email : typeof r.email === 'string' ? r.email.trim() : '';
    if (!isEmail(email))
      throw new AppError('INVALID_EMAIL', `${field}.email is not a valid e-mail address`, { field: `${field}.email` });
    const role = r.role ?? 'signer';
    if (role !== 'signer' && role !== 'cc')
      throw new AppError('VALIDATION_FAILED', `${field}.role must be signer or cc`, { field: `${field}.role` });
    if (role === 'cc') {
      if (registered)
        throw new AppError(
          'VALIDATION_FAILED',
          `${field}.role: a registered signer (contactId) signs; it cannot be a CC`,
          {
            field: `${field}.role`,
          },
        );
      out.push(checkCc(r, field, name, email));
      continue;
    }
    if (!Number.isInteger(r.order) || (r.order as number) < 1 || (r.order as number) > 1000) {
      throw new AppError('VALIDATION_FAILED', `${field}.order must be a whole number from 1`, {
        field: `${field}.order`,
      });
    }
    const order = r.order as number;
    signerOrders.push(order);
    signerIndexes.push(i);
    const language = r.language ?? registered?.language ?? 'ja';
    if (language !== 'ja' && language !== 'en')
      throw new AppError('VALIDATION_FAILED', `${field}.language must be ja or en`, { field: `${field}.language` });
    const auth = r.auth ?? 'access_code';
    if (auth !== 'access_code' && auth !== 'login')
      throw new AppError('VALIDATION_FAILED', `${field}.auth must be access_code or login`, { field: `${field}.auth` });
    if (auth === 'login') {
      // The organisation's own signer proves who they are by signing in, so they must be a member.
      const user = await ctx.db
        .selectFrom('users')
        .innerJoin('memberships', 'memberships.user_id', 'users.id')
        .select(['users.id'])
        .where('memberships.organization_id', '=', organizationId)
        .where('memberships.deactivated_at', 'is', null)
        .where((eb) => eb(eb.fn('lower', ['users.email']), '=', email.toLowerCase()))
        .executeTakeFirst();
      if (!user)
        throw new AppError(
          'VALIDATION_FAILED',
          `${field}.email is not a member of the organisation (required for auth "login")`,
          { field: `${field}.email` },
        );
      out.push({ name, email, order, role, language, auth, userId: user.id, code: null });
      continue;
    }
    if (registered) {
      const { contactId, accessCodeHash: codeHash } = registered;
      out.push({ name, email, order, role, language, auth, userId: null, code: null, codeHash, contactId });
      continue;
    }
    if (r.accessCode !== undefined && r.accessCode !== null && r.accessCode !== '') {
      if (typeof r.accessCode !== 'string' || !ACCESS_CODE_PATTERN.test(r.accessCode)) {
        throw new AppError('INVALID_ACCESS_CODE_FORMAT', `${field}.accessCode must be 4–8 digits`, {
          field: `${field}.accessCode`,
        });
      }
      out.push({ name, email, order, role, language, auth, userId: null, code: r.accessCode });
    } else {
      const code = generateAccessCode();
      out.push({ name, email, order, role, language, auth, userId: null, code, generatedCode: code });
    }
  }
  if (signerOrders.length === 0)
    throw new AppError('NO_RECIPIENTS', 'an envelope needs at least one signer (CC recipients do not sign)');
  assertOrdersWithoutGaps(signerOrders, (index) => `recipients[${signerIndexes[index]}].order`);
  return out;
}

/** A CC recipient: no access code, no sign-in, no place in the signing order. */
function checkCc(r: NewRecipient, field: string, name: string, email: string): CheckedRecipient {
  if (r.accessCode !== undefined && r.accessCode !== null && r.accessCode !== '')
    throw new AppError('VALIDATION_FAILED', `${field}.accessCode: a CC recipient never signs and has no access code`, {
      field: `${field}.accessCode`,
    });
  if (r.auth !== undefined && r.auth !== 'access_code')
    throw new AppError('VALIDATION_FAILED', `${field}.auth: a CC recipient never signs in to sign`, {
      field: `${field}.auth`,
    });
  const language = r.language ?? 'ja';
  if (language !== 'ja' && language !== 'en')
    throw new AppError('VALIDATION_FAILED', `${field}.language must be ja or en`, { field: `${field}.language` });
  return { name, email, order: 0, role: 'cc', language, auth: 'access_code', userId: null, code: null };
}

/** Checks one uploaded PDF: size, pages, and that sending will be able to stamp it. */
export function checkDocument(
  document: { name?: string; bytes: Uint8Array },
  index: number,
  maxBytes: number,
  certificateId: string,
): CheckedDocument {
  const name = cleanFileName(document.name, `document-${index + 1}.pdf`);
  const details = { document: name, index };
  if (document.bytes.length > maxBytes)
    throw new AppError('PAYLOAD_TOO_LARGE', `${name} is larger than ${Math.floor(maxBytes / 1048576)} MB`, {
      ...details,
      maxBytes,
    });
  let pages: number;
  try {
    const pdf = PdfDocument.load(document.bytes);
    pages = pdf.pageCount;
    if (pages < 1) throw new AppError('PDF_INVALID', `${name} has no pages`, { ...details, reason: 'PDF_NO_PAGES' });
    // A dry run of the stamp that sending will apply: a file that cannot take an incremental update
    // (or has no readable first page) is refused now, not after the recipients were told.
    stampCertificateIdParts(document.bytes, { certificateId, idAlphabet: CERTIFICATE_ID_CHARACTERS });
  } catch (error) {
    throw pdfAppError(error, name, details);
  }
  return { name, bytes: document.bytes, pages, sha256: sha256Hex(document.bytes) };
}
