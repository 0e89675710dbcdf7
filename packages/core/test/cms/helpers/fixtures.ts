/** Small helpers shared by the CMS tests. */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh temp dir with a cleanup function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), `inkan-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

/** Writes `data` to `dir/name` and returns the path. */
export function writeBytes(dir: string, name: string, data: Uint8Array): string {
  const file = path.join(dir, name);
  writeFileSync(file, data);
  return file;
}

/** Arguments of `openssl cms -verify` for detached DER CMS trusting `rootPem`. */
export function cmsVerifyArgs(signature: string, content: string, rootPem: string, extra: string[] = []): string[] {
  return [
    'cms',
    '-verify',
    '-binary',
    '-inform',
    'DER',
    '-in',
    signature,
    '-content',
    content,
    '-CAfile',
    rootPem,
    '-purpose',
    'any',
    '-out',
    os.devNull,
    ...extra,
  ];
}

/** Returns a copy of `data` with the byte at `index` changed. */
export function flipByte(data: Uint8Array, index: number): Uint8Array {
  const copy = Uint8Array.from(data);
  copy[index] ^= 0x01;
  return copy;
}

/** Index of `needle` in `haystack` (throws when absent, so tests never tamper with the wrong place). */
export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  const index = Buffer.from(haystack.buffer, haystack.byteOffset, haystack.length).indexOf(
    Buffer.from(needle.buffer, needle.byteOffset, needle.length),
  );
  if (index < 0) throw new Error('needle not found');
  return index;
}
