import { randomBytes } from 'node:crypto';

/** A new signing secret: `whsec_` and 256 random bits (base64url). Shown once, stored encrypted. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** What the screen shows of a secret: its first characters (10 of 49; the random part is 43 characters). */
export function secretHint(secret: string): string {
  return `${secret.slice(0, 10)}…`;
}
