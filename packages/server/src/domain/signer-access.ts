import { createHmac } from 'node:crypto';
import { hashToken } from '../security/tokens.ts';
import type { Selectable } from 'kysely';
import type { DbOrTx, Schema } from '../ports/database.ts';
import { AppError } from './app-error.ts';
import { recordEvent, type NewEvent } from './record-event.ts';
import type { DomainContext } from './domain-context.ts';
import { effectiveStatus, isLockedOut, isSigningLinkExpired } from './envelope-state.ts';
import { envelopeAllows, isTurnOf, recipientStatusesAllowing } from './envelope-machine.ts';
import { loadDetailsOf, toRecipient, type EnvelopeDetails } from './rows.ts';
import type { Envelope, Language, Recipient, RecipientStatus } from './types.ts';
import { logoPathOf } from './use-cases/update-organization-profile.ts';

/** Tokens we issue are 32 random bytes in base64url; anything else is not worth a query. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32,128}$/;

/** A recipient found through their personal link, with the envelope and who sent it. */
export interface SignerContext extends EnvelopeDetails {
  recipient: Recipient;
  organizationName: string;
  /** The user who created the envelope, if any. */
  senderName: string | null;
  /** Whom the signer can ask: the organisation and the user who created the envelope (if any). */
  sender: SenderContact;
  /** The organisation's logo path (組織情報), or null. */
  organizationLogoPath: string | null;
  /** 送信者の連絡先 (組織情報), or null. */
  senderContact: string | null;
}

/**
 * The sender's contact as signers see it (request mail, code page, lock page, done page): the
 * organisation, and the person who created the envelope with their e-mail and telephone when set.
 * Envelopes created through the API have no person: then only the organisation.
 */
export interface SenderContact {
  organization: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  /** The organisation's own 送信者の連絡先 (組織情報), or null. */
  organizationContact: string | null;
  /** The organisation's logo path (組織情報), or null. */
  logoPath: string | null;
}

/** Finds the recipient of a signing-link token (read only); unknown → LINK_INVALID. */
export async function findByLinkToken(db: DbOrTx, token: string): Promise<SignerContext> {
  if (!TOKEN_PATTERN.test(token)) throw new AppError('LINK_INVALID', 'unknown link');
  const row = await db
    .selectFrom('recipients')
    .innerJoin('signing_links', 'signing_links.recipient_id', 'recipients.id')
    .selectAll('recipients')
    .where('signing_links.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row) throw new AppError('LINK_INVALID', 'unknown link');
  return contextOfRecipient(db, toRecipient(row));
}

/** The sender's columns as both readers select them: the organisation, and the creating user (left join). */
const SENDER_COLUMNS = [
  'organizations.name as sender_organization_name',
  'organizations.logo_updated_at as sender_organization_logo_updated_at',
  'organizations.sender_contact as sender_organization_contact',
  'users.name as sender_user_name',
  'users.email as sender_user_email',
  'users.phone as sender_user_phone',
] as const;
/** The names those columns are selected under (`… as sender_…`). */
const SENDER_ALIASES: ReadonlySet<string> = new Set(SENDER_COLUMNS.map((column) => column.split(' as ')[1]));

/** The envelope, organisation and sender of a recipient. */
export async function contextOfRecipient(db: DbOrTx, recipient: Recipient): Promise<SignerContext> {
  const { row, sender } = await loadEnvelopeWithSender(db, recipient.envelopeId);
  return withSender(await loadDetailsOf(db, row), recipient, sender);
}

/**
 * An envelope's row with its sender's contact, in one statement (three before): every signer request,
 * the signing jobs and the sign transaction come through here. `forUpdate`: PostgreSQL locks the
 * envelope's row (only that row: the organisation and the user are read, not locked).
 */
export async function loadEnvelopeWithSender(
  db: DbOrTx,
  envelopeId: string,
  options: { forUpdate?: boolean } = {},
): Promise<{ row: Selectable<Schema['envelopes']>; sender: SenderContact }> {
  const selected = await db
    .selectFrom('envelopes')
    .innerJoin('organizations', 'organizations.id', 'envelopes.organization_id')
    .leftJoin('users', 'users.id', 'envelopes.created_by_user_id')
    .selectAll('envelopes')
    .select(SENDER_COLUMNS)
    .where('envelopes.id', '=', envelopeId)
    .$if(options.forUpdate === true, (qb) => qb.forUpdate('envelopes'))
    .executeTakeFirstOrThrow();
  // The envelope's own columns: every one selected but the sender's.
  const row = Object.fromEntries(
    Object.entries(selected).filter(([column]) => !SENDER_ALIASES.has(column)),
  ) as Selectable<Schema['envelopes']>;
  return { row, sender: senderContactOf({ organizationId: selected.organization_id, ...selected }) };
}

/** The sender's columns as both readers select them (the organisation, and the creating user if any). */
interface SenderColumns {
  organizationId: string;
  sender_organization_name: string;
  sender_organization_logo_updated_at: string | null;
  sender_organization_contact: SenderContact['organizationContact'];
  sender_user_name?: string | null;
  sender_user_email?: string | null;
  sender_user_phone?: string | null;
}

function senderContactOf(columns: SenderColumns): SenderContact {
  return {
    organization: columns.sender_organization_name,
    name: columns.sender_user_name ?? null,
    email: columns.sender_user_email ?? null,
    phone: columns.sender_user_phone ?? null,
    organizationContact: columns.sender_organization_contact,
    logoPath: logoPathOf(columns.organizationId, columns.sender_organization_logo_updated_at),
  };
}

/** A SignerContext from an envelope's details, the recipient and the sender's contact. */
export function withSender(details: EnvelopeDetails, recipient: Recipient, sender: SenderContact): SignerContext {
  return {
    ...details,
    recipient,
    organizationName: sender.organization,
    senderName: sender.name,
    sender,
    organizationLogoPath: sender.logoPath,
    senderContact: sender.organizationContact,
  };
}

/** The contact of an envelope's sender: its organisation, and the user who created it (if any). */
export async function loadSenderContact(
  db: DbOrTx,
  envelope: { organizationId: string; createdByUserId: string | null },
): Promise<SenderContact> {
  // One statement: the organisation, with its user who created the envelope when there is one.
  const row = await db
    .selectFrom('organizations')
    // No creating user (an API-made envelope): an id no user has, so the join finds none.
    .leftJoin('users', (join) => join.on('users.id', '=', envelope.createdByUserId ?? ''))
    .select(SENDER_COLUMNS)
    .where('organizations.id', '=', envelope.organizationId)
    .executeTakeFirstOrThrow();
  return senderContactOf({ organizationId: envelope.organizationId, ...row });
}

/**
 * What the signer's first page may know (nothing about the documents). `signed`: this recipient has
 * signed and the envelope waits for others.
 */
export type SigningLinkState =
  'code_required' | 'login_required' | 'signed' | 'locked' | 'expired' | 'completed' | 'declined' | 'canceled';

/** The state of a signing link, from the signer's point of view. */
export function signingLinkState(
  ctx: Pick<DomainContext, 'config'>,
  signer: Pick<SignerContext, 'envelope' | 'recipient'>,
  now: Date,
): SigningLinkState {
  const status = effectiveStatus(signer.envelope, now);
  if (status === 'canceled' || status === 'declined' || status === 'completed') return status;
  if (status === 'expired' || status === 'draft') return 'expired';
  // Signed already: later visits say so (waiting for the others), even after the link's own validity.
  if (signer.recipient.status === 'signed') return 'signed';
  if (isSigningLinkExpired(signer.recipient, ctx.config.linkTtlMs, now)) return 'expired';
  if (isLockedOut(signer.recipient, ctx.config.accessCodeMaxAttempts)) return 'locked';
  return signer.recipient.auth === 'login' ? 'login_required' : 'code_required';
}

/** Throws the AppError that fits a link that cannot be used for signing now. */
export function assertLinkUsable(
  ctx: Pick<DomainContext, 'config'>,
  signer: Pick<SignerContext, 'envelope' | 'recipient'>,
  now: Date,
): void {
  const state = signingLinkState(ctx, signer, now);
  if (state === 'signed') throw new AppError('ALREADY_SIGNED', 'you have already signed this envelope');
  if (state === 'expired') throw new AppError('LINK_EXPIRED', 'the link has expired; please contact the sender');
  if (state === 'locked')
    throw new AppError(
      'ACCESS_CODE_LOCKED',
      'too many wrong access codes; the sender has been told and can unlock the link',
    );
  if (state === 'canceled' || state === 'declined' || state === 'completed') {
    throw new AppError('ENVELOPE_NOT_ACTIVE', `the envelope is ${state}`, { status: state });
  }
}

/** The signer's view of an envelope once authenticated (SignerView of docs/api.md). */
export interface SignerView {
  envelope: {
    id: string;
    name: string;
    message: string;
    status: Envelope['status'];
    senderOrganization: string;
    senderName: string | null;
    /** Whom to ask (organisation, sender's name, e-mail and telephone when known). */
    sender: SenderContact;
    /** The organisation's logo (a public path), or null. */
    senderLogoPath: string | null;
    senderContact: string | null;
    certificateId: string;
    /** Every recipient has signed (the done page then says the completion mail is on its way). */
    allSigned: boolean;
  };
  recipient: { id: string; name: string; email: string; status: RecipientStatus; language: Language; canSign: boolean };
  documents: Array<{ id: string; name: string; pages: number }>;
}

/** Builds the SignerView; `canSign` is true when it is this recipient's turn and the envelope is active. */
export function signerView(signer: SignerContext, now: Date): SignerView {
  const status = effectiveStatus(signer.envelope, now);
  const canSign =
    envelopeAllows(signer.envelope, 'sign', now) &&
    isTurnOf(signer.recipients, signer.recipient) &&
    recipientStatusesAllowing('sign').includes(signer.recipient.status);
  return {
    envelope: {
      id: signer.envelope.id,
      name: signer.envelope.name,
      message: signer.envelope.message,
      status,
      senderOrganization: signer.organizationName,
      senderName: signer.senderName,
      sender: signer.sender,
      senderLogoPath: signer.organizationLogoPath,
      senderContact: signer.senderContact,
      certificateId: signer.envelope.certificateId,
      allSigned: signer.recipients.every((r) => r.role === 'cc' || r.status === 'signed'),
    },
    recipient: {
      id: signer.recipient.id,
      name: signer.recipient.name,
      email: signer.recipient.email,
      status: signer.recipient.status,
      language: signer.recipient.language,
      canSign,
    },
    documents: signer.documents.map((d) => ({ id: d.id, name: d.name, pages: d.pages })),
  };
}

/** The CSRF token of a signer session: derived from the session token, so nothing more is stored. */
export function signerCsrfToken(cookieKey: Uint8Array, sessionToken: string): string {
  return createHmac('sha256', cookieKey).update(`signer-csrf:${sessionToken}`).digest('base64url');
}

/**
 * The signer behind a request: the link token's recipient, who must hold a live signer session
 * (cookie) for that same recipient; else UNAUTHENTICATED.
 */
export async function authenticateSigner(
  ctx: DomainContext,
  db: DbOrTx,
  token: string,
  sessionToken: string | undefined,
): Promise<SignerContext> {
  return contextOfRecipient(db, await authenticateSignerRecipient(ctx, db, token, sessionToken));
}

/**
 * The recipient of a link token holding a live signer session, checked in one statement (the link and
 * the session); unknown link → LINK_INVALID, no or another recipient's or an expired session →
 * UNAUTHENTICATED. Only the recipient: callers that change the envelope read the rest in their transaction.
 */
export async function authenticateSignerRecipient(
  ctx: Pick<DomainContext, 'clock'>,
  db: DbOrTx,
  token: string,
  sessionToken: string | undefined,
): Promise<Recipient> {
  if (!TOKEN_PATTERN.test(token)) throw new AppError('LINK_INVALID', 'unknown link');
  const wellFormed = sessionToken !== undefined && TOKEN_PATTERN.test(sessionToken);
  const row = await db
    .selectFrom('recipients')
    .innerJoin('signing_links', 'signing_links.recipient_id', 'recipients.id')
    .leftJoin('recipient_sessions', (join) =>
      join
        .onRef('recipient_sessions.recipient_id', '=', 'recipients.id')
        // A malformed cookie matches no session (a hash is 64 hex digits).
        .on('recipient_sessions.token_hash', '=', wellFormed ? hashToken(sessionToken) : '-'),
    )
    .selectAll('recipients')
    .select('recipient_sessions.expires_at as session_expires_at')
    .where('signing_links.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row) throw new AppError('LINK_INVALID', 'unknown link');
  const { session_expires_at: expiresAt, ...recipient } = row;
  if (
    !wellFormed ||
    expiresAt === null ||
    expiresAt === undefined ||
    new Date(expiresAt).getTime() <= ctx.clock.now().getTime()
  ) {
    throw new AppError('UNAUTHENTICATED', 'enter the access code first');
  }
  return toRecipient(recipient);
}

/** Records an event of the signer's own doing (the recipient is the actor, in their envelope). */
export async function recordSignerEvent(
  tx: DbOrTx,
  signer: Pick<SignerContext, 'envelope' | 'recipient'>,
  event: Omit<NewEvent, 'organizationId' | 'envelopeId' | 'actor'>,
): Promise<void> {
  await recordEvent(tx, {
    organizationId: signer.envelope.organizationId,
    envelopeId: signer.envelope.id,
    actor: { type: 'recipient', id: signer.recipient.id },
    ...event,
  });
}
