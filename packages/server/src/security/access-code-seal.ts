import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/*
 * Recipients' access codes at rest, for showing them again to the envelope's sender: AES-256-GCM with
 * a key derived for this purpose only (ServerKeys.accessCodeSeal), a random 96-bit IV per code, and the
 * recipient's id as associated data, so a sealed code copied onto another recipient does not open.
 * Verification never uses this: it compares the HMAC in access_code_hash.
 */

const AAD_PREFIX = 'access-code:';

/** Encrypts a recipient's access code; the result is base64 (IV, tag, ciphertext). */
export function sealAccessCode(key: Uint8Array, recipientId: string, code: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(AAD_PREFIX + recipientId, 'utf8'));
  const body = Buffer.concat([cipher.update(code, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

/** Decrypts a sealed access code; throws when it was tampered with or belongs to another recipient. */
export function openAccessCode(key: Uint8Array, recipientId: string, sealed: string): string {
  const raw = Buffer.from(sealed, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(AAD_PREFIX + recipientId, 'utf8'));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}
