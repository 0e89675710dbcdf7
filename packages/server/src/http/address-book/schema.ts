import * as z from 'zod';
import { CONTACT_LIMITS } from '../../domain/address-book/contacts.ts';

/*
 * Shapes only (bounded sizes): what a value means — an e-mail's syntax, a code's digits — is the use
 * case's to judge, with its own stable code.
 */

/** A contact as the sender edits it (POST and PUT). */
export const contactBody = z.object({
  companyName: z.string().max(CONTACT_LIMITS.companyName + 50),
  department: z
    .string()
    .max(CONTACT_LIMITS.department + 50)
    .nullable()
    .optional(),
  personName: z.string().max(CONTACT_LIMITS.personName + 50),
  email: z.string().max(320),
  phone: z
    .string()
    .max(CONTACT_LIMITS.phone + 20)
    .nullable()
    .optional(),
  note: z
    .string()
    .max(CONTACT_LIMITS.note + 50)
    .nullable()
    .optional(),
});

/** GET /api/v1/address-book/contacts query. */
export const listContactsQuery = z.object({
  q: z.string().max(200).optional(),
  registered: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().optional(),
  offset: z.coerce.number().int().optional(),
});

/** POST …/registration-requests body (optional): the mail's language. */
export const registrationRequestBody = z.object({ language: z.enum(['ja', 'en']).optional() }).nullish();

export const contactParams = z.object({ id: z.string().max(100) });

// Malformed tokens are the domain's REGISTRATION_LINK_INVALID (404), not a generic validation error.
export const registrationParams = z.object({ token: z.string().max(200) });

/** POST /api/signer-registrations/{token}: the counterparty's signer and the code it chose, twice. */
export const registrationBody = z.object({
  signerName: z.string().max(200),
  signerEmail: z.string().max(320),
  language: z.enum(['ja', 'en']).optional(),
  accessCode: z.string().max(20),
  accessCodeConfirmation: z.string().max(20),
});
