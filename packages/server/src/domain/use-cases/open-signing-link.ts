import type { DomainContext } from '../domain-context.ts';
import { findByLinkToken, signingLinkState, type SenderContact, type SigningLinkState } from '../signer-access.ts';
import type { Language } from '../types.ts';

/** What the signer's first page shows: never the envelope's or documents' names. */
export interface SigningLinkInfo {
  state: SigningLinkState;
  language: Language;
  senderOrganization: string;
  /**
   * Whom to ask: the organisation and the person who sent (name, e-mail, telephone). The request mail
   * named them already, so the code, lock and done pages may too — but nothing about the documents.
   */
  sender: SenderContact;
  /** For the lockout message. */
  maxAttempts: number;
}

/**
 * Reads the state of a personal signing link. Changes nothing: mail scanners fetch links before the
 * recipient does. Unknown token → LINK_INVALID.
 */
export async function openSigningLink(ctx: DomainContext, token: string): Promise<SigningLinkInfo> {
  const signer = await findByLinkToken(ctx.db, token);
  return {
    state: signingLinkState(ctx, signer, ctx.clock.now()),
    language: signer.recipient.language,
    senderOrganization: signer.organizationName,
    sender: signer.sender,
    maxAttempts: ctx.config.accessCodeMaxAttempts,
  };
}
