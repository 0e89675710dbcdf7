import { randomBytes } from 'node:crypto';
import { bytesToBigInt } from '../asn1/bytes.ts';

/** A fresh request nonce: 12 random bytes (within RFC-typical 8–16), never zero. */
export function freshNonce(): { bytes: Uint8Array; value: bigint } {
  for (;;) {
    const bytes = new Uint8Array(randomBytes(12));
    const value = bytesToBigInt(bytes);
    if (value !== 0n) return { bytes, value };
  }
}
