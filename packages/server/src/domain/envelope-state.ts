import type { Envelope, EnvelopeStatus, Recipient } from './types.ts';

/** Whether a sent envelope has passed its expiry date (it is then treated as expired). */
export function isPastExpiry(envelope: Pick<Envelope, 'status' | 'expiresAt'>, now: Date): boolean {
  return envelope.status === 'sent' && envelope.expiresAt !== null && envelope.expiresAt.getTime() <= now.getTime();
}

/** The status to show: a sent envelope past its expiry date is expired even before anything records it. */
export function effectiveStatus(envelope: Pick<Envelope, 'status' | 'expiresAt'>, now: Date): EnvelopeStatus {
  return isPastExpiry(envelope, now) ? 'expired' : envelope.status;
}

/** Whether a personal signing link is too old (INKAN_LINK_TTL after the request mail). */
export function isSigningLinkExpired(recipient: Pick<Recipient, 'notifiedAt'>, linkTtlMs: number, now: Date): boolean {
  return recipient.notifiedAt !== null && recipient.notifiedAt.getTime() + linkTtlMs <= now.getTime();
}

/** Whether wrong access codes have locked the recipient (a signed recipient keeps its status but is locked too). */
export function isLockedOut(recipient: Pick<Recipient, 'status' | 'failedAttempts'>, maxAttempts: number): boolean {
  return recipient.status === 'locked' || recipient.failedAttempts >= maxAttempts;
}
