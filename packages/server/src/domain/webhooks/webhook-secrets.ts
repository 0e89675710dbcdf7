import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** A new signing secret: `whsec_` and 256 random bits (base64url). Shown once, stored encrypted. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** What the screen shows of a secret: its first characters (10 of 49; the random part is 43 characters). */
export function secretHint(secret: string): string {
  return `${secret.slice(0, 10)}…`;
}

/** Encrypts a signing secret (AES-256-GCM, bound to its endpoint); it is needed in clear to sign. */
export function sealWebhookSecret(key: Uint8Array, endpointId: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`webhook:${endpointId}`, 'utf8'));
  const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

/** Decrypts a stored secret; throws when it was tampered with or belongs to another endpoint. */
export function openWebhookSecret(key: Uint8Array, endpointId: string, sealed: string): string {
  const raw = Buffer.from(sealed, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(`webhook:${endpointId}`, 'utf8'));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}
