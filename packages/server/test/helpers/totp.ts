// RFC 6238 codes computed by the tests themselves (written here, independent of the server's TOTP code),
// for the API, rotation and browser tests that sign in with an authenticator app.
import { createHmac } from 'node:crypto';

/** RFC 4648 base32 decoding (the otpauth secret). */
export function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of text.replace(/=+$/, '')) {
    value = (value << 5) | alphabet.indexOf(char);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 6238 TOTP (HMAC-SHA-1, 30 s, 6 digits) of a seed (base32 text or its bytes) at a time. */
export function totpAt(secret: string | Uint8Array, at: Date): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at.getTime() / 30_000)));
  const key = typeof secret === 'string' ? base32Decode(secret) : secret;
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[19]! & 15;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}
