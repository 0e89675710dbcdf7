import type { DbOrTx } from '../../ports/database.ts';
import { AppError } from '../app-error.ts';
import { findContact } from './contacts.ts';

/** The pre-registered signer a recipient takes from the address book (登録済みアクセスコード). */
export interface RegisteredSigner {
  contactId: string;
  name: string;
  email: string;
  language: 'ja' | 'en';
  /** The keyed hash of the code the counterparty chose: copied to the recipient, never seen by the sender. */
  accessCodeHash: string;
}

/**
 * The registered signer of the contact a new recipient names (`contactId`), for create-envelope:
 * another organisation's or an unknown contact → NOT_FOUND; no registration → CONTACT_NOT_REGISTERED;
 * an access code or auth "login" given as well, or an e-mail other than the registered one → VALIDATION_FAILED.
 */
export async function registeredSignerOf(
  db: DbOrTx,
  organizationId: string,
  recipient: { contactId?: unknown; accessCode?: unknown; auth?: unknown; email?: unknown },
  field: string,
): Promise<RegisteredSigner> {
  if (typeof recipient.contactId !== 'string')
    throw new AppError('VALIDATION_FAILED', `${field}.contactId must be a string`, { field: `${field}.contactId` });
  if (recipient.accessCode !== undefined && recipient.accessCode !== null && recipient.accessCode !== '')
    throw new AppError(
      'VALIDATION_FAILED',
      `${field}: a contact's registered code replaces accessCode; give one of them`,
      {
        field: `${field}.accessCode`,
      },
    );
  if (recipient.auth !== undefined && recipient.auth !== 'access_code')
    throw new AppError('VALIDATION_FAILED', `${field}.auth must be access_code with a contact`, {
      field: `${field}.auth`,
    });
  let contact;
  try {
    contact = await findContact(db, organizationId, recipient.contactId);
  } catch (error) {
    if (error instanceof AppError) throw new AppError('NOT_FOUND', error.message, { field: `${field}.contactId` });
    throw error;
  }
  if (contact.signer_access_code_hash === null || contact.signer_email === null)
    throw new AppError('CONTACT_NOT_REGISTERED', 'the contact has no registered signer and access code', {
      field: `${field}.contactId`,
    });
  const given = typeof recipient.email === 'string' ? recipient.email.trim() : '';
  if (given !== '' && given.toLowerCase() !== contact.signer_email.toLowerCase())
    throw new AppError('VALIDATION_FAILED', `${field}.email differs from the contact's registered signer`, {
      field: `${field}.email`,
    });
  return {
    contactId: contact.id,
    name: contact.signer_name ?? '',
    email: contact.signer_email,
    language: contact.signer_language ?? 'ja',
    accessCodeHash: contact.signer_access_code_hash,
  };
}
