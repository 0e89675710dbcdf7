import { createPrivateKey, generateKeyPair, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreError } from '../errors.ts';

/** Key algorithms the built-in PKI can generate. */
export type PkiKeyAlgorithm = 'RSA-2048' | 'RSA-3072' | 'ECDSA-P256';

/** Minimum master secret length in bytes. */
export const MASTER_KEY_MIN_BYTES = 32;

/** File name of the generated master secret inside the PKI directory. */
export const MASTER_KEY_FILE = 'master.key';

/** Generates a private key of the given algorithm (off the main thread: RSA-3072 takes a while). */
export function generatePrivateKey(algorithm: PkiKeyAlgorithm): Promise<KeyObject> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, _publicKey: KeyObject, privateKey: KeyObject): void => {
      if (error) reject(new CoreError('PKI_INVALID', `key generation failed for ${algorithm}`, { cause: error }));
      else resolve(privateKey);
    };
    if (algorithm === 'ECDSA-P256') generateKeyPair('ec', { namedCurve: 'prime256v1' }, done);
    else
      generateKeyPair('rsa', { modulusLength: algorithm === 'RSA-3072' ? 3072 : 2048, publicExponent: 0x10001 }, done);
  });
}

/**
 * Parses a master secret given as text (e.g. the INKAN_MASTER_KEY setting): hex when the text is
 * only hex digits of even length, otherwise base64 (standard or URL-safe). Must decode to ≥ 32 bytes.
 */
export function parseMasterKey(text: string): Uint8Array {
  const trimmed = text.trim();
  let bytes: Uint8Array;
  if (/^[0-9a-fA-F]+$/.test(trimmed) && trimmed.length % 2 === 0) {
    bytes = new Uint8Array(Buffer.from(trimmed, 'hex'));
  } else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    bytes = new Uint8Array(Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
  } else {
    throw new CoreError('PKI_BAD_MASTER_KEY', 'the master key must be hex or base64');
  }
  assertMasterKey(bytes);
  return bytes;
}

function assertMasterKey(masterKey: Uint8Array): void {
  if (masterKey.length < MASTER_KEY_MIN_BYTES) {
    throw new CoreError('PKI_BAD_MASTER_KEY', `the master key must be at least ${MASTER_KEY_MIN_BYTES} bytes`);
  }
}

/** The passphrase protecting key files: hex of HKDF-SHA256(master, info 'inkan-key-file'). */
export function keyFilePassphrase(masterKey: Uint8Array): string {
  assertMasterKey(masterKey);
  return Buffer.from(hkdfSync('sha256', masterKey, new Uint8Array(0), 'inkan-key-file', 32)).toString('hex');
}

/** Writes `content` to `path` with mode 0600 through a temporary file and rename (never a half-written file). */
export async function writePrivateFile(path: string, content: string | Uint8Array): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, content, { mode: 0o600, flag: 'wx' });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
}

/** Writes a private key as an encrypted PKCS#8 PEM (PBES2, AES-256-CBC), mode 0600. */
export async function writeEncryptedPrivateKey(path: string, key: KeyObject, masterKey: Uint8Array): Promise<void> {
  const pem = key.export({
    type: 'pkcs8',
    format: 'pem',
    cipher: 'aes-256-cbc',
    passphrase: keyFilePassphrase(masterKey),
  });
  await writePrivateFile(path, pem);
}

/** Reads an encrypted PKCS#8 PEM key file; a wrong master key gives CoreError('PKI_BAD_MASTER_KEY'). */
export async function readEncryptedPrivateKey(path: string, masterKey: Uint8Array): Promise<KeyObject> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (cause) {
    throw new CoreError('PKI_INVALID', `key file missing or unreadable: ${path}`, { cause });
  }
  if (!pem.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----')) {
    throw new CoreError('PKI_INVALID', `key file is not an encrypted PKCS#8 key: ${path}`);
  }
  try {
    return createPrivateKey({ key: pem, format: 'pem', passphrase: keyFilePassphrase(masterKey) });
  } catch (cause) {
    // A wrong passphrase shows up as a padding ("bad decrypt") or, rarely, an ASN.1 decode failure of
    // the inner PKCS#8; both are reported as a bad master key (a damaged file looks the same).
    throw new CoreError('PKI_BAD_MASTER_KEY', `cannot decrypt ${path}: wrong master key or damaged key file`, {
      cause,
    });
  }
}

/**
 * Returns the master secret: the one given, else the one in `<dir>/master.key`; when neither exists
 * and `create` is true, makes a new random 32-byte secret there (mode 0600).
 */
export async function resolveMasterKey(
  dir: string,
  given: Uint8Array | undefined,
  create: boolean,
): Promise<{ masterKey: Uint8Array; stored: boolean }> {
  if (given !== undefined) {
    assertMasterKey(given);
    return { masterKey: given, stored: false };
  }
  const path = join(dir, MASTER_KEY_FILE);
  let text: string | undefined;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new CoreError('PKI_BAD_MASTER_KEY', `cannot read ${path}`, { cause: error });
  }
  if (text !== undefined) return { masterKey: parseMasterKey(text), stored: true };
  if (!create) throw new CoreError('PKI_BAD_MASTER_KEY', `no master key given and no ${MASTER_KEY_FILE} in ${dir}`);
  const masterKey = new Uint8Array(randomBytes(32));
  await writePrivateFile(path, `${Buffer.from(masterKey).toString('hex')}\n`);
  return { masterKey, stored: true };
}
