import { hkdfSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseMasterKey } from '@inkan/core';
import type { Config } from '../config/config.ts';

/** Keys of the service, each derived from the master secret for one purpose only. */
export interface ServerKeys {
  /** HMAC key of access-code hashes. */
  accessCode: Uint8Array;
  /** Signs cookies (@fastify/cookie secret). */
  cookie: Uint8Array;
  /** Wraps the per-blob data keys of the disk blob store. */
  blob: Uint8Array;
  /** HMAC key of recovery-code hashes (a stolen database alone cannot test guesses). */
  recoveryCode: Uint8Array;
}

/** HKDF-SHA-256 of the master secret with a purpose label (distinct from the PKI's 'inkan-key-file'). */
export function deriveKey(masterKey: Uint8Array, purpose: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', masterKey, new Uint8Array(0), `inkan-server/${purpose}`, 32));
}

/** The per-purpose keys derived from a master secret. */
export function deriveServerKeys(masterKey: Uint8Array): ServerKeys {
  return {
    accessCode: deriveKey(masterKey, 'access-code-hmac'),
    cookie: deriveKey(masterKey, 'cookie'),
    blob: deriveKey(masterKey, 'blob-key-wrap'),
    recoveryCode: deriveKey(masterKey, 'recovery-code-hmac'),
  };
}

/**
 * The master secret the PKI uses: INKAN_MASTER_KEY, else `<dataDir>/pki/master.key` (written by
 * `inkan init`). Throws when neither is there.
 */
export async function readMasterKey(config: Config): Promise<Uint8Array> {
  if (config.masterKey !== undefined) return parseMasterKey(config.masterKey);
  const path = join(config.pkiDir, 'master.key');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new Error(`no INKAN_MASTER_KEY and no ${path}: run \`inkan init\` first`, { cause });
  }
  return parseMasterKey(text);
}
