import { createHash, createHmac, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';

/** A new random token (32 bytes, base64url) and its SHA-256 (hex): the token goes out, the hash is stored. */
export function newToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

/** SHA-256 (hex) of a token. Tokens carry 256 random bits, so a fast hash is enough. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A random 4-digit access code from the CSPRNG (leading zeros kept). */
export function generateAccessCode(): string {
  return String(randomInt(0, 10_000)).padStart(4, '0');
}

/**
 * HMAC-SHA-256 (hex) of an access code under the server's access-code key. A 4–8 digit code falls to
 * brute force under any hash; the key (derived from the master secret, never in the database) is
 * what keeps a stolen database from revealing the codes.
 */
export function hashAccessCode(code: string, key: Uint8Array): string {
  return createHmac('sha256', key).update(code, 'utf8').digest('hex');
}

/** Whether `code` matches a stored access-code hash (compared in constant time). */
export function accessCodeMatches(code: string, hash: string, key: Uint8Array): boolean {
  const expected = Buffer.from(hash, 'hex');
  const actual = Buffer.from(hashAccessCode(code, key), 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

// OWASP's argon2id recommendation (m=19 MiB, t=2, p=1); algorithm 2 = Argon2id.
const ARGON2_OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** argon2id hash of a password (PHC string with salt and parameters). */
export function hashPassword(password: string): Promise<string> {
  return argon2Hash(password, ARGON2_OPTIONS);
}

/** Whether a password matches an argon2id PHC string; false (not an error) for a malformed hash. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  try {
    return await argon2Verify(hash, password);
  } catch {
    return false;
  }
}

/** A new random identifier (UUID v4). */
export function newId(): string {
  return randomUUID();
}
