import { createHash } from 'node:crypto';

/** SHA-256 (hex) of bytes given in parts (an incremental update's original + tail) without joining them. */
export function sha256Hex(parts: Uint8Array | readonly Uint8Array[]): string {
  const hash = createHash('sha256');
  for (const part of parts instanceof Uint8Array ? [parts] : parts) hash.update(part);
  return hash.digest('hex');
}
